/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_static: the pure functions of the static files add-on (static_files.h) and
 * the argument checks of its public API (httpd_static.h).
 */
#include <stdint.h>
#include <string.h>

#include "../unit/check.h"
#include "httpd_static.h"
#include "static_files.h"

static void test_mime(void)
{
    CHECK_EQ_STR(httpd_static_mime_type("/a/index.html"), "text/html; charset=utf-8");
    CHECK_EQ_STR(httpd_static_mime_type("INDEX.HTM"), "text/html; charset=utf-8");
    CHECK_EQ_STR(httpd_static_mime_type("x.css"), "text/css; charset=utf-8");
    CHECK_EQ_STR(httpd_static_mime_type("x.js"), "text/javascript; charset=utf-8");
    CHECK_EQ_STR(httpd_static_mime_type("x.mjs"), "text/javascript; charset=utf-8");
    CHECK_EQ_STR(httpd_static_mime_type("x.json"), "application/json");
    CHECK_EQ_STR(httpd_static_mime_type("x.svg"), "image/svg+xml");
    CHECK_EQ_STR(httpd_static_mime_type("x.png"), "image/png");
    CHECK_EQ_STR(httpd_static_mime_type("x.jpg"), "image/jpeg");
    CHECK_EQ_STR(httpd_static_mime_type("x.JPEG"), "image/jpeg");
    CHECK_EQ_STR(httpd_static_mime_type("x.gif"), "image/gif");
    CHECK_EQ_STR(httpd_static_mime_type("favicon.ico"), "image/x-icon");
    CHECK_EQ_STR(httpd_static_mime_type("x.webp"), "image/webp");
    CHECK_EQ_STR(httpd_static_mime_type("x.woff"), "font/woff");
    CHECK_EQ_STR(httpd_static_mime_type("x.woff2"), "font/woff2");
    CHECK_EQ_STR(httpd_static_mime_type("x.txt"), "text/plain; charset=utf-8");
    CHECK_EQ_STR(httpd_static_mime_type("x.xml"), "text/xml; charset=utf-8");
    CHECK_EQ_STR(httpd_static_mime_type("x.wasm"), "application/wasm");
    CHECK_EQ_STR(httpd_static_mime_type("x.js.map"), "application/json");
    CHECK_EQ_STR(httpd_static_mime_type("x.pdf"), "application/pdf");
    CHECK_EQ_STR(httpd_static_mime_type("x.mp4"), "video/mp4");
    CHECK_EQ_STR(httpd_static_mime_type("x.bin"), "application/octet-stream");
    CHECK_EQ_STR(httpd_static_mime_type("x.htmlx"), "application/octet-stream");
    CHECK_EQ_STR(httpd_static_mime_type("dir.html/file"), "application/octet-stream");
    CHECK_EQ_STR(httpd_static_mime_type("noext"), "application/octet-stream");
    CHECK_EQ_STR(httpd_static_mime_type("x."), "application/octet-stream");
    CHECK_EQ_STR(httpd_static_mime_type(NULL), "application/octet-stream");
}

static void test_accept_encoding(void)
{
    CHECK(!httpd__addon_static_accepts_gzip(NULL));
    CHECK(!httpd__addon_static_accepts_gzip(""));
    CHECK(httpd__addon_static_accepts_gzip("gzip"));
    CHECK(httpd__addon_static_accepts_gzip("GZip"));
    CHECK(httpd__addon_static_accepts_gzip("x-gzip"));
    CHECK(httpd__addon_static_accepts_gzip("gzip, deflate, br"));
    CHECK(httpd__addon_static_accepts_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
    CHECK(httpd__addon_static_accepts_gzip("deflate , gzip ; q=0.001"));
    CHECK(!httpd__addon_static_accepts_gzip("gzip;q=0"));
    CHECK(!httpd__addon_static_accepts_gzip("gzip;q=0.000"));
    CHECK(!httpd__addon_static_accepts_gzip("gzip; q=0.0, *"));
    CHECK(!httpd__addon_static_accepts_gzip("*, gzip;q=0"));
    CHECK(!httpd__addon_static_accepts_gzip("identity"));
    CHECK(!httpd__addon_static_accepts_gzip("br, deflate"));
    CHECK(!httpd__addon_static_accepts_gzip("gzipx"));
    CHECK(!httpd__addon_static_accepts_gzip("xgzip"));
    CHECK(httpd__addon_static_accepts_gzip("*"));
    CHECK(httpd__addon_static_accepts_gzip("br, *;q=0.5"));
    CHECK(!httpd__addon_static_accepts_gzip("*;q=0"));
    CHECK(!httpd__addon_static_accepts_gzip("gzip;q="));
    CHECK(httpd__addon_static_accepts_gzip("gzip;level=1;q=1"));
}

static void test_range(void)
{
    uint64_t a = 7, b = 7;
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=0-99", 1000, &a, &b), 1);
    CHECK(a == 0 && b == 99);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=500-", 1000, &a, &b), 1);
    CHECK(a == 500 && b == 999);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=-100", 1000, &a, &b), 1);
    CHECK(a == 900 && b == 999);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=-5000", 1000, &a, &b), 1);
    CHECK(a == 0 && b == 999);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=990-2000", 1000, &a, &b), 1);
    CHECK(a == 990 && b == 999);
    CHECK_EQ_INT(httpd__addon_static_parse_range("Bytes = 5-5", 1000, &a, &b), 1);
    CHECK(a == 5 && b == 5);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=999-99999999999999999999999", 1000, &a, &b), 1);
    CHECK(a == 999 && b == 999);
    /* unsatisfiable */
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=1000-", 1000, &a, &b), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=1000-1001", 1000, &a, &b), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=-0", 1000, &a, &b), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=0-", 0, &a, &b), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=-1", 0, &a, &b), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=99999999999999999999999-", 10, &a, &b), -1);
    /* ignored: the whole representation */
    CHECK_EQ_INT(httpd__addon_static_parse_range(NULL, 1000, &a, &b), 0);
    CHECK_EQ_INT(httpd__addon_static_parse_range("", 1000, &a, &b), 0);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=5-4", 1000, &a, &b), 0);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=0-1,5-6", 1000, &a, &b), 0);
    CHECK_EQ_INT(httpd__addon_static_parse_range("items=0-1", 1000, &a, &b), 0);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes 0-1", 1000, &a, &b), 0);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=", 1000, &a, &b), 0);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=-", 1000, &a, &b), 0);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=a-b", 1000, &a, &b), 0);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=1-2x", 1000, &a, &b), 0);
    CHECK_EQ_INT(httpd__addon_static_parse_range("bytes=+1-2", 1000, &a, &b), 0);
    CHECK_EQ_INT(httpd__addon_static_parse_range("byte", 1000, &a, &b), 0);
}

