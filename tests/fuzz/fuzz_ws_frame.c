/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the WebSocket frame codec (src/ws_codec.h).
 *
 * 1. The input as a client frame header, under three payload limits (the
 *    server's CONFIG_HTTPD_WS_MAX_PAYLOAD, a small one from the input, none):
 *    a parsed header must hold what the parser promises, and the header
 *    rebuilt from its fields (httpd__ws_build_frame_header, the mask bit and
 *    key added) must be the very bytes parsed (the parser takes only minimal
 *    length encodings) and parse back to the same fields. Every prefix of the
 *    input, in a buffer of its exact size, must give "again" until the
 *    verdict of the whole, then that verdict.
 * 2. Fields drawn from the input (FIN, opcode, payload length): the built
 *    header, masked, must be accepted or refused exactly as RFC 6455 and
 *    ws_codec.h say, with the same close code; unmasked it is always refused.
 * 3. Unmasking: the input's tail unmasked whole, in pieces (with the payload
 *    offset carried) and by a plain reference XOR must agree; twice is the
 *    identity.
 * 4. SHA-1 of the input split in two at any point equals that of the whole;
 *    the accept key is the base64 of SHA-1(key + GUID).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_server.h"
#include "fuzz_common.h"
#include "ws_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_HEADER 14u

static bool opcode_known(unsigned op)
{
    return op <= 2 || (op >= 8 && op <= 10);
}

static bool same_hdr(const ws_frame_hdr_t *a, const ws_frame_hdr_t *b)
{
    return a->fin == b->fin && a->rsv == b->rsv && a->opcode == b->opcode && a->masked == b->masked &&
           memcmp(a->mask, b->mask, 4) == 0 && a->payload_len == b->payload_len &&
           a->header_len == b->header_len;
}

/* Parses b[0..n) from a buffer of exactly n bytes. */
static int parse_exact(const uint8_t *b, size_t n, uint64_t max, ws_frame_hdr_t *h, uint16_t *code)
{
    uint8_t *copy = malloc(n ? n : 1);
    FUZZ_CHECK(copy != NULL);
    if (n) {
        memcpy(copy, b, n);
    }
    *code = 0;
    memset(h, 0xA5, sizeof *h);
    int r = httpd__ws_parse_frame_header(copy, n, max, h, code);
    free(copy);
    return r;
}

/* A header the parser accepted, rebuilt from its fields: the same bytes. */
static void check_rebuild(const uint8_t *b, const ws_frame_hdr_t *h, uint64_t max)
{
    uint8_t *out = malloc(MAX_HEADER);   /* the builder's 10 bytes + the mask key */
    FUZZ_CHECK(out != NULL);
    size_t n = httpd__ws_build_frame_header(out, h->fin, h->opcode, h->payload_len);
    FUZZ_CHECK(n == 2 || n == 4 || n == 10);
    out[1] |= 0x80;
    memcpy(out + n, h->mask, 4);
    n += 4;
    FUZZ_CHECK(n == h->header_len);
    FUZZ_CHECK(memcmp(out, b, n) == 0);
    ws_frame_hdr_t back;
    uint16_t code;
    FUZZ_CHECK(parse_exact(out, n, max, &back, &code) == WS_PARSE_OK);
    FUZZ_CHECK(same_hdr(h, &back));
    free(out);
}

static void parse_input(const uint8_t *b, size_t n, uint64_t max)
{
    ws_frame_hdr_t h;
    uint16_t code;
    int r = parse_exact(b, n, max, &h, &code);

    if (r == WS_PARSE_OK) {
        FUZZ_CHECK(h.header_len >= 6 && h.header_len <= MAX_HEADER && h.header_len <= n);
        FUZZ_CHECK(h.masked && h.rsv == 0 && opcode_known(h.opcode));
        FUZZ_CHECK(h.fin == ((b[0] & 0x80) != 0) && h.opcode == (b[0] & 0x0F));
        FUZZ_CHECK(h.opcode < 8 || (h.fin && h.payload_len <= 125));
        FUZZ_CHECK(h.payload_len <= max && (h.payload_len >> 63) == 0);
        FUZZ_CHECK(memcmp(h.mask, b + h.header_len - 4, 4) == 0);
        check_rebuild(b, &h, max);
    } else if (r == WS_PARSE_ERROR) {
        FUZZ_CHECK(code == WS_CLOSE_PROTOCOL || code == WS_CLOSE_TOO_BIG);
        /* NULL close_code is allowed */
        FUZZ_CHECK(httpd__ws_parse_frame_header(b, n, max, &h, NULL) == WS_PARSE_ERROR);
    } else {
        FUZZ_CHECK(r == WS_PARSE_AGAIN);
        FUZZ_CHECK(n < MAX_HEADER);
    }

    /* every prefix: "again", then the whole's verdict */
    bool decided = false;
    size_t last = n < MAX_HEADER + 2 ? n : MAX_HEADER + 2;
    for (size_t k = 0; k <= last; k++) {
        ws_frame_hdr_t hk;
        uint16_t ck;
        int rk = parse_exact(b, k, max, &hk, &ck);
        if (rk == WS_PARSE_AGAIN) {
            FUZZ_CHECK(!decided);
            continue;
        }
        decided = true;
        FUZZ_CHECK(rk == r);
        if (r == WS_PARSE_OK) {
            FUZZ_CHECK(same_hdr(&h, &hk));
            FUZZ_CHECK(k >= h.header_len);
        } else {
            FUZZ_CHECK(ck == code);
        }
    }
    FUZZ_CHECK(decided == (r != WS_PARSE_AGAIN));
}

