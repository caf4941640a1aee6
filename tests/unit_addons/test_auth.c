/* SPDX-License-Identifier: Apache-2.0 */
/* test_auth: the parsing and hashing steps of the auth add-on: base64, auth-param
 * lists (quoted strings, escapes, commas in values, duplicates, syntax errors), the
 * Digest SHA-256 response of RFC 7616 section 3.9.1, HA1, and argument checks. */
#include <stdint.h>
#include <string.h>

#include "../unit/check.h"
#include "auth_priv.h"
#include "httpd_auth.h"

static const char *const NAMES[] = { "username", "realm", "nonce", "uri", "qop", "nc" };
enum { N_USERNAME, N_REALM, N_NONCE, N_URI, N_QOP, N_NC, N_COUNT };

static int parse(const char *in, char *buf, size_t size, const char *vals[N_COUNT])
{
    snprintf(buf, size, "%s", in);
    return httpd__addon_auth_params(buf, NAMES, N_COUNT, vals);
}

static void test_base64(void)
{
    uint8_t out[32];
    CHECK_EQ_INT(httpd__addon_base64_decode(out, sizeof out, "", 0), 0);
    CHECK_EQ_INT(httpd__addon_base64_decode(out, sizeof out, "Zg==", 4), 1);
    CHECK_EQ_MEM(out, 1, "f");
    CHECK_EQ_INT(httpd__addon_base64_decode(out, sizeof out, "Zm8=", 4), 2);
    CHECK_EQ_MEM(out, 2, "fo");
    CHECK_EQ_INT(httpd__addon_base64_decode(out, sizeof out, "Zm9vYmFy", 8), 6);
    CHECK_EQ_MEM(out, 6, "foobar");
    /* RFC 7617 section 2's example */
    const char *ex = "QWxhZGRpbjpvcGVuIHNlc2FtZQ==";
    CHECK_EQ_INT(httpd__addon_base64_decode(out, sizeof out, ex, strlen(ex)), 19);
    CHECK_EQ_MEM(out, 19, "Aladdin:open sesame");
    CHECK_EQ_INT(httpd__addon_base64_decode(out, sizeof out, "Zm9", 3), -1);      /* length */
    CHECK_EQ_INT(httpd__addon_base64_decode(out, sizeof out, "Zm9v!mFy", 8), -1); /* alphabet */
    CHECK_EQ_INT(httpd__addon_base64_decode(out, sizeof out, "Zg==Zm8=", 8), -1); /* '=' inside */
    CHECK_EQ_INT(httpd__addon_base64_decode(out, sizeof out, "Z===", 4), -1);     /* 3 pads */
    CHECK_EQ_INT(httpd__addon_base64_decode(out, sizeof out, "Zm=v", 4), -1);     /* data after '=' */
    CHECK_EQ_INT(httpd__addon_base64_decode(out, 5, "Zm9vYmFy", 8), -2);          /* does not fit */
}

static void test_params(void)
{
    char buf[256];
    const char *v[N_COUNT];
    CHECK_EQ_INT(parse("username=\"Mufasa\", realm=\"a, b\", nonce=abc, uri=\"/x?a=1,2\"", buf, sizeof buf, v), 0);
    CHECK_EQ_STR(v[N_USERNAME], "Mufasa");
    CHECK_EQ_STR(v[N_REALM], "a, b");        /* a comma inside a quoted value */
    CHECK_EQ_STR(v[N_NONCE], "abc");         /* a token value */
    CHECK_EQ_STR(v[N_URI], "/x?a=1,2");
    CHECK(v[N_QOP] == NULL && v[N_NC] == NULL);
    /* escapes: \" and \\ and \x -> x; names are case-insensitive; BWS around '=' */
    CHECK_EQ_INT(parse("UserName = \"a\\\"b\\\\c\\d\" ,realm=\"\"", buf, sizeof buf, v), 0);
    CHECK_EQ_STR(v[N_USERNAME], "a\"b\\cd");
    CHECK_EQ_STR(v[N_REALM], "");
    /* token values followed directly by a comma, empty list elements, unknown names */
    CHECK_EQ_INT(parse(", qop=auth,nc=00000001,, other=\"x,y\" ,", buf, sizeof buf, v), 0);
    CHECK_EQ_STR(v[N_QOP], "auth");
    CHECK_EQ_STR(v[N_NC], "00000001");
    CHECK(v[N_USERNAME] == NULL);
    CHECK_EQ_INT(parse("", buf, sizeof buf, v), 0);
    /* errors */
    CHECK_EQ_INT(parse("username=\"a\", username=\"b\"", buf, sizeof buf, v), -1);   /* duplicate */
    CHECK_EQ_INT(parse("realm=x, REALM=x", buf, sizeof buf, v), -1);                 /* duplicate, any case */
    CHECK_EQ_INT(parse("username=\"unterminated", buf, sizeof buf, v), -1);
    CHECK_EQ_INT(parse("username=\"a\\", buf, sizeof buf, v), -1);                   /* escape at the end */
    CHECK_EQ_INT(parse("username", buf, sizeof buf, v), -1);                         /* no '=' */
    CHECK_EQ_INT(parse("=x", buf, sizeof buf, v), -1);                               /* no name */
    CHECK_EQ_INT(parse("username=", buf, sizeof buf, v), -1);                        /* no value */
    CHECK_EQ_INT(parse("username=a b", buf, sizeof buf, v), -1);                     /* two tokens */
    CHECK_EQ_INT(parse("username=\"a\"b", buf, sizeof buf, v), -1);                  /* junk after quote */
    CHECK_EQ_INT(parse("username=\"a\x01\"", buf, sizeof buf, v), -1);               /* control char */
    CHECK_EQ_INT(parse("user name=x", buf, sizeof buf, v), -1);
}

