/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Demo firmware: the web interface of a simulated device, on the esp_http_server
 * API and its add-ons (`make run` starts it).
 *
 *   /                the dashboard (www/, built into the program: assets.c)
 *   /api/v1/...      status, LED, relay, settings, live samples (api.c)
 *   /api/v1/files, /files/...   the device's storage folder (files.c)
 *   /showcase/       the API tour, with /hello, /echo, ..., /ws (showcase.c)
 *
 * The device itself (sensors, outputs, settings) is simulated in device.c.
 *
 * Environment: PORT (8080); PORT_TLS (8443), TLS_CERT and TLS_KEY: the same site
 * over HTTPS when built with the HTTPS library; DEMO_STORAGE (the storage folder,
 * "demo-storage", created when missing); DEMO_PASSWORD (set: every route needs
 * Digest authentication as user "admin"); DEMO_MAX_UPLOAD (bytes, 16 MiB).
 * SIGINT / SIGTERM stop the device, then the servers; exit status 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "esp_log.h"
#include "httpd_path.h"
#ifdef HTTPD_DEMO_HTTPS
#include "esp_https_server.h"
#endif

static const char *TAG = "demo";

#define DEFAULT_PORT       8080
#define DEFAULT_PORT_TLS   8443
#define DEFAULT_STORAGE    "demo-storage"
#define DEFAULT_MAX_UPLOAD (16u * 1024 * 1024)
#define MAX_CLIENTS        10      /* a browser's connections, its event stream, WebSockets */
#define MAX_HANDLERS       64      /* 20 API and tour routes, 2 per asset URL */
#define STACK_SIZE         16384   /* Digest check, multipart parser, cJSON, TLS */
#define HEADER_MAX         2048    /* a browser's headers plus a Digest Authorization */

/* ---- authentication ------------------------------------------------------------ */

static httpd_auth_user_t s_user = { .user = DEMO_USER };
static httpd_auth_config_t s_auth = {
    .type = HTTPD_AUTH_DIGEST,        /* the password never crosses the network */
    .realm = DEMO_REALM,
    .users = &s_user,
    .user_count = 1,
};
static bool s_protected;

esp_err_t demo_ws_auth(httpd_req_t *req)
{
    if (!s_protected) {
        return ESP_OK;
    }
    /* A refusal has answered 401 (or 400); the server then closes the connection. */
    return httpd_auth_check(req, &s_auth, NULL, 0);
}

esp_err_t demo_check_login(httpd_req_t *req, void *ctx)
{
    (void)ctx;
    return demo_ws_auth(req);   /* the same check: ESP_OK, or a 401 already sent */
}

esp_err_t demo_register_routes(httpd_handle_t server, httpd_uri_t *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        esp_err_t err = httpd_register_uri_handler(server, &routes[i]);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "registering %s: %s", routes[i].uri, esp_err_to_name(err));
            return err;
        }
    }
    return ESP_OK;
}

typedef demo_routes_t (*routes_fn_t)(void);
static const routes_fn_t s_tables[] = { api_routes, files_routes, showcase_routes, assets_routes };

static bool is_websocket(const httpd_uri_t *uri)
{
#if CONFIG_HTTPD_WS_SUPPORT
    return uri->is_websocket;
#else
    (void)uri;
    return false;
#endif
}

/* Wraps (protect) or unwraps every route of every table with httpd_auth_protect():
 * once, before the routes are registered on the servers, which copy them. */
static esp_err_t protect_all(bool protect)
{
    for (size_t t = 0; t < sizeof s_tables / sizeof s_tables[0]; t++) {
        demo_routes_t r = s_tables[t]();
        for (size_t i = 0; i < r.count; i++) {
            if (is_websocket(&r.routes[i])) {
                continue;            /* checked by demo_ws_auth() at the handshake */
            }
            esp_err_t err = protect ? httpd_auth_protect(&r.routes[i], &s_auth) : httpd_auth_unprotect(&r.routes[i]);
            if (err != ESP_OK && protect) {
                ESP_LOGE(TAG, "protecting %s: %s", r.routes[i].uri, esp_err_to_name(err));
                return err;
            }
        }
    }
    return ESP_OK;
}

