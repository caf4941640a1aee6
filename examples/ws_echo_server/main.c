/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WebSocket echo server: the Linux counterpart of ESP-IDF's
 * examples/protocols/http_server/ws_echo_server, plus a broadcast feed.
 *
 *   WS /ws          echoes every frame back with its type (TEXT, BINARY, and the
 *                   PONG a client sends); a TEXT message starting "Trigger async"
 *                   is answered instead by a work-queue function that sends the
 *                   TEXT "Async data" with httpd_ws_send_frame_async()
 *   WS /broadcast   a client that sends any TEXT or BINARY message there (e.g.
 *                   "subscribe") is sent {"tick":N,"clients":M} every second
 *
 * The handler of a WebSocket URI runs for each frame the client sends (method 0),
 * not for the handshake (older ESP-IDF versions called it once after the
 * handshake with HTTP_GET; current upstream and this library do not), so a
 * client subscribes with its first message; the subscription ends when its
 * connection closes (close_fn). A plain HTTP GET (no Upgrade header) reaches the
 * handlers with HTTP_GET and gets 426. A timer thread queues the
 * broadcast with httpd_queue_work() once per second; the work function, on the
 * server thread, walks httpd_get_client_list() and sends to every subscriber
 * that httpd_ws_get_fd_info() still reports as a WebSocket.
 *
 * Port: $PORT, default 8004. SIGINT / SIGTERM stop the timer thread, then the
 * server; exit status 0.
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
#include <time.h>
#include <unistd.h>

#include "esp_http_server.h"
#include "esp_log.h"

#if !CONFIG_HTTPD_WS_SUPPORT

int main(void)
{
    fprintf(stderr, "ws_echo_server: this library was built without WebSocket support "
            "(CONFIG_HTTPD_WS_SUPPORT=OFF)\n");
    return 1;
}

#else /* CONFIG_HTTPD_WS_SUPPORT */

static const char *TAG = "ws_echo_server";

#define DEFAULT_PORT        8004
#define MAX_CLIENTS         7               /* config.max_open_sockets */
#define ECHO_MAX_LEN        (1024 * 1024)   /* larger frames close the connection */
#define ASYNC_TRIGGER       "Trigger async"
#define ASYNC_REPLY         "Async data"
#define TICK_INTERVAL_S     1

/* ---- Broadcast subscribers --------------------------------------------------------
 * Touched by the handler, the work function and close_fn: the first two run on
 * the server thread, close_fn also runs in httpd_stop(), hence the lock. */

static pthread_mutex_t subs_lock = PTHREAD_MUTEX_INITIALIZER;
static int subs[MAX_CLIENTS];
static size_t n_subs;

static bool subs_has_locked(int fd)
{
    for (size_t i = 0; i < n_subs; i++) {
        if (subs[i] == fd) {
            return true;
        }
    }
    return false;
}

static bool subs_has(int fd)
{
    pthread_mutex_lock(&subs_lock);
    bool found = subs_has_locked(fd);
    pthread_mutex_unlock(&subs_lock);
    return found;
}

/* Returns 1 when added, 0 when already there, -1 when the set is full. */
static int subs_add(int fd)
{
    int ret = 0;
    pthread_mutex_lock(&subs_lock);
    if (!subs_has_locked(fd)) {
        if (n_subs < MAX_CLIENTS) {
            subs[n_subs++] = fd;
            ret = 1;
        } else {
            ret = -1;
        }
    }
    pthread_mutex_unlock(&subs_lock);
    return ret;
}

static void subs_remove(int fd)
{
    pthread_mutex_lock(&subs_lock);
    for (size_t i = 0; i < n_subs; i++) {
        if (subs[i] == fd) {
            subs[i] = subs[--n_subs];
            ESP_LOGI(TAG, "fd %d left the broadcast", fd);
            break;
        }
    }
    pthread_mutex_unlock(&subs_lock);
}

/* config.close_fn: a closed fd number may be reused by the next connection. */
static void on_close(httpd_handle_t hd, int fd)
{
    (void)hd;
    subs_remove(fd);
    close(fd);
}

/* ---- WS /ws --------------------------------------------------------------------- */

/* A WebSocket URI's handler sees req->method 0 for frames. HTTP_GET means either
 * the call after the handshake that older ESP-IDF versions made (this library
 * makes none) or a plain HTTP request without the Upgrade header: 426. */
static bool is_handshake_call(httpd_req_t *req)
{
    return httpd_ws_get_fd_info(req->handle, httpd_req_to_sockfd(req)) == HTTPD_WS_CLIENT_WEBSOCKET;
}

static esp_err_t send_upgrade_required(httpd_req_t *req)
{
    httpd_resp_set_status(req, "426 Upgrade Required");
    httpd_resp_set_hdr(req, "Upgrade", "websocket");
    httpd_resp_set_type(req, "text/plain; charset=utf-8");
    return httpd_resp_sendstr(req, "This is a WebSocket endpoint: connect with a WebSocket client.\n");
}


