/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_multipart: the streaming multipart/form-data parser of httpd_multipart.h, fed in
 * one piece, byte by byte and in random splits (every split must give the same
 * callbacks), with boundary look-alikes, big parts, malformed bodies and a fuzz loop.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpd_multipart.h"
#include "../unit/check.h"

/* ---- A recorder of callbacks ------------------------------------------------------- */

#define LOG_MAX (64 * 1024)

typedef struct {
    char     log[LOG_MAX];   /* "[name|filename|type]data<end>" per part, data cut at LOG_MAX */
    size_t   len;
    uint64_t bytes;          /* data bytes of all parts */
    uint32_t fnv;            /* FNV-1a over all data bytes */
    unsigned calls;          /* on_part_data calls */
    int      fail_at;        /* on_part_data call that fails (0: none) */
    int      fail_begin;     /* on_part_begin of this part index + 1 fails */
    int      depth;          /* 1 inside a part: begin/end must alternate */
    int      misuse;         /* callbacks out of order, or data of length 0 */
} rec_t;

static void rec_add(rec_t *r, const char *s, size_t n)
{
    if (n > LOG_MAX - r->len) {
        n = LOG_MAX - r->len;
    }
    memcpy(r->log + r->len, s, n);
    r->len += n;
}

static void rec_str(rec_t *r, const char *s)
{
    rec_add(r, s, strlen(s));
}

static esp_err_t on_begin(void *ctx, const httpd_multipart_part_t *part)
{
    rec_t *r = ctx;
    r->misuse += r->depth != 0 || part->name == NULL;
    r->depth = 1;
    rec_str(r, "[");
    rec_str(r, part->name ? part->name : "(null)");
    rec_str(r, "|");
    rec_str(r, part->filename ? part->filename : "-");
    rec_str(r, "|");
    rec_str(r, part->content_type ? part->content_type : "-");
    rec_str(r, "]");
    if (r->fail_begin && (int)part->index + 1 == r->fail_begin) {
        return ESP_ERR_NOT_ALLOWED;
    }
    return ESP_OK;
}

static esp_err_t on_data(void *ctx, const char *data, size_t len)
{
    rec_t *r = ctx;
    r->misuse += r->depth != 1 || len == 0;
    r->calls++;
    rec_add(r, data, len);
    r->bytes += len;
    for (size_t i = 0; i < len; i++) {
        r->fnv = (r->fnv ^ (uint8_t)data[i]) * 16777619u;
    }
    if (r->fail_at && (int)r->calls == r->fail_at) {
        return ESP_ERR_NO_MEM;
    }
    return ESP_OK;
}

static esp_err_t on_end(void *ctx)
{
    rec_t *r = ctx;
    r->misuse += r->depth != 1;
    r->depth = 0;
    rec_str(r, "<end>");
    return ESP_OK;
}

static const httpd_multipart_callbacks_t CB = { on_begin, on_data, on_end };

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

enum { WHOLE, BYTES, RANDOM, SPLITS };

/* Parses body[0..len) with Content-Type ct, split as mode says, into *r; the result of
 * the feeds and finish (the first error). */
static esp_err_t run_split(const char *ct, const char *body, size_t len, int mode, rec_t *r)
{
    httpd_multipart_parser_t p;
    int fail_at = r->fail_at, fail_begin = r->fail_begin;
    memset(r, 0, sizeof *r);
    r->fnv = 2166136261u;
    r->fail_at = fail_at;
    r->fail_begin = fail_begin;
    esp_err_t err = httpd_multipart_parser_init(&p, ct, &CB, r);
    if (err != ESP_OK) {
        return err;
    }
    size_t i = 0;
    while (i < len) {
        size_t n = mode == WHOLE ? len : mode == BYTES ? 1 : 1 + rnd() % 97;
        if (n > len - i) {
            n = len - i;
        }
        esp_err_t e = httpd_multipart_parser_feed(&p, body + i, n);
        if (e != ESP_OK) {
            /* sticky: feeding again gives the same error */
            if (httpd_multipart_parser_feed(&p, "x", 1) != e || httpd_multipart_parser_finish(&p) != e) {
                r->misuse++;
            }
            return e;
        }
        i += n;
    }
    return httpd_multipart_parser_finish(&p);
}

