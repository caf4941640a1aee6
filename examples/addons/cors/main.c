/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CORS add-on example: a JSON API that a web page of another origin may call.
 *
 *   GET  /api/status   readable by pages of http://localhost:3000 (and 127.0.0.1:3000);
 *                      a script may read its X-Uptime header
 *   PUT  /api/status   the same, behind Basic authentication; CORS is the outer layer
 *                      so that the page can read a 401, and credentials are allowed
 *   OPTIONS /api/status   preflight answers (custom headers, PUT, Authorization)
 *
 * Try:  curl -i -H 'Origin: http://localhost:3000' http://127.0.0.1:8080/api/status
 *       curl -i -X OPTIONS -H 'Origin: http://localhost:3000' \
 *            -H 'Access-Control-Request-Method: PUT' \
 *            -H 'Access-Control-Request-Headers: content-type, authorization' \
 *            http://127.0.0.1:8080/api/status
 * The port is 8080, or the PORT environment variable. SIGINT / SIGTERM stop it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* sigwait, pthread_sigmask */
#endif
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "httpd_auth.h"
#include "httpd_cors.h"

static const char *TAG = "cors_example";

static const char *const s_origins[] = { "http://localhost:3000", "http://127.0.0.1:3000" };

static const httpd_cors_config_t s_cors = {
    .origins = s_origins,
    .origin_count = sizeof s_origins / sizeof s_origins[0],
    .methods = "GET, PUT",
    .allow_headers = "Content-Type, Authorization",
    .expose_headers = "X-Uptime",
    .allow_credentials = true,   /* the page sends credentials: fetch(..., {credentials: "include"}) */
    .max_age_s = 600,
};

static const httpd_auth_user_t s_users[] = { { "admin", "change-me" } };
static const httpd_auth_config_t s_auth = {
    .type = HTTPD_AUTH_BASIC, .realm = "api", .users = s_users, .user_count = 1,
};

static int s_level = 3;

static esp_err_t status_get(httpd_req_t *req)
{
    char body[48];
    snprintf(body, sizeof body, "{\"level\":%d}", s_level);
    httpd_resp_set_type(req, HTTPD_TYPE_JSON);
    httpd_resp_set_hdr(req, "X-Uptime", "42");
    return httpd_resp_sendstr(req, body);
}

static esp_err_t status_put(httpd_req_t *req)
{
    char buf[16] = "";
    int n = httpd_req_recv(req, buf, sizeof buf - 1);
    if (n <= 0) {
        /* the CORS headers set by the wrapper stay on this error response */
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "send a number");
    }
    s_level = atoi(buf);
    return status_get(req);
}

static httpd_uri_t s_routes[] = {
    { .uri = "/api/status", .method = HTTP_GET, .handler = status_get },
    { .uri = "/api/status", .method = HTTP_PUT, .handler = status_put },
};

static void unwrap(void)
{
    httpd_cors_unwrap(&s_routes[0]);
    httpd_cors_unwrap(&s_routes[1]);
    httpd_auth_unprotect(&s_routes[1]);
}

int main(void)
{
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    const char *port = getenv("PORT");
    config.server_port = port ? (uint16_t)atoi(port) : 8080;

    /* auth first (inner), CORS last (outer) */
    if (httpd_cors_wrap(&s_routes[0], &s_cors) != ESP_OK || httpd_auth_protect(&s_routes[1], &s_auth) != ESP_OK ||
        httpd_cors_wrap(&s_routes[1], &s_cors) != ESP_OK) {
        ESP_LOGE(TAG, "wrapping failed");
        unwrap();
        return 1;
    }

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    httpd_handle_t server = NULL;
    esp_err_t err = httpd_start(&server, &config);
    for (size_t i = 0; err == ESP_OK && i < sizeof s_routes / sizeof s_routes[0]; i++) {
        err = httpd_register_uri_handler(server, &s_routes[i]);
    }
    if (err == ESP_OK) {
        err = httpd_cors_register(server, "/api/status", &s_cors);   /* the preflight */
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "start failed: %s", esp_err_to_name(err));
        if (server) {
            httpd_stop(server);
        }
        unwrap();
        return 1;
    }
    ESP_LOGI(TAG, "serving on port %u", (unsigned)config.server_port);

    int sig = 0;
    sigwait(&stop, &sig);
    httpd_stop(server);
    unwrap();
    return 0;
}
