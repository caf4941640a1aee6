/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpd_cors.h: Cross-Origin Resource Sharing (Fetch standard, "CORS protocol") for
 * esp_http_server routes (esp_http_addons).
 *
 *   httpd_cors_register(server, "/api/data", &cors);   // answers the preflight OPTIONS
 *   httpd_cors_wrap(&uri, &cors);                       // CORS headers on the route's responses
 *   httpd_register_uri_handler(server, &uri);
 *
 * The configuration is not copied: it must outlive the routes. See docs/addons/cors.md.
 */
#ifndef HTTPD_CORS_H
#define HTTPD_CORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_http_server.h"

#ifdef __cplusplus
extern "C" {
#endif

/** CORS policy of one or more routes (not copied: it must outlive them). */
typedef struct {
    const char *const *origins;   /*!< allowed origins, e.g. "https://ui.example.com" (compared
                                       ASCII case-insensitively); an entry "*" allows every origin */
    size_t origin_count;
    const char *methods;          /*!< preflight: allowed methods, "GET, POST, PUT" (NULL: "GET, HEAD, POST") */
    const char *allow_headers;    /*!< preflight: allowed request headers, "Content-Type, Authorization" (NULL: none) */
    const char *expose_headers;   /*!< responses: headers a script may read, "X-Count" (NULL: none) */
    bool allow_credentials;       /*!< cookies / HTTP auth: Access-Control-Allow-Credentials: true
                                       (the origin is then echoed, never "*") */
    uint32_t max_age_s;           /*!< preflight cache time (0: no Access-Control-Max-Age) */
} httpd_cors_config_t;

/** Registers an OPTIONS handler for uri that answers CORS preflight requests:
 *  204 with Access-Control-Allow-Origin/-Methods/-Headers/-Max-Age(/-Credentials) and
 *  Vary: Origin when origin, method and headers are allowed; 403 without CORS headers
 *  otherwise; 204 with Allow for an OPTIONS request that is not a preflight.
 *  uri may be a wildcard template as the server's uri_match_fn understands it.
 *  @return ESP_OK; ESP_ERR_INVALID_ARG (NULL handle, uri or cfg, cfg without origins or
 *          with a value holding CR or LF); the errors of httpd_register_uri_handler()
 *          (ESP_ERR_HTTPD_HANDLER_EXISTS: an OPTIONS handler for uri exists). */
esp_err_t httpd_cors_register(httpd_handle_t handle, const char *uri, const httpd_cors_config_t *cfg);

/** Wraps a route (call before httpd_register_uri_handler()) so that every response of
 *  its handler to a request with an allowed Origin carries Access-Control-Allow-Origin,
 *  -Allow-Credentials and -Expose-Headers, with Vary: Origin, error responses included.
 *  The handler sees its own req->user_ctx. A preflight that reaches the wrapped route
 *  (an HTTP_ANY route) is answered as httpd_cors_register() would. Allocates a small
 *  record that httpd_cors_unwrap() frees. With authentication: httpd_auth_protect()
 *  first, then this (CORS outside, so that a 401 is readable by the page).
 *  @return ESP_OK; ESP_ERR_INVALID_ARG; ESP_ERR_NOT_SUPPORTED (a WebSocket endpoint);
 *          ESP_ERR_NO_MEM. */
esp_err_t httpd_cors_wrap(httpd_uri_t *uri, const httpd_cors_config_t *cfg);

/** Undoes httpd_cors_wrap() on uri. @return ESP_OK; ESP_ERR_INVALID_ARG;
 *  ESP_ERR_NOT_FOUND (uri's outermost wrapping is not a CORS one). */
esp_err_t httpd_cors_unwrap(httpd_uri_t *uri);

#ifdef __cplusplus
}
#endif

#endif /* HTTPD_CORS_H */