static void test_dates(void)
{
    char out[30];
    httpd__addon_static_fmt_date(784111777, out);
    CHECK_EQ_STR(out, "Sun, 06 Nov 1994 08:49:37 GMT");
    httpd__addon_static_fmt_date(0, out);
    CHECK_EQ_STR(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    httpd__addon_static_fmt_date(951782400, out);   /* a leap day */
    CHECK_EQ_STR(out, "Tue, 29 Feb 2000 00:00:00 GMT");
    httpd__addon_static_fmt_date(4102444799, out);
    CHECK_EQ_STR(out, "Thu, 31 Dec 2099 23:59:59 GMT");
    CHECK_EQ_INT(httpd__addon_static_parse_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    CHECK_EQ_INT(httpd__addon_static_parse_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
    CHECK_EQ_INT(httpd__addon_static_parse_date("Sun Nov  6 08:49:37 1994"), 784111777);
    CHECK_EQ_INT(httpd__addon_static_parse_date("Tue, 29 Feb 2000 00:00:00 GMT"), 951782400);
    CHECK_EQ_INT(httpd__addon_static_parse_date("Thu, 31 Dec 2099 23:59:59 GMT"), 4102444799LL);
    CHECK_EQ_INT(httpd__addon_static_parse_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
    for (int64_t t = 0; t < 4102444800LL; t += 86400 * 37 + 3671) {   /* round trip */
        httpd__addon_static_fmt_date(t, out);
        if (httpd__addon_static_parse_date(out) != t) {
            CHECK_EQ_STR(out, "(round trip)");
            break;
        }
    }
    CHECK_EQ_INT(httpd__addon_static_parse_date(NULL), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_date(""), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_date("yesterday"), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_date("Sun, 06 Nov 1994 08:49:37"), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_date("Sun, 06 Nov 1994 08:49:37 GMT junk"), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_date("Sun, 06 Xyz 1994 08:49:37 GMT"), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_date("Sun, 6 Nov 1994 08:49:37 GMT"), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_date("Sun, 06 Nov 1994 24:00:00 GMT"), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_date("Sun, 32 Nov 1994 08:49:37 GMT"), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_date("Sun, 06 Nov 94 08:49:37 GMT"), -1);
    CHECK_EQ_INT(httpd__addon_static_parse_date("1994-11-06T08:49:37Z"), -1);
}

static void test_etag_match(void)
{
    CHECK(httpd__addon_static_etag_match("\"abc\"", "\"abc\""));
    CHECK(httpd__addon_static_etag_match("W/\"abc\"", "\"abc\""));      /* weak comparison */
    CHECK(httpd__addon_static_etag_match("\"x\", W/\"abc\"", "\"abc\""));
    CHECK(httpd__addon_static_etag_match("\"x\",\"abc\"", "\"abc\""));
    CHECK(httpd__addon_static_etag_match("*", "\"abc\""));
    CHECK(httpd__addon_static_etag_match(" \"abc\" ", "W/\"abc\""));
    CHECK(!httpd__addon_static_etag_match("\"abcd\"", "\"abc\""));
    CHECK(!httpd__addon_static_etag_match("\"ab\"", "\"abc\""));
    CHECK(!httpd__addon_static_etag_match("abc", "\"abc\""));
    CHECK(!httpd__addon_static_etag_match("\"abc", "\"abc\""));
    CHECK(!httpd__addon_static_etag_match("", "\"abc\""));
    CHECK(!httpd__addon_static_etag_match("\"x\", \"y\"", "\"abc\""));
    CHECK(!httpd__addon_static_etag_match(NULL, "\"abc\""));
}

static void test_paths(void)
{
    char d[64];
    CHECK_EQ_INT(httpd__addon_static_clean_path(d, sizeof d, "/a/b.html", 9), 9);
    CHECK_EQ_STR(d, "/a/b.html");
    CHECK_EQ_INT(httpd__addon_static_clean_path(d, sizeof d, "", 0), 0);
    CHECK_EQ_INT(httpd__addon_static_clean_path(d, sizeof d, "/my%20file.txt", 14), 12);
    CHECK_EQ_STR(d, "/my file.txt");
    CHECK_EQ_INT(httpd__addon_static_clean_path(d, sizeof d, "/a+b", 4), 4);
    CHECK_EQ_STR(d, "/a+b");
    CHECK_EQ_INT(httpd__addon_static_clean_path(d, sizeof d, "/.well-known/x", 14), 14);
    CHECK_EQ_INT(httpd__addon_static_clean_path(d, sizeof d, "/a..b/..c/", 10), 10);
    CHECK_EQ_INT(httpd__addon_static_clean_path(d, sizeof d, "/%252e%252e/", 12), 8);   /* decoded once */
    CHECK_EQ_STR(d, "/%2e%2e/");
    const char *bad[] = {"/../etc/passwd", "/a/..", "/..", "/%2e%2e/x", "/%2E%2E/x", "/.%2e/x",
                         "/..%2fetc", "/..%2Fetc", "/a/%2e%2e%2f%2e%2e/x", "/a\\..\\b", "/a%5c..%5cb",
                         "/a%00.html", "/./a", "/a/.", "/%zz", "/%4", "a/b", "/x\\y"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int n = httpd__addon_static_clean_path(d, sizeof d, bad[i], strlen(bad[i]));
        if (n != -1) {
            CHECK_EQ_STR(bad[i], "(accepted)");
        }
        CHECK_EQ_INT(n, -1);
    }
    char small[8];
    CHECK_EQ_INT(httpd__addon_static_clean_path(small, sizeof small, "/abcdefgh", 9), -1);   /* too long */
}

static void test_api_args(void)
{
    httpd_static_config_t cfg = HTTPD_STATIC_CONFIG_DEFAULT();
    int dummy;
    httpd_handle_t h = &dummy;   /* never used: every call below fails its checks first */
    CHECK_EQ_INT(httpd_static_register(NULL, &cfg), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_static_register(h, NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_static_register(h, &cfg), ESP_ERR_INVALID_ARG);   /* neither folder nor assets */
    cfg.base_path = "/www";
    cfg.uri_prefix = "static";
    CHECK_EQ_INT(httpd_static_register(h, &cfg), ESP_ERR_INVALID_ARG);
    cfg.uri_prefix = "/static/";
    CHECK_EQ_INT(httpd_static_register(h, &cfg), ESP_ERR_INVALID_ARG);
    cfg.uri_prefix = "/st*";
    CHECK_EQ_INT(httpd_static_register(h, &cfg), ESP_ERR_INVALID_ARG);
    cfg.uri_prefix = NULL;
    CHECK_EQ_INT(httpd_static_register(h, &cfg), ESP_ERR_INVALID_ARG);
    static const uint8_t data[] = "x";
    static const httpd_static_asset_t assets[] = {{"/a.txt", data, 1, NULL, 0, NULL, NULL}};
    cfg.uri_prefix = "/";
    cfg.assets = assets;
    cfg.asset_count = 1;
    CHECK_EQ_INT(httpd_static_register(h, &cfg), ESP_ERR_INVALID_ARG);   /* both */
    cfg.base_path = "";
    CHECK_EQ_INT(httpd_static_register(h, &cfg), ESP_ERR_INVALID_ARG);
    cfg.base_path = NULL;
    cfg.asset_count = 0;
    CHECK_EQ_INT(httpd_static_register(h, &cfg), ESP_ERR_INVALID_ARG);   /* empty table */
    cfg.asset_count = 1;
    cfg.index_name = "a/b.html";
    CHECK_EQ_INT(httpd_static_register(h, &cfg), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_static_unregister(NULL, "/"), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_static_unregister(h, "/nothing"), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_static_send_file(NULL, "/x"), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_static_send_asset(NULL, &assets[0]), ESP_ERR_INVALID_ARG);
}

int main(void)
{
    test_mime();
    test_accept_encoding();
    test_range();
    test_dates();
    test_etag_match();
    test_paths();
    test_api_args();
    return check_summary();
}
