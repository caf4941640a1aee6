/* SPDX-License-Identifier: Apache-2.0 */
/* addon_util.c: percent-decoding, constant-time comparison and token matching for
 * the add-on modules (see addon_util.h). */
#include "addon_util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)(c | 0x20);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

int httpd__addon_url_decode(char *dst, size_t dst_size, const char *src, size_t len, bool plus_is_space)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '%') {
            if (len - i < 3) {
                return -1;
            }
            int hi = hex_val(src[i + 1]), lo = hex_val(src[i + 2]);
            if (hi < 0 || lo < 0) {
                return -1;
            }
            c = (char)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0' || o + 1 >= dst_size) {
            return -1;
        }
        dst[o++] = c;
    }
    if (dst_size == 0) {
        return -1;
    }
    dst[o] = '\0';
    return (int)o;
}

esp_err_t httpd__addon_parse_i32(const char *s, int32_t *out)
{
    const char *d = s + (s[0] == '-' || s[0] == '+');
    if (*d < '0' || *d > '9') {
        return ESP_ERR_INVALID_ARG;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < INT32_MIN || v > INT32_MAX) {
        return ESP_ERR_INVALID_ARG;
    }
    *out = (int32_t)v;
    return ESP_OK;
}

bool httpd__addon_ct_equal(const void *a, const void *b, size_t len)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t diff = 0;
    for (size_t i = 0; i < len; i++) {
        diff |= (uint8_t)(x[i] ^ y[i]);
    }
    return diff == 0;
}

bool httpd__addon_token_eq(const char *s, size_t len, const char *lit)
{
    size_t i = 0;
    for (; i < len && lit[i] != '\0'; i++) {
        char a = s[i], b = lit[i];
        if (a >= 'A' && a <= 'Z') {
            a = (char)(a | 0x20);
        }
        if (b >= 'A' && b <= 'Z') {
            b = (char)(b | 0x20);
        }
        if (a != b) {
            return false;
        }
    }
    return i == len && lit[i] == '\0';
}
