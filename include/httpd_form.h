/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpd_form.h: decoded access to query strings and application/x-www-form-urlencoded
 * bodies (add-on library esp_http_addons).
 *
 * A form is "key=value&key2=value2": keys and values are percent-decoded and '+'
 * becomes a space. The functions never allocate; the caller gives every buffer.
 *
 * Error conventions (all functions):
 *   ESP_OK                      found / done
 *   ESP_ERR_NOT_FOUND           no such key (no query string at all, for httpd_query_*)
 *   ESP_ERR_HTTPD_RESULT_TRUNC  the decoded value does not fit val_size (val is set to "")
 *   ESP_ERR_INVALID_ARG         a NULL pointer or zero size, or the value is badly encoded
 *                               ('%' not followed by two hex digits, or %00); for the
 *                               *_int getters also: the value is not a decimal integer
 *                               in range. Client data only ever gives this one for a bad
 *                               value, so a handler can answer 400 to it.
 */
#ifndef HTTPD_FORM_H
#define HTTPD_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "esp_http_server.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Iteration state over the pairs of a form (see httpd_form_next()). */
typedef struct {
    const char *pos;   /*!< next unread byte */
    size_t      left;  /*!< bytes left from pos */
} httpd_form_iter_t;

/** Starts an iteration over form[0..len) (len may be 0). */
void httpd_form_iter_init(httpd_form_iter_t *it, const char *form, size_t len);

/** The next "key=value" pair, decoded into key (key_size bytes) and val (val_size
 *  bytes), both NUL-terminated. Empty pieces ("a=1&&b=2") are skipped; a piece
 *  without '=' gives an empty value. The iteration moves on even when a pair fails,
 *  so a caller may skip pairs that do not decode or fit.
 *  @return ESP_OK; ESP_ERR_NOT_FOUND (no pair left); ESP_ERR_HTTPD_RESULT_TRUNC (key or
 *          value does not fit: both set to ""); ESP_ERR_INVALID_ARG (NULL / zero size,
 *          or a bad encoding: both set to ""). */
esp_err_t httpd_form_next(httpd_form_iter_t *it, char *key, size_t key_size, char *val, size_t val_size);

/** The decoded value of the first pair of form[0..len) whose decoded key equals key
 *  (case-sensitive, pairs whose key does not decode are passed over).
 *  @return ESP_OK, ESP_ERR_NOT_FOUND, ESP_ERR_HTTPD_RESULT_TRUNC, ESP_ERR_INVALID_ARG. */
esp_err_t httpd_form_get(const char *form, size_t len, const char *key, char *val, size_t val_size);

/** httpd_form_get() on the query string of the request (after '?', before any '#').
 *  @return as httpd_form_get(); ESP_ERR_NOT_FOUND also when there is no query. */
esp_err_t httpd_query_get(httpd_req_t *req, const char *key, char *val, size_t val_size);

/** A decimal integer (optional sign, no spaces) from form[0..len) into *out.
 *  @return as httpd_form_get(); ESP_ERR_INVALID_ARG when it is not a number in
 *          [INT32_MIN, INT32_MAX] (*out untouched). */
esp_err_t httpd_form_get_int(const char *form, size_t len, const char *key, int32_t *out);

/** httpd_form_get_int() on the request's query string. */
esp_err_t httpd_query_get_int(httpd_req_t *req, const char *key, int32_t *out);

/** Receives a whole application/x-www-form-urlencoded body (Content-Length or chunked)
 *  into buf, NUL-terminated, its length in *len (may be NULL). Reads only the body's
 *  bytes. On failure it has already answered the client (the response carries
 *  "Connection: close") and the handler should return the error, which closes the
 *  connection:
 *    ESP_ERR_NOT_SUPPORTED   415 Unsupported Media Type (Content-Type is not
 *                            application/x-www-form-urlencoded, parameters allowed)
 *    ESP_ERR_INVALID_SIZE    413 Content Too Large (the body needs more than
 *                            buf_size - 1 bytes; a Content-Length body is not read)
 *    ESP_ERR_TIMEOUT         408 Request Timeout (no body byte within recv_wait_timeout)
 *    ESP_FAIL                400 Bad Request (the body ended early or its chunked framing
 *                            is bad; the connection is most likely gone already)
 *    ESP_ERR_INVALID_ARG     NULL / zero size: nothing sent.
 *  On ESP_OK nothing has been sent: the handler answers. */
esp_err_t httpd_form_recv(httpd_req_t *req, char *buf, size_t buf_size, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* HTTPD_FORM_H */
