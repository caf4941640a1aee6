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
 *
 * Port: $PORT, default 8080. SIGINT / SIGTERM stop the server; exit status 0.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_server.h"
#include "esp_log.h"

static const char *TAG = "demo";

#define DEFAULT_PORT    8080
#define ECHO_MAX_LEN    (64 * 1024)
#define NAME_MAX_LEN    128
#define STREAM_LINES    5
#define TEXT_PLAIN      "text/plain; charset=utf-8"

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
    "</dl>\n"
    "</section>\n"
    "<section id=\"echo\">\n"
    "<label for=\"body\"><strong>POST /echo</strong></label>\n"
    "<textarea id=\"body\">Hello from the browser!</textarea>\n"
    "<button id=\"send\" type=\"button\">Send</button>\n"
    "<pre id=\"reply\"></pre>\n"
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

    /* Block the stop signals before the server thread exists, so it inherits
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

    httpd_handle_t server = NULL;
    esp_err_t err = httpd_start(&server, &config);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_start on port %u: %s", port, esp_err_to_name(err));
        return 1;
    }
    for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
        err = httpd_register_uri_handler(server, &handlers[i]);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "Registering %s: %s", handlers[i].uri, esp_err_to_name(err));
            httpd_stop(server);
            return 1;
        }
    }

    printf("Serving on http://127.0.0.1:%u/\n", port);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    ESP_LOGI(TAG, "Signal %d: stopping the server", sig);
    err = httpd_stop(server);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_stop: %s", esp_err_to_name(err));
        return 1;
    }
    return 0;
}
