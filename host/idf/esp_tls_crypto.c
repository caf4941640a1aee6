/* SPDX-License-Identifier: Apache-2.0 */
/* esp_tls_crypto.c: SHA-1 (FIPS 180-4) and base64 (RFC 4648) for
 * esp_tls_crypto.h, written for the host environment. */
#include "esp_tls_crypto.h"

#include <stdint.h>
#include <string.h>

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    }
    for (int i = 16; i < 80; i++) {
        w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d), k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ c ^ d, k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d, k = 0xCA62C1D6;
        }
        uint32_t t = ROL(a, 5) + f + e + k + w[i];
        e = d, d = c, c = ROL(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

int esp_crypto_sha1(const unsigned char *input, size_t ilen, unsigned char output[20])
{
    uint32_t h[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 };
    size_t n = ilen;
    for (; n >= 64; n -= 64, input += 64) {
        sha1_block(h, input);
    }
    unsigned char last[128] = { 0 };
    memcpy(last, input, n);
    last[n] = 0x80;
    size_t len = n < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)ilen * 8;
    for (int i = 0; i < 8; i++) {
        last[len - 1 - i] = (unsigned char)(bits >> (8 * i));
    }
    sha1_block(h, last);
    if (len == 128) {
        sha1_block(h, last + 64);
    }
    for (int i = 0; i < 20; i++) {
        output[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
    }
    return 0;
}

int esp_crypto_base64_encode(unsigned char *dst, size_t dlen, size_t *olen,
                             const unsigned char *src, size_t slen)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t need = (slen + 2) / 3 * 4 + 1;
    if (!dst || dlen < need) {
        *olen = need;
        return -0x002A;
    }
    size_t o = 0;
    for (size_t i = 0; i < slen; i += 3) {
        uint32_t v = (uint32_t)src[i] << 16 | (i + 1 < slen ? (uint32_t)src[i + 1] << 8 : 0) |
                     (i + 2 < slen ? src[i + 2] : 0);
        dst[o++] = (unsigned char)abc[v >> 18 & 63];
        dst[o++] = (unsigned char)abc[v >> 12 & 63];
        dst[o++] = (unsigned char)(i + 1 < slen ? abc[v >> 6 & 63] : '=');
        dst[o++] = (unsigned char)(i + 2 < slen ? abc[v & 63] : '=');
    }
    dst[o] = '\0';
    *olen = o;
    return 0;
}
