/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the UTF-8 validator and base64 of src/ws_codec.h.
 *
 * UTF-8: a reference written here from RFC 3629 in other terms (decode each
 * sequence to its code point; a prefix is acceptable while the code points
 * its completions could reach still meet a valid one) gives the status of
 * every prefix of the input: complete, incomplete but still valid, or
 * invalid. The validator fed the input whole, byte by byte and in
 * pseudo-random pieces must, after every piece, return false exactly when
 * the bytes so far are invalid, and report a complete character exactly when
 * they are complete.
 *
 * Base64: decode(encode(x)) == x, with the exact capacity (and one byte less
 * refused); the input itself decoded into buffers of its exact worst-case
 * size and of a smaller, drawn size (ASan catches an overflow), and whatever
 * decodes re-encodes to the very input (only canonical base64 is taken).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "ws_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- UTF-8 reference ------------------------------------------------------------- */

enum { U_OK, U_PARTIAL, U_BAD };

/* Could a sequence of total length L whose code point lies in [lo, hi] (the
 * continuation bits not yet seen free) be a valid character? */
static bool reachable(unsigned L, uint32_t lo, uint32_t hi)
{
    uint32_t min = L == 2 ? 0x80 : L == 3 ? 0x800 : 0x10000;
    uint32_t max = L == 2 ? 0x7FF : L == 3 ? 0xFFFF : 0x10FFFF;
    if (lo < min) {
        lo = min;
    }
    if (hi > max) {
        hi = max;
    }
    if (lo > hi) {
        return false;
    }
    /* what is left of [lo, hi] outside the surrogates D800..DFFF */
    return lo < 0xD800 || hi > 0xDFFF;
}

/* st[k]: the status of the prefix of length k, k = 0..n. */
static void utf8_reference(const uint8_t *b, size_t n, uint8_t *st)
{
    size_t i = 0;
    st[0] = U_OK;
    while (i < n) {
        uint8_t c = b[i];
        unsigned L;
        uint32_t cp;
        if (c < 0x80) {
            st[++i] = U_OK;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            L = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            L = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            L = 4;
            cp = c & 0x07;
        } else {
            break;   /* a continuation byte or F8..FF where a character starts */
        }
        size_t j = 1;
        for (;;) {
            /* j bytes of the sequence seen: the code point is cp followed by 6 * (L - j) free bits */
            unsigned free_bits = 6 * (L - (unsigned)j);
            uint32_t lo = cp << free_bits, hi = lo | ((UINT32_C(1) << free_bits) - 1);
            if (!reachable(L, lo, hi)) {
                goto bad;   /* the byte just seen cannot be part of a valid character */
            }
            st[i + j] = j == L ? U_OK : U_PARTIAL;
            if (j == L || i + j == n) {
                break;
            }
            uint8_t d = b[i + j];
            if ((d & 0xC0) != 0x80) {
                i += j;
                goto bad;
            }
            cp = cp << 6 | (d & 0x3F);
            j++;
        }
        if (j < L) {
            return;   /* the input ends in the middle of a character */
        }
        i += L;
        continue;
    bad:
        break;   /* st[] is U_BAD from the failing byte on */
    }
    /* the first byte that cannot be valid: every longer prefix is bad */
    for (size_t k = 1; k <= n; k++) {
        if (st[k - 1] == U_BAD) {
            st[k] = U_BAD;
        }
    }
}

