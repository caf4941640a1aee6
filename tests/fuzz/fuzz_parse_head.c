/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the request-head parser (src/parse.h).
 *
 * Each input is parsed under three sets of limits (the server's defaults,
 * tight ones drawn from the input, none at all), three ways each:
 *   - whole: one call over all the bytes (the one-pass fast path when the
 *     build has it, HTTPD_PARSE_FAST, else the state machine);
 *   - byte by byte: the same buffer start, one more byte per call (after the
 *     first byte only the state machine runs);
 *   - in pieces of pseudo-random sizes seeded from the input.
 * All three must reach the same verdict (done / again / error), the same
 * status on an error and the same results on success. In the piecewise
 * parses the bytes not yet given are poisoned (ASan), so a parser that looks
 * past `len` is caught. A complete head is then checked against what the
 * parser promises (limits, offsets, flags), compacted, and looked up.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "esp_http_server.h"
#include "fuzz_common.h"
#include "http_parser.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PUBLIC_FLAGS 0x03FFu

static bool same_results(const http_parser_t *a, const http_parser_t *b)
{
    return a->method == b->method && a->version_minor == b->version_minor &&
           a->target_off == b->target_off && a->target_len == b->target_len &&
           a->path_off == b->path_off && a->path_len == b->path_len &&
           a->hdr_off == b->hdr_off && a->hdr_len == b->hdr_len &&
           a->head_len == b->head_len && a->content_length == b->content_length &&
           a->flags == b->flags;
}

static void report(const char *how, int ra, const http_parser_t *a, int rb, const http_parser_t *b)
{
    fprintf(stderr, "%s: whole -> %d (status %d, head_len %zu, flags %#x) but %d (status %d, head_len %zu, flags %#x)\n",
            how, ra, a->status, a->head_len, a->flags, rb, b->status, b->head_len, b->flags);
}

/* Bytes of the compacted header block named name: found <=> expected. */
static void check_header(const char *block, size_t len, const char *name, bool expected)
{
    const char *val = NULL;
    size_t vlen = 0;
    bool found = httpd__header_find(block, len, name, &val, &vlen);
    FUZZ_CHECK(found == expected);
    if (found) {
        FUZZ_CHECK(val >= block && val + vlen < block + len && val[vlen] == '\0');
        FUZZ_CHECK(strlen(val) == vlen);
    }
}

