/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Demo server: a small tour of the esp_http_server API on Linux.
 *
 *   GET  /          an HTML page that links and explains every endpoint
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
 * The page at / has a live WebSocket panel using both. The broadcast is queued
 * once per second by a timer thread with httpd_queue_work(); the work function
 * sends to every subscriber that httpd_ws_get_fd_info() reports as a WebSocket.
 * A WebSocket handler runs for each frame, not at the handshake, so a client
 * subscribes with its first message; close_fn ends the subscription.
 *
 * Port: $PORT, default 8080. Built with the HTTPS library, the same pages are
 * also served over TLS on $PORT_TLS (default 8443) when $TLS_CERT and $TLS_KEY
 * name a certificate and its key (make run makes a self-signed pair on first
 * use): one more server instance, started with httpd_ssl_start().
 * SIGINT / SIGTERM stop the timer thread, then the servers; exit status 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "esp_http_server.h"
#include "esp_log.h"
#ifdef HTTPD_DEMO_HTTPS
#include "esp_https_server.h"
#endif

static const char *TAG = "demo";

#define DEFAULT_PORT    8080
#define DEFAULT_PORT_TLS 8443
#define ECHO_MAX_LEN    (64 * 1024)
#define NAME_MAX_LEN    128
#define STREAM_LINES    5
#define TEXT_PLAIN      "text/plain; charset=utf-8"
#define MAX_CLIENTS     7                   /* config.max_open_sockets */
#define WS_MAX_LEN      (64 * 1024)         /* larger WebSocket frames close the connection */

/* ---- GET / ---------------------------------------------------------------------- */

