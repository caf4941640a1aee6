/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The API tour, shown by the page /showcase/ (www/showcase/index.html):
 *
 *   GET  /hello     plain-text greeting
 *   POST /echo      answers the request body as it came
 *   GET  /headers   the request headers it was sent (common names)
 *   GET  /query     greets ?name=... (URL-decoded)
 *   GET  /counter   counts requests on this connection (session context)
 *   GET  /stream    a chunked response of 5 lines
 *   GET  /cookie    sets a cookie and shows the one the client sent back
 *   WS   /ws        WebSocket echo: every TEXT / BINARY frame comes back as it came
 *   WS   /ws/broadcast  after the client's first message (e.g. "subscribe"), a TEXT
 *                   {"tick":N,"clients":M} every second
 *
 * These handlers use the server's own API only, to show it; the broadcast uses
 * the httpd_ws_broadcast add-on. A WebSocket handler runs for each frame, not at
 * the handshake, so a client subscribes with its first message; the group forgets
 * a session when it closes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "esp_log.h"
#include "httpd_ws_broadcast.h"
#include "ticker.h"

static const char *TAG = "showcase";

#define ECHO_MAX_LEN    (64 * 1024)
#define NAME_MAX_LEN    128
#define STREAM_LINES    5
#define TEXT_PLAIN      "text/plain; charset=utf-8"
#define WS_MAX_LEN      (64 * 1024)         /* larger WebSocket frames close the connection */
#define TICK_MS         1000

/* ---- GET /hello ----------------------------------------------------------------- */

static esp_err_t hello_handler(httpd_req_t *req)
{
    httpd_resp_set_type(req, TEXT_PLAIN);
    return httpd_resp_sendstr(req, "Hello World!\n");
}

/* ---- POST /echo ----------------------------------------------------------------- */

