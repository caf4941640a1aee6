/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the chunked request-body decoder (httpd__chunked_decode, src/parse.h).
 *
 * 1. The input as a chunked body: decoded whole (one buffer, calls until it
 *    is used up) and in pieces (byte by byte, and pseudo-random sizes seeded
 *    from the input), each piece in a buffer of its exact size so that a read
 *    past it is caught by ASan. All must give the same decoded bytes, the same
 *    verdict (done / incomplete / malformed) and, when done, end at the same
 *    offset; the decoded bytes are never more than the input.
 * 2. The input as a payload: encoded as a valid chunked body (chunk sizes,
 *    hex case, extensions, line endings and trailers drawn from the input's
 *    hash), which must decode, whole and in pieces, back to the payload and
 *    end exactly at the body's end.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { V_AGAIN, V_DONE, V_ERROR };

typedef struct {
    http_chunked_t c;
    int verdict;
    size_t consumed;   /* bytes taken before the verdict (all of them unless done or malformed) */
    uint8_t *out;      /* decoded data */
    size_t out_len;
} decoder_t;

static void dec_init(decoder_t *d, size_t cap)
{
    httpd__chunked_init(&d->c);
    FUZZ_CHECK(!httpd__chunked_done(&d->c));
    d->verdict = V_AGAIN;
    d->consumed = 0;
    d->out = malloc(cap ? cap : 1);
    FUZZ_CHECK(d->out != NULL);
    d->out_len = 0;
}

/* Gives piece[0..len) to the decoder until it is used up, the body ends or is
 * malformed. cap: room left for decoded bytes (the whole input's size). */
static void dec_feed(decoder_t *d, const uint8_t *piece, size_t len, size_t cap)
{
    size_t off = 0;

    while (d->verdict == V_AGAIN && off < len) {
        size_t doff = 99, dlen = 99;
        ssize_t r = httpd__chunked_decode(&d->c, (const char *)piece + off, len - off, &doff, &dlen);
        if (r < 0) {
            FUZZ_CHECK(r == -1);
            /* a malformed body stays malformed */
            FUZZ_CHECK(httpd__chunked_decode(&d->c, (const char *)piece, len, &doff, &dlen) == -1);
            d->verdict = V_ERROR;
            return;
        }
        FUZZ_CHECK((size_t)r <= len - off);
        if (dlen > 0) {
            /* the data span ends the consumed bytes */
            FUZZ_CHECK(doff + dlen == (size_t)r);
            FUZZ_CHECK(d->out_len + dlen <= cap);
            memcpy(d->out + d->out_len, piece + off + doff, dlen);
            d->out_len += dlen;
        } else {
            FUZZ_CHECK(doff == 0 && dlen == 0);
        }
        off += (size_t)r;
        d->consumed += (size_t)r;
        if (httpd__chunked_done(&d->c)) {
            d->verdict = V_DONE;
            /* done takes nothing more */
            FUZZ_CHECK(httpd__chunked_decode(&d->c, (const char *)piece + off, len - off, &doff, &dlen) == 0);
            FUZZ_CHECK(dlen == 0);
        } else {
            FUZZ_CHECK(r > 0);   /* no progress without an end: the caller would spin */
        }
    }
}

/* Decodes b[0..n): whole (how 0), byte by byte (1) or in pseudo-random
 * pieces (2), each piece in a buffer of its exact size. */
static void decode(decoder_t *d, const uint8_t *b, size_t n, int how, fuzz_rng_t *rng)
{
    dec_init(d, n);
    if (how == 0) {
        uint8_t *copy = malloc(n ? n : 1);
        FUZZ_CHECK(copy != NULL);
        memcpy(copy, b, n);
        dec_feed(d, copy, n, n);
        free(copy);
        return;
    }
    uint8_t *one = malloc(1);   /* byte by byte: one exact buffer, reused */
    FUZZ_CHECK(one != NULL);
    for (size_t k = 0; k < n && d->verdict == V_AGAIN;) {
        size_t len = how == 1 ? 1 : fuzz_piece(rng, n - k);
        uint8_t *piece = len == 1 ? one : malloc(len);
        FUZZ_CHECK(piece != NULL);
        memcpy(piece, b + k, len);
        dec_feed(d, piece, len, n);
        if (piece != one) {
            free(piece);
        }
        k += len;
    }
    free(one);
}