static const char index_html[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>esp_http_server demo</title>\n"
    "<style>\n"
    "  body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto;\n"
    "         padding: 0 1rem; line-height: 1.5; color: #1d232a; background: #fafbfc; }\n"
    "  h1 { font-size: 1.6rem; margin-bottom: .2rem; }\n"
    "  .sub { color: #5b6570; margin-top: 0; }\n"
    "  dl { display: grid; grid-template-columns: max-content 1fr; gap: .5rem 1rem; }\n"
    "  dt { font-family: ui-monospace, monospace; font-weight: 600; }\n"
    "  dd { margin: 0; }\n"
    "  a { color: #0b62c4; text-decoration: none; }\n"
    "  a:hover { text-decoration: underline; }\n"
    "  code, textarea, pre { font-family: ui-monospace, monospace; font-size: .9rem; }\n"
    "  section { background: #fff; border: 1px solid #dde2e7; border-radius: 8px;\n"
    "            padding: 1rem 1.2rem; margin: 1.2rem 0; }\n"
    "  textarea { width: 100%; box-sizing: border-box; min-height: 5rem; }\n"
    "  button { margin-top: .5rem; padding: .35rem 1rem; border-radius: 6px;\n"
    "           border: 1px solid #0b62c4; background: #0b62c4; color: #fff; cursor: pointer; }\n"
    "  pre { background: #f3f5f7; padding: .6rem; border-radius: 6px; min-height: 1.2rem;\n"
    "        white-space: pre-wrap; word-break: break-all; }\n"
    "  h2 { font-size: 1.15rem; margin: 0 0 .6rem; }\n"
    "  .row { display: flex; gap: .5rem; align-items: center; }\n"
    "  .row input { flex: 1; padding: .35rem .5rem; border: 1px solid #c4ccd4; border-radius: 6px;\n"
    "               font: inherit; }\n"
    "  .row button { margin-top: 0; }\n"
    "  .status { font-weight: 600; white-space: nowrap; }\n"
    "  .status::before { content: \"\"; display: inline-block; width: .65rem; height: .65rem;\n"
    "                    border-radius: 50%; background: currentColor; margin-right: .35rem; }\n"
    "  .on { color: #1a7f37; }  .off { color: #c62828; }  .wait { color: #9a6700; }\n"
    "  .log { height: 8.5rem; overflow-y: auto; margin: .6rem 0 0; }\n"
    "  .feed { height: 5.5rem; }\n"
    "  .head { display: flex; justify-content: space-between; align-items: baseline; }\n"
    "</style>\n"
    "</head>\n"
    "<body>\n"
    "<h1>esp_http_server demo</h1>\n"
    "<p class=\"sub\">The ESP-IDF HTTP server API, running on Linux.</p>\n"
    "<section>\n"
    "<dl>\n"
    "  <dt><a href=\"/hello\">/hello</a></dt>\n"
    "  <dd>A plain-text greeting: the smallest possible handler.</dd>\n"
    "  <dt><a href=\"#echo\">/echo</a></dt>\n"
    "  <dd>POST a body and get it back unchanged (try the form below).</dd>\n"
    "  <dt><a href=\"/headers\">/headers</a></dt>\n"
    "  <dd>The request headers your client sent, read with "
    "<code>httpd_req_get_hdr_value_str()</code>.</dd>\n"
    "  <dt><a href=\"/query?name=World\">/query?name=World</a></dt>\n"
    "  <dd>Greets the URL-decoded <code>name</code> query parameter.</dd>\n"
    "  <dt><a href=\"/counter\">/counter</a></dt>\n"
    "  <dd>Counts requests made on this TCP connection, kept in the session context "
    "(<code>req-&gt;sess_ctx</code>).</dd>\n"
    "  <dt><a href=\"/stream\">/stream</a></dt>\n"
    "  <dd>A chunked response of five lines, sent with "
    "<code>httpd_resp_send_chunk()</code>.</dd>\n"
    "  <dt><a href=\"/cookie\">/cookie</a></dt>\n"
    "  <dd>Sets a visit-counting cookie and shows the one your browser sent back.</dd>\n"
    "  <dt><a href=\"#websocket\">/ws</a></dt>\n"
    "  <dd>A WebSocket echo: each message comes back as it was sent "
    "(<code>httpd_ws_recv_frame()</code>, <code>httpd_ws_send_frame()</code>).</dd>\n"
    "  <dt><a href=\"#broadcast\">/ws/broadcast</a></dt>\n"
    "  <dd>A WebSocket feed: once subscribed, a tick every second, pushed to every "
    "subscriber from a work-queue function (<code>httpd_queue_work()</code>, "
    "<code>httpd_ws_send_frame_async()</code>).</dd>\n"
    "</dl>\n"
    "</section>\n"
    "<section id=\"echo\">\n"
    "<label for=\"body\"><strong>POST /echo</strong></label>\n"
    "<textarea id=\"body\">Hello from the browser!</textarea>\n"
    "<button id=\"send\" type=\"button\">Send</button>\n"
    "<pre id=\"reply\"></pre>\n"
    "</section>\n"
    "<section id=\"websocket\">\n"
    "<div class=\"head\"><h2>WebSocket echo <code>/ws</code></h2>\n"
    "<span id=\"ws-status\" class=\"status wait\">connecting</span></div>\n"
    "<div class=\"row\">\n"
    "<input id=\"ws-text\" type=\"text\" value=\"Hello over WebSocket!\" "
    "aria-label=\"Message to echo\">\n"
    "<button id=\"ws-send\" type=\"button\">Send</button>\n"
    "</div>\n"
    "<pre id=\"ws-log\" class=\"log\" aria-live=\"polite\"></pre>\n"
    "</section>\n"
    "<section id=\"broadcast\">\n"
    "<div class=\"head\"><h2>Live feed <code>/ws/broadcast</code></h2>\n"
    "<span id=\"feed-status\" class=\"status wait\">connecting</span></div>\n"
    "<pre id=\"ws-feed\" class=\"log feed\"></pre>\n"
    "</section>\n"
    "<script>\n"
    "document.getElementById('send').addEventListener('click', async () => {\n"
    "  const out = document.getElementById('reply');\n"
    "  try {\n"
    "    const r = await fetch('/echo', { method: 'POST',\n"
    "      headers: { 'Content-Type': 'text/plain' },\n"
    "      body: document.getElementById('body').value });\n"
    "    out.textContent = r.status + ' ' + r.statusText + '\\n\\n' + await r.text();\n"
    "  } catch (e) {\n"
    "    out.textContent = 'Request failed: ' + e;\n"
    "  }\n"
    "});\n"
    "\n"
    "(() => {\n"
    "  const base = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;\n"
    "  const $ = (id) => document.getElementById(id);\n"
    "  const setStatus = (el, text, cls) => { el.textContent = text; el.className = 'status ' + cls; };\n"
    "  const append = (el, line, max) => {\n"
    "    const lines = (el.textContent + line + '\\n').split('\\n').slice(0, -1);\n"
    "    el.textContent = lines.slice(-max).join('\\n') + '\\n';\n"
    "    el.scrollTop = el.scrollHeight;\n"
    "  };\n"
    "\n"
    "  /* Echo: what is sent shows as '\\u2192 text', what comes back as '\\u2190 text'. */\n"
    "  let echo = null;\n"
    "  const openEcho = () => {\n"
    "    setStatus($('ws-status'), 'connecting', 'wait');\n"
    "    echo = new WebSocket(base + '/ws');\n"
    "    echo.onopen = () => setStatus($('ws-status'), 'connected', 'on');\n"
    "    echo.onmessage = (e) => append($('ws-log'), '\\u2190 ' + e.data, 50);\n"
    "    echo.onclose = () => {\n"
    "      setStatus($('ws-status'), 'disconnected', 'off');\n"
    "      setTimeout(openEcho, 2000);\n"
    "    };\n"
    "  };\n"
    "  const send = () => {\n"
    "    const text = $('ws-text').value;\n"
    "    if (!echo || echo.readyState !== WebSocket.OPEN) {\n"
    "      append($('ws-log'), '(not connected)', 50);\n"
    "      return;\n"
    "    }\n"
    "    echo.send(text);\n"
    "    append($('ws-log'), '\\u2192 ' + text, 50);\n"
    "  };\n"
    "  $('ws-send').addEventListener('click', send);\n"
    "  $('ws-text').addEventListener('keydown', (e) => { if (e.key === 'Enter') send(); });\n"
    "\n"
    "  /* Feed: subscribe with a first message, then one tick a second. */\n"
    "  const openFeed = () => {\n"
    "    setStatus($('feed-status'), 'connecting', 'wait');\n"
    "    const feed = new WebSocket(base + '/ws/broadcast');\n"
    "    feed.onopen = () => { feed.send('subscribe'); setStatus($('feed-status'), 'subscribed', 'on'); };\n"
    "    feed.onmessage = (e) => {\n"
    "      let m;\n"
    "      try { m = JSON.parse(e.data); } catch (err) { return; }\n"
    "      const now = new Date().toLocaleTimeString();\n"
    "      append($('ws-feed'), now + '  tick ' + m.tick + '  (' + m.clients + ' subscriber'\n"
    "             + (m.clients === 1 ? '' : 's') + ')', 20);\n"
    "    };\n"
    "    feed.onclose = () => {\n"
    "      setStatus($('feed-status'), 'disconnected', 'off');\n"
    "      setTimeout(openFeed, 2000);\n"
    "    };\n"
    "  };\n"
    "\n"
    "  openEcho();\n"
    "  openFeed();\n"
    "})();\n"
    "</script>\n"
    "</body>\n"
    "</html>\n";

static esp_err_t index_handler(httpd_req_t *req)
{
    httpd_resp_set_type(req, "text/html; charset=utf-8");
    return httpd_resp_send(req, index_html, sizeof(index_html) - 1);
}

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

/* Broadcast subscribers, by fd. The handler and the work function run on the
 * server thread; close_fn also runs in httpd_stop(), hence the lock. */
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
            ESP_LOGI(TAG, "/ws/broadcast: fd %d unsubscribed", fd);
            break;
        }
    }
    pthread_mutex_unlock(&subs_lock);
}

