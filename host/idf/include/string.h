/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: <string.h> as firmware sees it on the chip, where
 * newlib declares strlcpy() and strlcat(). The C library's own header first;
 * then, on a glibc older than 2.38 (which has neither), the environment's
 * (host/idf/strlcpy.c). */
#ifndef STRING_H_IDF_HOST
#define STRING_H_IDF_HOST
#include_next <string.h>
#if defined(__GLIBC__) && (__GLIBC__ < 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ < 38))
#ifdef __cplusplus
extern "C" {
#endif
size_t strlcpy(char *dst, const char *src, size_t size);
size_t strlcat(char *dst, const char *src, size_t size);
#ifdef __cplusplus
}
#endif
#endif
#endif /* STRING_H_IDF_HOST */