/* ---- environment ---------------------------------------------------------------- */

static int number_from_env(const char *name, unsigned long long max, unsigned long long fallback,
                           unsigned long long *out)
{
    const char *s = getenv(name);
    if (s == NULL || *s == '\0') {
        *out = fallback;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || s[0] == '-' || v == 0 || v > max) {
        fprintf(stderr, "invalid %s: %s (a number from 1 to %llu)\n", name, s, max);
        return -1;
    }
    *out = v;
    return 0;
}

static int read_env(demo_env_t *env)
{
    unsigned long long port, port_tls, max_upload;
    if (number_from_env("PORT", 65535, DEFAULT_PORT, &port) != 0 ||
        number_from_env("PORT_TLS", 65535, DEFAULT_PORT_TLS, &port_tls) != 0 ||
        number_from_env("DEMO_MAX_UPLOAD", SIZE_MAX, DEFAULT_MAX_UPLOAD, &max_upload) != 0) {
        return -1;
    }
    env->port = (uint16_t)port;
    env->port_tls = (uint16_t)port_tls;
    env->max_upload = (size_t)max_upload;
    const char *storage = getenv("DEMO_STORAGE");
    env->storage = storage && *storage ? storage : DEFAULT_STORAGE;
    const char *password = getenv("DEMO_PASSWORD");
    env->password = password && *password ? password : NULL;
    if (env->password && strlen(env->password) > HTTPD_AUTH_PASSWORD_MAX) {
        fprintf(stderr, "DEMO_PASSWORD is longer than %d bytes\n", HTTPD_AUTH_PASSWORD_MAX);
        return -1;
    }
    return 0;
}

/* ---- servers --------------------------------------------------------------------- */

static void server_config(httpd_config_t *c)
{
    c->max_uri_handlers = MAX_HANDLERS;
    c->max_open_sockets = MAX_CLIENTS;
    c->lru_purge_enable = true;      /* browsers open several connections */
    c->stack_size = STACK_SIZE;
    c->max_req_hdr_len = HEADER_MAX;
    c->uri_match_fn = httpd_uri_match_path;   /* "/files/{name}" */
}

/* Every route of the demo on server; the catch-all assets last. */
static esp_err_t register_all(httpd_handle_t server)
{
    esp_err_t err = api_register(server);
    if (err == ESP_OK) {
        err = files_register(server);
    }
    if (err == ESP_OK) {
        err = showcase_register(server);
    }
    if (err == ESP_OK) {
        err = assets_register(server);
    }
    return err;
}

static httpd_handle_t http_start(uint16_t port)
{
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    config.server_port = port;
    server_config(&config);
    httpd_handle_t server = NULL;
    esp_err_t err = httpd_start(&server, &config);
    if (err == ESP_OK && (err = register_all(server)) != ESP_OK) {
        httpd_stop(server);
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "HTTP on port %u: %s", port, esp_err_to_name(err));
        return NULL;
    }
    return server;
}