static rec_t r0, r1;

/* Parses with every split; all must give the same result and log. Returns the result;
 * the log of the whole-body run is in r0. */
static esp_err_t run_all(const char *ct, const char *body, size_t len)
{
    esp_err_t e0 = run_split(ct, body, len, WHOLE, &r0);
    CHECK_EQ_INT(r0.misuse, 0);
    for (int mode = BYTES; mode < SPLITS; mode++) {
        for (int rep = 0; rep < (mode == RANDOM ? 5 : 1); rep++) {
            r1.fail_at = r0.fail_at;
            r1.fail_begin = r0.fail_begin;
            esp_err_t e1 = run_split(ct, body, len, mode, &r1);
            CHECK_EQ_INT(e1, e0);
            CHECK_EQ_INT(r1.misuse, 0);
            if (r0.fail_at == 0) {   /* with a failing data call the split decides what came before */
                CHECK(r1.len == r0.len && memcmp(r1.log, r0.log, r0.len) == 0);
                CHECK(r1.fnv == r0.fnv && r1.bytes == r0.bytes);
            }
        }
    }
    return e0;
}

#define CT "multipart/form-data; boundary=XyZ"
#define D "--XyZ"

static void expect(const char *body, esp_err_t want, const char *log)
{
    esp_err_t err = run_all(CT, body, strlen(body));
    CHECK_EQ_INT(err, want);
    if (log) {
        r0.log[r0.len < LOG_MAX ? r0.len : LOG_MAX - 1] = '\0';
        CHECK_EQ_STR(r0.log, log);
    }
}

static void test_basic(void)
{
    expect(D "\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n"
           D "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
           "Content-Type: text/plain\r\n\r\nhello\nworld\r\n" D "--\r\n",
           ESP_OK, "[field|-|-]value<end>[file|a.txt|text/plain]hello\nworld<end>");
    /* preamble, epilogue, transport padding, header case, unquoted and escaped values */
    expect("This is the preamble.\r\n" D "  \t\r\ncontent-disposition:form-data;name=plain ;filename=\"q\\\"x.bin\"\r\n"
           "CONTENT-TYPE:  application/octet-stream  \r\n\r\n\x01\x02\r\n" D "--\r\nepilogue " D "\r\n garbage",
           ESP_OK, "[plain|q\"x.bin|application/octet-stream]\x01\x02<end>");
    /* a CRLF before the first delimiter; no headers; empty data; empty filename */
    expect("\r\n" D "\r\n\r\n\r\n" D "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n\r\n\r\n" D "--",
           ESP_OK, "[|-|-]<end>[f||-]<end>");
    /* CRLFs at the end of data stay data; only the one before the delimiter goes */
    expect(D "\r\nContent-Disposition: form-data; name=a\r\n\r\nline\r\n\r\n\r\n" D "--",
           ESP_OK, "[a|-|-]line\r\n\r\n<end>");
    /* no parts at all */
    expect(D "--\r\n", ESP_OK, "");
}