/* What a complete head must satisfy. */
static void check_done(const uint8_t *b, size_t n, const http_parser_t *p, const http_parse_limits_t *lim)
{
    FUZZ_CHECK(p->head_len > 0 && p->head_len <= n);
    FUZZ_CHECK(p->hdr_off + p->hdr_len == p->head_len);
    FUZZ_CHECK(p->target_len > 0 && p->target_off + p->target_len < p->hdr_off);
    FUZZ_CHECK(p->path_off >= p->target_off && p->path_off + p->path_len <= p->target_off + p->target_len);
    FUZZ_CHECK(p->version_minor == 0 || p->version_minor == 1);
    FUZZ_CHECK((p->flags & ~PUBLIC_FLAGS) == 0);
    FUZZ_CHECK(!((p->flags & HTTP_F_CHUNKED) && (p->flags & HTTP_F_CONTENT_LENGTH)));
    FUZZ_CHECK(p->content_length <= UINT64_C(4294967295));
    FUZZ_CHECK((p->flags & HTTP_F_CONTENT_LENGTH) || p->content_length == 0);
    FUZZ_CHECK(p->version_minor == 0 || (p->flags & HTTP_F_HOST));

    /* the request line: [empty lines] METHOD SP target SP HTTP/1.x (CR)LF */
    const char *m = httpd__method_name(p->method);
    FUZZ_CHECK(m != NULL);
    size_t mlen = strlen(m);
    FUZZ_CHECK(p->target_off >= mlen + 1);
    size_t line = p->target_off - mlen - 1;
    FUZZ_CHECK(memcmp(b + line, m, mlen) == 0 && b[line + mlen] == ' ');
    for (size_t i = 0; i < line; i++) {
        FUZZ_CHECK(b[i] == '\r' || b[i] == '\n');
    }
    for (size_t i = p->target_off; i < p->target_off + p->target_len; i++) {
        FUZZ_CHECK(b[i] > ' ' && b[i] != 0x7F);
    }
    size_t v = p->target_off + p->target_len;
    FUZZ_CHECK(p->hdr_off - v == 10 || p->hdr_off - v == 11);
    FUZZ_CHECK(memcmp(b + v, " HTTP/1.", 8) == 0 && b[v + 8] == '0' + p->version_minor);
    FUZZ_CHECK(b[p->hdr_off - 1] == '\n' && (p->hdr_off - v == 10 || b[p->hdr_off - 2] == '\r'));

    /* within every limit, whichever path took it */
    FUZZ_CHECK(p->hdr_off - line <= lim->max_line);
    FUZZ_CHECK(p->target_len <= lim->max_target);
    FUZZ_CHECK(p->hdr_len <= lim->max_headers);

    /* the target forms */
    const uint8_t *t = b + p->target_off;
    if (p->flags & HTTP_F_ASTERISK_FORM) {
        FUZZ_CHECK(p->target_len == 1 && t[0] == '*' && !(p->flags & HTTP_F_ABSOLUTE_FORM));
    } else if (p->flags & HTTP_F_ABSOLUTE_FORM) {
        FUZZ_CHECK(t[0] != '/' && memchr(t, ':', p->target_len) != NULL);
    } else {
        FUZZ_CHECK(t[0] == '/' && p->path_off == p->target_off);
    }
    for (size_t i = p->path_off; i < p->path_off + p->path_len; i++) {
        FUZZ_CHECK(b[i] != '?' && b[i] != '#');
    }

    /* compaction of the header block, and the lookups the request accessors make */
    char *block = malloc(p->hdr_len);
    FUZZ_CHECK(block != NULL);
    memcpy(block, b + p->hdr_off, p->hdr_len);
    size_t lines = 0;
    for (size_t i = 0; i < p->hdr_len; i++) {
        FUZZ_CHECK(block[i] != '\0');
        lines += block[i] == '\n';
    }
    FUZZ_CHECK(lines >= 1 && block[p->hdr_len - 1] == '\n');
    size_t count = 0;
    size_t clen = httpd__headers_compact(block, p->hdr_len, &count);
    FUZZ_CHECK(clen <= p->hdr_len);
    FUZZ_CHECK(count == lines - 1);
    FUZZ_CHECK(clen == 0 || block[clen - 1] == '\0');
    check_header(block, clen, "Host", (p->flags & HTTP_F_HOST) != 0);
    check_header(block, clen, "content-length", (p->flags & HTTP_F_CONTENT_LENGTH) != 0);
    check_header(block, clen, "TRANSFER-ENCODING", (p->flags & HTTP_F_CHUNKED) != 0);
    check_header(block, clen, "upgrade", (p->flags & HTTP_F_UPGRADE) != 0);
    if (p->flags & HTTP_F_CHUNKED) {
        const char *val;
        size_t vlen;
        FUZZ_CHECK(httpd__header_find(block, clen, "transfer-encoding", &val, &vlen));
        FUZZ_CHECK(vlen == 7 && strncasecmp(val, "chunked", 7) == 0);
    }
    free(block);
}

/* Parses b[0..n) in growing prefixes; piece sizes from rng, or 1 when rng is NULL.
 * buf is b's copy whose unread tail is poisoned. */
