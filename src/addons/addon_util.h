/* SPDX-License-Identifier: Apache-2.0 */
/*
 * addon_util.h: small helpers the add-on modules share (esp_http_addons).
 * Private to the add-on library: every name starts with httpd__addon_, which the
 * shared library does not export.
 */
#ifndef HTTPD_ADDON_UTIL_H
#define HTTPD_ADDON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

/* Percent-decodes src[0..len) into dst (room for dst_size bytes, NUL-terminated).
 * plus_is_space: '+' decodes to ' ' (application/x-www-form-urlencoded).
 * Returns the decoded length, or -1 when a '%' is not followed by two hex digits,
 * when the result contains a NUL byte (%00), or when it does not fit. */
int httpd__addon_url_decode(char *dst, size_t dst_size, const char *src, size_t len, bool plus_is_space);

/* A whole decimal int32_t (an optional sign, then digits only) into *out:
 * ESP_OK, or ESP_ERR_INVALID_ARG (*out untouched) for anything else. */
esp_err_t httpd__addon_parse_i32(const char *s, int32_t *out);

/* Compares a[0..len) and b[0..len) in time that depends on len only. */
bool httpd__addon_ct_equal(const void *a, const void *b, size_t len);

/* ASCII case-insensitive comparison of s[0..len) with the NUL-terminated lit. */
bool httpd__addon_token_eq(const char *s, size_t len, const char *lit);

#endif /* HTTPD_ADDON_UTIL_H */