/* Fields from the input, built and masked: the verdict RFC 6455 gives. */
static void build_fields(const uint8_t *b, size_t n, uint64_t max)
{
    uint8_t f[10] = { 0 };
    memcpy(f, b, n < sizeof f ? n : sizeof f);
    bool fin = f[0] & 0x80;
    uint8_t opcode = f[0] & 0x0F;
    uint64_t len = 0;
    for (int i = 2; i < 10; i++) {
        len = len << 8 | f[i];
    }
    switch (f[1] & 7u) {   /* lengths near the encodings' edges, as often as any */
    case 0: len %= 130u; break;
    case 1: len = 65530u + len % 12u; break;
    case 2: len %= 0x20000u; break;
    case 3: len = max - 2 + len % 5u; break;
    case 4: len |= UINT64_C(1) << 63; break;
    default: break;
    }
    uint8_t *out = malloc(MAX_HEADER);
    FUZZ_CHECK(out != NULL);
    size_t hl = httpd__ws_build_frame_header(out, fin, opcode, len);
    FUZZ_CHECK(hl == (len <= 125 ? 2u : len <= 0xFFFF ? 4u : 10u));
    FUZZ_CHECK(out[0] == ((fin ? 0x80 : 0) | opcode));
    FUZZ_CHECK((out[1] & 0x80) == 0);

    /* unmasked: a client must mask */
    ws_frame_hdr_t h;
    uint16_t code;
    FUZZ_CHECK(parse_exact(out, hl, max, &h, &code) == WS_PARSE_ERROR && code == WS_CLOSE_PROTOCOL);

    out[1] |= 0x80;
    memcpy(out + hl, f + 2, 4);
    int r = parse_exact(out, hl + 4, max, &h, &code);
    bool control = opcode >= 8;
    uint16_t want = 0;
    if (!opcode_known(opcode) || (control && (!fin || len > 125)) || (len >> 63)) {
        want = WS_CLOSE_PROTOCOL;
    } else if (len > max) {
        want = WS_CLOSE_TOO_BIG;
    }
    if (want) {
        FUZZ_CHECK(r == WS_PARSE_ERROR && code == want);
    } else {
        FUZZ_CHECK(r == WS_PARSE_OK);
        FUZZ_CHECK(h.fin == fin && h.opcode == opcode && h.payload_len == len && h.masked);
        FUZZ_CHECK(h.header_len == hl + 4 && memcmp(h.mask, f + 2, 4) == 0);
    }
    free(out);
}

static void unmask(const uint8_t *b, size_t n, uint64_t seed)
{
    uint8_t mask[4] = { 0x12, 0x34, 0x56, 0x78 };
    memcpy(mask, b, n < 4 ? n : 4);
    uint64_t offset = seed >> 3;   /* any payload offset, 64 bits wide */
    uint8_t *whole = malloc(n ? n : 1), *part = malloc(n ? n : 1);
    FUZZ_CHECK(whole && part);
    if (n) {
        memcpy(whole, b, n);
        memcpy(part, b, n);
    }
    httpd__ws_unmask(whole, n, mask, offset);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(whole[i] == (uint8_t)(b[i] ^ mask[(offset + i) % 4]));
    }
    fuzz_rng_t rng;
    fuzz_rng_init(&rng, seed);
    for (size_t k = 0; k < n;) {
        size_t len = fuzz_piece(&rng, n - k);
        uint8_t *piece = malloc(len);   /* exact, so a write past it is caught */
        FUZZ_CHECK(piece != NULL);
        memcpy(piece, part + k, len);
        httpd__ws_unmask(piece, len, mask, offset + k);
        memcpy(part + k, piece, len);
        free(piece);
        k += len;
    }
    FUZZ_CHECK(n == 0 || memcmp(whole, part, n) == 0);
    httpd__ws_unmask(whole, n, mask, offset);
    FUZZ_CHECK(n == 0 || memcmp(whole, b, n) == 0);
    httpd__ws_unmask(whole, 0, mask, offset);
    free(whole);
    free(part);
}

static void hashes(const uint8_t *b, size_t n, uint64_t seed)
{
    uint8_t d1[20], d2[20];
    size_t k = n ? (size_t)(seed % (n + 1)) : 0;
    httpd__ws_sha1(b, n, d1);
    httpd__ws_sha1_pair(b, k, b + k, n - k, d2);
    FUZZ_CHECK(memcmp(d1, d2, 20) == 0);

    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    char accept[29], want[29];
    size_t klen = n < 64 ? n : 64;
    memset(accept, 0x7F, sizeof accept);
    httpd__ws_accept_key((const char *)b, klen, accept);
    FUZZ_CHECK(accept[28] == '\0' && strlen(accept) == 28);
    httpd__ws_sha1_pair(b, klen, (const uint8_t *)guid, sizeof guid - 1, d1);
    FUZZ_CHECK(httpd__ws_base64_encode(d1, 20, want) == 28);
    FUZZ_CHECK(strcmp(accept, want) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = fuzz_hash(data, size);
    const uint64_t limits[3] = { CONFIG_HTTPD_WS_MAX_PAYLOAD, h % 70000u, UINT64_MAX };

    for (int i = 0; i < 3; i++) {
        parse_input(data, size, limits[i]);
        build_fields(data, size, limits[i]);
    }
    unmask(data, size, h);
    hashes(data, size, h);
    return 0;
}