static esp_err_t echo_handler(httpd_req_t *req)
{
    if (req->content_len > ECHO_MAX_LEN) {
        httpd_resp_send_err(req, HTTPD_413_CONTENT_TOO_LARGE, "Body larger than 64 KiB");
        return ESP_FAIL;    /* the body is not read: close the connection */
    }

    /* Content-Length bodies are read to their length, chunked ones to their end. */
    char *body = malloc(ECHO_MAX_LEN);
    if (body == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    size_t len = 0;
    for (;;) {
        if (len == ECHO_MAX_LEN) {
            char extra;
            if (httpd_req_recv(req, &extra, 1) != 0) {
                free(body);
                httpd_resp_send_err(req, HTTPD_413_CONTENT_TOO_LARGE, "Body larger than 64 KiB");
                return ESP_FAIL;
            }
            break;
        }
        int ret = httpd_req_recv(req, body + len, ECHO_MAX_LEN - len);
        if (ret == 0) {
            break;
        }
        if (ret < 0) {
            free(body);
            if (ret == HTTPD_SOCK_ERR_TIMEOUT) {
                httpd_resp_send_408(req);
            }
            return ESP_FAIL;
        }
        len += (size_t)ret;
    }

    char ctype[128];
    if (httpd_req_get_hdr_value_str(req, "Content-Type", ctype, sizeof(ctype)) == ESP_OK
        && strpbrk(ctype, "\r\n") == NULL) {
        httpd_resp_set_type(req, ctype);
    } else {
        httpd_resp_set_type(req, HTTPD_TYPE_OCTET);
    }
    esp_err_t err = httpd_resp_send(req, body, (ssize_t)len);
    free(body);
    ESP_LOGI(TAG, "/echo: %zu bytes", len);
    return err;
}

/* ---- GET /headers --------------------------------------------------------------- */

/* A growing text buffer; on allocation failure it stays NULL and is reported once. */
typedef struct {
    char  *data;
    size_t len;
    size_t cap;
    bool   failed;
} text_t;

static void text_appendf(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_appendf(text_t *t, const char *fmt, ...)
{
    if (t->failed) {
        return;
    }
    for (;;) {
        size_t room = t->cap - t->len;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->data ? t->data + t->len : NULL, t->data ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if (t->data != NULL && (size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + (size_t)n + 1) {
            cap *= 2;
        }
        char *p = realloc(t->data, cap);
        if (p == NULL) {
            t->failed = true;
            return;
        }
        t->data = p;
        t->cap = cap;
    }
}

static const char *const common_headers[] = {
    "Host", "User-Agent", "Accept", "Accept-Language", "Accept-Encoding",
    "Connection", "Cache-Control", "Content-Type", "Content-Length", "Cookie",
    "Referer", "Origin", "Authorization", "Upgrade-Insecure-Requests", "X-Requested-With",
    "X-Demo",
};

static esp_err_t headers_handler(httpd_req_t *req)
{
    text_t t = { 0 };
    char val[512];
    unsigned found = 0;

    text_appendf(&t, "%s %s\n\n", http_method_str((enum http_method)req->method), req->uri);
    for (size_t i = 0; i < sizeof(common_headers) / sizeof(common_headers[0]); i++) {
        esp_err_t err = httpd_req_get_hdr_value_str(req, common_headers[i], val, sizeof(val));
        if (err == ESP_OK) {
            text_appendf(&t, "%s: %s\n", common_headers[i], val);
            found++;
        } else if (err == ESP_ERR_HTTPD_RESULT_TRUNC) {
            text_appendf(&t, "%s: %s... (%zu bytes)\n", common_headers[i], val,
                         httpd_req_get_hdr_value_len(req, common_headers[i]));
            found++;
        }
    }
    text_appendf(&t, "\n%u of %zu common headers present.\n", found,
                 sizeof(common_headers) / sizeof(common_headers[0]));
    if (t.failed) {
        free(t.data);
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    httpd_resp_set_type(req, TEXT_PLAIN);
    esp_err_t err = httpd_resp_send(req, t.data, (ssize_t)t.len);
    free(t.data);
    return err;
}

/* ---- GET /query?name=... -------------------------------------------------------- */

static esp_err_t query_handler(httpd_req_t *req)
{
    char raw[NAME_MAX_LEN * 3 + 1];
    char name[NAME_MAX_LEN + 1];
    const char *query = NULL;
    size_t qlen = 0;
    char out[NAME_MAX_LEN + 64];

    httpd_resp_set_type(req, TEXT_PLAIN);
    if (httpd_req_get_url_query_str_ptr(req, &query, &qlen) != ESP_OK || qlen == 0) {
        return httpd_resp_sendstr(req, "Hello, stranger! Try /query?name=Ada\n");
    }

    /* httpd_query_key_value() wants a NUL-terminated query string. */
    char *qcopy = strndup(query, qlen);
    if (qcopy == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    esp_err_t err = httpd_query_key_value(qcopy, "name", raw, sizeof(raw));
    free(qcopy);
    if (err == ESP_ERR_HTTPD_RESULT_TRUNC) {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "name is too long");
    }
    if (err != ESP_OK || raw[0] == '\0') {
        return httpd_resp_sendstr(req, "Hello, stranger! Try /query?name=Ada\n");
    }
    err = httpd_url_decode(name, sizeof(name), raw, strlen(raw), true);
    if (err == ESP_ERR_HTTPD_RESULT_TRUNC) {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "name is too long");
    }
    if (err != ESP_OK) {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "bad name");
    }
    snprintf(out, sizeof(out), "Hello, %s!\n", name);
    return httpd_resp_sendstr(req, out);
}

/* ---- GET /counter --------------------------------------------------------------- */

typedef struct {
    unsigned long requests;
} counter_ctx_t;

static void counter_free(void *ctx)
{
    ESP_LOGD(TAG, "/counter: freeing a session counter");
    free(ctx);
}

static esp_err_t counter_handler(httpd_req_t *req)
{
    /* Other handlers of this demo leave the session context alone, so
     * whatever is there is ours. */
    counter_ctx_t *ctx = req->sess_ctx;
    if (ctx == NULL) {
        ctx = calloc(1, sizeof(*ctx));
        if (ctx == NULL) {
            httpd_resp_send_500(req);
            return ESP_FAIL;
        }
        req->sess_ctx = ctx;
        req->free_ctx = counter_free;
    }
    ctx->requests++;

    char out[160];
    snprintf(out, sizeof(out),
             "Requests to /counter on this connection: %lu\n"
             "(a new connection starts again at 1)\n", ctx->requests);
    httpd_resp_set_type(req, TEXT_PLAIN);
    httpd_resp_set_hdr(req, "Cache-Control", "no-store");
    return httpd_resp_sendstr(req, out);
}

/* ---- GET /stream ---------------------------------------------------------------- */

static esp_err_t stream_handler(httpd_req_t *req)
{
    char line[64];
    httpd_resp_set_type(req, TEXT_PLAIN);
    for (int i = 1; i <= STREAM_LINES; i++) {
        snprintf(line, sizeof(line), "line %d of %d\n", i, STREAM_LINES);
        if (httpd_resp_sendstr_chunk(req, line) != ESP_OK) {
            return ESP_FAIL;
        }
    }
    return httpd_resp_sendstr_chunk(req, NULL);
}

/* ---- GET /cookie ---------------------------------------------------------------- */

static esp_err_t cookie_handler(httpd_req_t *req)
{
    char val[32];
    size_t val_size = sizeof(val);
    long visits = 0;
    char out[256];

    esp_err_t err = httpd_req_get_cookie_val(req, "demo_visits", val, &val_size);
    if (err == ESP_OK) {
        char *end;
        long v = strtol(val, &end, 10);
        if (*end == '\0' && v >= 0 && v < 1000000000L) {
            visits = v;
        }
        snprintf(out, sizeof(out), "Your client sent the cookie demo_visits=%s\n", val);
    } else if (err == ESP_ERR_HTTPD_RESULT_TRUNC) {
        snprintf(out, sizeof(out), "Your client sent a demo_visits cookie of %zu bytes: "
                 "too long, starting again\n", val_size);
    } else {
        snprintf(out, sizeof(out), "Your client sent no demo_visits cookie "
                 "(reload this page to see it come back)\n");
    }

    /* httpd_resp_set_hdr() does not copy: the buffer lives until the send below. */
    char set_cookie[96];
    snprintf(set_cookie, sizeof(set_cookie), "demo_visits=%ld; Path=/; SameSite=Lax", visits + 1);
    httpd_resp_set_hdr(req, "Set-Cookie", set_cookie);
    httpd_resp_set_hdr(req, "Cache-Control", "no-store");
    httpd_resp_set_type(req, TEXT_PLAIN);

    size_t n = strlen(out);
    snprintf(out + n, sizeof(out) - n, "Setting demo_visits=%ld\n", visits + 1);
    return httpd_resp_sendstr(req, out);
}

/* ---- WS /ws and /ws/broadcast ---------------------------------------------------- */
#if CONFIG_HTTPD_WS_SUPPORT

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
    httpd_resp_set_type(req, TEXT_PLAIN);
    return httpd_resp_sendstr(req, "This is a WebSocket endpoint: connect with a WebSocket client.\n");
}

static esp_err_t ws_echo_handler(httpd_req_t *req)
{
    if (req->method == HTTP_GET) {
        return is_handshake_call(req) ? ESP_OK : send_upgrade_required(req);
    }
    httpd_ws_frame_t pkt = { .type = HTTPD_WS_TYPE_TEXT };
    esp_err_t err = httpd_ws_recv_frame(req, &pkt, 0);     /* max_len 0: the length */
    if (err != ESP_OK) {
        return err;
    }
    if (pkt.len > WS_MAX_LEN) {
        ESP_LOGW(TAG, "/ws: frame of %zu bytes is over %d: closing", pkt.len, WS_MAX_LEN);
        return ESP_FAIL;
    }
    uint8_t *buf = NULL;
    if (pkt.len > 0) {
        buf = malloc(pkt.len);
        if (buf == NULL) {
            return ESP_ERR_NO_MEM;
        }
        pkt.payload = buf;
        err = httpd_ws_recv_frame(req, &pkt, pkt.len);
        if (err != ESP_OK) {
            free(buf);
            return err;
        }
    }
    /* Back as it came: same type (PONG included), and a fragmented message
     * goes back in the same fragments. */
    pkt.fragmented = true;
    err = httpd_ws_send_frame(req, &pkt);
    ESP_LOGI(TAG, "/ws: echoed a frame of type %d, %zu bytes", pkt.type, pkt.len);
    free(buf);
    return err;
}

/* The subscribers of /ws/broadcast, one group per server (written at start and stop). */
typedef struct {
    httpd_handle_t    server;
    httpd_ws_group_t *group;
} feed_t;

static feed_t s_feeds[DEMO_MAX_SERVERS];
static size_t s_n_feeds;
static ticker_t s_ticker;
static bool s_ticking;

static httpd_ws_group_t *feed_of(httpd_handle_t server)
{
    for (size_t i = 0; i < s_n_feeds; i++) {
        if (s_feeds[i].server == server) {
            return s_feeds[i].group;
        }
    }
    return NULL;
}

static esp_err_t ws_broadcast_handler(httpd_req_t *req)
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
        /* Any data message subscribes; the server discards the unread payload. */
        if (pkt.type != HTTPD_WS_TYPE_TEXT && pkt.type != HTTPD_WS_TYPE_BINARY) {
            return ESP_OK;
        }
    }
    /* Joining takes the session context slot, so a set slot means "joined". */
    bool first = req->sess_ctx == NULL;
    int fd = httpd_req_to_sockfd(req);
    esp_err_t err = httpd_ws_group_join(feed_of(req->handle), req);
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "/ws/broadcast: fd %d: %s", fd, esp_err_to_name(err));
        return ESP_FAIL;
    }
    if (first) {
        ESP_LOGI(TAG, "/ws/broadcast: fd %d subscribed", fd);
    }
    return ESP_OK;
}

