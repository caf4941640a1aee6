/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_form: the decoded form and query getters of httpd_form.h (httpd_form_recv() is
 * tested against a running server by tests/pytest/test_addon_form.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpd_form.h"
#include "../unit/check.h"

static esp_err_t get(const char *form, const char *key, char *val, size_t size)
{
    return httpd_form_get(form, strlen(form), key, val, size);
}

static void test_get(void)
{
    char v[32];
    const char *f = "a=1&b=hello+world&c=%41%42%c3%a9&empty=&flag&x%20y=z&a=2&pct=100%25";
    CHECK_EQ_INT(get(f, "a", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "1");                                   /* the first of two */
    CHECK_EQ_INT(get(f, "b", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "hello world");
    CHECK_EQ_INT(get(f, "c", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "AB\xc3\xa9");
    CHECK_EQ_INT(get(f, "empty", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "");
    CHECK_EQ_INT(get(f, "flag", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "");
    CHECK_EQ_INT(get(f, "x y", v, sizeof v), ESP_OK);     /* keys compare decoded */
    CHECK_EQ_STR(v, "z");
    CHECK_EQ_INT(get(f, "x%20y", v, sizeof v), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(get(f, "pct", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "100%");
    CHECK_EQ_INT(get(f, "A", v, sizeof v), ESP_ERR_NOT_FOUND);   /* case-sensitive */
    CHECK_EQ_INT(get(f, "", v, sizeof v), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(get(f, "fla", v, sizeof v), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(get(f, "flagg", v, sizeof v), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(get("", "a", v, sizeof v), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(get("&&&", "a", v, sizeof v), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_form_get("a=1&b=2", 3, "b", v, sizeof v), ESP_ERR_NOT_FOUND);   /* len bounds it */
    CHECK_EQ_INT(httpd_form_get("a=12345", 4, "a", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "12");
    /* truncation: the value and its NUL must fit */
    CHECK_EQ_INT(get("k=abcd", "k", v, 5), ESP_OK);
    CHECK_EQ_STR(v, "abcd");
    strcpy(v, "junk");
    CHECK_EQ_INT(get("k=abcde", "k", v, 5), ESP_ERR_HTTPD_RESULT_TRUNC);
    CHECK_EQ_STR(v, "");
    CHECK_EQ_INT(get("k=%41%42%43%44", "k", v, 5), ESP_OK);   /* decoded length counts */
    CHECK_EQ_STR(v, "ABCD");
    /* bad encodings */
    CHECK_EQ_INT(get("k=%4", "k", v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(get("k=%zz", "k", v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(get("k=a%00b", "k", v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(get("k=%", "k", v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(get("%zz=1&k=2", "k", v, sizeof v), ESP_OK);   /* a bad key is passed over */
    CHECK_EQ_STR(v, "2");
    /* arguments */
    CHECK_EQ_INT(httpd_form_get(NULL, 0, "a", v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_form_get("a=1", 3, NULL, v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_form_get("a=1", 3, "a", NULL, 4), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_form_get("a=1", 3, "a", v, 0), ESP_ERR_INVALID_ARG);
}

static void test_iter(void)
{
    char k[8], v[8];
    httpd_form_iter_t it;
    const char *f = "a=1&&b+c=x%2By&%zz=1&long=123456789&=e&last";
    httpd_form_iter_init(&it, f, strlen(f));
    CHECK_EQ_INT(httpd_form_next(&it, k, sizeof k, v, sizeof v), ESP_OK);
    CHECK_EQ_STR(k, "a");
    CHECK_EQ_STR(v, "1");
    CHECK_EQ_INT(httpd_form_next(&it, k, sizeof k, v, sizeof v), ESP_OK);
    CHECK_EQ_STR(k, "b c");
    CHECK_EQ_STR(v, "x+y");
    CHECK_EQ_INT(httpd_form_next(&it, k, sizeof k, v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_STR(k, "");
    CHECK_EQ_INT(httpd_form_next(&it, k, sizeof k, v, sizeof v), ESP_ERR_HTTPD_RESULT_TRUNC);
    CHECK_EQ_STR(v, "");
    CHECK_EQ_INT(httpd_form_next(&it, k, sizeof k, v, sizeof v), ESP_OK);
    CHECK_EQ_STR(k, "");
    CHECK_EQ_STR(v, "e");
    CHECK_EQ_INT(httpd_form_next(&it, k, sizeof k, v, sizeof v), ESP_OK);
    CHECK_EQ_STR(k, "last");
    CHECK_EQ_STR(v, "");
    CHECK_EQ_INT(httpd_form_next(&it, k, sizeof k, v, sizeof v), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_form_next(&it, k, sizeof k, v, sizeof v), ESP_ERR_NOT_FOUND);
    httpd_form_iter_init(&it, NULL, 5);
    CHECK_EQ_INT(httpd_form_next(&it, k, sizeof k, v, sizeof v), ESP_ERR_NOT_FOUND);
    httpd_form_iter_init(&it, f, 0);
    CHECK_EQ_INT(httpd_form_next(&it, k, sizeof k, v, sizeof v), ESP_ERR_NOT_FOUND);
    httpd_form_iter_init(NULL, f, 1);
    CHECK_EQ_INT(httpd_form_next(NULL, k, sizeof k, v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_form_next(&it, NULL, sizeof k, v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_form_next(&it, k, 0, v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_form_next(&it, k, sizeof k, v, 0), ESP_ERR_INVALID_ARG);
}

static void test_int(void)
{
    int32_t n = 77;
    const char *f = "a=42&b=-2147483648&c=2147483648&d=12x&e=&f=%2B7&j=+7&g=%2D5&h=-&i=00000000000000000001";
    CHECK_EQ_INT(httpd_form_get_int(f, strlen(f), "a", &n), ESP_OK);
    CHECK_EQ_INT(n, 42);
    CHECK_EQ_INT(httpd_form_get_int(f, strlen(f), "b", &n), ESP_OK);
    CHECK_EQ_INT(n, INT32_MIN);
    n = 77;
    CHECK_EQ_INT(httpd_form_get_int(f, strlen(f), "c", &n), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_form_get_int(f, strlen(f), "d", &n), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_form_get_int(f, strlen(f), "e", &n), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_form_get_int(f, strlen(f), "h", &n), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_form_get_int(f, strlen(f), "j", &n), ESP_ERR_INVALID_ARG);   /* '+' is a space */
    CHECK_EQ_INT(httpd_form_get_int(f, strlen(f), "i", &n), ESP_ERR_INVALID_ARG);   /* too long */
    CHECK_EQ_INT(n, 77);
    CHECK_EQ_INT(httpd_form_get_int(f, strlen(f), "f", &n), ESP_OK);
    CHECK_EQ_INT(n, 7);
    CHECK_EQ_INT(httpd_form_get_int(f, strlen(f), "g", &n), ESP_OK);
    CHECK_EQ_INT(n, -5);
    CHECK_EQ_INT(httpd_form_get_int(f, strlen(f), "zz", &n), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_form_get_int(f, strlen(f), "a", NULL), ESP_ERR_INVALID_ARG);
}

static void test_query(void)
{
    httpd_req_t *req = calloc(1, sizeof *req);   /* heap: its uri may be written */
    CHECK(req != NULL);
    if (!req) {
        return;
    }
    char v[16];
    int32_t n = 0;
    strcpy((char *)req->uri, "/p?name=J%C3%B6rg+M&n=12#frag&x=1");
    CHECK_EQ_INT(httpd_query_get(req, "name", v, sizeof v), ESP_OK);
    CHECK_EQ_STR(v, "J\xc3\xb6rg M");
    CHECK_EQ_INT(httpd_query_get_int(req, "n", &n), ESP_OK);
    CHECK_EQ_INT(n, 12);
    CHECK_EQ_INT(httpd_query_get(req, "x", v, sizeof v), ESP_ERR_NOT_FOUND);   /* in the fragment */
    CHECK_EQ_INT(httpd_query_get(req, "name", v, 4), ESP_ERR_HTTPD_RESULT_TRUNC);
    strcpy((char *)req->uri, "/p");
    CHECK_EQ_INT(httpd_query_get(req, "name", v, sizeof v), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_query_get_int(req, "n", &n), ESP_ERR_NOT_FOUND);
    strcpy((char *)req->uri, "/p?");
    CHECK_EQ_INT(httpd_query_get(req, "name", v, sizeof v), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_query_get(NULL, "name", v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_query_get(req, NULL, v, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_query_get(req, "n", NULL, sizeof v), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_query_get_int(NULL, "n", &n), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_query_get_int(req, "n", NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_form_recv(NULL, v, sizeof v, NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_form_recv(req, NULL, sizeof v, NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_form_recv(req, v, 0, NULL), ESP_ERR_INVALID_ARG);
    free(req);
}

int main(void)
{
    test_get();
    test_iter();
    test_int();
    test_query();
    return check_summary();
}
