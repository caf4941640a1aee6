/* SPDX-License-Identifier: Apache-2.0 */
/*
 * static_files.h: the pure functions of the static files module (static_files.c),
 * shared with its unit test. Private to the add-on library (httpd__addon_ names).
 */
#ifndef HTTPD_ADDON_STATIC_FILES_H
#define HTTPD_ADDON_STATIC_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when an Accept-Encoding value (NULL: the header is absent) accepts gzip:
 * "gzip" or "x-gzip" with a q-value above 0, or else "*" with one. */
bool httpd__addon_static_accepts_gzip(const char *accept_encoding);

/* Parses a Range value against a representation of size bytes (RFC 9110 14.1.2).
 * Returns 1 and *first, *last (inclusive) for one satisfiable range; -1 when the
 * range is unsatisfiable (416); 0 when the header is to be ignored (a syntax error,
 * another unit, or more than one range: the whole representation is sent). */
int httpd__addon_static_parse_range(const char *range, uint64_t size, uint64_t *first, uint64_t *last);

/* Writes t (seconds since 1970, UTC) as an IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT",
 * into out (30 bytes with the NUL). */
void httpd__addon_static_fmt_date(int64_t t, char out[30]);

/* Parses an HTTP-date (IMF-fixdate, RFC 850 or asctime format); -1 when invalid. */
int64_t httpd__addon_static_parse_date(const char *s);

/* If-None-Match: true when list ("*" or entity-tags separated by commas) matches the
 * quoted tag etag by the weak comparison (W/ prefixes ignored). */
bool httpd__addon_static_etag_match(const char *list, const char *etag);

/* Percent-decodes the URL path src[0..len) into dst (dst_size bytes with the NUL) and
 * checks it: it must be empty or start with '/', and contain no NUL, no backslash
 * and no "." or ".." segment. Returns the decoded length, or -1. */
int httpd__addon_static_clean_path(char *dst, size_t dst_size, const char *src, size_t len);

#endif /* HTTPD_ADDON_STATIC_FILES_H */