static void same(const decoder_t *a, const decoder_t *b)
{
    FUZZ_CHECK(a->verdict == b->verdict);
    FUZZ_CHECK(a->out_len == b->out_len);
    FUZZ_CHECK(a->out_len == 0 || memcmp(a->out, b->out, a->out_len) == 0);
    if (a->verdict == V_DONE) {
        FUZZ_CHECK(a->consumed == b->consumed);
    }
}

/* Decodes b[0..n) every way (byte by byte only when bytewise); returns the
 * whole decode (the caller frees out). */
static decoder_t decode_all_ways(const uint8_t *b, size_t n, uint64_t seed, bool bytewise)
{
    decoder_t whole, part;
    fuzz_rng_t rng;

    decode(&whole, b, n, 0, NULL);
    FUZZ_CHECK(whole.out_len <= n);
    if (whole.verdict == V_AGAIN) {
        FUZZ_CHECK(whole.consumed == n);
    }
    if (bytewise) {
        decode(&part, b, n, 1, NULL);
        same(&whole, &part);
        free(part.out);
    }
    fuzz_rng_init(&rng, seed);
    for (int i = 0; i < 2; i++) {
        decode(&part, b, n, 2, &rng);
        same(&whole, &part);
        free(part.out);
    }
    return whole;
}

/* ---- A valid chunked encoding of a payload ------------------------------------- */

typedef struct {
    uint8_t *b;
    size_t len, cap;
} buf_t;

static void put(buf_t *o, const void *s, size_t n)
{
    if (o->len + n > o->cap) {
        size_t cap = (o->len + n) * 2 + 64;
        uint8_t *more = realloc(o->b, cap);
        FUZZ_CHECK(more != NULL);
        o->b = more;
        o->cap = cap;
    }
    memcpy(o->b + o->len, s, n);
    o->len += n;
}

static void put_str(buf_t *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_eol(buf_t *o, fuzz_rng_t *r)
{
    put_str(o, (fuzz_rng_next(r) & 7u) == 0 ? "\n" : "\r\n");
}

/* A chunk-size line for n: hex in either case, sometimes leading zeros,
 * sometimes BWS and extensions. */
static void put_size_line(buf_t *o, size_t n, fuzz_rng_t *r)
{
    static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
    uint64_t x = fuzz_rng_next(r);
    const char *digits = (x & 1u) ? upper : lower;
    char hex[40];
    size_t h = 0;
    size_t zeros = (x >> 1 & 7u) == 0 ? (size_t)(x >> 4) % 20u : 0;
    while (zeros--) {
        hex[h++] = '0';
    }
    char rev[20];
    size_t nr = 0;
    do {
        rev[nr++] = digits[n & 15u];
        n >>= 4;
    } while (n);
    while (nr) {
        hex[h++] = rev[--nr];
    }
    put(o, hex, h);
    switch (x >> 12 & 7u) {
    case 0:
        put_str(o, ";name=value");
        break;
    case 1:
        put_str(o, " \t;a;b=\"q s\"");
        break;
    case 2:
        put_str(o, ";");
        break;
    default:
        break;
    }
    put_eol(o, r);
}

static buf_t encode(const uint8_t *p, size_t n, fuzz_rng_t *r)
{
    buf_t o = { NULL, 0, 0 };
    for (size_t k = 0; k < n;) {
        size_t len = fuzz_piece(r, n - k);
        put_size_line(&o, len, r);
        put(&o, p + k, len);
        put_eol(&o, r);
        k += len;
    }
    put_size_line(&o, 0, r);
    uint64_t x = fuzz_rng_next(r);
    for (unsigned t = 0; t < (x & 3u); t++) {
        put_str(&o, (x >> 4 & 1u) ? "X-Trailer: value 1" : "Checksum:");
        put_eol(&o, r);
    }
    put_eol(&o, r);
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = fuzz_hash(data, size);

    /* 1. the input as a body */
    decoder_t d = decode_all_ways(data, size, h, true);
    if (d.verdict == V_DONE) {
        FUZZ_CHECK(d.consumed <= size);
    }
    free(d.out);

    /* 2. the input as a payload, validly encoded */
    fuzz_rng_t rng;
    fuzz_rng_init(&rng, h ^ 0x5555555555555555u);
    buf_t body = encode(data, size, &rng);
    /* (byte by byte only while short: part 1 covers that way) */
    d = decode_all_ways(body.b, body.len, h >> 3, body.len <= 1024);
    FUZZ_CHECK(d.verdict == V_DONE);
    FUZZ_CHECK(d.consumed == body.len);
    FUZZ_CHECK(d.out_len == size && (size == 0 || memcmp(d.out, data, size) == 0));
    free(d.out);
    free(body.b);
    return 0;
}
