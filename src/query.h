/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal helpers for query strings and cookies (implemented in query.c).
 *
 * The public functions of that file, httpd_query_key_value() and
 * httpd_url_decode(), are declared in esp_http_server.h.
 */
#ifndef HTTPD_QUERY_H
#define HTTPD_QUERY_H

#include <stdbool.h>
#include <stddef.h>

/**
 * Finds the cookie called @p name in the value of a Cookie request header.
 *
 * The header value is an RFC 6265 cookie-string, "a=1; b=2". Parsing is
 * lenient: the space after ';' may be missing, and optional whitespace
 * (spaces, tabs) around a pair, the name and the value is ignored. Pairs
 * without '=' or with an empty name are skipped. Names compare
 * case-sensitively and over their whole length (RFC 6265; upstream ESP-IDF
 * compares them case-insensitively). The first cookie of that name wins.
 * A value in double quotes is returned without the quotes.
 *
 * @param hdr      Cookie header value; need not be NUL-terminated
 * @param hdr_len  bytes of @p hdr to look at
 * @param name     cookie name, NUL-terminated, not empty
 * @param val      out: start of the value, a pointer into @p hdr (may be NULL)
 * @param val_len  out: length of the value, possibly 0 (may be NULL)
 * @return true when found (outputs written), false when absent or when
 *         @p hdr or @p name is NULL or @p name is empty (outputs untouched)
 */
bool httpd__cookie_find(const char *hdr, size_t hdr_len, const char *name,
                       const char **val, size_t *val_len);

#endif /* HTTPD_QUERY_H */