static int parse_pieces(uint8_t *buf, size_t n, const http_parse_limits_t *lim, fuzz_rng_t *rng, http_parser_t *p)
{
    size_t k = 0;
    int r;

    httpd__parser_init(p);
    FUZZ_POISON(buf, n);
    r = httpd__parse_head(p, (const char *)buf, 0, lim);
    FUZZ_CHECK(r == HTTP_PARSE_AGAIN);
    while (r == HTTP_PARSE_AGAIN && k < n) {
        k += rng ? fuzz_piece(rng, n - k) : 1;
        FUZZ_UNPOISON(buf, k);
        r = httpd__parse_head(p, (const char *)buf, k, lim);
    }
    FUZZ_UNPOISON(buf, n);
    if (r == HTTP_PARSE_DONE) {
        FUZZ_CHECK(p->head_len <= k);
        /* done stays done, whatever follows */
        FUZZ_CHECK(httpd__parse_head(p, (const char *)buf, n, lim) == HTTP_PARSE_DONE);
    } else if (r == HTTP_PARSE_ERROR) {
        FUZZ_CHECK(httpd__parse_head(p, (const char *)buf, n, lim) == HTTP_PARSE_ERROR);
    }
    return r;
}

static void run(const uint8_t *data, size_t size, const http_parse_limits_t *lim, uint64_t seed)
{
    /* exactly size bytes (at least one, for malloc), so a read past them is caught */
    uint8_t *buf = malloc(size ? size : 1);
    FUZZ_CHECK(buf != NULL);
    if (size) {
        memcpy(buf, data, size);
    }

    http_parser_t a, b;
    httpd__parser_init(&a);
    int ra = httpd__parse_head(&a, (const char *)buf, size, lim);
    FUZZ_CHECK(ra == HTTP_PARSE_DONE || ra == HTTP_PARSE_AGAIN || ra == HTTP_PARSE_ERROR);
    if (ra == HTTP_PARSE_ERROR) {
        int s = a.status;
        FUZZ_CHECK(s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505);
    } else if (ra == HTTP_PARSE_DONE) {
        check_done(buf, size, &a, lim);
    }
    /* a repeated call gives the same answer */
    http_parser_t again = a;
    FUZZ_CHECK(httpd__parse_head(&again, (const char *)buf, size, lim) == ra);

    /* byte by byte: the state machine alone */
    int rb = parse_pieces(buf, size, lim, NULL, &b);
    if (rb != ra || (ra == HTTP_PARSE_ERROR && a.status != b.status) ||
        (ra == HTTP_PARSE_DONE && !same_results(&a, &b))) {
        report("byte by byte", ra, &a, rb, &b);
        FUZZ_CHECK(!"whole and byte-by-byte parses differ");
    }

    /* pieces of pseudo-random sizes */
    fuzz_rng_t rng;
    fuzz_rng_init(&rng, seed);
    for (int i = 0; i < 2; i++) {
        rb = parse_pieces(buf, size, lim, &rng, &b);
        if (rb != ra || (ra == HTTP_PARSE_ERROR && a.status != b.status) ||
            (ra == HTTP_PARSE_DONE && !same_results(&a, &b))) {
            report("random pieces", ra, &a, rb, &b);
            FUZZ_CHECK(!"whole and piecewise parses differ");
        }
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = fuzz_hash(data, size);

    /* as httpd_start() sets them from the default configuration */
    const http_parse_limits_t server = {
        .max_line = CONFIG_HTTPD_MAX_URI_LEN,
        .max_target = CONFIG_HTTPD_MAX_URI_LEN,
        .max_headers = CONFIG_HTTPD_MAX_REQ_HDR_LEN,
    };
    run(data, size, &server, h);

    /* tight limits, around the sizes of small inputs, so every limit's edge is met */
    const http_parse_limits_t tight = {
        .max_line = 16 + (size_t)(h % 48u),
        .max_target = 1 + (size_t)((h >> 8) % 40u),
        .max_headers = 16 + (size_t)((h >> 16) % 96u),
    };
    run(data, size, &tight, h >> 1);

    const http_parse_limits_t none = { SIZE_MAX, SIZE_MAX, SIZE_MAX };
    run(data, size, &none, h >> 2);
    return 0;
}
