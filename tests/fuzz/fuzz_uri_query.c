/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the URI and query helpers: httpd_uri_match_wildcard(),
 * httpd_query_key_value(), httpd_url_decode() (public) and the cookie finder
 * httpd__cookie_find() (src/query.h, what httpd_req_get_cookie_val() uses).
 *
 * Input layout: one control byte, then parts separated by '\n':
 *     template \n uri \n key \n query \n cookie-header
 * (missing parts are empty). The control byte picks the output buffer sizes,
 * match_upto and plus_is_space. Every input string sits in a buffer of its
 * exact size (NUL-terminated only where the API wants a C string), every
 * output buffer is exactly the size passed, so ASan sees any access out of
 * bounds. Each result is compared with a small reference written here from
 * the documented behaviour (esp_http_server.h, query.h, uri_match.c).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "esp_http_server.h"
#include "fuzz_common.h"
#include "query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PARTS 5
#define SENTINEL 0x5A

typedef struct {
    const uint8_t *p;
    size_t n;
} part_t;

/* A C string copy of a part (embedded NULs end it early, as they would). */
static char *cstr(part_t s)
{
    char *c = malloc(s.n + 1);
    FUZZ_CHECK(c != NULL);
    if (s.n) {
        memcpy(c, s.p, s.n);
    }
    c[s.n] = '\0';
    return c;
}

/* An exact copy without a terminator. */
static char *raw(part_t s)
{
    char *c = malloc(s.n ? s.n : 1);
    FUZZ_CHECK(c != NULL);
    if (s.n) {
        memcpy(c, s.p, s.n);
    }
    return c;
}

static bool starts(const char *s, size_t n, const char *pre, size_t pn)
{
    return n >= pn && memcmp(s, pre, pn) == 0;
}

/* ---- httpd_uri_match_wildcard ---------------------------------------------------- */

/* The template's rules as esp_http_server.h words them, written as the set of
 * URIs each suffix admits. */
static bool ref_match(const char *t, const char *u, size_t un)
{
    size_t tn = strlen(t);
    if (tn >= 2 && (memcmp(t + tn - 2, "?*", 2) == 0 || memcmp(t + tn - 2, "*?", 2) == 0)) {
        /* base = t minus the pair; its last character is optional, and when
         * present anything may follow */
        size_t bn = tn - 2;
        if (bn == 0) {
            return false;
        }
        return (un == bn - 1 && memcmp(u, t, bn - 1) == 0) || starts(u, un, t, bn);
    }
    if (tn >= 1 && t[tn - 1] == '*') {
        return starts(u, un, t, tn - 1);
    }
    if (tn >= 1 && t[tn - 1] == '?') {
        size_t bn = tn - 1;
        if (bn == 0) {
            return false;
        }
        return (un == bn && memcmp(u, t, bn) == 0) || (un == bn - 1 && memcmp(u, t, bn - 1) == 0);
    }
    return un == tn && memcmp(u, t, tn) == 0;
}

static void uri_match(part_t tpl, part_t uri, uint8_t ctl)
{
    char *t = cstr(tpl);
    char *u = raw(uri);   /* not NUL-terminated: match_upto bounds it */
    size_t upto = uri.n;
    if (ctl & 1u) {
        size_t cut = (ctl >> 1) & 3u;
        upto = upto > cut ? upto - cut : 0;
    }
    size_t un = strnlen(u, upto);
    bool got = httpd_uri_match_wildcard(t, u, upto);
    if (got != ref_match(t, u, un)) {
        fprintf(stderr, "uri_match_wildcard(\"%s\", \"%.*s\", %zu) = %d\n", t, (int)un, u, upto, got);
        FUZZ_CHECK(!"httpd_uri_match_wildcard differs from its documented rules");
    }
    FUZZ_CHECK(!httpd_uri_match_wildcard(NULL, u, upto) && !httpd_uri_match_wildcard(t, NULL, upto));
    free(t);
    free(u);
}

/* ---- httpd_query_key_value ------------------------------------------------------- */

