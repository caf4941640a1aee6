/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-1 (FIPS 180-4) and base64 for the Sec-WebSocket-Accept value of RFC 6455 section 4.2.2:
 * base64(SHA-1(key + WS_GUID)). Shared by the bench programs wsclient.c (which checks the
 * server's answer) and the floors floor/ws_floor.c and floor/ws_uring_floor.c (which give it,
 * ws_switch_answer, ws_switch_send); short inputs only (WS_SHA1_MAX). */
#ifndef BENCH_WS_ACCEPT_H
#define BENCH_WS_ACCEPT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define WS_GUID     "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_SHA1_MAX 184

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1(const unsigned char *msg, size_t len, unsigned char out[20])
{
    uint32_t h[5] = { 0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u };
    unsigned char m[WS_SHA1_MAX + 72] = {0};
    if (len > WS_SHA1_MAX) len = WS_SHA1_MAX;     /* callers hash a key and the GUID: < 100 bytes */
    size_t total = ((len + 8) / 64 + 1) * 64;
    memcpy(m, msg, len);
    m[len] = 0x80;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) m[total - 1 - i] = (unsigned char)(bits >> (8 * i));
    for (size_t blk = 0; blk < total; blk += 64) {
        uint32_t w[80];
        for (int t = 0; t < 16; t++)
            w[t] = (uint32_t)m[blk + 4 * t] << 24 | (uint32_t)m[blk + 4 * t + 1] << 16 |
                   (uint32_t)m[blk + 4 * t + 2] << 8 | m[blk + 4 * t + 3];
        for (int t = 16; t < 80; t++) w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int t = 0; t < 80; t++) {
            uint32_t f, k;
            if (t < 20) { f = (b & c) | (~b & d); k = 0x5A827999u; }
            else if (t < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1u; }
            else if (t < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDCu; }
            else { f = b ^ c ^ d; k = 0xCA62C1D6u; }
            uint32_t tmp = rol(a, 5) + f + e + k + w[t];
            e = d; d = c; c = rol(b, 30); b = a; a = tmp;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
    }
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++) out[4 * i + j] = (unsigned char)(h[i] >> (24 - 8 * j));
}

static void base64(const unsigned char *in, size_t len, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < len ? in[i + 2] : 0);
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? tab[v & 63] : '=';
    }
    out[o] = 0;
}

/* The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key (key64, NUL-terminated,
 * at most 64 characters) into out (at least 29 bytes). */
static void ws_accept_value(const char *key64, char out[32])
{
    char cat[128];
    unsigned char dig[20];
    size_t n = strlen(key64);
    if (n > 64) n = 64;
    memcpy(cat, key64, n);
    memcpy(cat + n, WS_GUID, sizeof WS_GUID);
    sha1((const unsigned char *)cat, strlen(cat), dig);
    base64(dig, sizeof dig, out);
}

/* The floors' answer to an opening handshake: req holds the whole request (len bytes,
 * NUL-terminated); the 101 response goes to out. Its length, or -1 without a
 * Sec-WebSocket-Key of 1 to 64 characters or the head's end. */
static inline int ws_switch_answer(const char *req, size_t len, char *out, size_t cap)
{
    static const char name[] = "\r\nSec-WebSocket-Key:";
    const char *k = memmem(req, len, name, sizeof name - 1);
    char key[65], acc[32];
    if (!k || !memmem(req, len, "\r\n\r\n", 4)) return -1;
    k += sizeof name - 1;
    while (*k == ' ') k++;
    size_t n = strcspn(k, " \r");
    if (n == 0 || n > 64) return -1;
    memcpy(key, k, n);
    key[n] = 0;
    ws_accept_value(key, acc);
    int w = snprintf(out, cap, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", acc);
    return w > 0 && (size_t)w < cap ? w : -1;
}

/* The floors' handshake step: ws_switch_answer() to req, sent on fd with one plain send.
 * 0, or -1 (no answer, or the send failed or fell short): the connection is to be dropped. */
static inline int ws_switch_send(int fd, const char *req, size_t len)
{
    char out[256];
    int n = ws_switch_answer(req, len, out, sizeof out);
    return n < 0 || send(fd, out, (size_t)n, MSG_NOSIGNAL) != n ? -1 : 0;
}
#endif
