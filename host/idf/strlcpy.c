/* SPDX-License-Identifier: Apache-2.0 */
/* strlcpy() and strlcat() for a glibc older than 2.38, as newlib has them on
 * the chip: the whole source length returned, the copy cut to fit and always
 * NUL-terminated (size > 0). */
#include <string.h>

#if defined(__GLIBC__) && (__GLIBC__ < 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ < 38))
size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);
    if (size) {
        size_t c = n < size ? n : size - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

size_t strlcat(char *dst, const char *src, size_t size)
{
    size_t d = strnlen(dst, size);
    if (d == size) {
        return size + strlen(src);
    }
    return d + strlcpy(dst + d, src, size - d);
}
#endif
