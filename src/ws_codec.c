/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WebSocket (RFC 6455) building blocks: SHA-1 (FIPS 180-4), base64
 * (RFC 4648), the handshake accept key, frame headers (RFC 6455 section 5),
 * unmasking, and an incremental UTF-8 validator (RFC 3629).
 *
 * Everything here is a pure function over caller-supplied memory: no
 * allocation, no I/O, no mutable globals.
 */
#include "ws_codec.h"

#include <limits.h>
#include <string.h>

/* ---- SHA-1 (FIPS 180-4, section 6.1) ---------------------------------------------- */

typedef struct {
    uint32_t h[5];
    uint8_t  block[64];
    size_t   used;        /* bytes in block[] */
    uint64_t total;       /* message length in bytes */
} sha1_ctx_t;

static uint32_t rol32(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32u - n));
}

static void sha1_init(sha1_ctx_t *c)
{
    c->h[0] = 0x67452301u;
    c->h[1] = 0xEFCDAB89u;
    c->h[2] = 0x98BADCFEu;
    c->h[3] = 0x10325476u;
    c->h[4] = 0xC3D2E1F0u;
    c->used = 0;
    c->total = 0;
}

static void sha1_compress(uint32_t h[5], const uint8_t blk[64])
{
    uint32_t w[80];
    for (unsigned t = 0; t < 16; t++) {
        w[t] = ((uint32_t)blk[4 * t] << 24) | ((uint32_t)blk[4 * t + 1] << 16) |
               ((uint32_t)blk[4 * t + 2] << 8) | (uint32_t)blk[4 * t + 3];
    }
    for (unsigned t = 16; t < 80; t++) {
        w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    }

    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (unsigned t = 0; t < 80; t++) {
        uint32_t f, k;
        if (t < 20) {
            f = (b & c) | (~b & d);          /* Ch */
            k = 0x5A827999u;
        } else if (t < 40) {
            f = b ^ c ^ d;                   /* Parity */
            k = 0x6ED9EBA1u;
        } else if (t < 60) {
            f = (b & c) | (b & d) | (c & d); /* Maj */
            k = 0x8F1BBCDCu;
        } else {
            f = b ^ c ^ d;                   /* Parity */
            k = 0xCA62C1D6u;
        }
        uint32_t tmp = rol32(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = rol32(b, 30);
        b = a;
        a = tmp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

static void sha1_update(sha1_ctx_t *c, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    c->total += (uint64_t)len;

    if (c->used > 0) {
        size_t take = 64 - c->used;
        if (take > len) {
            take = len;
        }
        memcpy(c->block + c->used, p, take);
        c->used += take;
        p += take;
        len -= take;
        if (c->used < 64) {
            return;
        }
        sha1_compress(c->h, c->block);
        c->used = 0;
    }
    while (len >= 64) {
        sha1_compress(c->h, p);
        p += 64;
        len -= 64;
    }
    if (len > 0) {
        memcpy(c->block, p, len);
        c->used = len;
    }
}

static void sha1_final(sha1_ctx_t *c, uint8_t out[20])
{
    uint64_t bits = c->total * 8u;   /* length mod 2^64, as FIPS 180-4 allows */

    c->block[c->used++] = 0x80;
    if (c->used > 56) {
        memset(c->block + c->used, 0, 64 - c->used);
        sha1_compress(c->h, c->block);
        c->used = 0;
    }
    memset(c->block + c->used, 0, 56 - c->used);
    for (unsigned i = 0; i < 8; i++) {
        c->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    }
    sha1_compress(c->h, c->block);

    for (unsigned i = 0; i < 5; i++) {
        out[4 * i]     = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
}

void httpd__ws_sha1(const void *data, size_t len, uint8_t out[20])
{
    sha1_ctx_t c;
    sha1_init(&c);
    sha1_update(&c, data, len);
    sha1_final(&c, out);
}

/* ---- Base64 (RFC 4648, section 4) ------------------------------------------------- */

static const char b64_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t httpd__ws_base64_encode(const uint8_t *in, size_t len, char *out)
{
    size_t o = 0;
    size_t i = 0;

    while (len - i >= 3) {
        uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
        out[o++] = b64_alphabet[(v >> 18) & 0x3F];
        out[o++] = b64_alphabet[(v >> 12) & 0x3F];
        out[o++] = b64_alphabet[(v >> 6) & 0x3F];
        out[o++] = b64_alphabet[v & 0x3F];
        i += 3;
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = b64_alphabet[(v >> 18) & 0x3F];
        out[o++] = b64_alphabet[(v >> 12) & 0x3F];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
        out[o++] = b64_alphabet[(v >> 18) & 0x3F];
        out[o++] = b64_alphabet[(v >> 12) & 0x3F];
        out[o++] = b64_alphabet[(v >> 6) & 0x3F];
        out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

/* Value of one base64 alphabet character, or -1. */
static int b64_value(char ch)
{
    if (ch >= 'A' && ch <= 'Z') {
        return ch - 'A';
    }
    if (ch >= 'a' && ch <= 'z') {
        return ch - 'a' + 26;
    }
    if (ch >= '0' && ch <= '9') {
        return ch - '0' + 52;
    }
    if (ch == '+') {
        return 62;
    }
    if (ch == '/') {
        return 63;
    }
    return -1;
}

long httpd__ws_base64_decode(const char *in, size_t len, uint8_t *out, size_t out_cap)
{
    if (len % 4 != 0) {
        return -1;
    }
    if (len == 0) {
        return 0;
    }

    size_t pad = 0;
    if (in[len - 1] == '=') {
        pad = (in[len - 2] == '=') ? 2 : 1;
    }
    size_t dec_len = (len / 4) * 3 - pad;
    if (dec_len > out_cap || dec_len > (size_t)LONG_MAX) {
        return -1;
    }

    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        bool last = (i + 4 == len);
        size_t chars = (last) ? 4 - pad : 4;   /* data characters in this quantum */
        uint32_t v = 0;
        for (size_t j = 0; j < 4; j++) {
            uint32_t d = 0;
            if (j < chars) {
                int x = b64_value(in[i + j]);
                if (x < 0) {
                    return -1;   /* includes '=' anywhere but the final padding */
                }
                d = (uint32_t)x;
            }
            v = (v << 6) | d;
        }
        /* Reject non-canonical encodings: the pad bits must be zero
         * (RFC 4648 section 3.5 lets decoders refuse them). */
        if ((pad == 1 && last && (v & 0xFFu) != 0) ||
            (pad == 2 && last && (v & 0xFFFFu) != 0)) {
            return -1;
        }
        out[o++] = (uint8_t)(v >> 16);
        if (chars >= 3) {
            out[o++] = (uint8_t)(v >> 8);
        }
        if (chars == 4) {
            out[o++] = (uint8_t)v;
        }
    }
    return (long)o;
}

/* ---- Handshake accept key (RFC 6455 section 4.2.2) -------------------------------- */

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

void httpd__ws_accept_key(const char *key, size_t key_len, char out[29])
{
    sha1_ctx_t c;
    uint8_t digest[20];

    sha1_init(&c);
    sha1_update(&c, key, key_len);
    sha1_update(&c, ws_guid, sizeof ws_guid - 1);
    sha1_final(&c, digest);
    (void)httpd__ws_base64_encode(digest, sizeof digest, out);
}

/* ---- Frames (RFC 6455 section 5.2) ------------------------------------------------ */

static int parse_fail(uint16_t *close_code, uint16_t code)
{
    if (close_code) {
        *close_code = code;
    }
    return WS_PARSE_ERROR;
}

static bool opcode_known(uint8_t op)
{
    return op == WS_OP_CONTINUE || op == WS_OP_TEXT || op == WS_OP_BINARY ||
           op == WS_OP_CLOSE || op == WS_OP_PING || op == WS_OP_PONG;
}

int httpd__ws_parse_frame_header(const uint8_t *buf, size_t len, uint64_t max_payload,
                          ws_frame_hdr_t *out, uint16_t *close_code)
{
    if (len < 1) {
        return WS_PARSE_AGAIN;
    }

    /* Byte 0: FIN, RSV1-3, opcode. */
    bool fin = (buf[0] & 0x80) != 0;
    uint8_t rsv = (uint8_t)((buf[0] >> 4) & 0x07);
    uint8_t opcode = (uint8_t)(buf[0] & 0x0F);
    bool control = (opcode & 0x08) != 0;

    if (rsv != 0) {
        return parse_fail(close_code, WS_CLOSE_PROTOCOL);
    }
    if (!opcode_known(opcode)) {
        return parse_fail(close_code, WS_CLOSE_PROTOCOL);
    }
    if (control && !fin) {
        return parse_fail(close_code, WS_CLOSE_PROTOCOL);
    }
    if (len < 2) {
        return WS_PARSE_AGAIN;
    }

    /* Byte 1: MASK, 7-bit length. */
    bool masked = (buf[1] & 0x80) != 0;
    uint8_t len7 = (uint8_t)(buf[1] & 0x7F);

    if (!masked) {
        return parse_fail(close_code, WS_CLOSE_PROTOCOL);
    }
    if (control && len7 > 125) {
        return parse_fail(close_code, WS_CLOSE_PROTOCOL);
    }

    size_t pos = 2;
    uint64_t plen;
    if (len7 <= 125) {
        plen = len7;
    } else if (len7 == 126) {
        if (len < 4) {
            return WS_PARSE_AGAIN;
        }
        plen = ((uint64_t)buf[2] << 8) | buf[3];
        if (plen < 126) {
            return parse_fail(close_code, WS_CLOSE_PROTOCOL);
        }
        pos = 4;
    } else {
        if (len < 3) {
            return WS_PARSE_AGAIN;
        }
        if (buf[2] & 0x80) {
            return parse_fail(close_code, WS_CLOSE_PROTOCOL);
        }
        if (len < 10) {
            return WS_PARSE_AGAIN;
        }
        plen = 0;
        for (size_t i = 2; i < 10; i++) {
            plen = (plen << 8) | buf[i];
        }
        if (plen <= 0xFFFFu) {
            return parse_fail(close_code, WS_CLOSE_PROTOCOL);
        }
        pos = 10;
    }

    if (plen > max_payload) {
        return parse_fail(close_code, WS_CLOSE_TOO_BIG);
    }

    /* Masking key (always present here: unmasked frames were refused). */
    if (len < pos + 4) {
        return WS_PARSE_AGAIN;
    }

    out->fin = fin;
    out->rsv = rsv;
    out->opcode = opcode;
    out->masked = masked;
    memcpy(out->mask, buf + pos, 4);
    out->payload_len = plen;
    out->header_len = pos + 4;
    return WS_PARSE_OK;
}

size_t httpd__ws_build_frame_header(uint8_t *out, bool fin, uint8_t opcode, uint64_t payload_len)
{
    out[0] = (uint8_t)((fin ? 0x80 : 0x00) | (opcode & 0x0F));
    if (payload_len <= 125) {
        out[1] = (uint8_t)payload_len;
        return 2;
    }
    if (payload_len <= 0xFFFFu) {
        out[1] = 126;
        out[2] = (uint8_t)(payload_len >> 8);
        out[3] = (uint8_t)payload_len;
        return 4;
    }
    out[1] = 127;
    for (unsigned i = 0; i < 8; i++) {
        out[2 + i] = (uint8_t)(payload_len >> (56 - 8 * i));
    }
    return 10;
}

void httpd__ws_unmask(uint8_t *data, size_t len, const uint8_t mask[4], uint64_t offset)
{
    unsigned k = (unsigned)(offset & 3u);
    for (size_t i = 0; i < len; i++) {
        data[i] ^= mask[k];
        k = (k + 1) & 3u;
    }
}

/* ---- UTF-8 (RFC 3629, section 4) -------------------------------------------------- */

/*
 * v->state: 0 at a character boundary; otherwise the low 4 bits hold the
 * number of continuation bytes still expected (1..3) and bits 4..7 say which
 * range the next continuation byte must fall in (see utf8_range below).
 * v->codepoint accumulates the character being decoded.
 */
enum {
    UTF8_R_ANY = 0,   /* 80..BF */
    UTF8_R_E0  = 1,   /* A0..BF: no overlong 3-byte forms */
    UTF8_R_ED  = 2,   /* 80..9F: no surrogates */
    UTF8_R_F0  = 3,   /* 90..BF: no overlong 4-byte forms */
    UTF8_R_F4  = 4,   /* 80..8F: nothing above U+10FFFF */
};

static const uint8_t utf8_lo[5] = { 0x80, 0xA0, 0x80, 0x90, 0x80 };
static const uint8_t utf8_hi[5] = { 0xBF, 0xBF, 0x9F, 0xBF, 0x8F };

bool httpd__ws_utf8_feed(ws_utf8_t *v, const uint8_t *data, size_t len)
{
    uint32_t need = v->state & 0x0Fu;
    uint32_t range = (v->state >> 4) & 0x0Fu;
    uint32_t cp = v->codepoint;

    if (need > 3 || range > UTF8_R_F4) {
        return false;   /* fed again after a failure */
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t b = data[i];

        if (need == 0) {
            if (b < 0x80) {
                continue;
            } else if (b >= 0xC2 && b <= 0xDF) {
                need = 1;
                range = UTF8_R_ANY;
                cp = b & 0x1Fu;
            } else if (b >= 0xE0 && b <= 0xEF) {
                need = 2;
                range = (b == 0xE0) ? UTF8_R_E0 : (b == 0xED) ? UTF8_R_ED : UTF8_R_ANY;
                cp = b & 0x0Fu;
            } else if (b >= 0xF0 && b <= 0xF4) {
                need = 3;
                range = (b == 0xF0) ? UTF8_R_F0 : (b == 0xF4) ? UTF8_R_F4 : UTF8_R_ANY;
                cp = b & 0x07u;
            } else {
                /* 80..BF unexpected continuation, C0/C1 overlong, F5..FF. */
                v->state = 0xFFu;
                return false;
            }
        } else {
            if (b < utf8_lo[range] || b > utf8_hi[range]) {
                v->state = 0xFFu;
                return false;
            }
            cp = (cp << 6) | (b & 0x3Fu);
            range = UTF8_R_ANY;
            need--;
        }
    }

    v->state = (need == 0) ? 0 : (need | (range << 4));
    v->codepoint = (need == 0) ? 0 : cp;
    return true;
}

bool httpd__ws_utf8_complete(const ws_utf8_t *v)
{
    return v->state == 0;
}