#ifdef HTTPD_DEMO_HTTPS
/* A whole file, NUL-terminated; *len counts the NUL for PEM (as mbedTLS parses it). */
static uint8_t *load_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    uint8_t *buf = NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1)) != NULL) {
        if (fread(buf, 1, (size_t)size, f) == (size_t)size) {
            buf[size] = '\0';
            *len = strstr((char *)buf, "-----BEGIN") ? (size_t)size + 1 : (size_t)size;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

static uint8_t *s_tls_cert, *s_tls_key;

/* The same site over TLS; NULL when there is no certificate or it cannot start
 * (the plain server runs on). */
static httpd_handle_t https_start(uint16_t port)
{
    const char *cert = getenv("TLS_CERT"), *key = getenv("TLS_KEY");
    if (!cert || !key) {
        ESP_LOGI(TAG, "no TLS_CERT / TLS_KEY: HTTPS off");
        return NULL;
    }
    httpd_ssl_config_t conf = HTTPD_SSL_CONFIG_DEFAULT();
    s_tls_cert = load_file(cert, &conf.servercert_len);
    s_tls_key = load_file(key, &conf.prvtkey_len);
    if (!s_tls_cert || !s_tls_key) {
        ESP_LOGE(TAG, "cannot read %s or %s: HTTPS off", cert, key);
        return NULL;
    }
    conf.servercert = s_tls_cert;
    conf.prvtkey_pem = s_tls_key;
    conf.port_secure = port;
    server_config(&conf.httpd);
    httpd_handle_t server = NULL;
    esp_err_t err = httpd_ssl_start(&server, &conf);
    if (err == ESP_OK && (err = register_all(server)) != ESP_OK) {
        httpd_ssl_stop(server);
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "HTTPS on port %u: %s", port, esp_err_to_name(err));
        return NULL;
    }
    return server;
}
#endif

/* ---- main ------------------------------------------------------------------------- */

/* Stops what runs, in the order that keeps every callback's target alive: no
 * sample or tick once the servers stop, no route freed while a server runs. */
static esp_err_t shutdown_all(httpd_handle_t *servers, size_t n)
{
    device_stop();
    showcase_stop();
    esp_err_t err = ESP_OK;
    for (size_t i = 0; i < n; i++) {
        if (httpd_stop(servers[i]) != ESP_OK) {
            err = ESP_FAIL;
        }
    }
    api_unregister();
    showcase_unregister();
    if (s_protected) {
        protect_all(false);
    }
    assets_free();
#ifdef HTTPD_DEMO_HTTPS
    free(s_tls_cert);
    free(s_tls_key);
#endif
    return err;
}

int main(void)
{
    demo_env_t env;
    if (read_env(&env) != 0 || files_init(&env) != ESP_OK) {
        return 2;
    }
    if (assets_init() != ESP_OK) {
        ESP_LOGE(TAG, "out of memory");
        return 1;
    }
    if (env.password) {
        s_user.password = env.password;
        s_protected = true;
        if (protect_all(true) != ESP_OK) {
            protect_all(false);
            assets_free();
            return 1;
        }
#if CONFIG_HTTPD_WS_SUPPORT && !CONFIG_HTTPD_WS_PRE_HANDSHAKE_CB_SUPPORT
        ESP_LOGW(TAG, "no ws_pre_handshake_cb in this build: /ws and /ws/broadcast stay open");
#endif
    }

    /* Block the stop signals before any thread exists, so every thread inherits
     * the mask and only sigwait() below sees them. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    httpd_handle_t servers[DEMO_MAX_SERVERS];
    size_t n = 0;
    if ((servers[n] = http_start(env.port)) == NULL) {
        shutdown_all(servers, n);
        return 1;
    }
    n++;
#ifdef HTTPD_DEMO_HTTPS
    if ((servers[n] = https_start(env.port_tls)) != NULL) {
        n++;
    }
#endif
    if (device_start(api_publish, NULL) != ESP_OK || showcase_start() != ESP_OK) {
        shutdown_all(servers, n);
        return 1;
    }

    printf("Serving on http://127.0.0.1:%u/\n", env.port);
    if (n > 1) {
        printf("Serving on https://127.0.0.1:%u/\n", env.port_tls);
    }
    printf("Storage folder: %s%s\n", env.storage, env.password ? "; login: user admin, DEMO_PASSWORD" : "");
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    ESP_LOGI(TAG, "signal %d: stopping", sig);
    esp_err_t err = shutdown_all(servers, n);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_stop failed");
        return 1;
    }
    return 0;
}
