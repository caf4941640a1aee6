/* SPDX-License-Identifier: Apache-2.0 */
/* sha256.c: SHA-256 after FIPS 180-4 (sections 4.1.2, 4.2.2, 5.1.1, 6.2), and
 * HMAC-SHA-256 after RFC 2104. Compact rather than fast: one round loop. */
#include "sha256.h"

#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

/* The compression function on one 64-byte block (section 6.2.2), with a 16-word
 * rolling message schedule. */
static void block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[16], s[8];
    for (unsigned i = 0; i < 16; i++) {
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    }
    memcpy(s, h, sizeof s);
    for (unsigned t = 0; t < 64; t++) {
        uint32_t wt = w[t & 15];
        if (t >= 16) {
            uint32_t w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
            uint32_t s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3);
            uint32_t s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10);
            wt = w[t & 15] = s1 + w[(t - 7) & 15] + s0 + w[t & 15];
        }
        uint32_t e = s[4], a = s[0];
        uint32_t t1 = s[7] + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & s[5]) ^ (~e & s[6])) + K[t] + wt;
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & s[1]) ^ (a & s[2]) ^ (s[1] & s[2]));
        memmove(s + 1, s, 7 * sizeof s[0]);
        s[4] += t1;
        s[0] = t1 + t2;
    }
    for (unsigned i = 0; i < 8; i++) {
        h[i] += s[i];
    }
}

void httpd__addon_sha256_init(httpd__addon_sha256_t *c)
{
    static const uint32_t H0[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    memcpy(c->h, H0, sizeof H0);
    c->bytes = 0;
    c->fill = 0;
}

void httpd__addon_sha256_update(httpd__addon_sha256_t *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    c->bytes += len;
    while (len) {
        if (c->fill == 0 && len >= HTTPD_ADDON_SHA256_BLOCK) {
            block(c->h, p);
            p += HTTPD_ADDON_SHA256_BLOCK;
            len -= HTTPD_ADDON_SHA256_BLOCK;
            continue;
        }
        size_t n = HTTPD_ADDON_SHA256_BLOCK - c->fill;
        if (n > len) {
            n = len;
        }
        memcpy(c->buf + c->fill, p, n);
        c->fill += n;
        p += n;
        len -= n;
        if (c->fill == HTTPD_ADDON_SHA256_BLOCK) {
            block(c->h, c->buf);
            c->fill = 0;
        }
    }
}

void httpd__addon_sha256_final(httpd__addon_sha256_t *c, uint8_t out[HTTPD_ADDON_SHA256_LEN])
{
    uint64_t bits = c->bytes * 8u;
    /* padding (section 5.1.1): 0x80, zeros, then the 64-bit big-endian bit length */
    c->buf[c->fill++] = 0x80;
    if (c->fill > HTTPD_ADDON_SHA256_BLOCK - 8) {
        memset(c->buf + c->fill, 0, HTTPD_ADDON_SHA256_BLOCK - c->fill);
        block(c->h, c->buf);
        c->fill = 0;
    }
    memset(c->buf + c->fill, 0, HTTPD_ADDON_SHA256_BLOCK - 8 - c->fill);
    for (unsigned i = 0; i < 8; i++) {
        c->buf[HTTPD_ADDON_SHA256_BLOCK - 1 - i] = (uint8_t)(bits >> (8 * i));
    }
    block(c->h, c->buf);
    for (unsigned i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
    memset(c, 0, sizeof *c);   /* no state of a secret left behind */
}

void httpd__addon_sha256(const void *data, size_t len, uint8_t out[HTTPD_ADDON_SHA256_LEN])
{
    httpd__addon_sha256_t c;
    httpd__addon_sha256_init(&c);
    httpd__addon_sha256_update(&c, data, len);
    httpd__addon_sha256_final(&c, out);
}

void httpd__addon_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                              uint8_t out[HTTPD_ADDON_SHA256_LEN])
{
    uint8_t k[HTTPD_ADDON_SHA256_BLOCK] = { 0 }, pad[HTTPD_ADDON_SHA256_BLOCK];
    if (key_len > HTTPD_ADDON_SHA256_BLOCK) {
        httpd__addon_sha256(key, key_len, k);
    } else if (key_len) {
        memcpy(k, key, key_len);
    }
    httpd__addon_sha256_t c;
    for (unsigned i = 0; i < sizeof pad; i++) {
        pad[i] = (uint8_t)(k[i] ^ 0x36);
    }
    httpd__addon_sha256_init(&c);
    httpd__addon_sha256_update(&c, pad, sizeof pad);
    httpd__addon_sha256_update(&c, msg, msg_len);
    httpd__addon_sha256_final(&c, out);
    for (unsigned i = 0; i < sizeof pad; i++) {
        pad[i] = (uint8_t)(k[i] ^ 0x5c);
    }
    httpd__addon_sha256_init(&c);
    httpd__addon_sha256_update(&c, pad, sizeof pad);
    httpd__addon_sha256_update(&c, out, HTTPD_ADDON_SHA256_LEN);
    httpd__addon_sha256_final(&c, out);
    memset(k, 0, sizeof k);
    memset(pad, 0, sizeof pad);
}