/* config.close_fn: the fd number may be reused by the next connection. */
static void on_close(httpd_handle_t hd, int fd)
{
    (void)hd;
    subs_remove(fd);
    close(fd);
}

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
    /* A data frame, or a handshake call (older ESP-IDF): subscribe. */
    int fd = httpd_req_to_sockfd(req);
    int added = subs_add(fd);
    if (added > 0) {
        ESP_LOGI(TAG, "/ws/broadcast: fd %d subscribed", fd);
    } else if (added < 0) {
        ESP_LOGW(TAG, "/ws/broadcast: fd %d: subscriber table full", fd);
        return ESP_FAIL;
    }
    return ESP_OK;
}

/* Work-queue function, once per second, on the server thread. */
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
    char msg[64];
    int len = snprintf(msg, sizeof(msg), "{\"tick\":%lu,\"clients\":%zu}", tick, m);
    httpd_ws_frame_t pkt = { .type = HTTPD_WS_TYPE_TEXT, .payload = (uint8_t *)msg, .len = (size_t)len };
    for (size_t i = 0; i < m; i++) {
        if (httpd_ws_send_frame_async(hd, targets[i], &pkt) == ESP_OK) {
            httpd_sess_update_lru_counter(hd, targets[i]);   /* a live feed is in use */
        } else {
            ESP_LOGW(TAG, "/ws/broadcast: fd %d: send failed, closing", targets[i]);
            httpd_sess_trigger_close(hd, targets[i]);
        }
    }
}

