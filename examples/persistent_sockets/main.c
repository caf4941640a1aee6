/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Persistent sockets example: the Linux counterpart of ESP-IDF's
 * examples/protocols/http_server/persistent_sockets.
 *
 * Every connection keeps an integer in its session context (req->sess_ctx):
 *   POST /adder   adds the integer in the body to it and answers the sum
 *   PUT  /adder   sets it to the integer in the body
 *   GET  /adder   answers it
 *   GET  /login   creates a context holding 1 (freed with free()) and answers it
 *   GET  /logout  drops the context (req->sess_ctx = NULL: the server frees it)
 * The /adder context is freed by adder_free_func() when the connection closes.
 *
 * Port: $PORT, default 8002. SIGINT / SIGTERM stop the server; exit status 0.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_server.h"
#include "esp_log.h"

static const char *TAG = "example";

#define DEFAULT_PORT   8002
#define BODY_MAX_LEN   10

/* Requests served by the /adder handlers, all connections together (the
 * handlers run one at a time on the server thread). */
static unsigned visitors;

static void adder_free_func(void *ctx)
{
    ESP_LOGI(TAG, "/adder Free Context function called");
    free(ctx);
}

/* Reads a short body into buf (NUL-terminated). 0 on success. */
static int read_small_body(httpd_req_t *req, char *buf, size_t buf_size)
{
    size_t want = req->content_len < buf_size - 1 ? req->content_len : buf_size - 1;
    size_t got = 0;
    while (got < want) {
        int ret = httpd_req_recv(req, buf + got, want - got);
        if (ret <= 0) {
            if (ret == HTTPD_SOCK_ERR_TIMEOUT) {
                httpd_resp_send_408(req);
            }
            return -1;
        }
        got += (size_t)ret;
    }
    buf[got] = '\0';
    return 0;
}

/* Gives the request an /adder context holding 0 when it has none. */
static int *adder_ctx(httpd_req_t *req, const char *who)
{
    if (req->sess_ctx == NULL) {
        ESP_LOGI(TAG, "%s allocating new session", who);
        int *sum = malloc(sizeof(*sum));
        if (sum == NULL) {
            return NULL;
        }
        *sum = 0;
        req->sess_ctx = sum;
        req->free_ctx = adder_free_func;
    }
    return (int *)req->sess_ctx;
}

static esp_err_t send_int(httpd_req_t *req, int value)
{
    char out[16];
    snprintf(out, sizeof(out), "%d", value);
    return httpd_resp_sendstr(req, out);
}

static esp_err_t adder_post_handler(httpd_req_t *req)
{
    char buf[BODY_MAX_LEN + 1];

    ESP_LOGI(TAG, "/adder visitor count = %u", ++visitors);
    if (read_small_body(req, buf, sizeof(buf)) != 0) {
        return ESP_FAIL;
    }
    int val = atoi(buf);
    ESP_LOGI(TAG, "/adder handler read %d", val);

    int *sum = adder_ctx(req, "/adder");
    if (sum == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    *sum += val;
    ESP_LOGI(TAG, "/adder handler send %d", *sum);
    return send_int(req, *sum);
}

static esp_err_t adder_get_handler(httpd_req_t *req)
{
    ESP_LOGI(TAG, "/adder visitor count = %u", ++visitors);
    int *sum = adder_ctx(req, "/adder GET");
    if (sum == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    ESP_LOGI(TAG, "/adder GET handler send %d", *sum);
    return send_int(req, *sum);
}

static esp_err_t adder_put_handler(httpd_req_t *req)
{
    char buf[BODY_MAX_LEN + 1];

    ESP_LOGI(TAG, "/adder visitor count = %u", ++visitors);
    if (read_small_body(req, buf, sizeof(buf)) != 0) {
        return ESP_FAIL;
    }
    int val = atoi(buf);
    ESP_LOGI(TAG, "/adder PUT handler read %d", val);

    int *sum = adder_ctx(req, "/adder PUT");
    if (sum == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    *sum = val;
    return send_int(req, *sum);
}

static esp_err_t login_handler(httpd_req_t *req)
{
    if (req->sess_ctx == NULL) {
        ESP_LOGI(TAG, "/login allocating new session");
        int *ctx = malloc(sizeof(*ctx));
        if (ctx == NULL) {
            httpd_resp_send_500(req);
            return ESP_FAIL;
        }
        *ctx = 1;
        req->sess_ctx = ctx;
        req->free_ctx = NULL;           /* the server frees it with free() */
    }
    ESP_LOGI(TAG, "/login session value %d", *(int *)req->sess_ctx);
    return send_int(req, *(int *)req->sess_ctx);
}

static esp_err_t logout_handler(httpd_req_t *req)
{
    if (req->sess_ctx != NULL) {
        ESP_LOGI(TAG, "/logout dropping the session context");
        /* The server frees the old context when the handler returns. */
        req->sess_ctx = NULL;
    } else {
        ESP_LOGI(TAG, "/logout: no session");
    }
    return send_int(req, 1);
}

static const httpd_uri_t handlers[] = {
    { .uri = "/adder",  .method = HTTP_POST, .handler = adder_post_handler },
    { .uri = "/adder",  .method = HTTP_GET,  .handler = adder_get_handler },
    { .uri = "/adder",  .method = HTTP_PUT,  .handler = adder_put_handler },
    { .uri = "/login",  .method = HTTP_GET,  .handler = login_handler },
    { .uri = "/logout", .method = HTTP_GET,  .handler = logout_handler },
};

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
    config.server_port = port;

    ESP_LOGI(TAG, "Starting server on port: '%d'", config.server_port);
    esp_err_t err = httpd_start(&server, &config);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "Error starting server: %s", esp_err_to_name(err));
        return NULL;
    }
    ESP_LOGI(TAG, "Registering URI handlers");
    for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
        err = httpd_register_uri_handler(server, &handlers[i]);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "Registering %s: %s", handlers[i].uri, esp_err_to_name(err));
        }
    }
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

    esp_err_t err = httpd_stop(server);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_stop: %s", esp_err_to_name(err));
        return 1;
    }
    ESP_LOGI(TAG, "Server stopped");
    return 0;
}