/* The ticker's callback: one message to every subscriber of each server. */
static uint32_t broadcast_tick(void *arg)
{
    static unsigned long tick;
    (void)arg;
    tick++;
    for (size_t i = 0; i < s_n_feeds; i++) {
        size_t clients = httpd_ws_group_count(s_feeds[i].group);
        if (clients == 0) {
            continue;
        }
        char msg[64];
        int len = snprintf(msg, sizeof msg, "{\"tick\":%lu,\"clients\":%zu}", tick, clients);
        if (httpd_ws_broadcast(s_feeds[i].server, s_feeds[i].group, HTTPD_WS_TYPE_TEXT, msg, (size_t)len) != ESP_OK) {
            ESP_LOGW(TAG, "/ws/broadcast: tick %lu skipped (work queue full)", tick);
        }
    }
    return TICK_MS;
}

static esp_err_t feed_create(httpd_handle_t server)
{
    if (s_n_feeds == DEMO_MAX_SERVERS) {
        return ESP_ERR_NO_MEM;
    }
    esp_err_t err = httpd_ws_group_create(server, 0, &s_feeds[s_n_feeds].group);
    if (err == ESP_OK) {
        s_feeds[s_n_feeds++].server = server;
    }
    return err;
}

esp_err_t showcase_start(void)
{
    if (ticker_start(&s_ticker, broadcast_tick, NULL, TICK_MS) != 0) {
        ESP_LOGE(TAG, "cannot start the /ws/broadcast ticker");
        return ESP_FAIL;
    }
    s_ticking = true;
    return ESP_OK;
}