static void test_digest(void)
{
    /* RFC 7616 section 3.9.1, the SHA-256 response */
    char ha1[HTTPD_AUTH_HA1_SIZE], resp[65];
    CHECK_EQ_INT(httpd_auth_digest_ha1("Mufasa", "http-auth@example.org", "Circle of Life", ha1, sizeof ha1), ESP_OK);
    CHECK_EQ_STR(ha1, "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232");
    httpd__addon_digest_response(ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
                                 "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth", "GET",
                                 "/dir/index.html", resp);
    CHECK_EQ_STR(resp, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    /* any other input changes it: the method, the uri, nc */
    httpd__addon_digest_response(ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
                                 "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth", "POST",
                                 "/dir/index.html", resp);
    CHECK(strcmp(resp, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1") != 0);
    /* the RFC 7616 header of that example parses into the values used above */
    char hdr[] = "username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", "
                 "algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, "
                 "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, "
                 "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
                 "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
    const char *v[N_COUNT];
    CHECK_EQ_INT(httpd__addon_auth_params(hdr, NAMES, N_COUNT, v), 0);
    CHECK_EQ_STR(v[N_USERNAME], "Mufasa");
    CHECK_EQ_STR(v[N_NONCE], "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
    CHECK_EQ_STR(v[N_URI], "/dir/index.html");
    CHECK_EQ_STR(v[N_QOP], "auth");
    CHECK_EQ_STR(v[N_NC], "00000001");
}

static esp_err_t dummy(httpd_req_t *req)
{
    (void)req;
    return ESP_OK;
}

static void test_args(void)
{
    static const httpd_auth_user_t users[] = { { "u", "p" } };
    httpd_auth_config_t cfg = { .type = HTTPD_AUTH_ANY, .realm = "r", .users = users, .user_count = 1 };
    int ctx = 0;
    httpd_uri_t uri = { .uri = "/", .method = HTTP_GET, .handler = dummy, .user_ctx = &ctx };
    char ha1[HTTPD_AUTH_HA1_SIZE];
    CHECK_EQ_INT(httpd_auth_digest_ha1("u", "r", "p", ha1, sizeof ha1 - 1), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_auth_digest_ha1(NULL, "r", "p", ha1, sizeof ha1), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_auth_check(NULL, &cfg, NULL, 0), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_auth_protect(NULL, &cfg), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_auth_protect(&uri, NULL), ESP_ERR_INVALID_ARG);
    httpd_auth_config_t bad = cfg;
    bad.realm = "quote\"d";
    CHECK_EQ_INT(httpd_auth_protect(&uri, &bad), ESP_ERR_INVALID_ARG);
    bad = cfg;
    bad.type = 0;
    CHECK_EQ_INT(httpd_auth_protect(&uri, &bad), ESP_ERR_INVALID_ARG);
    bad = cfg;
    bad.users = NULL;
    CHECK_EQ_INT(httpd_auth_protect(&uri, &bad), ESP_ERR_INVALID_ARG);
    CHECK(uri.handler == dummy && uri.user_ctx == &ctx);   /* untouched by the failures */
    CHECK_EQ_INT(httpd_auth_unprotect(&uri), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_auth_protect(&uri, &cfg), ESP_OK);
    CHECK(uri.handler != dummy && uri.user_ctx != &ctx);
    CHECK_EQ_INT(httpd_auth_protect(&uri, &cfg), ESP_OK);  /* layers nest */
    CHECK_EQ_INT(httpd_auth_unprotect(&uri), ESP_OK);
    CHECK(uri.handler != dummy);
    CHECK_EQ_INT(httpd_auth_unprotect(&uri), ESP_OK);
    CHECK(uri.handler == dummy && uri.user_ctx == &ctx);
}

int main(void)
{
    test_base64();
    test_params();
    test_digest();
    test_args();
    return check_summary();
}