/* Is there a pair "key=val" (key case-insensitive) starting at a pair boundary? */
static bool has_pair(const char *q, const char *key, const char *val, size_t vlen)
{
    size_t kn = strlen(key), qn = strlen(q);
    for (size_t i = 0; i <= qn; i++) {
        if (i > 0 && q[i - 1] != '&') {
            continue;
        }
        if (qn - i >= kn + 1 + vlen && strncasecmp(q + i, key, kn) == 0 && q[i + kn] == '=' &&
            memcmp(q + i + kn + 1, val, vlen) == 0 &&
            (q[i + kn + 1 + vlen] == '&' || q[i + kn + 1 + vlen] == '\0')) {
            return true;
        }
    }
    return false;
}

/* Is there a pair key=value with a value of at least min bytes? */
static bool has_long_pair(const char *q, const char *key, size_t min)
{
    size_t kn = strlen(key), qn = strlen(q);
    for (size_t i = 0; i <= qn; i++) {
        if ((i > 0 && q[i - 1] != '&') || qn - i < kn + 1 ||
            strncasecmp(q + i, key, kn) != 0 || q[i + kn] != '=') {
            continue;
        }
        if (strcspn(q + i + kn + 1, "&") >= min) {
            return true;
        }
    }
    return false;
}

static void query(part_t qp, part_t kp, uint8_t ctl)
{
    char *q = cstr(qp), *key = cstr(kp);
    size_t val_size = 1 + (size_t)(ctl % 40u);
    char *val = malloc(val_size);
    FUZZ_CHECK(val != NULL);
    memset(val, SENTINEL, val_size);

    esp_err_t err = httpd_query_key_value(q, key, val, val_size);
    if (err == ESP_OK) {
        size_t vlen = strnlen(val, val_size);
        FUZZ_CHECK(vlen < val_size);   /* NUL-terminated within its size */
        FUZZ_CHECK(strchr(val, '&') == NULL);
        FUZZ_CHECK(has_pair(q, key, val, vlen));
    } else {
        FUZZ_CHECK(err == ESP_ERR_NOT_FOUND || err == ESP_ERR_HTTPD_RESULT_TRUNC);
        for (size_t i = 0; i < val_size; i++) {
            FUZZ_CHECK((unsigned char)val[i] == SENTINEL);   /* not written */
        }
        if (err == ESP_ERR_HTTPD_RESULT_TRUNC) {
            FUZZ_CHECK(has_long_pair(q, key, val_size));
        }
    }
    FUZZ_CHECK(httpd_query_key_value(NULL, key, val, val_size) == ESP_ERR_INVALID_ARG);
    FUZZ_CHECK(httpd_query_key_value(q, key, val, 0) == ESP_ERR_INVALID_ARG);
    free(val);
    free(q);
    free(key);
}

/* ---- httpd_url_decode ------------------------------------------------------------ */

static int hexval(uint8_t c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes s[0..n) into out (room for n bytes); returns the length. */
static size_t ref_decode(const uint8_t *s, size_t n, bool plus, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (uint8_t)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
            i += 2;
        } else {
            out[o++] = plus && s[i] == '+' ? ' ' : s[i];
        }
    }
    return o;
}

static void url_decode(part_t sp, uint8_t ctl)
{
    bool plus = (ctl & 0x80u) != 0;
    char *src = raw(sp);   /* src_len bounds it: no terminator */
    uint8_t *want = malloc(sp.n ? sp.n : 1);
    FUZZ_CHECK(want != NULL);
    size_t wn = ref_decode(sp.p, sp.n, plus, want);

    size_t sizes[2] = { 1 + (size_t)(ctl % 23u), sp.n + 1 };
    for (int i = 0; i < 2; i++) {
        size_t ds = sizes[i];
        char *dest = malloc(ds);
        FUZZ_CHECK(dest != NULL);
        memset(dest, SENTINEL, ds);
        esp_err_t err = httpd_url_decode(dest, ds, src, sp.n, plus);
        if (wn + 1 <= ds) {
            FUZZ_CHECK(err == ESP_OK);
            FUZZ_CHECK(dest[wn] == '\0' && (wn == 0 || memcmp(dest, want, wn) == 0));
        } else {
            /* the truncated, NUL-terminated prefix */
            FUZZ_CHECK(err == ESP_ERR_HTTPD_RESULT_TRUNC);
            FUZZ_CHECK(dest[ds - 1] == '\0' && memcmp(dest, want, ds - 1) == 0);
        }
        free(dest);
    }
    FUZZ_CHECK(httpd_url_decode(NULL, 1, src, sp.n, plus) == ESP_ERR_INVALID_ARG);
    free(want);
    free(src);
}

