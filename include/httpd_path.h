/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpd_path.h: URI templates with path parameters (add-on library esp_http_addons).
 *
 * A template is a literal path with parameters "{name}", each matching one non-empty
 * path segment (no '/'), and optionally a final "*" matching anything (also nothing):
 *   "/api/led/{id}"   "/api/{group}/items/{n}"   "/files/" + "*"   "/u/{user}/" + "*"
 * (written here with a '+' only because a C comment cannot hold a slash and a star).
 * Set httpd_config_t.uri_match_fn = httpd_uri_match_path; templates without '{' then
 * behave exactly as with httpd_uri_match_wildcard, so every route of a server can use it.
 * Handlers read the values with httpd_path_param(), giving the template they were
 * registered with (the handler's httpd_uri_t.uri): the request itself does not record
 * which template matched, and this way nothing is stored per request.
 */
#ifndef HTTPD_PATH_H
#define HTTPD_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_http_server.h"

#ifdef __cplusplus
extern "C" {
#endif

/** URI matcher for httpd_config_t.uri_match_fn: whether the first len bytes of uri (the
 *  server passes the path, without the query) match tmpl. Without '{' in tmpl this is
 *  httpd_uri_match_wildcard(). In a template with '{', "*" and "?" are literal except a
 *  final "*"; a template with an unclosed '{' or "{}" matches nothing. */
bool httpd_uri_match_path(const char *tmpl, const char *uri, size_t len);

/** The percent-decoded value of parameter name of tmpl in the request's path ('+' stays
 *  '+'; a "%2F" gives '/'). name "*" gives the part matched by a final "*" (decoded,
 *  '/' included). The query and fragment take no part.
 *  @return ESP_OK; ESP_ERR_NOT_FOUND (tmpl has no such parameter, or the path does not
 *          match tmpl); ESP_ERR_HTTPD_RESULT_TRUNC (does not fit val_size: val is "");
 *          ESP_ERR_INVALID_ARG (NULL / zero size, or a bad escape or %00 in the value:
 *          val is ""). */
esp_err_t httpd_path_param(httpd_req_t *req, const char *tmpl, const char *name, char *val, size_t val_size);

/** httpd_path_param() as a decimal integer (optional sign) in [INT32_MIN, INT32_MAX].
 *  @return as httpd_path_param(); ESP_ERR_INVALID_ARG also when the value is not such a
 *          number (*out untouched). */
esp_err_t httpd_path_param_int(httpd_req_t *req, const char *tmpl, const char *name, int32_t *out);

#ifdef __cplusplus
}
#endif

#endif /* HTTPD_PATH_H */