/* The servers the timer feeds (plain HTTP, and HTTPS when it runs). */
static httpd_handle_t servers[2];
static size_t n_servers;

/* The timer thread: queues broadcast_work once per second until timer_join(). */
static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timer_cond;
static bool timer_stop;

static void *timer_main(void *arg)
{
    (void)arg;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);

    pthread_mutex_lock(&timer_lock);
    while (!timer_stop) {
        next.tv_sec += 1;
        int rc = 0;
        while (!timer_stop && rc != ETIMEDOUT) {
            rc = pthread_cond_timedwait(&timer_cond, &timer_lock, &next);
        }
        if (timer_stop) {
            break;
        }
        pthread_mutex_unlock(&timer_lock);
        for (size_t i = 0; i < n_servers; i++) {
            if (httpd_queue_work(servers[i], broadcast_work, servers[i]) != ESP_OK) {
                ESP_LOGW(TAG, "/ws/broadcast: work queue full, tick skipped");
            }
        }
        pthread_mutex_lock(&timer_lock);
    }
    pthread_mutex_unlock(&timer_lock);
    return NULL;
}

static int timer_start(pthread_t *thread)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&timer_cond, &attr);
    pthread_condattr_destroy(&attr);
    return pthread_create(thread, NULL, timer_main, NULL);
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

#endif /* CONFIG_HTTPD_WS_SUPPORT */

/* ---- Server --------------------------------------------------------------------- */

static const httpd_uri_t handlers[] = {
    { .uri = "/",        .method = HTTP_GET,  .handler = index_handler },
    { .uri = "/hello",   .method = HTTP_GET,  .handler = hello_handler },
    { .uri = "/echo",    .method = HTTP_POST, .handler = echo_handler },
    { .uri = "/headers", .method = HTTP_GET,  .handler = headers_handler },
    { .uri = "/query",   .method = HTTP_GET,  .handler = query_handler },
    { .uri = "/counter", .method = HTTP_GET,  .handler = counter_handler },
    { .uri = "/stream",  .method = HTTP_GET,  .handler = stream_handler },
    { .uri = "/cookie",  .method = HTTP_GET,  .handler = cookie_handler },
#if CONFIG_HTTPD_WS_SUPPORT
    { .uri = "/ws",      .method = HTTP_GET,  .handler = ws_echo_handler, .is_websocket = true },
    { .uri = "/ws/broadcast", .method = HTTP_GET, .handler = ws_broadcast_handler,
      .is_websocket = true },
#endif
};

static int port_from_env(const char *name, uint16_t *port, uint16_t fallback)
{
    const char *s = getenv(name);
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

static esp_err_t register_all(httpd_handle_t server)
{
    for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
        esp_err_t err = httpd_register_uri_handler(server, &handlers[i]);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "Registering %s: %s", handlers[i].uri, esp_err_to_name(err));
            return err;
        }
    }
    return ESP_OK;
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