/* ---- httpd__cookie_find ---------------------------------------------------------- */

static bool ows(char c)
{
    return c == ' ' || c == '\t';
}

/* query.h's rules: pairs split at ';', name and value trimmed of OWS, pairs
 * without '=' skipped, exact case-sensitive names, the first match wins, one
 * pair of surrounding double quotes dropped. */
static bool ref_cookie(const char *h, size_t n, const char *name, size_t *voff, size_t *vlen)
{
    size_t nn = strlen(name);
    if (nn == 0) {
        return false;
    }
    for (size_t a = 0; a < n;) {
        size_t e = a;
        while (e < n && h[e] != ';') {
            e++;
        }
        size_t eq = a;
        while (eq < e && h[eq] != '=') {
            eq++;
        }
        if (eq < e) {
            size_t nb = a, ne = eq;
            while (nb < ne && ows(h[nb])) {
                nb++;
            }
            while (ne > nb && ows(h[ne - 1])) {
                ne--;
            }
            if (ne - nb == nn && memcmp(h + nb, name, nn) == 0) {
                size_t vb = eq + 1, ve = e;
                while (vb < ve && ows(h[vb])) {
                    vb++;
                }
                while (ve > vb && ows(h[ve - 1])) {
                    ve--;
                }
                if (ve - vb >= 2 && h[vb] == '"' && h[ve - 1] == '"') {
                    vb++;
                    ve--;
                }
                *voff = vb;
                *vlen = ve - vb;
                return true;
            }
        }
        a = e + 1;
    }
    return false;
}

static void cookie(part_t hp, part_t np)
{
    char *hdr = raw(hp);   /* hdr_len bounds it: no terminator */
    char *name = cstr(np);
    const char *val = (const char *)&val;
    size_t vlen = 12345, woff = 0, wlen = 0;
    bool got = httpd__cookie_find(hdr, hp.n, name, &val, &vlen);
    bool want = ref_cookie(hdr, hp.n, name, &woff, &wlen);
    FUZZ_CHECK(got == want);
    if (got) {
        FUZZ_CHECK(val >= hdr && val + vlen <= hdr + hp.n);
        /* the same bytes; an empty value may point anywhere in its pair */
        FUZZ_CHECK(vlen == wlen && (vlen == 0 || (size_t)(val - hdr) == woff));
    } else {
        FUZZ_CHECK(val == (const char *)&val && vlen == 12345);   /* outputs untouched */
    }
    FUZZ_CHECK(httpd__cookie_find(hdr, hp.n, name, NULL, NULL) == got);
    free(hdr);
    free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t ctl = data[0];
    part_t p[PARTS] = { { data + 1, 0 } };
    size_t np = 0, start = 1;
    for (size_t i = 1; i <= size && np < PARTS; i++) {
        if (i == size || (data[i] == '\n' && np < PARTS - 1)) {
            p[np].p = data + start;
            p[np].n = i - start;
            np++;
            start = i + 1;
        }
    }
    for (size_t i = np; i < PARTS; i++) {
        p[i].p = data + size;
        p[i].n = 0;
    }

    uri_match(p[0], p[1], ctl);
    uri_match(p[1], p[0], (uint8_t)(ctl >> 3));
    query(p[3], p[2], ctl);
    query(p[1], p[2], (uint8_t)(ctl + 17));
    url_decode(p[1], ctl);
    url_decode(p[3], (uint8_t)~ctl);
    cookie(p[4], p[2]);
    cookie(p[1], p[2]);
    return 0;
}
