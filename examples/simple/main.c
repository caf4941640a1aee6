/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Simple HTTP server example: the Linux counterpart of ESP-IDF's
 * examples/protocols/http_server/simple.
 *
 *   GET  /hello  logs request headers and query parameters, answers "Hello World!"
 *                with two custom response headers
 *   POST /echo   streams the request body back as a chunked response
 *   PUT  /ctrl   body "0": unregisters /hello and /echo and installs a custom 404
 *                handler; any other byte: registers them again and removes it
 *   ANY  /any    answers "Hello World!" whatever the method
 *
 * Port: $PORT, default 8001. SIGINT / SIGTERM stop the server; exit status 0.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_server.h"
#include "esp_log.h"

static const char *TAG = "example";

#define DEFAULT_PORT        8001
#define QUERY_KEY_MAX_LEN   64
#define ECHO_PIECE_LEN      100
#define ECHO_MAX_TIMEOUTS   3

/* Set by main() before httpd_stop(): httpd_stop() waits for a running handler,
 * so a handler waiting on a slow client gives up instead of retrying. */
static atomic_bool stopping;

/* ---- GET /hello ----------------------------------------------------------------- */

/* Logs one request header when it is present. */
static void log_header(httpd_req_t *req, const char *name)
{
    size_t len = httpd_req_get_hdr_value_len(req, name);
    if (len == 0) {
        return;
    }
    char *val = malloc(len + 1);
    if (val == NULL) {
        ESP_LOGE(TAG, "Out of memory reading header %s", name);
        return;
    }
    if (httpd_req_get_hdr_value_str(req, name, val, len + 1) == ESP_OK) {
        ESP_LOGI(TAG, "Found header => %s: %s", name, val);
    }
    free(val);
}

/* Logs one query parameter, as sent and URL-decoded. */
static void log_query_param(const char *query, const char *key)
{
    char raw[QUERY_KEY_MAX_LEN];
    char decoded[QUERY_KEY_MAX_LEN];

    esp_err_t err = httpd_query_key_value(query, key, raw, sizeof(raw));
    if (err == ESP_ERR_HTTPD_RESULT_TRUNC) {
        ESP_LOGW(TAG, "Query parameter %s is longer than %d bytes", key, QUERY_KEY_MAX_LEN - 1);
        return;
    }
    if (err != ESP_OK) {
        return;
    }
    ESP_LOGI(TAG, "Found URL query parameter => %s=%s", key, raw);
    if (httpd_url_decode(decoded, sizeof(decoded), raw, strlen(raw), false) == ESP_OK) {
        ESP_LOGI(TAG, "Decoded query parameter => %s", decoded);
    }
}

static esp_err_t hello_get_handler(httpd_req_t *req)
{
    log_header(req, "Host");
    log_header(req, "Test-Header-2");
    log_header(req, "Test-Header-1");

    size_t qlen = httpd_req_get_url_query_len(req);
    if (qlen > 0) {
        char *query = malloc(qlen + 1);
        if (query != NULL) {
            if (httpd_req_get_url_query_str(req, query, qlen + 1) == ESP_OK) {
                ESP_LOGI(TAG, "Found URL query => %s", query);
                log_query_param(query, "query1");
                log_query_param(query, "query3");
                log_query_param(query, "query2");
            }
            free(query);
        }
    }

    httpd_resp_set_hdr(req, "Custom-Header-1", "Custom-Value-1");
    httpd_resp_set_hdr(req, "Custom-Header-2", "Custom-Value-2");

    const char *resp_str = (const char *)req->user_ctx;
    esp_err_t err = httpd_resp_send(req, resp_str, HTTPD_RESP_USE_STRLEN);
    if (err != ESP_OK) {
        return err;
    }

    /* On ESP-IDF the request headers are gone once the response is sent. This
     * library keeps them readable until the handler returns. */
    if (httpd_req_get_hdr_value_len(req, "Host") == 0) {
        ESP_LOGI(TAG, "Request headers lost");
    } else {
        ESP_LOGI(TAG, "Request headers still readable after the response");
    }
    return ESP_OK;
}

static const httpd_uri_t hello = {
    .uri      = "/hello",
    .method   = HTTP_GET,
    .handler  = hello_get_handler,
    .user_ctx = "Hello World!",
};

/* ---- POST /echo ----------------------------------------------------------------- */

static esp_err_t echo_post_handler(httpd_req_t *req)
{
    char buf[ECHO_PIECE_LEN];
    size_t total = 0;
    int timeouts = 0;

    /* Read until the end of the body, so chunked request bodies work too. */
    for (;;) {
        int ret = httpd_req_recv(req, buf, sizeof(buf));
        if (ret == HTTPD_SOCK_ERR_TIMEOUT && ++timeouts <= ECHO_MAX_TIMEOUTS
            && !atomic_load(&stopping)) {
            continue;   /* the client is slow: wait again */
        }
        if (ret < 0) {
            ESP_LOGW(TAG, "/echo: receive failed (%d) after %zu bytes", ret, total);
            if (total == 0 && ret == HTTPD_SOCK_ERR_TIMEOUT) {
                httpd_resp_send_408(req);
            }
            return ESP_FAIL;
        }
        if (ret == 0) {
            break;
        }
        timeouts = 0;
        if (httpd_resp_send_chunk(req, buf, ret) != ESP_OK) {
            return ESP_FAIL;
        }
        total += (size_t)ret;
        ESP_LOGD(TAG, "/echo: received %d bytes: %.*s", ret, ret, buf);
    }
    ESP_LOGI(TAG, "/echo: echoed %zu bytes", total);
    return httpd_resp_send_chunk(req, NULL, 0);
}

