/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The web UI, built into the program: the build runs scripts/embed-assets.py on
 * examples/demo/www/ into a table of httpd_static_asset_t (content, gzip variant,
 * ETag), and each of its URLs, GET and HEAD, is answered from it with
 * httpd_static_send_asset() (gzip, ETag / If-None-Match, Range, HEAD).
 *
 * The lookup is ours rather than httpd_static_register()'s so that these routes
 * can sit behind httpd_auth_protect() like the others when the device has a
 * password. A URL ending in '/' serves its index.html; /favicon.ico serves
 * /favicon.svg (browsers ask for it whatever the page says).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "esp_log.h"
#include "httpd_json.h"
#include "httpd_static.h"

/* Generated at build time (see CMakeLists.txt). */
extern const httpd_static_asset_t demo_assets[];
extern const size_t demo_assets_count;

#define ASSET_PATH_MAX 128

static const httpd_static_asset_t *find(const char *path, size_t len)
{
    for (size_t i = 0; i < demo_assets_count; i++) {
        if (strlen(demo_assets[i].path) == len && memcmp(demo_assets[i].path, path, len) == 0) {
            return &demo_assets[i];
        }
    }
    return NULL;
}

/* The asset for a request path (query and fragment already cut off). */
static const httpd_static_asset_t *lookup(const char *path, size_t len)
{
    char full[ASSET_PATH_MAX];
    if (len == sizeof "/favicon.ico" - 1 && memcmp(path, "/favicon.ico", len) == 0) {
        return find("/favicon.svg", sizeof "/favicon.svg" - 1);
    }
    if (len > 0 && path[len - 1] == '/') {
        int n = snprintf(full, sizeof full, "%.*sindex.html", (int)len, path);
        return n > 0 && (size_t)n < sizeof full ? find(full, (size_t)n) : NULL;
    }
    return find(path, len);
}

/* "/showcase" is a folder: send the browser to "/showcase/", so that the page's
 * relative links resolve. True when it was one (and the 301 went out). */
static bool redirect_folder(httpd_req_t *req, const char *path, size_t len, esp_err_t *err)
{
    char full[ASSET_PATH_MAX];
    int n = snprintf(full, sizeof full, "%.*s/index.html", (int)len, path);
    if (n <= 0 || (size_t)n >= sizeof full || find(full, (size_t)n) == NULL) {
        return false;
    }
    full[len + 1] = '\0';            /* the Location: the path and its '/' */
    httpd_resp_set_status(req, "301 Moved Permanently");
    httpd_resp_set_hdr(req, "Location", full);
    *err = httpd_resp_send(req, NULL, 0);
    return true;
}

static esp_err_t asset_get(httpd_req_t *req)
{
    size_t len = strcspn(req->uri, "?#");
    const httpd_static_asset_t *a = lookup(req->uri, len);
    if (a != NULL) {
        esp_err_t err = httpd_static_send_asset(req, a);
        return err == ESP_FAIL ? ESP_FAIL : ESP_OK;
    }
    esp_err_t err = ESP_OK;
    if (redirect_folder(req, req->uri, len, &err)) {
        return err;
    }
    return httpd_resp_send_404(req);
}

/* ---- routes ---------------------------------------------------------------------- */

/* One route per URL the table answers (its paths, each folder of an index.html with
 * and without its '/', /favicon.ico), for GET and HEAD. Routes of their own rather than
 * one catch-all, so that the server still answers 405 to a GET of a POST-only route
 * (/echo, /api/v1/led) and 404 to anything else. Built once by assets_init(). */
static httpd_uri_t *s_routes;
static size_t s_n_routes;

static esp_err_t add_route(size_t *n, const char *path, size_t len)
{
    static const httpd_method_t methods[] = { HTTP_GET, HTTP_HEAD };
    for (size_t m = 0; m < 2; m++) {
        char *uri = strndup(path, len);
        if (uri == NULL) {
            return ESP_ERR_NO_MEM;
        }
        s_routes[(*n)++] = (httpd_uri_t){ .uri = uri, .method = methods[m], .handler = asset_get };
    }
    return ESP_OK;
}

esp_err_t assets_init(void)
{
    /* At most 3 URLs per asset (the path, a folder with and without '/'), and the icon. */
    s_routes = calloc(2 * (3 * demo_assets_count + 1), sizeof *s_routes);
    if (s_routes == NULL) {
        return ESP_ERR_NO_MEM;
    }
    esp_err_t err = ESP_OK;
    static const char index[] = "index.html";
    for (size_t i = 0; err == ESP_OK && i < demo_assets_count; i++) {
        const char *p = demo_assets[i].path;
        size_t len = strlen(p);
        err = add_route(&s_n_routes, p, len);
        size_t dir = len - (sizeof index - 1);     /* its folder, '/' included */
        if (err == ESP_OK && len >= sizeof index && strcmp(p + dir, index) == 0) {
            err = add_route(&s_n_routes, p, dir);
            if (err == ESP_OK && dir > 1) {
                err = add_route(&s_n_routes, p, dir - 1);   /* redirected to the '/' form */
            }
        }
        if (err == ESP_OK && strcmp(p, "/favicon.svg") == 0) {
            err = add_route(&s_n_routes, "/favicon.ico", sizeof "/favicon.ico" - 1);
        }
    }
    if (err != ESP_OK) {
        assets_free();
    }
    return err;
}

void assets_free(void)
{
    for (size_t i = 0; i < s_n_routes; i++) {
        free((char *)s_routes[i].uri);
    }
    free(s_routes);
    s_routes = NULL;
    s_n_routes = 0;
}

demo_routes_t assets_routes(void)
{
    return (demo_routes_t){ s_routes, s_n_routes };
}

esp_err_t assets_register(httpd_handle_t server)
{
    return demo_register_routes(server, s_routes, s_n_routes);
}
