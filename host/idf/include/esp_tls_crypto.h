/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_tls_crypto.h, the two helpers of ESP-TLS that
 * firmware calls directly (Basic-auth headers, WebSocket keys). Same names,
 * signatures and results as ESP-IDF's, which wrap mbedTLS: 0 on success. */
#ifndef ESP_TLS_CRYPTO_H_IDF_HOST
#define ESP_TLS_CRYPTO_H_IDF_HOST

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** SHA-1 of input[0..ilen) into output; 0. */
int esp_crypto_sha1(const unsigned char *input, size_t ilen, unsigned char output[20]);

/** Base64 of src[0..slen) into dst, NUL-terminated; *olen = its length. When dst
 *  is NULL or dlen too small: *olen = the size needed (NUL included) and
 *  -0x002A (mbedTLS's MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL). */
int esp_crypto_base64_encode(unsigned char *dst, size_t dlen, size_t *olen,
                             const unsigned char *src, size_t slen);

#ifdef __cplusplus
}
#endif
#endif /* ESP_TLS_CRYPTO_H_IDF_HOST */