static void utf8_check(const uint8_t *b, size_t n, const uint8_t *st, int how, fuzz_rng_t *rng)
{
    ws_utf8_t v = { 0 };
    FUZZ_CHECK(httpd__ws_utf8_complete(&v));
    uint8_t *one = malloc(1);   /* byte by byte: one exact buffer, reused */
    FUZZ_CHECK(one != NULL);
    for (size_t k = 0; k < n;) {
        size_t len = how == 0 ? n : how == 1 ? 1 : fuzz_piece(rng, n - k);
        uint8_t *piece = len == 1 ? one : malloc(len);   /* exact size: a read past it is caught */
        FUZZ_CHECK(piece != NULL);
        memcpy(piece, b + k, len);
        bool ok = httpd__ws_utf8_feed(&v, piece, len);
        if (piece != one) {
            free(piece);
        }
        k += len;
        if (!ok) {
            FUZZ_CHECK(st[k] == U_BAD);
            free(one);
            return;   /* the state is undefined now */
        }
        FUZZ_CHECK(st[k] != U_BAD);
        FUZZ_CHECK(httpd__ws_utf8_complete(&v) == (st[k] == U_OK));
    }
    FUZZ_CHECK(n == 0 || st[n] != U_BAD);
    free(one);
}

static void utf8(const uint8_t *b, size_t n, uint64_t seed)
{
    uint8_t *st = malloc(n + 1);
    FUZZ_CHECK(st != NULL);
    memset(st, U_BAD, n + 1);
    utf8_reference(b, n, st);
    utf8_check(b, n, st, 0, NULL);
    utf8_check(b, n, st, 1, NULL);
    fuzz_rng_t rng;
    fuzz_rng_init(&rng, seed);
    utf8_check(b, n, st, 2, &rng);
    utf8_check(b, n, st, 2, &rng);
    free(st);
}

/* ---- base64 -------------------------------------------------------------------- */

static void base64_round_trip(const uint8_t *b, size_t n)
{
    size_t elen = 4 * ((n + 2) / 3);
    char *enc = malloc(elen + 1);   /* exactly what the encoder needs */
    FUZZ_CHECK(enc != NULL);
    FUZZ_CHECK(httpd__ws_base64_encode(b, n, enc) == elen);
    FUZZ_CHECK(enc[elen] == '\0' && strlen(enc) == elen);
    uint8_t *dec = malloc(n ? n : 1);
    FUZZ_CHECK(dec != NULL);
    FUZZ_CHECK(httpd__ws_base64_decode(enc, elen, dec, n) == (long)n);
    FUZZ_CHECK(n == 0 || memcmp(dec, b, n) == 0);
    if (n > 0) {
        FUZZ_CHECK(httpd__ws_base64_decode(enc, elen, dec, n - 1) == -1);
    }
    free(dec);
    free(enc);
}

/* The input as base64 text: never writes past the capacity it is given;
 * what decodes is canonical. */
static void base64_decode_input(const uint8_t *b, size_t n, uint64_t seed)
{
    size_t caps[2] = { n / 4 * 3, n ? (size_t)(seed % (n / 4 * 3 + 1)) : 0 };
    for (int i = 0; i < 2; i++) {
        size_t cap = caps[i];
        uint8_t *out = malloc(cap ? cap : 1);
        FUZZ_CHECK(out != NULL);
        /* exact-size text: a read past it is caught */
        char *text = malloc(n ? n : 1);
        FUZZ_CHECK(text != NULL);
        if (n) {
            memcpy(text, b, n);
        }
        long r = httpd__ws_base64_decode(text, n, out, cap);
        FUZZ_CHECK(r >= -1 && (r < 0 || (size_t)r <= cap));
        if (r >= 0) {
            FUZZ_CHECK(n % 4 == 0 && (size_t)r >= (n / 4 * 3 > 2 ? n / 4 * 3 - 2 : 0));
            char *enc = malloc(n + 1);
            FUZZ_CHECK(enc != NULL);
            FUZZ_CHECK(httpd__ws_base64_encode(out, (size_t)r, enc) == n);
            FUZZ_CHECK(n == 0 || memcmp(enc, b, n) == 0);
            free(enc);
        }
        free(text);
        free(out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = fuzz_hash(data, size);
    utf8(data, size, h);
    base64_round_trip(data, size);
    base64_decode_input(data, size, h >> 7);
    return 0;
}