static const httpd_uri_t echo = {
    .uri      = "/echo",
    .method   = HTTP_POST,
    .handler  = echo_post_handler,
    .user_ctx = NULL,
};

/* ---- ANY /any ------------------------------------------------------------------- */

static esp_err_t any_handler(httpd_req_t *req)
{
    ESP_LOGI(TAG, "/any: method %s", http_method_str((enum http_method)req->method));
    return httpd_resp_send(req, (const char *)req->user_ctx, HTTPD_RESP_USE_STRLEN);
}

static const httpd_uri_t any = {
    .uri      = "/any",
    .method   = HTTP_ANY,
    .handler  = any_handler,
    .user_ctx = "Hello World!",
};

/* ---- Custom 404 and PUT /ctrl --------------------------------------------------- */

/* Keeps the connection for /hello, closes it for everything else. */
static esp_err_t http_404_error_handler(httpd_req_t *req, httpd_err_code_t err)
{
    (void)err;
    if (strcmp(req->uri, "/hello") == 0) {
        httpd_resp_send_err(req, HTTPD_404_NOT_FOUND, "/hello URI is not available");
        return ESP_OK;
    }
    if (strcmp(req->uri, "/echo") == 0) {
        httpd_resp_send_err(req, HTTPD_404_NOT_FOUND, "/echo URI is not available");
        return ESP_FAIL;
    }
    httpd_resp_send_err(req, HTTPD_404_NOT_FOUND, "Some 404 error message");
    return ESP_FAIL;
}

static void log_if_failed(const char *what, esp_err_t err)
{
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "%s: %s", what, esp_err_to_name(err));
    }
}

static esp_err_t ctrl_put_handler(httpd_req_t *req)
{
    char c;
    int ret = httpd_req_recv(req, &c, 1);
    if (ret <= 0) {
        if (ret == HTTPD_SOCK_ERR_TIMEOUT) {
            httpd_resp_send_408(req);
        }
        return ESP_FAIL;
    }

    if (c == '0') {
        ESP_LOGI(TAG, "Unregistering /hello and /echo URIs");
        log_if_failed("unregister /hello", httpd_unregister_uri(req->handle, "/hello"));
        log_if_failed("unregister /echo", httpd_unregister_uri(req->handle, "/echo"));
        log_if_failed("register 404 handler",
                      httpd_register_err_handler(req->handle, HTTPD_404_NOT_FOUND,
                                                 http_404_error_handler));
    } else {
        ESP_LOGI(TAG, "Registering /hello and /echo URIs");
        log_if_failed("register /hello", httpd_register_uri_handler(req->handle, &hello));
        log_if_failed("register /echo", httpd_register_uri_handler(req->handle, &echo));
        log_if_failed("unregister 404 handler",
                      httpd_register_err_handler(req->handle, HTTPD_404_NOT_FOUND, NULL));
    }
    return httpd_resp_send(req, NULL, 0);
}

static const httpd_uri_t ctrl = {
    .uri      = "/ctrl",
    .method   = HTTP_PUT,
    .handler  = ctrl_put_handler,
    .user_ctx = NULL,
};

/* ---- Server --------------------------------------------------------------------- */

static int port_from_env(uint16_t *port, uint16_t fallback)
{
    const char *s = getenv("PORT");
    if (s == NULL || *s == '\0') {
        *port = fallback;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v == 0 || v > 65535) {
        return -1;
    }
    *port = (uint16_t)v;
    return 0;
}

static httpd_handle_t start_webserver(uint16_t port)
{
    httpd_handle_t server = NULL;
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    config.lru_purge_enable = true;
    config.server_port = port;

    ESP_LOGI(TAG, "Starting server on port: '%d'", config.server_port);
    esp_err_t err = httpd_start(&server, &config);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "Error starting server: %s", esp_err_to_name(err));
        return NULL;
    }
    ESP_LOGI(TAG, "Registering URI handlers");
    httpd_register_uri_handler(server, &hello);
    httpd_register_uri_handler(server, &echo);
    httpd_register_uri_handler(server, &ctrl);
    httpd_register_uri_handler(server, &any);
    return server;
}

int main(void)
{
    uint16_t port;
    if (port_from_env(&port, DEFAULT_PORT) != 0) {
        fprintf(stderr, "invalid PORT: %s\n", getenv("PORT"));
        return 2;
    }

    /* Block the stop signals before the server thread exists, so it inherits
     * the mask and only sigwait() below sees them. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    httpd_handle_t server = start_webserver(port);
    if (server == NULL) {
        return 1;
    }

    int sig = 0;
    ESP_LOGI(TAG, "Ready: URI handlers registered");
    sigwait(&stop_signals, &sig);
    ESP_LOGI(TAG, "Signal %d: stopping the server", sig);
    atomic_store(&stopping, true);

    esp_err_t err = httpd_stop(server);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_stop: %s", esp_err_to_name(err));
        return 1;
    }
    ESP_LOGI(TAG, "Server stopped");
    return 0;
}
