/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpd_auth.h: HTTP authentication for esp_http_server routes (esp_http_addons):
 * Basic (RFC 7617) and Digest with SHA-256 (RFC 7616, qop=auth, stateless nonces).
 *
 * Either call httpd_auth_check() at the top of a handler:
 *
 *     if (httpd_auth_check(req, &auth, NULL, 0) != ESP_OK) {
 *         return ESP_OK;   // a 401 or 400 has been sent
 *     }
 *
 * or protect a route without touching its handler, before registering it:
 *
 *     httpd_auth_protect(&uri, &auth);
 *     httpd_register_uri_handler(server, &uri);
 *
 * The configuration is not copied: it must outlive every route that uses it.
 * Basic sends the password in clear: use it over HTTPS only. See docs/addons/auth.md.
 */
#ifndef HTTPD_AUTH_H
#define HTTPD_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_http_server.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest user name accepted (bytes); user_out of httpd_auth_check() needs one more. */
#define HTTPD_AUTH_USER_MAX     64
/** Longest password (bytes). */
#define HTTPD_AUTH_PASSWORD_MAX 127
/** Longest realm (bytes); it may not contain '"', '\\' or control characters. */
#define HTTPD_AUTH_REALM_MAX    64
/** Longest Authorization header value that is parsed; a longer one gets 400. */
#define HTTPD_AUTH_HEADER_MAX   512
/** Size of the buffer that httpd_auth_digest_ha1() fills: 64 hex digits and a NUL. */
#define HTTPD_AUTH_HA1_SIZE     65

/** The schemes a route accepts (a bit set). */
typedef enum {
    HTTPD_AUTH_BASIC  = 1,                                  /*!< RFC 7617 */
    HTTPD_AUTH_DIGEST = 2,                                  /*!< RFC 7616, algorithm=SHA-256 */
    HTTPD_AUTH_ANY    = HTTPD_AUTH_BASIC | HTTPD_AUTH_DIGEST, /*!< both: two challenges */
} httpd_auth_type_t;

/** One entry of a credentials table. */
typedef struct {
    const char *user;
    const char *password;
} httpd_auth_user_t;

/** What a credentials callback wrote into its secret buffer. */
typedef enum {
    HTTPD_AUTH_SECRET_PASSWORD = 0,   /*!< the password in clear */
    HTTPD_AUTH_SECRET_HA1,            /*!< SHA-256(user ":" realm ":" password) as 64 hex digits
                                           (httpd_auth_digest_ha1()), for the config's realm */
} httpd_auth_secret_t;

/** Looks a user up. Writes the password or the HA1 (NUL-terminated) into secret
 *  (secret_size bytes, HTTPD_AUTH_PASSWORD_MAX + 1) and its kind into *kind.
 *  @return ESP_OK when the user exists; anything else: unknown user (401). */
typedef esp_err_t (*httpd_auth_credential_fn_t)(const char *user, void *ctx, char *secret,
                                                size_t secret_size, httpd_auth_secret_t *kind);

/** Configuration of a protected route (not copied: it must outlive the routes). */
typedef struct {
    httpd_auth_type_t type;            /*!< schemes offered and accepted */
    const char *realm;                 /*!< protection space, shown by browsers */
    const httpd_auth_user_t *users;    /*!< credentials table (used when get_credential is NULL) */
    size_t user_count;
    httpd_auth_credential_fn_t get_credential; /*!< or: credentials callback */
    void *credential_ctx;              /*!< its ctx */
    uint32_t nonce_lifetime_s;         /*!< Digest nonce lifetime (0: 300 s); an older one gets stale=true */
} httpd_auth_config_t;

/** Checks the request's Authorization header against cfg.
 *  On success writes the user name into user_out (when not NULL; user_size bytes,
 *  HTTPD_AUTH_USER_MAX + 1 always suffice) and returns ESP_OK. Otherwise it has already
 *  answered the request: 401 with one WWW-Authenticate challenge per scheme of cfg
 *  (Digest first, stale=true for a valid but expired nonce), 400 for a malformed
 *  Authorization header, 500 when user_out is too small for the name; and it returns
 *  ESP_FAIL (or the send error, ESP_ERR_HTTPD_*, when the response could not be sent).
 *  @return ESP_OK; ESP_FAIL (answered); ESP_ERR_INVALID_ARG (NULL req or cfg, invalid
 *          cfg, user_size 0 with user_out: nothing is sent); ESP_ERR_HTTPD_*. */
esp_err_t httpd_auth_check(httpd_req_t *req, const httpd_auth_config_t *cfg, char *user_out, size_t user_size);

/** Protects a route: call it on the httpd_uri_t before httpd_register_uri_handler().
 *  The handler then runs only for authorized requests, with its own req->user_ctx;
 *  others get the answers of httpd_auth_check(). Allocates a small record that
 *  httpd_auth_unprotect() frees. To combine with CORS call httpd_cors_wrap() after
 *  this function (CORS outside), see docs/addons/cors.md.
 *  @return ESP_OK; ESP_ERR_INVALID_ARG (NULL uri, handler or cfg, invalid cfg);
 *          ESP_ERR_NOT_SUPPORTED (a WebSocket endpoint); ESP_ERR_NO_MEM;
 *          ESP_FAIL (no random source for the Digest secret). */
esp_err_t httpd_auth_protect(httpd_uri_t *uri, const httpd_auth_config_t *cfg);

/** Undoes httpd_auth_protect() on uri (e.g. after httpd_stop() or unregistering it).
 *  @return ESP_OK; ESP_ERR_INVALID_ARG; ESP_ERR_NOT_FOUND (uri's outermost wrapping is
 *          not an auth one). */
esp_err_t httpd_auth_unprotect(httpd_uri_t *uri);

/** Computes the Digest HA1 for storage in place of a password:
 *  hex(SHA-256(user ":" realm ":" password)) into out (HTTPD_AUTH_HA1_SIZE bytes).
 *  @return ESP_OK; ESP_ERR_INVALID_ARG (NULL argument, out_size too small). */
esp_err_t httpd_auth_digest_ha1(const char *user, const char *realm, const char *password,
                                char *out, size_t out_size);

#ifdef __cplusplus
}
#endif

#endif /* HTTPD_AUTH_H */
