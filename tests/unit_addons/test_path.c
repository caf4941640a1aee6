/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_path: the template matcher and parameter getters of httpd_path.h (routing of
 * mixed routes on a running server: tests/pytest/test_addon_form.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpd_path.h"
#include "../unit/check.h"

static bool m(const char *t, const char *u)
{
    return httpd_uri_match_path(t, u, strlen(u));
}

static void test_match(void)
{
    CHECK(m("/api/led/{id}", "/api/led/1"));
    CHECK(m("/api/led/{id}", "/api/led/%31"));
    CHECK(!m("/api/led/{id}", "/api/led/"));         /* empty segment */
    CHECK(!m("/api/led/{id}", "/api/led"));
    CHECK(!m("/api/led/{id}", "/api/led/1/2"));
    CHECK(!m("/api/led/{id}", "/api/led/1/"));
    CHECK(m("/api/{group}/items/{n}", "/api/g1/items/7"));
    CHECK(!m("/api/{group}/items/{n}", "/api//items/7"));
    CHECK(!m("/api/{group}/items/{n}", "/api/g1/item/7"));
    CHECK(m("/u/{user}/*", "/u/bob/"));
    CHECK(m("/u/{user}/*", "/u/bob/a/b/c"));
    CHECK(!m("/u/{user}/*", "/u/bob"));
    CHECK(!m("/x/{a}.json", "/x/file.json"));          /* a parameter takes its whole segment */
    CHECK(m("/x/{a}/{b}", "/x/%2F/b"));                 /* an encoded '/' is no separator */
    CHECK(httpd_uri_match_path("/api/led/{id}", "/api/led/12?x=1", 12));   /* len bounds it */
    CHECK(!m("/bad/{id", "/bad/1"));
    CHECK(!m("/bad/{}", "/bad/1"));
    CHECK(!httpd_uri_match_path(NULL, "/", 1));
    CHECK(!httpd_uri_match_path("/", NULL, 1));
    /* without '{': exactly httpd_uri_match_wildcard */
    static const char *const tmpls[] = { "/", "/a", "/a*", "/a/*", "/a?", "/ab?*", "/ab*?", "*", "?", "?*", "",
                                         "/a*b", "/a?b", "/files/*" };
    static const char *const uris[] = { "", "/", "/a", "/ab", "/a/", "/a/b", "/abc", "/b", "/a*b", "/a?b",
                                        "/files", "/files/", "/files/x/y" };
    for (size_t i = 0; i < sizeof tmpls / sizeof tmpls[0]; i++) {
        for (size_t j = 0; j < sizeof uris / sizeof uris[0]; j++) {
            for (size_t len = 0; len <= strlen(uris[j]) + 1; len++) {
                CHECK(httpd_uri_match_path(tmpls[i], uris[j], len) == httpd_uri_match_wildcard(tmpls[i], uris[j], len));
            }
        }
    }
}

static httpd_req_t *req_for(const char *uri)
{
    static httpd_req_t *req;
    if (!req) {
        req = calloc(1, sizeof *req);
    }
    memset((char *)req->uri, 0, sizeof req->uri);
    strcpy((char *)req->uri, uri);
    return req;
}

static void test_param(void)
{
    char v[8];
    int32_t n = 5;
    const char *t = "/api/{group}/items/{n}";
    CHECK_EQ_INT(httpd_path_param(req_for("/api/g%201/items/42?n=9"), t, "group", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "g 1");
    CHECK_EQ_INT(httpd_path_param_int(req_for("/api/g/items/42?n=9"), t, "n", &n), ESP_OK);
    CHECK_EQ_INT(n, 42);
    CHECK_EQ_INT(httpd_path_param_int(req_for("/api/g/items/-7#x"), t, "n", &n), ESP_OK);
    CHECK_EQ_INT(n, -7);
    CHECK_EQ_INT(httpd_path_param_int(req_for("/api/g/items/4x"), t, "n", &n), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_path_param_int(req_for("/api/g/items/99999999999"), t, "n", &n), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(n, -7);
    CHECK_EQ_INT(httpd_path_param(req_for("/api/g/items/42"), t, "nope", v, sizeof v), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_path_param(req_for("/api/g/other/42"), t, "n", v, sizeof v), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_path_param(req_for("/api/led/%31"), "/api/led/{id}", "id", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "1");
    CHECK_EQ_INT(httpd_path_param(req_for("/api/led/a+b%2Fc"), "/api/led/{id}", "id", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "a+b/c");
    /* truncation: 7 characters fit in 8 bytes, 8 do not */
    CHECK_EQ_INT(httpd_path_param(req_for("/api/led/1234567"), "/api/led/{id}", "id", v, sizeof v), ESP_OK);
    CHECK_EQ_INT(httpd_path_param(req_for("/api/led/12345678"), "/api/led/{id}", "id", v, sizeof v),
                 ESP_ERR_HTTPD_RESULT_TRUNC);
    CHECK_EQ_STR(v, "");
    CHECK_EQ_INT(httpd_path_param(req_for("/api/led/%41%42%43%44%45%46%47"), "/api/led/{id}", "id", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "ABCDEFG");
    CHECK_EQ_INT(httpd_path_param(req_for("/api/led/%4"), "/api/led/{id}", "id", v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_path_param(req_for("/api/led/a%00"), "/api/led/{id}", "id", v, sizeof v), ESP_ERR_INVALID_ARG);
    /* absolute-form targets */
    CHECK_EQ_INT(httpd_path_param(req_for("http://host:80/api/led/3?q"), "/api/led/{id}", "id", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "3");
    /* the wildcard rest */
    CHECK_EQ_INT(httpd_path_param(req_for("/files/a/b%20c?x"), "/files/*", "*", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "a/b c");
    CHECK_EQ_INT(httpd_path_param(req_for("/files/"), "/files/*", "*", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "");
    CHECK_EQ_INT(httpd_path_param(req_for("/u/bob/x/y"), "/u/{user}/*", "user", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "bob");
    /* arguments */
    CHECK_EQ_INT(httpd_path_param(NULL, t, "n", v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_path_param(req_for("/"), NULL, "n", v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_path_param(req_for("/"), t, NULL, v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_path_param(req_for("/"), t, "n", NULL, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_path_param(req_for("/"), t, "n", v, 0), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_path_param_int(req_for("/"), t, "n", NULL), ESP_ERR_INVALID_ARG);
    free(req_for("/"));
}

int main(void)
{
    test_match();
    test_param();
    return check_summary();
}
