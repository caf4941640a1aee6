/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authentication add-on example: three routes behind HTTP authentication.
 *
 *   GET /            public
 *   GET /private     Digest (SHA-256) or Basic, users from a table; the handler is
 *                    unchanged: httpd_auth_protect() wraps it
 *   GET /whoami      Digest only, users from a callback that hands out HA1 values (no
 *                    password in clear in the firmware); the handler calls
 *                    httpd_auth_check() itself and greets the user by name
 *
 * Try:  curl --digest -u admin:change-me http://127.0.0.1:8080/private
 *       curl --basic  -u admin:change-me http://127.0.0.1:8080/private
 *       curl --digest -u viewer:let-me-see http://127.0.0.1:8080/whoami
 * The port is 8080, or the PORT environment variable. SIGINT / SIGTERM stop it.
 * Basic sends the password in clear text: serve it over HTTPS in real use.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* sigwait, pthread_sigmask */
#endif
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "httpd_auth.h"

static const char *TAG = "auth_example";

#define REALM "device"

/* A table: fine for a fixed admin account. */
static const httpd_auth_user_t s_users[] = {
    { "admin", "change-me" },
};

static const httpd_auth_config_t s_table_auth = {
    .type = HTTPD_AUTH_ANY,   /* offers Digest and Basic */
    .realm = REALM,
    .users = s_users,
    .user_count = sizeof s_users / sizeof s_users[0],
    .nonce_lifetime_s = 300,
};

/* A callback: here the HA1 of "viewer" / "let-me-see" for the realm "device", as
 * httpd_auth_digest_ha1() computes it (a provisioning tool would store it). */
static char s_viewer_ha1[HTTPD_AUTH_HA1_SIZE];

static esp_err_t lookup_user(const char *user, void *ctx, char *secret, size_t secret_size,
                             httpd_auth_secret_t *kind)
{
    (void)ctx;
    if (strcmp(user, "viewer") != 0 || secret_size < sizeof s_viewer_ha1) {
        return ESP_ERR_NOT_FOUND;
    }
    memcpy(secret, s_viewer_ha1, sizeof s_viewer_ha1);
    *kind = HTTPD_AUTH_SECRET_HA1;
    return ESP_OK;
}

static const httpd_auth_config_t s_callback_auth = {
    .type = HTTPD_AUTH_DIGEST,
    .realm = REALM,
    .get_credential = lookup_user,
};

static esp_err_t public_handler(httpd_req_t *req)
{
    return httpd_resp_sendstr(req, "public page: try /private and /whoami\n");
}

static esp_err_t private_handler(httpd_req_t *req)
{
    /* only reached with valid credentials; req->user_ctx is this route's own */
    return httpd_resp_sendstr(req, req->user_ctx);
}

static esp_err_t whoami_handler(httpd_req_t *req)
{
    char user[HTTPD_AUTH_USER_MAX + 1], body[96];
    if (httpd_auth_check(req, &s_callback_auth, user, sizeof user) != ESP_OK) {
        return ESP_OK;   /* 401 or 400 already sent */
    }
    snprintf(body, sizeof body, "hello, %s\n", user);
    return httpd_resp_sendstr(req, body);
}

static httpd_uri_t s_routes[] = {
    { .uri = "/", .method = HTTP_GET, .handler = public_handler },
    { .uri = "/private", .method = HTTP_GET, .handler = private_handler, .user_ctx = "the secret page\n" },
    { .uri = "/whoami", .method = HTTP_GET, .handler = whoami_handler },
};

int main(void)
{
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    const char *port = getenv("PORT");
    config.server_port = port ? (uint16_t)atoi(port) : 8080;

    if (httpd_auth_digest_ha1("viewer", REALM, "let-me-see", s_viewer_ha1, sizeof s_viewer_ha1) != ESP_OK ||
        httpd_auth_protect(&s_routes[1], &s_table_auth) != ESP_OK) {
        ESP_LOGE(TAG, "auth setup failed");
        return 1;
    }

    /* SIGINT / SIGTERM are taken by sigwait() below, in this thread only */
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
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "start failed: %s", esp_err_to_name(err));
        if (server) {
            httpd_stop(server);
        }
        httpd_auth_unprotect(&s_routes[1]);
        return 1;
    }
    ESP_LOGI(TAG, "serving on port %u", (unsigned)config.server_port);

    int sig = 0;
    sigwait(&stop, &sig);
    httpd_stop(server);
    httpd_auth_unprotect(&s_routes[1]);   /* frees the wrapping record */
    return 0;
}
