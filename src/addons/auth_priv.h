/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth_priv.h: the parsing and hashing steps of auth.c, visible to its unit test.
 * Private to the add-on library.
 */
#ifndef HTTPD_ADDON_AUTH_PRIV_H
#define HTTPD_ADDON_AUTH_PRIV_H

#include <stddef.h>
#include <stdint.h>

/* Decodes base64 (RFC 4648 section 4, padding required) src[0..len) into dst.
 * Returns the decoded length; -1 for a character outside the alphabet or bad padding
 * or length; -2 when the result does not fit dst_size. */
int httpd__addon_base64_decode(uint8_t *dst, size_t dst_size, const char *src, size_t len);

/* Parses a comma-separated list of auth-params (RFC 9110 section 11.2:
 * name BWS "=" BWS ( token / quoted-string ), empty list elements allowed) in s,
 * which it modifies: for each names[i] found (case-insensitive), vals[i] points into s
 * at its value, quoted-string escapes removed and NUL-terminated; vals[i] is NULL for a
 * name that is absent. Other names are skipped.
 * Returns 0, or -1 for a syntax error or a name of names given twice. */
int httpd__addon_auth_params(char *s, const char *const names[], size_t n, const char *vals[]);

/* The Digest qop=auth response with SHA-256 (RFC 7616 section 3.4.1), as 64 lowercase
 * hex digits and a NUL in out: H(ha1_hex ":" nonce ":" nc ":" cnonce ":" qop ":"
 * H(method ":" uri)). */
void httpd__addon_digest_response(const char *ha1_hex, const char *nonce, const char *nc, const char *cnonce,
                                  const char *qop, const char *method, const char *uri, char out[65]);

#endif /* HTTPD_ADDON_AUTH_PRIV_H */
