/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sha256.h: SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) for the add-on modules.
 * Private to the add-on library (names start with httpd__addon_).
 */
#ifndef HTTPD_ADDON_SHA256_H
#define HTTPD_ADDON_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define HTTPD_ADDON_SHA256_LEN   32
#define HTTPD_ADDON_SHA256_BLOCK 64

typedef struct {
    uint32_t h[8];
    uint64_t bytes;                          /* message length so far */
    uint8_t  buf[HTTPD_ADDON_SHA256_BLOCK];  /* a partial block */
    size_t   fill;
} httpd__addon_sha256_t;

void httpd__addon_sha256_init(httpd__addon_sha256_t *c);
void httpd__addon_sha256_update(httpd__addon_sha256_t *c, const void *data, size_t len);
void httpd__addon_sha256_final(httpd__addon_sha256_t *c, uint8_t out[HTTPD_ADDON_SHA256_LEN]);
/* One call: SHA-256 of data[0..len). */
void httpd__addon_sha256(const void *data, size_t len, uint8_t out[HTTPD_ADDON_SHA256_LEN]);
/* HMAC-SHA-256 of msg[0..msg_len) under key[0..key_len). */
void httpd__addon_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                              uint8_t out[HTTPD_ADDON_SHA256_LEN]);

#endif /* HTTPD_ADDON_SHA256_H */
