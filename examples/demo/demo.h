/* SPDX-License-Identifier: Apache-2.0 */
/*
 * demo.h: what the parts of the demo firmware share.
 *
 * main.c reads the environment into a demo_env_t, starts the servers and hands
 * each one to the route modules below; each module keeps its own per-server
 * state (at most DEMO_MAX_SERVERS: plain HTTP and HTTPS).
 */
#ifndef DEMO_H
#define DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "esp_http_server.h"
#include "httpd_auth.h"

#define DEMO_MAX_SERVERS 2
#define DEMO_REALM       "demo"
#define DEMO_USER        "admin"

/** The program's settings, from the environment (see README.md). */
typedef struct {
    uint16_t    port;          /* PORT */
    uint16_t    port_tls;      /* PORT_TLS */
    const char *storage;       /* DEMO_STORAGE: the device's storage folder */
    const char *password;      /* DEMO_PASSWORD: NULL when the device is open */
    size_t      max_upload;    /* DEMO_MAX_UPLOAD: largest upload body, bytes */
} demo_env_t;

/** Registers routes (a module's table) on server. When the device has a password
 *  main.c has wrapped the table with httpd_auth_protect() before any registration. */
esp_err_t demo_register_routes(httpd_handle_t server, httpd_uri_t *routes, size_t n);

/** For a WebSocket route's ws_pre_handshake_cb: the Digest check of the handshake
 *  request (httpd_auth_protect() cannot wrap a WebSocket route). */
esp_err_t demo_ws_auth(httpd_req_t *req);
/* The same login check as an httpd_sse_config_t.check (the event stream). */
esp_err_t demo_check_login(httpd_req_t *req, void *ctx);

/* The route modules: each *_register() is called once per server, after
 * httpd_start(); each *_unregister() once every server has stopped. */

/* api.c: /api/v1/status, led, relay, settings, events (SSE) */
esp_err_t api_register(httpd_handle_t server);
void api_unregister(void);
/* The device's listener (device_start()): one SSE event to every subscriber. */
void api_publish(const char *event, const device_sample_t *sample, void *arg);

/* files.c: /api/v1/files and /files/{name} on env->storage */
esp_err_t files_init(const demo_env_t *env);
esp_err_t files_register(httpd_handle_t server);
/* Bytes of the files in storage, and what the folder could hold (used + free). */
void files_usage(uint64_t *used, uint64_t *total);

/* assets.c: the web UI built into the program. assets_init() builds its route table
 * (one route per URL), assets_free() frees it once no server uses it. */
esp_err_t assets_init(void);
void assets_free(void);
esp_err_t assets_register(httpd_handle_t server);

/* showcase.c: the API tour (/hello, /echo, ..., /ws, /ws/broadcast) */
esp_err_t showcase_register(httpd_handle_t server);
esp_err_t showcase_start(void);   /* the /ws/broadcast ticker */
void showcase_stop(void);
void showcase_unregister(void);

/* Route tables, protected and unprotected as a whole by main.c. */
typedef struct {
    httpd_uri_t *routes;
    size_t       count;
} demo_routes_t;

demo_routes_t api_routes(void);
demo_routes_t files_routes(void);
demo_routes_t showcase_routes(void);
demo_routes_t assets_routes(void);

#endif /* DEMO_H */
