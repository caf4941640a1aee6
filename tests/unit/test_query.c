/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of httpd_query_key_value(), httpd_url_decode() and the internal
 * cookie finder httpd__cookie_find(). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_server.h"
#include "query.h"
#include "check.h"

/* ---- httpd_query_key_value ------------------------------------------------------ */

static void test_query_basic(void)
{
    char val[32];
    const char *q = "foo=bar&baz=qux&last=end";

    memset(val, 'X', sizeof val);
    CHECK_EQ_INT(httpd_query_key_value(q, "foo", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "bar");
    CHECK_EQ_INT(httpd_query_key_value(q, "baz", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "qux");
    CHECK_EQ_INT(httpd_query_key_value(q, "last", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "end");
    CHECK_EQ_INT(httpd_query_key_value(q, "nope", val, sizeof val), ESP_ERR_NOT_FOUND);

    /* Single pair */
    CHECK_EQ_INT(httpd_query_key_value("k=v", "k", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "v");

    /* Case-insensitive key */
    CHECK_EQ_INT(httpd_query_key_value(q, "FOO", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "bar");
    CHECK_EQ_INT(httpd_query_key_value("MiXeD=1", "mixed", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "1");

    /* Values keep their case; first occurrence wins */
    CHECK_EQ_INT(httpd_query_key_value("a=One&a=Two", "A", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "One");

    /* Exact-length key compare */
    CHECK_EQ_INT(httpd_query_key_value("ab=1", "a", val, sizeof val), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_query_key_value("a=1", "ab", val, sizeof val), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_query_key_value("ab=1&a=2", "a", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "2");
    CHECK_EQ_INT(httpd_query_key_value("xa=1&a=3", "a", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "3");

    /* Empty value */
    memset(val, 'X', sizeof val);
    CHECK_EQ_INT(httpd_query_key_value("a=&b=2", "a", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "");
    CHECK_EQ_INT(httpd_query_key_value("b=2&a=", "a", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "");
    CHECK_EQ_INT(httpd_query_key_value("a=", "a", val, 1), ESP_OK);
    CHECK_EQ_STR(val, "");

    /* '=' inside the value is part of it */
    CHECK_EQ_INT(httpd_query_key_value("a=b=c&d=e", "a", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "b=c");

    /* No URL decoding */
    CHECK_EQ_INT(httpd_query_key_value("q=a%20b+c", "q", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "a%20b+c");
    CHECK_EQ_INT(httpd_query_key_value("a%62=1", "ab", val, sizeof val), ESP_ERR_NOT_FOUND);

    /* Empty key matches a pair with an empty name */
    CHECK_EQ_INT(httpd_query_key_value("=x&a=1", "", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "x");
}

static void test_query_no_equals(void)
{
    char val[16];

    /* A parameter without '=' ends the search */
    CHECK_EQ_INT(httpd_query_key_value("flag", "flag", val, sizeof val), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_query_key_value("flag&a=1", "a", val, sizeof val), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_query_key_value("a=1&flag&b=2", "b", val, sizeof val), ESP_ERR_NOT_FOUND);
    /* ...but pairs before it are found */
    CHECK_EQ_INT(httpd_query_key_value("a=1&flag&b=2", "a", val, sizeof val), ESP_OK);
    CHECK_EQ_STR(val, "1");
    /* An empty parameter has no '=' either */
    CHECK_EQ_INT(httpd_query_key_value("a=1&&b=2", "b", val, sizeof val), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_query_key_value("a=1&", "b", val, sizeof val), ESP_ERR_NOT_FOUND);
}

static void test_query_empty(void)
{
    char val[8];
    CHECK_EQ_INT(httpd_query_key_value("", "a", val, sizeof val), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_query_key_value("", "", val, sizeof val), ESP_ERR_NOT_FOUND);
}

static void test_query_invalid_args(void)
{
    char val[8];
    CHECK_EQ_INT(httpd_query_key_value(NULL, "a", val, sizeof val), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_query_key_value("a=1", NULL, val, sizeof val), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_query_key_value("a=1", "a", NULL, sizeof val), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_query_key_value("a=1", "a", val, 0), ESP_ERR_INVALID_ARG);
}

static void test_query_truncation(void)
{
    char val[16];
    const char *q = "x=0&key=hello&y=1";   /* value "hello": 5 bytes, 6 with NUL */

    /* val_size == len + 1: fits exactly */
    memset(val, 'X', sizeof val);
    CHECK_EQ_INT(httpd_query_key_value(q, "key", val, 6), ESP_OK);
    CHECK_EQ_STR(val, "hello");
    CHECK_EQ_INT(val[6], 'X');          /* nothing written past val_size */

    /* val_size == len: truncated, val not written */
    memset(val, 'X', sizeof val);
    CHECK_EQ_INT(httpd_query_key_value(q, "key", val, 5), ESP_ERR_HTTPD_RESULT_TRUNC);
    CHECK_EQ_MEM(val, 5, "XXXXX");

    /* val_size 1 */
    memset(val, 'X', sizeof val);
    CHECK_EQ_INT(httpd_query_key_value(q, "key", val, 1), ESP_ERR_HTTPD_RESULT_TRUNC);
    CHECK_EQ_INT(val[0], 'X');

    /* Last value in the string, exact and one short */
    CHECK_EQ_INT(httpd_query_key_value("a=1&b=xyz", "b", val, 4), ESP_OK);
    CHECK_EQ_STR(val, "xyz");
    CHECK_EQ_INT(httpd_query_key_value("a=1&b=xyz", "b", val, 3), ESP_ERR_HTTPD_RESULT_TRUNC);

    /* Heap buffers of exact size, so ASan catches any overrun */
    char *h = malloc(6);
    CHECK(h != NULL);
    if (h != NULL) {
        CHECK_EQ_INT(httpd_query_key_value(q, "key", h, 6), ESP_OK);
        CHECK_EQ_STR(h, "hello");
        free(h);
    }
    h = malloc(5);
    CHECK(h != NULL);
    if (h != NULL) {
        CHECK_EQ_INT(httpd_query_key_value(q, "key", h, 5), ESP_ERR_HTTPD_RESULT_TRUNC);
        free(h);
    }
}

/* ---- httpd_url_decode ----------------------------------------------------------- */

static esp_err_t decode_str(char *dest, size_t dest_size, const char *src, bool plus)
{
    return httpd_url_decode(dest, dest_size, src, strlen(src), plus);
}

static void test_url_decode(void)
{
    char out[64];

    CHECK_EQ_INT(decode_str(out, sizeof out, "abcd%2B1234%20xyz", false), ESP_OK);
    CHECK_EQ_STR(out, "abcd+1234 xyz");
    CHECK_EQ_INT(decode_str(out, sizeof out, "http%3A%2F%2Ffoobar", false), ESP_OK);
    CHECK_EQ_STR(out, "http://foobar");
    CHECK_EQ_INT(decode_str(out, sizeof out, "Esp%21%40%20%23%2471", false), ESP_OK);
    CHECK_EQ_STR(out, "Esp!@ #$71");

    /* Lower-case and mixed-case hex */
    CHECK_EQ_INT(decode_str(out, sizeof out, "%2f%2F%c3%A9", false), ESP_OK);
    CHECK_EQ_STR(out, "//\xc3\xa9");

    /* '+' only with plus_is_space */
    CHECK_EQ_INT(decode_str(out, sizeof out, "a+b", false), ESP_OK);
    CHECK_EQ_STR(out, "a+b");
    CHECK_EQ_INT(decode_str(out, sizeof out, "a+b", true), ESP_OK);
    CHECK_EQ_STR(out, "a b");
    CHECK_EQ_INT(decode_str(out, sizeof out, "a%2Bb+c", true), ESP_OK);
    CHECK_EQ_STR(out, "a+b c");

    /* Invalid or truncated escapes are copied literally */
    CHECK_EQ_INT(decode_str(out, sizeof out, "%zz", false), ESP_OK);
    CHECK_EQ_STR(out, "%zz");
    CHECK_EQ_INT(decode_str(out, sizeof out, "a%4", false), ESP_OK);
    CHECK_EQ_STR(out, "a%4");
    CHECK_EQ_INT(decode_str(out, sizeof out, "%4", false), ESP_OK);
    CHECK_EQ_STR(out, "%4");
    CHECK_EQ_INT(decode_str(out, sizeof out, "abc%", false), ESP_OK);
    CHECK_EQ_STR(out, "abc%");
    CHECK_EQ_INT(decode_str(out, sizeof out, "%", false), ESP_OK);
    CHECK_EQ_STR(out, "%");
    CHECK_EQ_INT(decode_str(out, sizeof out, "%4g%41", false), ESP_OK);
    CHECK_EQ_STR(out, "%4gA");
    CHECK_EQ_INT(decode_str(out, sizeof out, "%%41", false), ESP_OK);
    CHECK_EQ_STR(out, "%A");

    /* Empty input */
    memset(out, 'X', sizeof out);
    CHECK_EQ_INT(decode_str(out, sizeof out, "", false), ESP_OK);
    CHECK_EQ_STR(out, "");
    CHECK_EQ_INT(httpd_url_decode(out, 1, "", 0, false), ESP_OK);
    CHECK_EQ_STR(out, "");

    /* src_len limits the input: "%41" cut to "%4" is an invalid escape */
    CHECK_EQ_INT(httpd_url_decode(out, sizeof out, "ab%41cd", 4, false), ESP_OK);
    CHECK_EQ_STR(out, "ab%4");
    CHECK_EQ_INT(httpd_url_decode(out, sizeof out, "ab%41cd", 5, false), ESP_OK);
    CHECK_EQ_STR(out, "abA");

    /* Source not NUL-terminated */
    char *src = malloc(3);
    CHECK(src != NULL);
    if (src != NULL) {
        memcpy(src, "%41", 3);
        CHECK_EQ_INT(httpd_url_decode(out, sizeof out, src, 3, false), ESP_OK);
        CHECK_EQ_STR(out, "A");
        CHECK_EQ_INT(httpd_url_decode(out, sizeof out, src + 1, 2, false), ESP_OK);
        CHECK_EQ_STR(out, "41");
        free(src);
    }

    /* Decoding in place works: output never runs ahead of input */
    char inplace[] = "a%20b%21";
    CHECK_EQ_INT(httpd_url_decode(inplace, sizeof inplace, inplace, strlen(inplace), false), ESP_OK);
    CHECK_EQ_STR(inplace, "a b!");
}

static void test_url_decode_trunc(void)
{
    char out[16];

    /* "a b" needs 4 bytes */
    memset(out, 'X', sizeof out);
    CHECK_EQ_INT(decode_str(out, 4, "a%20b", false), ESP_OK);
    CHECK_EQ_STR(out, "a b");
    memset(out, 'X', sizeof out);
    CHECK_EQ_INT(decode_str(out, 3, "a%20b", false), ESP_ERR_HTTPD_RESULT_TRUNC);
    CHECK_EQ_STR(out, "a ");
    CHECK_EQ_INT(out[3], 'X');
    CHECK_EQ_INT(decode_str(out, 1, "a%20b", false), ESP_ERR_HTTPD_RESULT_TRUNC);
    CHECK_EQ_STR(out, "");

    char *h = malloc(4);
    CHECK(h != NULL);
    if (h != NULL) {
        CHECK_EQ_INT(decode_str(h, 4, "abcd%2B1234", false), ESP_ERR_HTTPD_RESULT_TRUNC);
        CHECK_EQ_STR(h, "abc");
        CHECK_EQ_INT(decode_str(h, 4, "%41%42%43", false), ESP_OK);
        CHECK_EQ_STR(h, "ABC");
        free(h);
    }

    /* Invalid arguments */
    CHECK_EQ_INT(httpd_url_decode(NULL, 4, "a", 1, false), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_url_decode(out, 4, NULL, 1, false), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_url_decode(out, 0, "a", 1, false), ESP_ERR_INVALID_ARG);
}

/* ---- httpd__cookie_find ---------------------------------------------------------- */

static bool cookie(const char *hdr, const char *name, const char **v, size_t *n)
{
    return httpd__cookie_find(hdr, strlen(hdr), name, v, n);
}

static void test_cookie(void)
{
    const char *v = NULL;
    size_t n = 0;
    const char *hdr = "first=1; middle=two; last=three";

    CHECK(cookie(hdr, "first", &v, &n));
    CHECK_EQ_MEM(v, n, "1");
    CHECK(v == hdr + 6);                    /* points into the header */
    CHECK(cookie(hdr, "middle", &v, &n));
    CHECK_EQ_MEM(v, n, "two");
    CHECK(cookie(hdr, "last", &v, &n));
    CHECK_EQ_MEM(v, n, "three");

    /* Missing, and untouched outputs */
    v = (const char *)&n;
    n = 77;
    CHECK(!cookie(hdr, "absent", &v, &n));
    CHECK(v == (const char *)&n);
    CHECK_EQ_INT(n, 77);
    CHECK(!cookie("", "a", &v, &n));

    /* Prefix names */
    CHECK(cookie("ab=1; a=2", "a", &v, &n));
    CHECK_EQ_MEM(v, n, "2");
    CHECK(cookie("a=2; ab=1", "ab", &v, &n));
    CHECK_EQ_MEM(v, n, "1");
    CHECK(!cookie("ab=1", "a", &v, &n));
    CHECK(!cookie("a=1", "ab", &v, &n));
    CHECK(!cookie("xa=1", "a", &v, &n));

    /* Case-sensitive names (RFC 6265) */
    CHECK(!cookie("Session=1", "session", &v, &n));
    CHECK(cookie("Session=1; session=2", "session", &v, &n));
    CHECK_EQ_MEM(v, n, "2");

    /* Quoted value */
    CHECK(cookie("a=1; q=\"quoted value\"; z=9", "q", &v, &n));
    CHECK_EQ_MEM(v, n, "quoted value");
    CHECK(cookie("q=\"\"", "q", &v, &n));
    CHECK_EQ_MEM(v, n, "");
    CHECK(cookie("q=\"", "q", &v, &n));     /* a lone quote is kept */
    CHECK_EQ_MEM(v, n, "\"");

    /* Empty value */
    CHECK(cookie("e=; f=1", "e", &v, &n));
    CHECK_EQ_INT(n, 0);
    CHECK(cookie("f=1; e=", "e", &v, &n));
    CHECK_EQ_INT(n, 0);

    /* Lenient whitespace */
    CHECK(cookie("a=1;b=2;c=3", "b", &v, &n));
    CHECK_EQ_MEM(v, n, "2");
    CHECK(cookie("  a = 1 ;\tb\t=\t2\t;  c=3  ", "b", &v, &n));
    CHECK_EQ_MEM(v, n, "2");
    CHECK(cookie("  a = 1 ;\tb\t=\t2\t;  c=3  ", "c", &v, &n));
    CHECK_EQ_MEM(v, n, "3");
    CHECK(cookie("  a = 1 ;\tb\t=\t2\t;  c=3  ", "a", &v, &n));
    CHECK_EQ_MEM(v, n, "1");

    /* '=' inside the value, pairs without '=', empty pairs */
    CHECK(cookie("tok=a=b==; x=1", "tok", &v, &n));
    CHECK_EQ_MEM(v, n, "a=b==");
    CHECK(cookie("junk; ; a=1", "a", &v, &n));
    CHECK_EQ_MEM(v, n, "1");
    CHECK(!cookie("a; b", "a", &v, &n));
    CHECK(cookie(";;a=1;;", "a", &v, &n));
    CHECK_EQ_MEM(v, n, "1");

    /* First of duplicate names */
    CHECK(cookie("d=1; d=2", "d", &v, &n));
    CHECK_EQ_MEM(v, n, "1");

    /* hdr_len bounds the search; the header need not be NUL-terminated */
    const char *full = "a=1; b=22; c=3";
    CHECK(httpd__cookie_find(full, 9, "b", &v, &n));
    CHECK_EQ_MEM(v, n, "22");
    CHECK(httpd__cookie_find(full, 8, "b", &v, &n));
    CHECK_EQ_MEM(v, n, "2");
    CHECK(!httpd__cookie_find(full, 9, "c", &v, &n));
    CHECK(!httpd__cookie_find(full, 0, "a", &v, &n));
    char *raw = malloc(5);
    CHECK(raw != NULL);
    if (raw != NULL) {
        memcpy(raw, "k=val", 5);
        CHECK(httpd__cookie_find(raw, 5, "k", &v, &n));
        CHECK_EQ_MEM(v, n, "val");
        CHECK(!httpd__cookie_find(raw, 5, "val", &v, &n));
        free(raw);
    }

    /* Optional outputs, invalid arguments */
    CHECK(httpd__cookie_find(hdr, strlen(hdr), "last", NULL, NULL));
    CHECK(!httpd__cookie_find(NULL, 3, "a", &v, &n));
    CHECK(!httpd__cookie_find(hdr, strlen(hdr), NULL, &v, &n));
    CHECK(!httpd__cookie_find("=1", 2, "", &v, &n));
}

int main(void)
{
    test_query_basic();
    test_query_no_equals();
    test_query_empty();
    test_query_invalid_args();
    test_query_truncation();
    test_url_decode();
    test_url_decode_trunc();
    test_cookie();
    return check_summary();
}