struct async_resp_arg {
    httpd_handle_t hd;
    int fd;
};

/* Work-queue function: runs on the server thread after the handler returned. */
static void ws_async_send(void *arg)
{
    struct async_resp_arg *resp = arg;
    static const char data[] = ASYNC_REPLY;
    httpd_ws_frame_t pkt = {
        .type = HTTPD_WS_TYPE_TEXT,
        .payload = (uint8_t *)data,
        .len = sizeof(data) - 1,
    };
    esp_err_t err = httpd_ws_send_frame_async(resp->hd, resp->fd, &pkt);
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "fd %d: async send failed: %s", resp->fd, esp_err_to_name(err));
    }
    free(resp);
}

static esp_err_t trigger_async_send(httpd_req_t *req)
{
    struct async_resp_arg *resp = malloc(sizeof(*resp));
    if (resp == NULL) {
        return ESP_ERR_NO_MEM;
    }
    resp->hd = req->handle;
    resp->fd = httpd_req_to_sockfd(req);
    esp_err_t err = httpd_queue_work(req->handle, ws_async_send, resp);
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "httpd_queue_work: %s", esp_err_to_name(err));
        free(resp);
    }
    return err;
}

static esp_err_t echo_handler(httpd_req_t *req)
{
    if (req->method == HTTP_GET) {
        if (is_handshake_call(req)) {
            ESP_LOGI(TAG, "Handshake done, the new connection was opened");
            return ESP_OK;
        }
        return send_upgrade_required(req);
    }
    httpd_ws_frame_t pkt = { .type = HTTPD_WS_TYPE_TEXT };

    /* max_len 0: only the frame's type and length. */
    esp_err_t err = httpd_ws_recv_frame(req, &pkt, 0);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_ws_recv_frame (length): %s", esp_err_to_name(err));
        return err;
    }
    if (pkt.len > ECHO_MAX_LEN) {
        ESP_LOGW(TAG, "Frame of %zu bytes is over %d: closing", pkt.len, ECHO_MAX_LEN);
        return ESP_FAIL;
    }
    uint8_t *buf = NULL;
    if (pkt.len > 0) {
        buf = calloc(1, pkt.len + 1);   /* + 1: NUL-terminated for the log */
        if (buf == NULL) {
            ESP_LOGE(TAG, "Out of memory for a %zu-byte frame", pkt.len);
            return ESP_ERR_NO_MEM;
        }
        pkt.payload = buf;
        err = httpd_ws_recv_frame(req, &pkt, pkt.len);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "httpd_ws_recv_frame: %s", esp_err_to_name(err));
            free(buf);
            return err;
        }
    }
    if (pkt.type == HTTPD_WS_TYPE_TEXT) {
        ESP_LOGI(TAG, "Got packet with message: %s", buf ? (const char *)buf : "");
    }
    ESP_LOGI(TAG, "Packet type: %d, length %zu", pkt.type, pkt.len);

    if (pkt.type == HTTPD_WS_TYPE_TEXT && pkt.len >= strlen(ASYNC_TRIGGER)
        && memcmp(buf, ASYNC_TRIGGER, strlen(ASYNC_TRIGGER)) == 0) {
        free(buf);
        return trigger_async_send(req);
    }

    /* The same frame back; a fragmented message goes back fragmented alike. */
    pkt.fragmented = true;
    err = httpd_ws_send_frame(req, &pkt);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_ws_send_frame: %s", esp_err_to_name(err));
    }
    free(buf);
    return err;
}

/* ---- WS /broadcast -------------------------------------------------------------- */

static esp_err_t broadcast_handler(httpd_req_t *req)
{
    if (req->method == HTTP_GET && !is_handshake_call(req)) {
        return send_upgrade_required(req);
    }
    if (req->method != HTTP_GET) {
        httpd_ws_frame_t pkt = { 0 };
        esp_err_t err = httpd_ws_recv_frame(req, &pkt, 0);
        if (err != ESP_OK) {
            return err;
        }
        /* The payload is not needed: the server discards what a handler leaves unread. */
        if (pkt.type != HTTPD_WS_TYPE_TEXT && pkt.type != HTTPD_WS_TYPE_BINARY) {
            return ESP_OK;
        }
    }
    /* A data frame, or a handshake call (older ESP-IDF): subscribe. */
    int fd = httpd_req_to_sockfd(req);
    int added = subs_add(fd);
    if (added > 0) {
        ESP_LOGI(TAG, "fd %d subscribed to the broadcast", fd);
    } else if (added < 0) {
        ESP_LOGW(TAG, "fd %d: subscriber table full", fd);
        return ESP_FAIL;
    }
    return ESP_OK;
}

