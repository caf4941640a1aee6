/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of httpd_uri_match_wildcard(): the upstream truth table, the
 * examples of the API documentation, and match_upto handling. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_server.h"
#include "check.h"

struct wc_case {
    const char *tpl;
    const char *uri;
    bool match;
};

/* Upstream on-target test "URI Wildcard Matcher" (espidf-tests.md section 9). */
static const struct wc_case upstream_table[] = {
    { "/", "/", true },
    { "", "", true },
    { "/", "", false },
    { "/wrong", "/", false },
    { "/", "/wrong", false },
    { "/asdfghjkl/qwertrtyyuiuioo", "/asdfghjkl/qwertrtyyuiuioo", true },
    { "/path", "/path", true },
    { "/path", "/path/", false },
    { "/path/", "/path", false },
    { "?", "", false },
    { "?", "sfsdf", false },
    { "/path/?", "/pa", false },
    { "/path/?", "/path", true },
    { "/path/?", "/path/", true },
    { "/path/?", "/path/alalal", false },
    { "/path/*", "/path", false },
    { "/path/*", "/", false },
    { "/path/*", "/path/", true },
    { "/path/*", "/path/blabla", true },
    { "*", "", true },
    { "*", "/", true },
    { "*", "/aaa", true },
    { "/path/?*", "/pat", false },
    { "/path/?*", "/pathb", false },
    { "/path/?*", "/pathxx", false },
    { "/path/?*", "/pathblabla", false },
    { "/path/?*", "/path", true },
    { "/path/?*", "/path/", true },
    { "/path/?*", "/path/blabla", true },
    { "/path/*?", "/pat", false },
    { "/path/*?", "/pathb", false },
    { "/path/*?", "/pathxx", false },
    { "/path/*?", "/path", true },
    { "/path/*?", "/path/", true },
    { "/path/*?", "/path/blabla", true },
    { "/path/*/xxx", "/path/", false },
    { "/path/*/xxx", "/path/*/xxx", true },
};

/* Examples from the httpd_uri_match_wildcard() documentation. */
static const struct wc_case doc_examples[] = {
    { "*", "/anything/at/all", true },
    { "*", "", true },
    { "/foo/?", "/foo", true },
    { "/foo/?", "/foo/", true },
    { "/foo/*", "/foo/", true },
    { "/foo/*", "/foo/bar", true },
    { "/foo/*", "/foo", false },
    { "/foo/*", "/fo", false },
    { "/foo/?*", "/foo/", true },
    { "/foo/?*", "/foo/bar", true },
    { "/foo/?*", "/foo", true },
    { "/foo/?*", "/foox", false },
    { "/foo/?*", "/fo", false },
    { "/foo/*?", "/foo/", true },
    { "/foo/*?", "/foo/bar", true },
    { "/foo/*?", "/foo", true },
    { "/foo/*?", "/foox", false },
    { "/foo/*?", "/fo", false },
};

/* Further cases: literal specials, degenerate templates, case sensitivity. */
static const struct wc_case extra_cases[] = {
    { "?*", "", false },           /* "?" with nothing before it */
    { "*?", "", false },
    { "?*", "x", false },
    { "*?", "anything", false },
    { "a?", "", true },            /* single optional character */
    { "a?", "a", true },
    { "a?", "b", false },
    { "a?", "aa", false },
    { "/a?b", "/a?b", true },      /* "?" in the middle is literal */
    { "/a?b", "/ab", false },
    { "/a*b", "/a*b", true },      /* "*" in the middle is literal */
    { "/a*b", "/axxb", false },
    { "/a**", "/a*", true },       /* only the last "*" is special */
    { "/a**", "/a*x", true },
    { "/a**", "/ax", false },
    { "/a??", "/a", true },        /* only the last "?" is special: "?" is optional */
    { "/a??", "/a?", true },
    { "/a??", "/a?x", false },
    { "/Path", "/path", false },   /* case-sensitive */
    { "/path/*", "/PATH/x", false },
    { "/path/?", "/path//", false },
    { "/path/?*", "/path//x", true },
};

static void run_table(const struct wc_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool got = httpd_uri_match_wildcard(c[i].tpl, c[i].uri, strlen(c[i].uri));
        if (got != c[i].match) {
            fprintf(stderr, "  template \"%s\" uri \"%s\": expected %s\n",
                    c[i].tpl, c[i].uri, c[i].match ? "match" : "no match");
        }
        CHECK_EQ_INT(got, c[i].match);
    }
}

static void test_match_upto(void)
{
    /* Only the first match_upto bytes are compared. */
    CHECK(httpd_uri_match_wildcard("/path", "/path?x=1", 5));
    CHECK(!httpd_uri_match_wildcard("/path", "/path?x=1", 9));
    CHECK(!httpd_uri_match_wildcard("/path", "/path?x=1", 4));
    CHECK(httpd_uri_match_wildcard("/pat", "/path?x=1", 4));
    CHECK(httpd_uri_match_wildcard("/path/?", "/path?x=1", 5));
    CHECK(httpd_uri_match_wildcard("/path/?", "/path/?x=1", 6));
    CHECK(httpd_uri_match_wildcard("/path/*", "/path/a/b?q#f", 9));
    CHECK(!httpd_uri_match_wildcard("/path/*", "/path/a/b?q#f", 5));
    CHECK(httpd_uri_match_wildcard("/path/?*", "/path?q", 5));
    CHECK(httpd_uri_match_wildcard("", "/path", 0));
    CHECK(httpd_uri_match_wildcard("*", "/path", 0));
    CHECK(!httpd_uri_match_wildcard("/", "/path", 0));

    /* The URI buffer need not be NUL-terminated at match_upto. */
    char *buf = malloc(5);
    CHECK(buf != NULL);
    if (buf != NULL) {
        memcpy(buf, "/path", 5);
        CHECK(httpd_uri_match_wildcard("/path", buf, 5));
        CHECK(httpd_uri_match_wildcard("/path/?", buf, 5));
        CHECK(httpd_uri_match_wildcard("/pa*", buf, 5));
        CHECK(!httpd_uri_match_wildcard("/path/*", buf, 5));
        CHECK(!httpd_uri_match_wildcard("/paths", buf, 5));
        free(buf);
    }

    /* match_upto beyond the string: the NUL ends the URI. */
    CHECK(httpd_uri_match_wildcard("/path", "/path", 100));
    CHECK(!httpd_uri_match_wildcard("/path/*", "/path", 100));
}

static void test_null_args(void)
{
    CHECK(!httpd_uri_match_wildcard(NULL, "/", 1));
    CHECK(!httpd_uri_match_wildcard("/", NULL, 1));
    CHECK(!httpd_uri_match_wildcard("*", NULL, 0));
    CHECK(!httpd_uri_match_wildcard(NULL, NULL, 0));
}

static void test_usable_as_match_fn(void)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.uri_match_fn = httpd_uri_match_wildcard;
    CHECK(cfg.uri_match_fn("/api/*", "/api/v1", 7));
}

int main(void)
{
    run_table(upstream_table, sizeof upstream_table / sizeof upstream_table[0]);
    run_table(doc_examples, sizeof doc_examples / sizeof doc_examples[0]);
    run_table(extra_cases, sizeof extra_cases / sizeof extra_cases[0]);
    test_match_upto();
    test_null_args();
    test_usable_as_match_fn();
    return check_summary();
}