void showcase_stop(void)
{
    if (s_ticking) {
        ticker_stop(&s_ticker);
        s_ticking = false;
    }
}

void showcase_unregister(void)
{
    for (size_t i = 0; i < s_n_feeds; i++) {
        httpd_ws_group_delete(s_feeds[i].group);
    }
    s_n_feeds = 0;
}

#else /* !CONFIG_HTTPD_WS_SUPPORT */

static esp_err_t feed_create(httpd_handle_t server)
{
    (void)server;
    return ESP_OK;
}

esp_err_t showcase_start(void)
{
    return ESP_OK;
}

void showcase_stop(void)
{
}

void showcase_unregister(void)
{
}

#endif /* CONFIG_HTTPD_WS_SUPPORT */

/* ---- registration ---------------------------------------------------------------- */

#if CONFIG_HTTPD_WS_PRE_HANDSHAKE_CB_SUPPORT
#define WS_AUTH .ws_pre_handshake_cb = demo_ws_auth
#else
#define WS_AUTH .supported_subprotocol = NULL   /* no handshake callback: main.c warns */
#endif

static httpd_uri_t s_routes[] = {
    { .uri = "/hello",   .method = HTTP_GET,  .handler = hello_handler },
    { .uri = "/echo",    .method = HTTP_POST, .handler = echo_handler },
    { .uri = "/headers", .method = HTTP_GET,  .handler = headers_handler },
    { .uri = "/query",   .method = HTTP_GET,  .handler = query_handler },
    { .uri = "/counter", .method = HTTP_GET,  .handler = counter_handler },
    { .uri = "/stream",  .method = HTTP_GET,  .handler = stream_handler },
    { .uri = "/cookie",  .method = HTTP_GET,  .handler = cookie_handler },
#if CONFIG_HTTPD_WS_SUPPORT
    /* WebSocket routes cannot be wrapped by httpd_auth_protect(): the handshake
     * callback checks the password instead (main.c leaves them unwrapped). */
    { .uri = "/ws",      .method = HTTP_GET,  .handler = ws_echo_handler, .is_websocket = true,
      WS_AUTH },
    { .uri = "/ws/broadcast", .method = HTTP_GET, .handler = ws_broadcast_handler, .is_websocket = true,
      WS_AUTH },
#endif
};

demo_routes_t showcase_routes(void)
{
    return (demo_routes_t){ s_routes, sizeof s_routes / sizeof s_routes[0] };
}

esp_err_t showcase_register(httpd_handle_t server)
{
    esp_err_t err = feed_create(server);
    return err == ESP_OK ? demo_register_routes(server, s_routes, sizeof s_routes / sizeof s_routes[0]) : err;
}
