/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WebSocket (RFC 6455) building blocks: SHA-1 (FIPS 180-4), base64
 * (RFC 4648), the handshake accept key, frame headers (RFC 6455 section 5),
 * unmasking, and an incremental UTF-8 validator (RFC 3629).
 *
 * Everything here is a pure function over caller-supplied memory: no
 * allocation, no I/O, no mutable globals. Hashing and base64 run once per
 * handshake, so they are written small rather than fast: SHA-1 takes its
 * input a byte at a time and runs its 80 rounds as one loop.
 */
#include "ws_codec.h"

#include <limits.h>
#include <string.h>

/* ---- SHA-1 (FIPS 180-4, section 6.1) ---------------------------------------------- */

static uint32_t rol32(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32u - n));
}

static const uint32_t sha1_k[4] = { 0x5A827999u, 0x6ED9EBA1u, 0x8F1BBCDCu, 0xCA62C1D6u };

/* w[0..15]: the block as big-endian words; w[16..79] are filled here. */
static void sha1_compress(uint32_t h[5], uint32_t w[80])
{
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

    for (unsigned t = 0; t < 80; t++) {
        uint32_t x, f;
        if (t >= 16) {
            w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        }
        if (t < 20) {
            f = d ^ (b & (c ^ d));           /* Ch */
        } else if (t >= 40 && t < 60) {
            f = (b & c) | (d & (b | c));     /* Maj */
        } else {
            f = b ^ c ^ d;                   /* Parity */
        }
        x = rol32(a, 5) + f + e + sha1_k[t / 20] + w[t];
        e = d;
        d = c;
        c = rol32(b, 30);
        b = a;
        a = x;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

/* SHA-1 of a then b: the message and its padding
 * (0x80, zeros up to 56 mod 64, then the length in bits as 64 bits, FIPS
 * 180-4 5.1.1) go into the block's big-endian words a byte at a time. */
void httpd__ws_sha1_pair(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t out[20])
{
    uint32_t h[5] = { 0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u };
    uint32_t w[80] = { 0 };   /* defined bytes to push out */
    size_t n = alen + blen;

    for (size_t i = 0;; i++) {
        uint8_t byte = 0;
        if (i < alen) {
            byte = a[i];
        } else if (i < n) {
            byte = b[i - alen];
        } else if (i == n) {
            byte = 0x80;
        } else if (i % 64 == 56) {
            break;   /* the rest of this block is the length */
        }
        w[i % 64 / 4] = (w[i % 64 / 4] << 8) | byte;   /* four bytes push out what was there */
        if (i % 64 == 63) {
            sha1_compress(h, w);
        }
    }
    /* the length in bits, mod 2^64 as FIPS 180-4 allows */
    w[14] = (uint32_t)((uint64_t)n >> 29);
    w[15] = (uint32_t)n << 3;
    sha1_compress(h, w);
    for (unsigned i = 0; i < 20; i++) {
        out[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
    }
}

/* ---- Base64 (RFC 4648, section 4) ------------------------------------------------- */

size_t httpd__ws_base64_encode(const uint8_t *in, size_t len, char *out)
{
    char *p = out;

    for (size_t i = 0; i < len; i += 3) {
        size_t left = len - i;   /* 1 or 2 in the last, short quantum */
        uint32_t v = (uint32_t)in[i] << 24;   /* the quantum at the top, six bits out at a time */
        if (left > 1) {
            v |= (uint32_t)in[i + 1] << 16;
        }
        if (left > 2) {
            v |= (uint32_t)in[i + 2] << 8;
        }
        for (unsigned j = 0; j < 4; j++) {   /* left + 1 characters carry data, '=' pads */
            unsigned x = v >> 26, c = '=';
            v <<= 6;
            if (j <= left) {
                /* The alphabet by its ranges: A-Z, a-z, 0-9, '+', '/'. */
                c = x + 'A';
                if (x >= 26) {
                    c += 'a' - 'A' - 26;
                }
                if (x >= 52) {
                    c -= 'a' - '0' + 26;
                }
                if (x >= 62) {
                    c = '+' + (x & 1) * ('/' - '+');
                }
            }
            *p++ = (char)c;
        }
    }
    *p = '\0';
    return (size_t)(p - out);
}

long httpd__ws_base64_decode(const char *in, size_t len, uint8_t *out, size_t out_cap)
{
    if (len % 4 != 0) {
        return -1;
    }
    size_t end = len;   /* where the data ends: before up to two '=' of padding */
    while (end && len - end < 2 && in[end - 1] == '=') {
        end--;
    }
    if (out_cap > (size_t)LONG_MAX) {
        out_cap = (size_t)LONG_MAX;   /* the length must fit the result */
    }

    /* Six bits per character into acc; a byte out whenever eight are there.
     * The alphabet's ranges decode without a table or a search. */
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < end; i++) {
        unsigned c = (unsigned char)in[i], v;
        if (c - 'A' < 26u) {
            v = c - 'A';
        } else if (c - 'a' < 26u) {
            v = c - 'a' + 26;
        } else if (c - '0' < 10u) {
            v = c - '0' + 52;
        } else if (c == '+') {
            v = 62;
        } else if (c == '/') {
            v = 63;
        } else {
            return -1;   /* includes '=' anywhere but the final padding */
        }
        acc = (acc << 6) | v;
        bits += 6;
        if (bits >= 8) {
            if (o == out_cap) {
                return -1;   /* more than fits */
            }
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* Reject non-canonical encodings: the pad bits must be zero
     * (RFC 4648 section 3.5 lets decoders refuse them). */
    if (acc & ((1u << bits) - 1u)) {
        return -1;
    }
    return (long)o;
}

/* ---- Handshake accept key (RFC 6455 section 4.2.2) -------------------------------- */

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

void httpd__ws_accept_key(const char *key, size_t key_len, char out[29])
{
    uint8_t digest[20];

    httpd__ws_sha1_pair((const uint8_t *)key, key_len, (const uint8_t *)ws_guid, sizeof ws_guid - 1, digest);
    (void)httpd__ws_base64_encode(digest, sizeof digest, out);
}

/* ---- Frames (RFC 6455 section 5.2) ------------------------------------------------ */

/* Opcodes 0-2 and 8-10, as bits. */
#define WS_OPCODES_KNOWN 0x0707u

int httpd__ws_parse_frame_header(const uint8_t *buf, size_t len, uint64_t max_payload,
                          ws_frame_hdr_t *out, uint16_t *close_code)
{
    uint16_t code = WS_CLOSE_PROTOCOL;

    if (len < 1) {
        return WS_PARSE_AGAIN;
    }
    /* Byte 0: FIN, RSV1-3 (no extension is negotiated, so none may be set),
     * the opcode; a control frame (opcode >= 8, bit 3) cannot be fragmented. */
    unsigned b0 = buf[0];
    unsigned opcode = b0 & 0x0F;
    if ((b0 & 0x70) || !((WS_OPCODES_KNOWN >> opcode) & 1u) || (b0 & 0x88) == 0x08) {
        goto fail;
    }
    if (len < 2) {
        return WS_PARSE_AGAIN;
    }

    /* Byte 1: MASK (required from a client), 7-bit length (at most 125 for
     * control frames); 126: a 16-bit length follows, 127: a 64-bit one with
     * its most significant bit clear; either one in its minimal encoding only. */
    if (!(buf[1] & 0x80)) {
        goto fail;
    }
    uint64_t plen = buf[1] & 0x7F;
    size_t pos = 2;
    if (plen > 125) {
        bool big = plen & 1;   /* 127 */
        if ((b0 & 0x08) || (big && len > 2 && (buf[2] & 0x80))) {
            goto fail;
        }
        pos = big ? 10 : 4;
        if (len < pos) {
            return WS_PARSE_AGAIN;
        }
        plen = 0;
        for (size_t i = 2; i < pos; i++) {
            plen = (plen << 8) | buf[i];
        }
        if (plen < (big ? 0x10000u : 126u)) {
            goto fail;
        }
    }
    if (plen > max_payload) {
        code = WS_CLOSE_TOO_BIG;
        goto fail;
    }

    /* Masking key. */
    if (len < pos + 4) {
        return WS_PARSE_AGAIN;
    }
    out->fin = b0 >> 7;
    out->rsv = 0;
    out->opcode = (uint8_t)opcode;
    out->masked = true;
    memcpy(out->mask, buf + pos, 4);
    out->payload_len = plen;
    out->header_len = pos + 4;
    return WS_PARSE_OK;

fail:
    if (close_code) {
        *close_code = code;
    }
    return WS_PARSE_ERROR;
}

size_t httpd__ws_build_frame_header(uint8_t *out, bool fin, uint8_t opcode, uint64_t payload_len)
{
    out[0] = (uint8_t)((fin ? 0x80 : 0x00) | (opcode & 0x0F));
    if (payload_len <= 125) {
        out[1] = (uint8_t)payload_len;
        return 2;
    }
    /* the minimal encoding: 16 bits when they are enough, else 64 */
    size_t ext = payload_len <= 0xFFFFu ? 2 : 8;
    out[1] = ext == 2 ? 126 : 127;
    for (size_t i = ext; i > 0; i--) {
        out[1 + i] = (uint8_t)payload_len;
        payload_len >>= 8;
    }
    return 2 + ext;
}

/* Eight bytes at a time where speed is wanted (a size-optimised build keeps
 * the byte loops alone): no alignment is assumed, words go through memcpy,
 * which compilers turn into plain loads and stores. */
#ifdef __OPTIMIZE_SIZE__
#define WS_WORDWISE 0
#else
#define WS_WORDWISE 1
#endif

void httpd__ws_unmask(uint8_t *data, size_t len, const uint8_t mask[4], size_t offset)
{
    size_t i = 0;
#if WS_WORDWISE
    if (len >= 8) {
        uint8_t m[8];   /* the mask as the bytes at data[0..8) meet it, twice */
        for (unsigned k = 0; k < 4; k++) {
            m[k] = m[k + 4] = mask[(offset + k) & 3u];
        }
        uint64_t mw, w;
        memcpy(&mw, m, 8);
        for (; i + 8 <= len; i += 8) {   /* (8 is a multiple of 4: the phase stays) */
            memcpy(&w, data + i, 8);
            w ^= mw;
            memcpy(data + i, &w, 8);
        }
    }
#endif
    for (; i < len; i++) {
        data[i] ^= mask[(offset + i) & 3u];
    }
}

/* ---- UTF-8 (RFC 3629, section 4) -------------------------------------------------- */

/*
 * v->state: 0 at a character boundary; otherwise the number of continuation
 * bytes still expected (1..3) in bits 0..3, and the range the next one must
 * fall in: its lowest value in bits 8..15, its highest in bits 16..23. That
 * range is 80..BF except right after E0 (A0..BF: no overlong 3-byte forms),
 * ED (80..9F: no surrogates), F0 (90..BF: no overlong 4-byte forms) and F4
 * (80..8F: nothing above U+10FFFF).
 */
bool httpd__ws_utf8_feed(ws_utf8_t *v, const uint8_t *data, size_t len)
{
    unsigned need = v->state & 0x0Fu;
    unsigned lo = (v->state >> 8) & 0xFFu;
    unsigned hi = v->state >> 16;

    if (need > 3) {
        return false;   /* fed again after a failure */
    }
    for (size_t i = 0; i < len; i++) {
#if WS_WORDWISE
        if (!need) {   /* at a character boundary: skip ASCII eight bytes at a time */
            uint64_t w;
            while (i + 8 <= len && (memcpy(&w, data + i, 8), (w & UINT64_C(0x8080808080808080)) == 0)) {
                i += 8;
            }
            if (i == len) {
                break;
            }
        }
#endif
        unsigned b = data[i];
        if (need) {
            if (b < lo || b > hi) {
                goto bad;
            }
            need--;
            lo = 0x80;
            hi = 0xBF;
        } else if (b >= 0x80) {
            if (b - 0xC2u > 0xF4u - 0xC2u) {
                goto bad;   /* continuation byte, C0/C1 overlong, F5..FF */
            }
            need = 1u + (b >= 0xE0) + (b >= 0xF0);
            /* the exceptions as sums: no branches */
            lo = 0x80u + (b == 0xE0) * 0x20u + (b == 0xF0) * 0x10u;
            hi = 0xBFu - (b == 0xED) * 0x20u - (b == 0xF4) * 0x30u;
        }
    }
    v->state = need ? need | (lo << 8) | (hi << 16) : 0;
    return true;

bad:
    v->state = 0xFFu;
    return false;
}
