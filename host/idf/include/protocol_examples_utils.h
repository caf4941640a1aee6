/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: protocol_examples_utils.h, the percent-encoding
 * helpers of ESP-IDF's protocol examples. */
#ifndef PROTOCOL_EXAMPLES_UTILS_H_IDF_HOST
#define PROTOCOL_EXAMPLES_UTILS_H_IDF_HOST

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Percent-encodes the len bytes at src into dest (every byte but the
 *  unreserved ALPHA DIGIT - . _ ~ becomes %XX; dest needs 3 * len bytes; no
 *  NUL is added). Returns the bytes written, 0 for NULL arguments. */
uint32_t example_uri_encode(char *dest, const char *src, size_t len);

/** Decodes %XX escapes in the len bytes at src into dest (a malformed escape
 *  is copied as it is; '+' stays '+'). Writes at most len bytes and no NUL:
 *  pass a zeroed buffer, as the examples do. Does nothing for NULL arguments. */
void example_uri_decode(char *dest, const char *src, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PROTOCOL_EXAMPLES_UTILS_H_IDF_HOST */
