/* SPDX-License-Identifier: Apache-2.0 */
/* cors.c: CORS preflight answers and response headers (httpd_cors.h). */
#include "httpd_cors.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "esp_log.h"
#include "addon_util.h"
#include "route_wrap.h"

static const char *TAG = "httpd_cors";

#define DEFAULT_METHODS "GET, HEAD, POST"

static bool has_crlf(const char *s)
{
    return s && strpbrk(s, "\r\n") != NULL;
}

static bool config_valid(const httpd_cors_config_t *cfg)
{
    if (!cfg || !cfg->origins || cfg->origin_count == 0 || has_crlf(cfg->methods) ||
        has_crlf(cfg->allow_headers) || has_crlf(cfg->expose_headers)) {
        return false;
    }
    for (size_t i = 0; i < cfg->origin_count; i++) {
        if (!cfg->origins[i]) {
            return false;
        }
    }
    return true;
}

/* Whether the comma-separated list holds s[0..len) (ASCII case-insensitive, or exact
 * when ci is false: method names are case-sensitive). */
static bool list_has(const char *list, const char *s, size_t len, bool ci)
{
    while (list && *list) {
        while (*list == ',' || *list == ' ' || *list == '\t') {
            list++;
        }
        const char *e = list;
        while (*e && *e != ',') {
            e++;
        }
        size_t n = (size_t)(e - list);
        while (n && (list[n - 1] == ' ' || list[n - 1] == '\t')) {
            n--;
        }
        if (n && n == len) {
            bool eq = true;
            for (size_t i = 0; i < n && eq; i++) {
                char a = list[i], b = s[i];
                if (ci) {
                    a = (char)(a >= 'A' && a <= 'Z' ? a | 0x20 : a);
                    b = (char)(b >= 'A' && b <= 'Z' ? b | 0x20 : b);
                }
                eq = a == b;
            }
            if (eq) {
                return true;
            }
        }
        list = e;
    }
    return false;
}

static bool any_origin(const httpd_cors_config_t *cfg)
{
    for (size_t i = 0; i < cfg->origin_count; i++) {
        if (strcmp(cfg->origins[i], "*") == 0) {
            return true;
        }
    }
    return false;
}

static bool origin_allowed(const httpd_cors_config_t *cfg, const char *origin, size_t len)
{
    for (size_t i = 0; i < cfg->origin_count; i++) {
        const char *o = cfg->origins[i];
        if (strcmp(o, "*") == 0 || httpd__addon_token_eq(origin, len, o)) {
            return true;
        }
    }
    return false;
}

/* Whether the answer depends on Origin (then it carries Vary: Origin): every policy
 * but "any origin, without credentials", whose answer is "*" for all. */
static bool varies(const httpd_cors_config_t *cfg)
{
    return cfg->allow_credentials || !any_origin(cfg);
}

/* The request's Origin (a pointer into the request, valid until the handler returns),
 * or NULL. */
static const char *req_origin(httpd_req_t *req, size_t *len)
{
    const char *v = NULL;
    if (httpd_req_get_hdr_value_str_ptr(req, "Origin", &v, len) != ESP_OK || *len == 0) {
        return NULL;
    }
    return v;
}

/* Access-Control-Allow-Origin (and -Credentials) for an allowed origin. */
static void set_allow_origin(httpd_req_t *req, const httpd_cors_config_t *cfg, const char *origin)
{
    httpd_resp_set_hdr(req, "Access-Control-Allow-Origin", varies(cfg) ? origin : "*");
    if (cfg->allow_credentials) {
        httpd_resp_set_hdr(req, "Access-Control-Allow-Credentials", "true");
    }
}

static bool headers_allowed(const httpd_cors_config_t *cfg, const char *req_hdrs)
{
    const char *p = req_hdrs;
    while (p && *p) {
        while (*p == ',' || *p == ' ' || *p == '\t') {
            p++;
        }
        const char *e = p;
        while (*e && *e != ',') {
            e++;
        }
        size_t n = (size_t)(e - p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) {
            n--;
        }
        if (n && !list_has(cfg->allow_headers, p, n, true)) {
            return false;
        }
        p = e;
    }
    return true;
}