static void test_lookalikes(void)
{
    /* prefixes of the delimiter inside data, a delimiter not at a line start, CRs */
    const char *data = "a\r\n--XyZb\r\n--Xy\r\n--X\r\n-\r\n\r\r\n\r\n--\r\r\n--XyZ-"
                       "--XyZ\r\n --XyZ\r\n\n--XyZ\rend\r";
    char body[512], want[512];
    snprintf(body, sizeof body, D "\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n%s\r\n" D "--", data);
    snprintf(want, sizeof want, "[x|-|-]%s<end>", data);
    /* "\r\n--XyZb" and "\r\n--XyZ-" followed by other than "-" are malformed */
    expect(body, ESP_FAIL, NULL);
    data = "a\r\n--Xy\r\n--X\r\n-\r\n\r\r\n\r\n--\r\r\n--Xy Z--XyZ\r\n --XyZ\r\n\n--XyZ\rend\r";
    snprintf(body, sizeof body, D "\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n%s\r\n" D "--", data);
    snprintf(want, sizeof want, "[x|-|-]%s<end>", data);
    expect(body, ESP_OK, want);
    /* a quoted boundary with characters a token cannot hold */
    const char *ct = "multipart/form-data; charset=utf-8; boundary=\"a b:c=d?\"";
    const char *b2 = "--a b:c=d?\r\n\r\n1\r\n--a b:c=d\r\n--a b:c=d?--";
    CHECK_EQ_INT(run_all(ct, b2, strlen(b2)), ESP_OK);
    r0.log[r0.len] = '\0';
    CHECK_EQ_STR(r0.log, "[|-|-]1\r\n--a b:c=d<end>");
}

static void test_content_types(void)
{
    httpd_multipart_parser_t p;
    rec_t *r = &r0;
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, "Multipart/Form-Data; BOUNDARY=x", &CB, r), ESP_OK);
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, "multipart/form-data;boundary=\"x\"", &CB, r), ESP_OK);
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, "multipart/mixed; boundary=x", &CB, r), ESP_ERR_NOT_SUPPORTED);
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, "application/x-www-form-urlencoded", &CB, r), ESP_ERR_NOT_SUPPORTED);
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, "", &CB, r), ESP_ERR_NOT_SUPPORTED);
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, "multipart/form-data", &CB, r), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, "multipart/form-data; boundary=", &CB, r), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, "multipart/form-data; boundary=\"\"", &CB, r), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, "multipart/form-data; boundary=\"abc", &CB, r), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, "multipart/form-data; boundary=\"a\x01\"", &CB, r), ESP_ERR_INVALID_ARG);
    char ct[200];
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%070d", 7);
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, ct, &CB, r), ESP_OK);
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%071d", 7);
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, ct, &CB, r), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_multipart_parser_init(NULL, CT, &CB, r), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, NULL, &CB, r), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, CT, NULL, r), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_multipart_parser_feed(NULL, "a", 1), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_multipart_parser_finish(NULL), ESP_ERR_INVALID_ARG);
    CHECK(!httpd_multipart_parser_cb_failed(NULL));
    httpd_req_t *req = calloc(1, sizeof *req);
    char work[16];
    CHECK_EQ_INT(httpd_multipart_recv(NULL, &CB, r, work, sizeof work), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_multipart_recv(req, NULL, r, work, sizeof work), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_multipart_recv(req, &CB, r, NULL, sizeof work), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_multipart_recv(req, &CB, r, work, 0), ESP_ERR_INVALID_ARG);
    free(req);
    /* NULL callbacks are allowed */
    httpd_multipart_callbacks_t none = { NULL, NULL, NULL };
    const char *b = D "\r\n\r\nabc\r\n" D "--";
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, CT, &none, NULL), ESP_OK);
    CHECK_EQ_INT(httpd_multipart_parser_feed(&p, b, strlen(b)), ESP_OK);
    CHECK_EQ_INT(httpd_multipart_parser_finish(&p), ESP_OK);
    CHECK_EQ_INT(httpd_multipart_parser_feed(&p, NULL, 0), ESP_OK);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "",                                            /* empty body */
        "no delimiter at all",
        D,                                             /* ends after a delimiter */
        D "\r\n",                                      /* ends in the headers */
        D "\r\nContent-Disposition: form-data; name=a\r\n",
        D "\r\n\r\ndata without end",
        D "\r\n\r\ndata\r\n" D,                        /* no closing "--" */
        D "\r\n\r\ndata\r\n" D "-",
        D "\r\n\r\ndata\r\n" D "-x",
        D "\r\n\r\ndata\r\n" D "x\r\n",
        D " x\r\n\r\n\r\n" D "--",                     /* junk after padding */
        D "\r\r\n\r\n\r\n" D "--",
        D "\r\nNo colon here\r\n\r\n\r\n" D "--",
        D "\r\n: empty name\r\n\r\n\r\n" D "--",
        D "\r\n folded: header\r\n\r\n\r\n" D "--",
        D "\r\nA: b\nC: d\r\n\r\n\r\n" D "--",         /* bare LF */
        D "\r\nContent-Disposition: form-data; name=\"open\r\n\r\n\r\n" D "--",
        D "\r\nContent-Disposition: form-data; name=\"a\"b\r\n\r\n\r\n" D "--",
        D "\r\nContent-Disposition: ; name=a\r\n\r\n\r\n" D "--",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        esp_err_t err = run_all(CT, bad[i], strlen(bad[i]));
        if (err != ESP_FAIL) {
            fprintf(stderr, "malformed case %zu gave %d\n", i, (int)err);
        }
        CHECK_EQ_INT(err, ESP_FAIL);
    }
    /* a header block one byte over the bound ("X-Pad: " pad CRLF CRLF); and one at it */
    static char body[4096];
    int n = snprintf(body, sizeof body, D "\r\nX-Pad: %0*d\r\n\r\nv\r\n" D "--", HTTPD_MULTIPART_HDR_MAX - 10, 0);
    CHECK_EQ_INT(run_all(CT, body, (size_t)n), ESP_ERR_INVALID_SIZE);
    n = snprintf(body, sizeof body, D "\r\nX-Pad: %0*d\r\n\r\nv\r\n" D "--", HTTPD_MULTIPART_HDR_MAX - 11, 0);
    CHECK_EQ_INT(run_all(CT, body, (size_t)n), ESP_OK);
}