/* Work-queue function, once per second: runs on the server thread. */
static void broadcast_work(void *arg)
{
    httpd_handle_t hd = arg;
    static unsigned long tick;
    int fds[MAX_CLIENTS];
    size_t n = MAX_CLIENTS;

    tick++;
    if (httpd_get_client_list(hd, &n, fds) != ESP_OK) {
        return;
    }
    int targets[MAX_CLIENTS];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (httpd_ws_get_fd_info(hd, fds[i]) == HTTPD_WS_CLIENT_WEBSOCKET && subs_has(fds[i])) {
            targets[m++] = fds[i];
        }
    }
    if (m == 0) {
        return;
    }
    char msg[64];
    int len = snprintf(msg, sizeof(msg), "{\"tick\":%lu,\"clients\":%zu}", tick, m);
    httpd_ws_frame_t pkt = {
        .type = HTTPD_WS_TYPE_TEXT,
        .payload = (uint8_t *)msg,
        .len = (size_t)len,
    };
    for (size_t i = 0; i < m; i++) {
        esp_err_t err = httpd_ws_send_frame_async(hd, targets[i], &pkt);
        if (err == ESP_OK) {
            httpd_sess_update_lru_counter(hd, targets[i]);   /* a live feed is in use */
        } else {
            ESP_LOGW(TAG, "fd %d: broadcast failed (%s): closing", targets[i], esp_err_to_name(err));
            httpd_sess_trigger_close(hd, targets[i]);
        }
    }
    ESP_LOGD(TAG, "tick %lu sent to %zu clients", tick, m);
}

/* ---- Timer thread ----------------------------------------------------------------- */

static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timer_cond;
static bool timer_stop;

static void *timer_main(void *arg)
{
    httpd_handle_t server = arg;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);

    pthread_mutex_lock(&timer_lock);
    while (!timer_stop) {
        next.tv_sec += TICK_INTERVAL_S;
        int rc = 0;
        while (!timer_stop && rc != ETIMEDOUT) {
            rc = pthread_cond_timedwait(&timer_cond, &timer_lock, &next);
        }
        if (timer_stop) {
            break;
        }
        pthread_mutex_unlock(&timer_lock);
        esp_err_t err = httpd_queue_work(server, broadcast_work, server);
        if (err != ESP_OK) {
            ESP_LOGW(TAG, "httpd_queue_work (broadcast): %s", esp_err_to_name(err));
        }
        pthread_mutex_lock(&timer_lock);
    }
    pthread_mutex_unlock(&timer_lock);
    return NULL;
}

static int timer_start(pthread_t *thread, httpd_handle_t server)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&timer_cond, &attr);
    pthread_condattr_destroy(&attr);
    return pthread_create(thread, NULL, timer_main, server);
}

static void timer_join(pthread_t thread)
{
    pthread_mutex_lock(&timer_lock);
    timer_stop = true;
    pthread_cond_signal(&timer_cond);
    pthread_mutex_unlock(&timer_lock);
    pthread_join(thread, NULL);
    pthread_cond_destroy(&timer_cond);
}

/* ---- Server --------------------------------------------------------------------- */

static const httpd_uri_t handlers[] = {
    { .uri = "/ws",        .method = HTTP_GET, .handler = echo_handler,      .is_websocket = true },
    { .uri = "/broadcast", .method = HTTP_GET, .handler = broadcast_handler, .is_websocket = true },
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

int main(void)
{
    uint16_t port;
    if (port_from_env(&port, DEFAULT_PORT) != 0) {
        fprintf(stderr, "invalid PORT: %s\n", getenv("PORT"));
        return 2;
    }

    /* Block the stop signals before any thread exists, so every thread inherits
     * the mask and only sigwait() below sees them. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    config.server_port = port;
    config.max_open_sockets = MAX_CLIENTS;
    config.close_fn = on_close;

    httpd_handle_t server = NULL;
    ESP_LOGI(TAG, "Starting server on port: '%u'", port);
    esp_err_t err = httpd_start(&server, &config);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_start on port %u: %s", port, esp_err_to_name(err));
        return 1;
    }
    for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
        ESP_LOGI(TAG, "Registering URI handler %s", handlers[i].uri);
        err = httpd_register_uri_handler(server, &handlers[i]);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "Registering %s: %s", handlers[i].uri, esp_err_to_name(err));
            httpd_stop(server);
            return 1;
        }
    }
    pthread_t timer;
    if (timer_start(&timer, server) != 0) {
        ESP_LOGE(TAG, "Cannot start the broadcast timer thread");
        httpd_stop(server);
        return 1;
    }

    printf("WebSocket echo server on ws://127.0.0.1:%u/ws, broadcast on ws://127.0.0.1:%u/broadcast\n",
           port, port);
    fflush(stdout);

    int sig = 0;
    ESP_LOGI(TAG, "Ready: URI handlers registered");
    sigwait(&stop_signals, &sig);
    ESP_LOGI(TAG, "Signal %d: stopping the timer, then the server", sig);
    timer_join(timer);      /* no broadcast is queued after this */
    err = httpd_stop(server);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_stop: %s", esp_err_to_name(err));
        return 1;
    }
    return 0;
}

#endif /* CONFIG_HTTPD_WS_SUPPORT */