/* Answers an OPTIONS request for a route of cfg. */
static esp_err_t preflight(httpd_req_t *req, const httpd_cors_config_t *cfg)
{
    const char *methods = cfg->methods ? cfg->methods : DEFAULT_METHODS;
    size_t olen = 0, mlen = 0, hlen = 0;
    const char *origin = req_origin(req, &olen), *method = NULL, *hdrs = NULL;
    if (varies(cfg)) {
        httpd_resp_set_hdr(req, "Vary", "Origin");
    }
    if (!origin || httpd_req_get_hdr_value_str_ptr(req, "Access-Control-Request-Method", &method, &mlen) != ESP_OK) {
        httpd_resp_set_hdr(req, "Allow", methods);   /* a plain OPTIONS request */
        httpd_resp_set_status(req, HTTPD_204);
        return httpd_resp_send(req, NULL, 0);
    }
    if (httpd_req_get_hdr_value_str_ptr(req, "Access-Control-Request-Headers", &hdrs, &hlen) != ESP_OK) {
        hdrs = NULL;
    }
    /* the CORS-safelisted methods need no listing (Fetch, "CORS-preflight fetch") */
    bool ok = origin_allowed(cfg, origin, olen) &&
              (list_has(methods, method, mlen, false) || list_has(DEFAULT_METHODS, method, mlen, false)) &&
              headers_allowed(cfg, hdrs);
    if (!ok) {
        ESP_LOGD(TAG, "preflight of %s refused (origin %s, method %s)", req->uri, origin, method);
        return httpd_resp_send_err(req, HTTPD_403_FORBIDDEN, "CORS request not allowed");
    }
    char max_age[12];
    set_allow_origin(req, cfg, origin);
    httpd_resp_set_hdr(req, "Access-Control-Allow-Methods", methods);
    if (cfg->allow_headers && hdrs) {
        httpd_resp_set_hdr(req, "Access-Control-Allow-Headers", cfg->allow_headers);
    }
    if (cfg->max_age_s) {
        snprintf(max_age, sizeof max_age, "%" PRIu32, cfg->max_age_s);
        httpd_resp_set_hdr(req, "Access-Control-Max-Age", max_age);
    }
    httpd_resp_set_status(req, HTTPD_204);
    return httpd_resp_send(req, NULL, 0);
}

static esp_err_t preflight_handler(httpd_req_t *req)
{
    return preflight(req, req->user_ctx);
}

static esp_err_t cors_layer(httpd_req_t *req, const void *c, const httpd__addon_wrap_t *w)
{
    const httpd_cors_config_t *cfg = c;
    size_t olen = 0;
    const char *origin = req_origin(req, &olen);
    if (req->method == HTTP_OPTIONS && origin && httpd_req_get_hdr_value_len(req, "Access-Control-Request-Method")) {
        return preflight(req, cfg);
    }
    if (varies(cfg)) {
        httpd_resp_set_hdr(req, "Vary", "Origin");
    }
    if (origin && origin_allowed(cfg, origin, olen)) {
        set_allow_origin(req, cfg, origin);
        if (cfg->expose_headers) {
            httpd_resp_set_hdr(req, "Access-Control-Expose-Headers", cfg->expose_headers);
        }
    }
    return httpd__addon_wrap_next(req, w);
}

esp_err_t httpd_cors_register(httpd_handle_t handle, const char *uri, const httpd_cors_config_t *cfg)
{
    if (!handle || !uri || !config_valid(cfg)) {
        return ESP_ERR_INVALID_ARG;
    }
    httpd_uri_t u = {
        .uri = uri,
        .method = HTTP_OPTIONS,
        .handler = preflight_handler,
        .user_ctx = (void *)cfg,
    };
    return httpd_register_uri_handler(handle, &u);
}

esp_err_t httpd_cors_wrap(httpd_uri_t *uri, const httpd_cors_config_t *cfg)
{
    if (!uri || !config_valid(cfg)) {
        return ESP_ERR_INVALID_ARG;
    }
    return httpd__addon_wrap(uri, cors_layer, cfg);
}

esp_err_t httpd_cors_unwrap(httpd_uri_t *uri)
{
    return httpd__addon_unwrap(uri, cors_layer);
}