static void test_callback_errors(void)
{
    const char *b = D "\r\n\r\nabcdef\r\n" D "\r\nContent-Disposition: form-data; name=two\r\n\r\nxyz\r\n" D "--";
    httpd_multipart_parser_t p;
    r0.fail_at = 1;
    CHECK_EQ_INT(run_all(CT, b, strlen(b)), ESP_ERR_NO_MEM);
    r0.fail_at = 0;
    r0.fail_begin = 2;
    CHECK_EQ_INT(run_all(CT, b, strlen(b)), ESP_ERR_NOT_ALLOWED);
    r0.log[r0.len] = '\0';
    CHECK_EQ_STR(r0.log, "[|-|-]abcdef<end>[two|-|-]");
    r0.fail_begin = 0;
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, CT, &CB, &r0), ESP_OK);
    r0.fail_begin = 1;
    CHECK_EQ_INT(httpd_multipart_parser_feed(&p, b, strlen(b)), ESP_ERR_NOT_ALLOWED);
    CHECK(httpd_multipart_parser_cb_failed(&p));
    CHECK_EQ_INT(httpd_multipart_parser_finish(&p), ESP_ERR_NOT_ALLOWED);
    r0.fail_begin = 0;
    CHECK_EQ_INT(httpd_multipart_parser_init(&p, CT, &CB, &r0), ESP_OK);
    CHECK_EQ_INT(httpd_multipart_parser_feed(&p, "x", 1), ESP_OK);
    CHECK_EQ_INT(httpd_multipart_parser_finish(&p), ESP_FAIL);
    CHECK(!httpd_multipart_parser_cb_failed(&p));
}