static uint8_t *tls_cert, *tls_key;

/* The HTTPS instance: the same pages on port over TLS; NULL when there is no
 * certificate or it cannot start (the plain server runs on). */
static httpd_handle_t https_start(uint16_t port)
{
    const char *cert = getenv("TLS_CERT"), *key = getenv("TLS_KEY");
    if (!cert || !key) {
        ESP_LOGI(TAG, "no TLS_CERT / TLS_KEY: HTTPS off");
        return NULL;
    }
    httpd_ssl_config_t conf = HTTPD_SSL_CONFIG_DEFAULT();
    tls_cert = load_file(cert, &conf.servercert_len);
    tls_key = load_file(key, &conf.prvtkey_len);
    if (!tls_cert || !tls_key) {
        ESP_LOGE(TAG, "cannot read %s or %s: HTTPS off", cert, key);
        return NULL;
    }
    conf.servercert = tls_cert;
    conf.prvtkey_pem = tls_key;
    conf.port_secure = port;
    conf.httpd.max_uri_handlers = 16;
    conf.httpd.max_open_sockets = MAX_CLIENTS;
    conf.httpd.stack_size = 16384;
#if CONFIG_HTTPD_WS_SUPPORT
    conf.httpd.close_fn = on_close;
#endif
    httpd_handle_t server = NULL;
    esp_err_t err = httpd_ssl_start(&server, &conf);
    if (err == ESP_OK && register_all(server) != ESP_OK) {
        httpd_ssl_stop(server);
        err = ESP_FAIL;
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "HTTPS on port %u: %s", port, esp_err_to_name(err));
        return NULL;
    }
    return server;
}
#endif

int main(void)
{
    uint16_t port, port_tls;
    if (port_from_env("PORT", &port, DEFAULT_PORT) != 0 || port_from_env("PORT_TLS", &port_tls, DEFAULT_PORT_TLS) != 0) {
        fprintf(stderr, "invalid PORT or PORT_TLS\n");
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
    config.max_uri_handlers = 16;
    config.lru_purge_enable = true;     /* browsers open several connections */
    config.max_open_sockets = MAX_CLIENTS;
#if CONFIG_HTTPD_WS_SUPPORT
    config.close_fn = on_close;         /* ends a broadcast subscription */
#endif

    httpd_handle_t server = NULL;
    esp_err_t err = httpd_start(&server, &config);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_start on port %u: %s", port, esp_err_to_name(err));
        return 1;
    }
    if (register_all(server) != ESP_OK) {
        httpd_stop(server);
        return 1;
    }
    servers[n_servers++] = server;
    httpd_handle_t secure = NULL;
#ifdef HTTPD_DEMO_HTTPS
    secure = https_start(port_tls);
    if (secure) {
        servers[n_servers++] = secure;
    }
#endif
#if CONFIG_HTTPD_WS_SUPPORT
    pthread_t timer;
    if (timer_start(&timer) != 0) {
        ESP_LOGE(TAG, "Cannot start the broadcast timer thread");
        httpd_stop(server);
        if (secure) {
            httpd_stop(secure);
        }
        return 1;
    }
#endif

    printf("Serving on http://127.0.0.1:%u/\n", port);
    if (secure) {
        printf("Serving on https://127.0.0.1:%u/\n", port_tls);
    }
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    ESP_LOGI(TAG, "Signal %d: stopping the server", sig);
#if CONFIG_HTTPD_WS_SUPPORT
    timer_join(timer);      /* first: no broadcast is queued after this */
#endif
    err = httpd_stop(server);
    if (secure && httpd_stop(secure) != ESP_OK) {
        err = ESP_FAIL;
    }
#ifdef HTTPD_DEMO_HTTPS
    free(tls_cert);
    free(tls_key);
#endif
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_stop: %s", esp_err_to_name(err));
        return 1;
    }
    return 0;
}