/* A body with nparts parts of sizes[i] pseudo-random bytes (rich in CR, LF and '-'). */
static size_t make_body(char *out, size_t cap, const size_t *sizes, int nparts, uint32_t *fnv, uint64_t *bytes)
{
    static const char alphabet[] = "\r\n-XyZ\r\n--ab";
    size_t o = 0;
    *fnv = 2166136261u;
    *bytes = 0;
    for (int k = 0; k < nparts; k++) {
        o += (size_t)snprintf(out + o, cap - o, D "\r\nContent-Disposition: form-data; name=\"p%d\"; filename=\"f%d.bin\"\r\n"
                              "Content-Type: application/octet-stream\r\n\r\n", k, k);
        for (size_t i = 0; i < sizes[k]; i++) {
            uint32_t v = rnd();
            char c = (v & 3) ? (char)(v >> 8) : alphabet[(v >> 8) % (sizeof alphabet - 1)];
            if (i >= 5 && memcmp(out + o - 5, "\r\n--X", 5) == 0 && c == 'y') {
                c = 'q';   /* never a whole delimiter inside data */
            }
            out[o++] = c;
            *fnv = (*fnv ^ (uint8_t)c) * 16777619u;
        }
        *bytes += sizes[k];
        o += (size_t)snprintf(out + o, cap - o, "\r\n");
    }
    o += (size_t)snprintf(out + o, cap - o, D "--\r\n");
    return o;
}

static void test_big(void)
{
    size_t cap = 3u << 20;
    char *body = malloc(cap);
    CHECK(body != NULL);
    if (!body) {
        return;
    }
    size_t sizes[] = { 2u << 20, 0, 1, 70000 };
    r0.fail_at = r1.fail_at = r0.fail_begin = r1.fail_begin = 0;
    uint32_t fnv;
    uint64_t bytes;
    size_t n = make_body(body, cap, sizes, 4, &fnv, &bytes);
    CHECK_EQ_INT(run_split(CT, body, n, WHOLE, &r0), ESP_OK);
    CHECK(r0.fnv == fnv && r0.bytes == bytes);
    CHECK_EQ_INT(r0.misuse, 0);
    CHECK_EQ_INT(run_split(CT, body, n, RANDOM, &r1), ESP_OK);
    CHECK(r1.fnv == fnv && r1.bytes == bytes);
    CHECK_EQ_INT(run_split(CT, body, n, BYTES, &r1), ESP_OK);
    CHECK(r1.fnv == fnv && r1.bytes == bytes);
    free(body);
}

/* Mutated bodies: any split gives the same result and callbacks, and nothing crashes. */
static void test_fuzz(void)
{
    static char body[8192];
    int ok = 0, failed = 0;
    for (int iter = 0; iter < 3000; iter++) {
        size_t sizes[3] = { rnd() % 300, rnd() % 40, rnd() % 5 };
        uint32_t fnv;
        uint64_t bytes;
        size_t n = make_body(body, sizeof body - 64, sizes, 1 + (int)(rnd() % 3), &fnv, &bytes);
        int muts = (int)(rnd() % 4);
        for (int m = 0; m < muts && n > 0; m++) {
            size_t at = rnd() % n;
            switch (rnd() % 4) {
            case 0: body[at] = "\r\n-X\"; :"[rnd() % 8]; break;
            case 1: n = at; break;
            case 2: memmove(body + at + 1, body + at, n - at); body[at] = "\r\n-"[rnd() % 3]; n++; break;
            default: memmove(body + at, body + at + 1, n - at - 1); n--; break;
            }
        }
        esp_err_t e = run_all(CT, body, n);
        if (muts == 0) {
            CHECK_EQ_INT(e, ESP_OK);
            CHECK(r0.fnv == fnv && r0.bytes == bytes);
        }
        CHECK(e == ESP_OK || e == ESP_FAIL || e == ESP_ERR_INVALID_SIZE);
        ok += e == ESP_OK;
        failed += e != ESP_OK;
    }
    printf("fuzz: %d bodies accepted, %d rejected\n", ok, failed);
    CHECK(ok > 0 && failed > 0);
}

int main(void)
{
    test_basic();
    test_lookalikes();
    test_content_types();
    test_malformed();
    test_callback_errors();
    test_big();
    test_fuzz();
    return check_summary();
}
