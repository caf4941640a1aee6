/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_server: the firmware that the black-box pytest suite (tests/pytest) drives.
 *
 * Usage:
 *   test_server --port N [--recv-timeout S] [--send-timeout S] [--max-sockets N]
 *               [--lru] [--max-hdr-len N] [--max-uri-len N] [--max-handlers N]
 *               [--max-resp-headers N] [--wildcard] [--custom-404] [--framing] [--sndbuf N]
 *
 * Prints "READY <port>" on stdout once httpd_start() succeeded and every handler is
 * registered; on failure prints "START_FAILED <esp_err_to_name>" and exits 2 (bad
 * command line: exit 64). SIGTERM / SIGINT: httpd_stop(), free everything, exit 0,
 * so that LeakSanitizer checks the whole run at exit. Other output goes to stderr.
 * --max-handlers defaults to 48 (every handler below fits).
 *
 * Handlers (GET unless stated). Upstream's advanced_tests set, behaving like
 * examples/protocols/http_server/advanced_tests/main/tests.c:
 *   /hello/type_html   type text/html, body "Hello World!"
 *   /test_header       needs "Header1: Value1" and "Header3: Value3" (else 400 via
 *                      httpd_resp_send_err with "Header1 not found", "Wrong value of
 *                      Header1 received", ... and an error return); body = value of
 *                      Header2 (400 "Header2 not found" + ESP_FAIL when absent)
 *   /hello             "Hello World!"
 *   /hello/status_500  status 500, body "Hello World!"
 *   /echo POST, PUT    reads content_len bytes and echoes them; request header Custom is
 *                      echoed as response header Custom. content_len > 1 MiB -> 500 and
 *                      ESP_FAIL (stands in for upstream's malloc failure); recv timeout ->
 *                      408 and ESP_FAIL; other recv error -> ESP_FAIL
 *   /leftover_data POST one httpd_req_recv of up to 10 bytes, echoes them (rest unread)
 *   /adder POST        one recv of up to 10 bytes, atoi, adds to an int session context
 *                      (custom free fn), body = running sum in decimal
 *   /async_data        body "Hello World!", then a queued work item writes
 *                      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 19\r\n\r\n"
 *                      "Hello Double World!" with httpd_socket_send() on the same socket
 * Persistent-sockets example set (espidf-tests.md section 3):
 *   /adder PUT         sets the session counter to atoi(body) (allocating it if needed),
 *                      body = the value
 *   /adder GET         body = the session counter (created as 0 if absent)
 *   /login             replaces the session context with a fresh int 1 (free_ctx NULL,
 *                      i.e. free()), body "1"
 *   /logout            sets req->sess_ctx = NULL (the server frees the old one), body "1"
 *   The adder context's free fn writes "ADDER_FREE <value>" to stderr, allocation in
 *   /adder writes "ADDER_ALLOC".
 * Extras:
 *   /body_echo POST    reads until httpd_req_recv() returns 0 (Content-Length or chunked),
 *                      responds the body with header "X-Content-Len: <req->content_len>";
 *                      on a negative return: 400 with body "recv <code>" and ESP_FAIL;
 *                      more than 16 MiB: 500 and ESP_FAIL
 *   /stream            chunked response: n chunks (query n, default 3) "chunk<i>\n"
 *   /chunk_sizes       chunked response: one chunk per size of query s (comma-separated,
 *                      each at most 65536), chunk i's byte j = 'a' + (i + j) % 26
 *   /chunk_push        a chunk "a", httpd_send(req, NULL, 0), a 2 s pause (not through
 *                      the API), the last chunk
 *   /chunk_then_recv POST  a chunk "ready\n", then reads the body (at most 64 bytes,
 *                      waiting for it), then a chunk "got:<body>" and the last chunk
 *                      (i from 0), then the terminating chunk
 *   /hdr_after_send    chunk "a", then chunk = value of request header X-Test read after
 *                      that send (or "<" + esp_err_to_name + ">" when the read fails),
 *                      then the terminating chunk
 *   /query             body "len=<httpd_req_get_url_query_len>\n"
 *                           "query=<query string or err name>\n"
 *                           "q4=<err name of get_url_query_str with a 4-byte buffer>\n"
 *                           "k=<value of key k (buffer size = query size, default 16)
 *                               or err name>\n"
 *   /cookie            httpd_req_get_cookie_val(name = query name, val_size = query size,
 *                      default 32): body "<err name> <value or empty> <val_size after>"
 *   /hdr               header named by query name, buffer size query size (default 64):
 *                      body "<get_hdr_value_len> <err name> <value>" (value also printed
 *                      for ESP_ERR_HTTPD_RESULT_TRUNC, empty for other errors)
 *   /resp_headers      first the injection checks: set_hdr("X-Bad","a\r\nb"),
 *                      set_hdr("X-Bad","a\nb"), set_hdr("X-Bad\r\nX-Evil","v"),
 *                      set_status("200 OK\r\nX: y"), set_type("a\nb"); then set_hdr
 *                      "X-H<i>: v<i>" for i = 0..max_resp_headers; body =
 *                      "<err name of the last set_hdr>\ninj=<5 err names, comma-separated>"
 *   /err               httpd_resp_send_err(req, query c, NULL), ESP_OK; if send_err itself
 *                      fails (invalid code): 200 with body "send_err=<err name>"
 *   /err_msg           same with msg "custom message"
 *   /custom_err        httpd_resp_send_custom_err(req, "418 I'm a teapot", "short and stout")
 *   /raw               writes "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nraw" with httpd_send()
 *   /fail              returns ESP_FAIL without responding
 *   /sockfd            body = httpd_req_to_sockfd(req) in decimal
 *   /any HTTP_ANY      body = http_method_str(req->method)
 *   /head_only HEAD    httpd_resp_send(req, "abc", 3)
 *   /head_chunked HEAD httpd_resp_send_chunk "one", "two", "three", then the end
 *   /dyn_register POST    registers /dyn GET (body "dynamic"); body = err name
 *   /dyn_unregister POST  httpd_unregister_uri("/dyn"); body = err name
 *   /fill_handlers POST   registers /fill0, /fill1, ... until one fails; body =
 *                         "<count> <err name>", then unregisters them all
 *   /conn_close_hdr    header "Connection: close", body "bye"
 *   /conn_close_late   chunk "a", then header "Connection: close" (too late: the
 *                      head went out), then chunk "b" and the end
 *   /big               body of n bytes (query n, default 1 MiB, at most 64 MiB):
 *                      byte i = 'A' + i % 26, in one httpd_resp_send()
 *                      ?src=const&off=O&n=N: the same pattern's bytes O..O+N (default: to
 *                      the end) of a 256 KiB const array in the program's read-only data
 *                      (an embedded asset), sent from where it lies
 * With --wildcard: uri_match_fn = httpd_uri_match_wildcard, plus GET handlers
 *   templates "/api/" followed by "*", "/opt/?" and "/both/?*", each answering with
 *   its template string.
 * With --custom-404: a 404 error handler: URI starting "/keep404" -> send_err(404,
 *   "custom keep") and ESP_OK (connection kept); otherwise send_err(404, "custom close")
 *   and ESP_FAIL (connection closed).
 * With --framing (tests/pytest/test_framing.py), three more handlers:
 *   /silent POST       httpd_req_recv until query read bytes (default 0: none, at most
 *                      64) came or it returns <= 0, then ESP_OK without any response
 *   /status            status line by query s: 204 "204 No Content", 304 "304 Not
 *                      Modified", 103 "103 Early Hints", else "200 OK"; type
 *                      application/json, header "X-Kept: 1"; query mode: send (default)
 *                      httpd_resp_send "abc", empty httpd_resp_send(NULL, 0), chunk:
 *                      chunks "abc", "def", then the terminating chunk
 *   /framing_hdrs      query cl: set_hdr("content-length", cl); query te:
 *                      set_hdr("Transfer-ENCODING", te); then header "X-After: 1"; query
 *                      chunk=1: chunks "hello", " world" and the end, else
 *                      httpd_resp_send "hello"
 *   /typelen           Content-Type "x/" + (query n - 2) 'a's, httpd_resp_send "ok"; when
 *                      that send fails: type text/html, body = the error's name
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "fw_common.h"

#define ECHO_MAX_LEN      (1024u * 1024u)
#define BODY_ECHO_MAX     (16u * 1024u * 1024u)
#define BIG_DEFAULT       (1024u * 1024u)
#define BIG_MAX           (64u * 1024u * 1024u)
#define QUERY_BUF_LEN     (CONFIG_HTTPD_MAX_URI_LEN + 1)

static const char *TAG = "test_server";

static httpd_handle_t s_server;
static httpd_config_t s_config = HTTPD_DEFAULT_CONFIG();

/* ---- Small helpers ------------------------------------------------------------- */

/* A growable text buffer for response bodies. */
typedef struct {
    char  *data;
    size_t len;
    size_t cap;
    bool   failed;
} textbuf_t;

static void tb_append(textbuf_t *tb, const char *s, size_t n)
{
    if (tb->failed) {
        return;
    }
    if (tb->len + n + 1 > tb->cap) {
        size_t cap = tb->cap ? tb->cap : 128;
        while (tb->len + n + 1 > cap) {
            cap *= 2;
        }
        char *p = realloc(tb->data, cap);
        if (p == NULL) {
            tb->failed = true;
            return;
        }
        tb->data = p;
        tb->cap = cap;
    }
    memcpy(tb->data + tb->len, s, n);
    tb->len += n;
    tb->data[tb->len] = '\0';
}

static void tb_str(textbuf_t *tb, const char *s)
{
    tb_append(tb, s, strlen(s));
}

static void tb_size(textbuf_t *tb, size_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%zu", v);
    tb_str(tb, num);
}

/* Sends tb as the response body (200 unless status was set) and frees it. */
static esp_err_t tb_send(httpd_req_t *req, textbuf_t *tb)
{
    esp_err_t err;
    if (tb->failed) {
        err = httpd_resp_send_500(req);
        free(tb->data);
        return err == ESP_OK ? ESP_FAIL : err;
    }
    err = httpd_resp_send(req, tb->data ? tb->data : "", (ssize_t)tb->len);
    free(tb->data);
    tb->data = NULL;
    return err;
}

/* Copies the query string into q (QUERY_BUF_LEN bytes); false when there is none. */
static bool get_query(httpd_req_t *req, char *q)
{
    q[0] = '\0';
    return httpd_req_get_url_query_str(req, q, QUERY_BUF_LEN) == ESP_OK;
}

/* Unsigned query parameter, or def when absent or malformed. */
static size_t query_size(const char *q, const char *key, size_t def, size_t max)
{
    char v[24];
    if (q[0] == '\0' || httpd_query_key_value(q, key, v, sizeof v) != ESP_OK || v[0] == '\0') {
        return def;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno != 0 || end == NULL || *end != '\0') {
        return def;
    }
    return n > max ? max : (size_t)n;
}

/* Receives exactly len body bytes; returns the last httpd_req_recv() result on failure. */
static int recv_exact(httpd_req_t *req, char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        int ret = httpd_req_recv(req, buf + off, len - off);
        if (ret <= 0) {
            return ret == 0 ? HTTPD_SOCK_ERR_FAIL : ret;
        }
        off += (size_t)ret;
    }
    return (int)off;
}

/* ---- Upstream advanced_tests handlers -------------------------------------------- */

static esp_err_t hello_type_html_handler(httpd_req_t *req)
{
    httpd_resp_set_type(req, HTTPD_TYPE_TEXT);
    return httpd_resp_send(req, "Hello World!", HTTPD_RESP_USE_STRLEN);
}

static esp_err_t hello_handler(httpd_req_t *req)
{
    return httpd_resp_send(req, "Hello World!", HTTPD_RESP_USE_STRLEN);
}

static esp_err_t hello_status_500_handler(httpd_req_t *req)
{
    httpd_resp_set_status(req, HTTPD_500);
    return httpd_resp_send(req, "Hello World!", HTTPD_RESP_USE_STRLEN);
}

/* Checks that header name is present with value expect; on failure sends the
 * upstream error response and returns the upstream error code. */
static esp_err_t require_header(httpd_req_t *req, const char *name, const char *expect)
{
    char msg[64];
    size_t len = httpd_req_get_hdr_value_len(req, name);
    if (len == 0) {
        snprintf(msg, sizeof msg, "%s not found", name);
        httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, msg);
        return ESP_ERR_NOT_FOUND;
    }
    char *buf = malloc(len + 1);
    if (buf == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    if (httpd_req_get_hdr_value_str(req, name, buf, len + 1) != ESP_OK) {
        snprintf(msg, sizeof msg, "Error in getting value of %s", name);
        httpd_resp_send_err(req, HTTPD_500_INTERNAL_SERVER_ERROR, msg);
        free(buf);
        return ESP_FAIL;
    }
    if (strcmp(buf, expect) != 0) {
        snprintf(msg, sizeof msg, "Wrong value of %s received", name);
        httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, msg);
        free(buf);
        return ESP_ERR_INVALID_ARG;
    }
    free(buf);
    return ESP_OK;
}

static esp_err_t test_header_handler(httpd_req_t *req)
{
    esp_err_t err;
    httpd_resp_set_type(req, HTTPD_TYPE_TEXT);
    if ((err = require_header(req, "Header1", "Value1")) != ESP_OK) {
        return err;
    }
    if ((err = require_header(req, "Header3", "Value3")) != ESP_OK) {
        return err;
    }
    size_t len = httpd_req_get_hdr_value_len(req, "Header2") + 1;
    char *buf = malloc(len);
    if (buf == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    if (httpd_req_get_hdr_value_str(req, "Header2", buf, len) != ESP_OK) {
        httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "Header2 not found");
        free(buf);
        return ESP_FAIL;
    }
    err = httpd_resp_send(req, buf, HTTPD_RESP_USE_STRLEN);
    free(buf);
    return err;
}

static esp_err_t echo_handler(httpd_req_t *req)
{
    if (req->content_len > ECHO_MAX_LEN) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    char *buf = malloc(req->content_len + 1);
    if (buf == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    int ret = recv_exact(req, buf, req->content_len);
    if (ret < 0) {
        if (ret == HTTPD_SOCK_ERR_TIMEOUT) {
            httpd_resp_send_408(req);
        }
        free(buf);
        return ESP_FAIL;
    }
    buf[req->content_len] = '\0';

    char *custom = NULL;
    size_t hdr_len = httpd_req_get_hdr_value_len(req, "Custom");
    if (hdr_len > 0) {
        custom = malloc(hdr_len + 1);
        if (custom != NULL &&
            httpd_req_get_hdr_value_str(req, "Custom", custom, hdr_len + 1) == ESP_OK) {
            httpd_resp_set_hdr(req, "Custom", custom);
        }
    }
    esp_err_t err = httpd_resp_send(req, buf, (ssize_t)req->content_len);
    free(custom);
    free(buf);
    return err;
}

static esp_err_t leftover_data_handler(httpd_req_t *req)
{
    char buf[11];
    int ret = httpd_req_recv(req, buf, 10);
    if (ret <= 0) {
        if (ret == HTTPD_SOCK_ERR_TIMEOUT) {
            httpd_resp_send_408(req);
        }
        return ESP_FAIL;
    }
    buf[ret] = '\0';
    return httpd_resp_send(req, buf, ret);
}

static void adder_free(void *ctx)
{
    fprintf(stderr, "ADDER_FREE %d\n", *(int *)ctx);
    free(ctx);
}

/* The session's int counter, allocated (0) with adder_free when missing; NULL on OOM. */
static int *adder_ctx(httpd_req_t *req)
{
    if (req->sess_ctx == NULL) {
        int *v = malloc(sizeof *v);
        if (v == NULL) {
            return NULL;
        }
        *v = 0;
        req->sess_ctx = v;
        req->free_ctx = adder_free;
        fprintf(stderr, "ADDER_ALLOC\n");
    }
    return req->sess_ctx;
}

static esp_err_t send_int(httpd_req_t *req, int v)
{
    char out[24];
    snprintf(out, sizeof out, "%d", v);
    return httpd_resp_send(req, out, HTTPD_RESP_USE_STRLEN);
}

/* POST adds, PUT sets: one recv of up to 10 bytes, as upstream. */
static esp_err_t adder_post_put_handler(httpd_req_t *req)
{
    char buf[11];
    int ret = httpd_req_recv(req, buf, 10);
    if (ret <= 0) {
        if (ret == HTTPD_SOCK_ERR_TIMEOUT) {
            httpd_resp_send_408(req);
        }
        return ESP_FAIL;
    }
    buf[ret] = '\0';
    int *sum = adder_ctx(req);
    if (sum == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    if (req->method == HTTP_PUT) {
        *sum = atoi(buf);
    } else {
        *sum += atoi(buf);
    }
    return send_int(req, *sum);
}

static esp_err_t adder_get_handler(httpd_req_t *req)
{
    int *sum = adder_ctx(req);
    if (sum == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    return send_int(req, *sum);
}

static esp_err_t login_handler(httpd_req_t *req)
{
    int *v = malloc(sizeof *v);
    if (v == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    *v = 1;
    req->sess_ctx = v;
    req->free_ctx = NULL;
    return send_int(req, 1);
}

static esp_err_t logout_handler(httpd_req_t *req)
{
    req->sess_ctx = NULL;
    return send_int(req, 1);
}

static const char ASYNC_RESP[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 19\r\n\r\nHello Double World!";

static void async_send_work(void *arg)
{
    int fd = (int)(intptr_t)arg;
    size_t off = 0;
    const size_t len = sizeof ASYNC_RESP - 1;
    for (int tries = 0; off < len && tries < 1000; tries++) {
        int ret = httpd_socket_send(s_server, fd, ASYNC_RESP + off, len - off, 0);
        if (ret < 0) {
            ESP_LOGW(TAG, "async send on fd %d failed: %d", fd, ret);
            return;
        }
        off += (size_t)ret;
    }
}

static esp_err_t async_data_handler(httpd_req_t *req)
{
    esp_err_t err = httpd_resp_send(req, "Hello World!", HTTPD_RESP_USE_STRLEN);
    if (err != ESP_OK) {
        return err;
    }
    int fd = httpd_req_to_sockfd(req);
    return httpd_queue_work(req->handle, async_send_work, (void *)(intptr_t)fd);
}

/* ---- Extras -------------------------------------------------------------------- */

static esp_err_t body_echo_handler(httpd_req_t *req)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            size_t ncap = cap ? cap * 2 : 8192;
            if (ncap > BODY_ECHO_MAX + 4096) {
                free(buf);
                httpd_resp_send_500(req);
                return ESP_FAIL;
            }
            char *p = realloc(buf, ncap);
            if (p == NULL) {
                free(buf);
                httpd_resp_send_500(req);
                return ESP_FAIL;
            }
            buf = p;
            cap = ncap;
        }
        int ret = httpd_req_recv(req, buf + len, cap - len);
        if (ret == 0) {
            break;
        }
        if (ret < 0) {
            char msg[32];
            snprintf(msg, sizeof msg, "recv %d", ret);
            httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, msg);
            free(buf);
            return ESP_FAIL;
        }
        len += (size_t)ret;
    }
    char clen[32];
    snprintf(clen, sizeof clen, "%zu", req->content_len);
    httpd_resp_set_hdr(req, "X-Content-Len", clen);
    esp_err_t err = httpd_resp_send(req, buf, (ssize_t)len);
    free(buf);
    return err;
}

static esp_err_t stream_handler(httpd_req_t *req)
{
    char q[QUERY_BUF_LEN];
    get_query(req, q);
    size_t n = query_size(q, "n", 3, 100000);
    for (size_t i = 0; i < n; i++) {
        char chunk[32];
        snprintf(chunk, sizeof chunk, "chunk%zu\n", i);
        esp_err_t err = httpd_resp_send_chunk(req, chunk, HTTPD_RESP_USE_STRLEN);
        if (err != ESP_OK) {
            return err;
        }
    }
    return httpd_resp_send_chunk(req, NULL, 0);
}

static esp_err_t chunk_sizes_handler(httpd_req_t *req)
{
    char q[QUERY_BUF_LEN], list[256];
    get_query(req, q);
    if (httpd_query_key_value(q, "s", list, sizeof list) != ESP_OK) {
        list[0] = '\0';
    }
    char *buf = malloc(65536 + 26);
    if (buf == NULL) {
        return httpd_resp_send_500(req);
    }
    for (size_t j = 0; j < 65536 + 26; j++) {
        buf[j] = (char)('a' + j % 26);
    }
    esp_err_t err = ESP_OK;
    size_t i = 0;
    for (char *p = list, *end; err == ESP_OK && *p; p = *end ? end + 1 : end, i++) {
        unsigned long n = strtoul(p, &end, 10);
        if (end == p || n > 65536 || (*end && *end != ',')) {
            break;
        }
        err = httpd_resp_send_chunk(req, buf + i % 26, (ssize_t)n);
    }
    free(buf);
    return err == ESP_OK ? httpd_resp_send_chunk(req, NULL, 0) : err;
}

static esp_err_t chunk_push_handler(httpd_req_t *req)
{
    esp_err_t err = httpd_resp_send_chunk(req, "a", 1);
    if (err != ESP_OK || httpd_send(req, NULL, 0) != 0) {
        return ESP_FAIL;
    }
    usleep(2000 * 1000);
    return httpd_resp_send_chunk(req, NULL, 0);
}

static esp_err_t chunk_then_recv_handler(httpd_req_t *req)
{
    /* The client sends the body only once it has seen this chunk: a chunk
     * held back while the handler waits would stall both sides. */
    esp_err_t err = httpd_resp_send_chunk(req, "ready\n", HTTPD_RESP_USE_STRLEN);
    char out[4 + 64] = "got:";
    size_t len = 0;
    while (err == ESP_OK && len < req->content_len && len < 64) {
        int n = httpd_req_recv(req, out + 4 + len, 64 - len);
        if (n <= 0) {
            return ESP_FAIL;
        }
        len += (size_t)n;
    }
    if (err == ESP_OK) {
        err = httpd_resp_send_chunk(req, out, (ssize_t)(4 + len));
    }
    return err == ESP_OK ? httpd_resp_send_chunk(req, NULL, 0) : err;
}

static esp_err_t hdr_after_send_handler(httpd_req_t *req)
{
    esp_err_t err = httpd_resp_send_chunk(req, "a", 1);
    if (err != ESP_OK) {
        return err;
    }
    char val[128];
    esp_err_t herr = httpd_req_get_hdr_value_str(req, "X-Test", val, sizeof val);
    if (herr != ESP_OK) {
        snprintf(val, sizeof val, "<%s>", esp_err_to_name(herr));
    }
    err = httpd_resp_send_chunk(req, val, HTTPD_RESP_USE_STRLEN);
    if (err != ESP_OK) {
        return err;
    }
    return httpd_resp_send_chunk(req, NULL, 0);
}

static esp_err_t query_handler(httpd_req_t *req)
{
    textbuf_t tb = {0};
    char q[QUERY_BUF_LEN];
    char small[4];

    tb_str(&tb, "len=");
    tb_size(&tb, httpd_req_get_url_query_len(req));
    tb_str(&tb, "\nquery=");
    q[0] = '\0';
    esp_err_t qerr = httpd_req_get_url_query_str(req, q, sizeof q);
    tb_str(&tb, qerr == ESP_OK ? q : esp_err_to_name(qerr));
    tb_str(&tb, "\nq4=");
    tb_str(&tb, esp_err_to_name(httpd_req_get_url_query_str(req, small, sizeof small)));
    tb_str(&tb, "\nk=");
    if (qerr != ESP_OK) {
        tb_str(&tb, esp_err_to_name(qerr));
    } else {
        size_t size = query_size(q, "size", 16, 1024);
        char *val = malloc(size ? size : 1);
        if (val == NULL) {
            free(tb.data);
            httpd_resp_send_500(req);
            return ESP_FAIL;
        }
        esp_err_t kerr = httpd_query_key_value(q, "k", val, size);
        tb_str(&tb, kerr == ESP_OK ? val : esp_err_to_name(kerr));
        free(val);
    }
    tb_str(&tb, "\n");
    return tb_send(req, &tb);
}

static esp_err_t cookie_handler(httpd_req_t *req)
{
    char q[QUERY_BUF_LEN];
    char name[128] = "";
    get_query(req, q);
    if (q[0] != '\0') {
        httpd_query_key_value(q, "name", name, sizeof name);
    }
    size_t size = query_size(q, "size", 32, 1024);
    char *val = malloc(size ? size : 1);
    if (val == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    val[0] = '\0';
    size_t val_size = size;
    esp_err_t err = httpd_req_get_cookie_val(req, name, val, &val_size);

    textbuf_t tb = {0};
    tb_str(&tb, esp_err_to_name(err));
    tb_str(&tb, " ");
    if (err == ESP_OK) {
        tb_str(&tb, val);
    }
    tb_str(&tb, " ");
    tb_size(&tb, val_size);
    free(val);
    return tb_send(req, &tb);
}

static esp_err_t hdr_handler(httpd_req_t *req)
{
    char q[QUERY_BUF_LEN];
    char name[128] = "";
    get_query(req, q);
    if (q[0] != '\0') {
        httpd_query_key_value(q, "name", name, sizeof name);
    }
    size_t size = query_size(q, "size", 64, 4096);
    char *val = malloc(size ? size : 1);
    if (val == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    val[0] = '\0';
    size_t len = httpd_req_get_hdr_value_len(req, name);
    esp_err_t err = httpd_req_get_hdr_value_str(req, name, val, size);

    textbuf_t tb = {0};
    tb_size(&tb, len);
    tb_str(&tb, " ");
    tb_str(&tb, esp_err_to_name(err));
    tb_str(&tb, " ");
    if (err == ESP_OK || err == ESP_ERR_HTTPD_RESULT_TRUNC) {
        tb_append(&tb, val, strnlen(val, size ? size : 1));
    }
    free(val);
    return tb_send(req, &tb);
}

static esp_err_t resp_headers_handler(httpd_req_t *req)
{
    textbuf_t tb = {0};
    esp_err_t inj[5];
    inj[0] = httpd_resp_set_hdr(req, "X-Bad", "a\r\nb");
    inj[1] = httpd_resp_set_hdr(req, "X-Bad", "a\nb");
    inj[2] = httpd_resp_set_hdr(req, "X-Bad\r\nX-Evil", "v");
    inj[3] = httpd_resp_set_status(req, "200 OK\r\nX: y");
    inj[4] = httpd_resp_set_type(req, "a\nb");

    const size_t n = (size_t)s_config.max_resp_headers + 1;
    char (*names)[32] = calloc(n, sizeof *names);
    char (*values)[32] = calloc(n, sizeof *values);
    if (names == NULL || values == NULL) {
        free(names);
        free(values);
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    esp_err_t last = ESP_OK;
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "X-H%zu", i);
        snprintf(values[i], sizeof values[i], "v%zu", i);
        last = httpd_resp_set_hdr(req, names[i], values[i]);
    }
    tb_str(&tb, esp_err_to_name(last));
    tb_str(&tb, "\ninj=");
    for (size_t i = 0; i < 5; i++) {
        if (i > 0) {
            tb_str(&tb, ",");
        }
        tb_str(&tb, esp_err_to_name(inj[i]));
    }
    esp_err_t err = tb_send(req, &tb);   /* names/values must outlive the send */
    free(names);
    free(values);
    return err;
}

static esp_err_t err_common(httpd_req_t *req, const char *msg)
{
    char q[QUERY_BUF_LEN];
    get_query(req, q);
    size_t c = query_size(q, "c", HTTPD_500_INTERNAL_SERVER_ERROR, 1000);
    esp_err_t err = httpd_resp_send_err(req, (httpd_err_code_t)c, msg);
    if (err != ESP_OK) {
        textbuf_t tb = {0};
        tb_str(&tb, "send_err=");
        tb_str(&tb, esp_err_to_name(err));
        return tb_send(req, &tb);
    }
    return ESP_OK;
}

static esp_err_t err_handler(httpd_req_t *req)
{
    return err_common(req, NULL);
}

static esp_err_t err_msg_handler(httpd_req_t *req)
{
    return err_common(req, "custom message");
}

static esp_err_t custom_err_handler(httpd_req_t *req)
{
    httpd_resp_send_custom_err(req, "418 I'm a teapot", "short and stout");
    return ESP_OK;
}

static esp_err_t raw_handler(httpd_req_t *req)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nraw";
    size_t off = 0;
    const size_t len = sizeof resp - 1;
    for (int tries = 0; off < len && tries < 1000; tries++) {
        int ret = httpd_send(req, resp + off, len - off);
        if (ret < 0) {
            return ESP_FAIL;
        }
        off += (size_t)ret;
    }
    return off == len ? ESP_OK : ESP_FAIL;
}

static esp_err_t fail_handler(httpd_req_t *req)
{
    (void)req;
    return ESP_FAIL;
}

static esp_err_t sockfd_handler(httpd_req_t *req)
{
    return send_int(req, httpd_req_to_sockfd(req));
}

static esp_err_t any_handler(httpd_req_t *req)
{
    return httpd_resp_sendstr(req, http_method_str((enum http_method)req->method));
}

static esp_err_t head_only_handler(httpd_req_t *req)
{
    return httpd_resp_send(req, "abc", 3);
}

static esp_err_t head_chunked_handler(httpd_req_t *req)
{
    static const char *const parts[] = { "one", "two", "three", NULL };
    for (int i = 0;; i++) {
        esp_err_t err = httpd_resp_send_chunk(req, parts[i], parts[i] ? HTTPD_RESP_USE_STRLEN : 0);
        if (err != ESP_OK || !parts[i]) {
            return err;
        }
    }
}

static esp_err_t dyn_handler(httpd_req_t *req)
{
    return httpd_resp_sendstr(req, "dynamic");
}

static esp_err_t dyn_register_handler(httpd_req_t *req)
{
    const httpd_uri_t dyn = {
        .uri = "/dyn", .method = HTTP_GET, .handler = dyn_handler, .user_ctx = NULL,
    };
    return httpd_resp_sendstr(req, esp_err_to_name(httpd_register_uri_handler(req->handle, &dyn)));
}

static esp_err_t dyn_unregister_handler(httpd_req_t *req)
{
    return httpd_resp_sendstr(req, esp_err_to_name(httpd_unregister_uri(req->handle, "/dyn")));
}

static esp_err_t fill_handlers_handler(httpd_req_t *req)
{
    esp_err_t err = ESP_OK;
    int count = 0;
    char uri[32];
    while (count < 10000) {
        snprintf(uri, sizeof uri, "/fill%d", count);   /* copied at registration */
        const httpd_uri_t h = {
            .uri = uri, .method = HTTP_GET, .handler = dyn_handler, .user_ctx = NULL,
        };
        err = httpd_register_uri_handler(req->handle, &h);
        if (err != ESP_OK) {
            break;
        }
        count++;
    }
    for (int i = 0; i < count; i++) {
        snprintf(uri, sizeof uri, "/fill%d", i);
        httpd_unregister_uri_handler(req->handle, uri, HTTP_GET);
    }
    char out[96];
    snprintf(out, sizeof out, "%d %s", count, esp_err_to_name(err));
    return httpd_resp_sendstr(req, out);
}

static esp_err_t conn_close_hdr_handler(httpd_req_t *req)
{
    httpd_resp_set_hdr(req, "Connection", "close");
    return httpd_resp_sendstr(req, "bye");
}

static esp_err_t conn_close_late_handler(httpd_req_t *req)
{
    httpd_resp_sendstr_chunk(req, "a");
    httpd_resp_set_hdr(req, "Connection", "close");
    httpd_resp_sendstr_chunk(req, "b");
    return httpd_resp_sendstr_chunk(req, NULL);
}

/* 256 KiB of 'A'..'Z' repeated (10,082 times 26 bytes, then 12) in .rodata, placed by
 * the assembler as ESP-IDF's EMBED_FILES places an embedded file. */
#define CONST_BIG_LEN (256u * 1024u)
extern const char s_const_big[CONST_BIG_LEN];
__asm__(".section .rodata\n"
        ".balign 16\n"
        "s_const_big:\n"
        ".rept 10082\n"
        ".ascii \"ABCDEFGHIJKLMNOPQRSTUVWXYZ\"\n"
        ".endr\n"
        ".ascii \"ABCDEFGHIJKL\"\n"
        ".previous\n");

static esp_err_t big_handler(httpd_req_t *req)
{
    char q[QUERY_BUF_LEN], src[8];
    get_query(req, q);
    if (q[0] != '\0' && httpd_query_key_value(q, "src", src, sizeof src) == ESP_OK && strcmp(src, "const") == 0) {
        size_t off = query_size(q, "off", 0, CONST_BIG_LEN);
        size_t len = query_size(q, "n", CONST_BIG_LEN - off, CONST_BIG_LEN - off);
        return httpd_resp_send(req, s_const_big + off, (ssize_t)len);
    }
    size_t n = query_size(q, "n", BIG_DEFAULT, BIG_MAX);
    char *buf = malloc(n ? n : 1);
    if (buf == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    for (size_t i = 0; i < n; i++) {
        buf[i] = (char)('A' + i % 26);
    }
    esp_err_t err = httpd_resp_send(req, buf, (ssize_t)n);
    free(buf);
    return err;
}

/* ---- --framing ------------------------------------------------------------------ */

static esp_err_t silent_handler(httpd_req_t *req)
{
    char q[QUERY_BUF_LEN], buf[64];
    get_query(req, q);
    size_t n = query_size(q, "read", 0, sizeof buf);
    for (size_t got = 0; got < n;) {
        int ret = httpd_req_recv(req, buf, n - got);
        if (ret <= 0) {
            break;   /* whatever went wrong: no response */
        }
        got += (size_t)ret;
    }
    return ESP_OK;
}

static esp_err_t status_handler(httpd_req_t *req)
{
    char q[QUERY_BUF_LEN], v[16] = "";
    get_query(req, q);
    size_t code = query_size(q, "s", 200, 999);
    httpd_resp_set_status(req, code == 204 ? "204 No Content" : code == 304 ? "304 Not Modified"
                               : code == 103 ? "103 Early Hints" : HTTPD_200);
    httpd_resp_set_type(req, "application/json");
    httpd_resp_set_hdr(req, "X-Kept", "1");
    if (q[0] != '\0') {
        httpd_query_key_value(q, "mode", v, sizeof v);
    }
    if (strcmp(v, "chunk") == 0) {
        esp_err_t err = httpd_resp_send_chunk(req, "abc", 3);
        if (err == ESP_OK) {
            err = httpd_resp_send_chunk(req, "def", 3);
        }
        return err == ESP_OK ? httpd_resp_send_chunk(req, NULL, 0) : err;
    }
    return strcmp(v, "empty") == 0 ? httpd_resp_send(req, NULL, 0) : httpd_resp_send(req, "abc", 3);
}

static esp_err_t framing_hdrs_handler(httpd_req_t *req)
{
    char q[QUERY_BUF_LEN], cl[32] = "", te[32] = "", chunk[4] = "";
    if (get_query(req, q)) {
        httpd_query_key_value(q, "cl", cl, sizeof cl);
        httpd_query_key_value(q, "te", te, sizeof te);
        httpd_query_key_value(q, "chunk", chunk, sizeof chunk);
    }
    if (cl[0]) {
        httpd_resp_set_hdr(req, "content-length", cl);   /* cl, te: alive until the send */
    }
    if (te[0]) {
        httpd_resp_set_hdr(req, "Transfer-ENCODING", te);
    }
    httpd_resp_set_hdr(req, "X-After", "1");
    if (strcmp(chunk, "1") == 0) {
        esp_err_t err = httpd_resp_send_chunk(req, "hello", 5);
        if (err == ESP_OK) {
            err = httpd_resp_send_chunk(req, " world", 6);
        }
        return err == ESP_OK ? httpd_resp_send_chunk(req, NULL, 0) : err;
    }
    return httpd_resp_send(req, "hello", 5);
}

/* GET /typelen?n=N: a Content-Type of N bytes ("x/" and N - 2 'a's), body "ok";
 * when the send refuses it (status line and type over max_req_hdr_len, upstream's
 * rule), the default type and the error's name as the body. */
static esp_err_t typelen_handler(httpd_req_t *req)
{
    static char type[600];
    char q[QUERY_BUF_LEN];
    get_query(req, q);
    size_t n = query_size(q, "n", 10, sizeof type - 1);
    n = n < 2 ? 2 : n;
    memset(type, 'a', n);
    memcpy(type, "x/", 2);
    type[n] = '\0';
    httpd_resp_set_type(req, type);
    esp_err_t err = httpd_resp_send(req, "ok", 2);
    if (err == ESP_OK) {
        return ESP_OK;
    }
    httpd_resp_set_type(req, HTTPD_TYPE_TEXT);
    return httpd_resp_send(req, esp_err_to_name(err), HTTPD_RESP_USE_STRLEN);
}

static const httpd_uri_t s_framing_handlers[] = {
    { .uri = "/silent", .method = HTTP_POST, .handler = silent_handler },
    { .uri = "/status", .method = HTTP_GET, .handler = status_handler },
    { .uri = "/framing_hdrs", .method = HTTP_GET, .handler = framing_hdrs_handler },
    { .uri = "/typelen", .method = HTTP_GET, .handler = typelen_handler },
};

static esp_err_t template_handler(httpd_req_t *req)
{
    return httpd_resp_sendstr(req, (const char *)req->user_ctx);
}

static esp_err_t custom_404_handler(httpd_req_t *req, httpd_err_code_t error)
{
    (void)error;
    if (strncmp(req->uri, "/keep404", 8) == 0) {
        httpd_resp_send_err(req, HTTPD_404_NOT_FOUND, "custom keep");
        return ESP_OK;
    }
    httpd_resp_send_err(req, HTTPD_404_NOT_FOUND, "custom close");
    return ESP_FAIL;
}

/* ---- Registration ---------------------------------------------------------------- */

#define H(u, m, fn) { .uri = (u), .method = (m), .handler = (fn), .user_ctx = NULL }

static const httpd_uri_t s_handlers[] = {
    /* upstream advanced_tests, in upstream's order */
    H("/hello/type_html",  HTTP_GET,  hello_type_html_handler),
    H("/test_header",      HTTP_GET,  test_header_handler),
    H("/hello",            HTTP_GET,  hello_handler),
    H("/hello/status_500", HTTP_GET,  hello_status_500_handler),
    H("/echo",             HTTP_POST, echo_handler),
    H("/echo",             HTTP_PUT,  echo_handler),
    H("/leftover_data",    HTTP_POST, leftover_data_handler),
    H("/adder",            HTTP_POST, adder_post_put_handler),
    H("/async_data",       HTTP_GET,  async_data_handler),
    /* persistent sockets example */
    H("/adder",            HTTP_PUT,  adder_post_put_handler),
    H("/adder",            HTTP_GET,  adder_get_handler),
    H("/login",            HTTP_GET,  login_handler),
    H("/logout",           HTTP_GET,  logout_handler),
    /* extras */
    H("/body_echo",        HTTP_POST, body_echo_handler),
    H("/stream",           HTTP_GET,  stream_handler),
    H("/chunk_sizes",      HTTP_GET,  chunk_sizes_handler),
    H("/chunk_then_recv",  HTTP_POST, chunk_then_recv_handler),
    H("/chunk_push",       HTTP_GET,  chunk_push_handler),
    H("/hdr_after_send",   HTTP_GET,  hdr_after_send_handler),
    H("/query",            HTTP_GET,  query_handler),
    H("/cookie",           HTTP_GET,  cookie_handler),
    H("/hdr",              HTTP_GET,  hdr_handler),
    H("/resp_headers",     HTTP_GET,  resp_headers_handler),
    H("/err",              HTTP_GET,  err_handler),
    H("/err_msg",          HTTP_GET,  err_msg_handler),
    H("/custom_err",       HTTP_GET,  custom_err_handler),
    H("/raw",              HTTP_GET,  raw_handler),
    H("/fail",             HTTP_GET,  fail_handler),
    H("/sockfd",           HTTP_GET,  sockfd_handler),
    H("/any",              HTTP_ANY,  any_handler),
    H("/head_only",        HTTP_HEAD, head_only_handler),
    H("/head_chunked",     HTTP_HEAD, head_chunked_handler),
    H("/dyn_register",     HTTP_POST, dyn_register_handler),
    H("/dyn_unregister",   HTTP_POST, dyn_unregister_handler),
    H("/fill_handlers",    HTTP_POST, fill_handlers_handler),
    H("/conn_close_hdr",   HTTP_GET,  conn_close_hdr_handler),
    H("/conn_close_late",  HTTP_GET,  conn_close_late_handler),
    H("/big",              HTTP_GET,  big_handler),
};

static const char *const s_templates[] = { "/api/*", "/opt/?", "/both/?*" };

static esp_err_t register_all(httpd_handle_t hd, bool wildcard, bool custom_404, bool framing)
{
    esp_err_t err;
    for (size_t i = 0; framing && i < sizeof s_framing_handlers / sizeof s_framing_handlers[0]; i++) {
        err = httpd_register_uri_handler(hd, &s_framing_handlers[i]);
        if (err != ESP_OK) {
            return err;
        }
    }
    for (size_t i = 0; i < sizeof s_handlers / sizeof s_handlers[0]; i++) {
        err = httpd_register_uri_handler(hd, &s_handlers[i]);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "registering %s failed: %s", s_handlers[i].uri, esp_err_to_name(err));
            return err;
        }
    }
    if (wildcard) {
        for (size_t i = 0; i < sizeof s_templates / sizeof s_templates[0]; i++) {
            const httpd_uri_t h = {
                .uri = s_templates[i], .method = HTTP_GET, .handler = template_handler,
                .user_ctx = (void *)(uintptr_t)s_templates[i],
            };
            err = httpd_register_uri_handler(hd, &h);
            if (err != ESP_OK) {
                ESP_LOGE(TAG, "registering %s failed: %s", s_templates[i], esp_err_to_name(err));
                return err;
            }
        }
    }
    if (custom_404) {
        err = httpd_register_err_handler(hd, HTTPD_404_NOT_FOUND, custom_404_handler);
        if (err != ESP_OK) {
            return err;
        }
    }
    return ESP_OK;
}

/* ---- main ------------------------------------------------------------------------ */

/* --sndbuf N: each accepted socket gets SO_SNDBUF N (the kernel doubles it), so that a
 * test fills the socket with a few responses instead of megabytes. */
static int s_sndbuf;

static esp_err_t sndbuf_open(httpd_handle_t hd, int fd)
{
    (void)hd;
    return setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s_sndbuf, sizeof s_sndbuf) == 0 ? ESP_OK : ESP_FAIL;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: test_server --port N [--recv-timeout S] [--send-timeout S] [--max-sockets N]\n"
            "                   [--lru] [--max-hdr-len N] [--max-uri-len N] [--max-handlers N]\n"
            "                   [--max-resp-headers N] [--wildcard] [--custom-404] [--framing]\n"
            "                   [--sndbuf N]\n");
}

enum {
    OPT_PORT = 1, OPT_RECV_TIMEOUT, OPT_SEND_TIMEOUT, OPT_MAX_SOCKETS, OPT_LRU,
    OPT_MAX_HDR_LEN, OPT_MAX_URI_LEN, OPT_MAX_HANDLERS, OPT_MAX_RESP_HEADERS,
    OPT_WILDCARD, OPT_CUSTOM_404, OPT_FRAMING, OPT_SNDBUF,
};

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "port",             required_argument, NULL, OPT_PORT },
        { "recv-timeout",     required_argument, NULL, OPT_RECV_TIMEOUT },
        { "send-timeout",     required_argument, NULL, OPT_SEND_TIMEOUT },
        { "max-sockets",      required_argument, NULL, OPT_MAX_SOCKETS },
        { "lru",              no_argument,       NULL, OPT_LRU },
        { "max-hdr-len",      required_argument, NULL, OPT_MAX_HDR_LEN },
        { "max-uri-len",      required_argument, NULL, OPT_MAX_URI_LEN },
        { "max-handlers",     required_argument, NULL, OPT_MAX_HANDLERS },
        { "max-resp-headers", required_argument, NULL, OPT_MAX_RESP_HEADERS },
        { "wildcard",         no_argument,       NULL, OPT_WILDCARD },
        { "custom-404",       no_argument,       NULL, OPT_CUSTOM_404 },
        { "framing",          no_argument,       NULL, OPT_FRAMING },
        { "sndbuf",           required_argument, NULL, OPT_SNDBUF },
        { NULL, 0, NULL, 0 },
    };
    bool have_port = false, wildcard = false, custom_404 = false, framing = false;
    unsigned long v = 0;
    int c;

    s_config.max_uri_handlers = 48;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case OPT_PORT:
            ok = fw_parse_u16(optarg, 0, 65535, &s_config.server_port);
            have_port = ok;
            break;
        case OPT_RECV_TIMEOUT:
            ok = fw_parse_u16(optarg, 0, UINT16_MAX, &s_config.recv_wait_timeout);
            break;
        case OPT_SEND_TIMEOUT:
            ok = fw_parse_u16(optarg, 0, UINT16_MAX, &s_config.send_wait_timeout);
            break;
        case OPT_MAX_SOCKETS:
            ok = fw_parse_u16(optarg, 0, UINT16_MAX, &s_config.max_open_sockets);
            break;
        case OPT_LRU:
            s_config.lru_purge_enable = true;
            break;
        case OPT_MAX_HDR_LEN:
            ok = fw_parse_num(optarg, 0, SIZE_MAX, &v);
            s_config.max_req_hdr_len = (size_t)v;
            break;
        case OPT_MAX_URI_LEN:
            ok = fw_parse_num(optarg, 0, SIZE_MAX, &v);
            s_config.max_uri_len = (size_t)v;
            break;
        case OPT_MAX_HANDLERS:
            ok = fw_parse_u16(optarg, 0, UINT16_MAX, &s_config.max_uri_handlers);
            break;
        case OPT_MAX_RESP_HEADERS:
            ok = fw_parse_u16(optarg, 0, UINT16_MAX, &s_config.max_resp_headers);
            break;
        case OPT_WILDCARD:
            wildcard = true;
            break;
        case OPT_CUSTOM_404:
            custom_404 = true;
            break;
        case OPT_FRAMING:
            framing = true;
            break;
        case OPT_SNDBUF:
            ok = fw_parse_num(optarg, 1, INT_MAX, &v);
            s_sndbuf = (int)v;
            s_config.open_fn = sndbuf_open;
            break;
        default:
            ok = false;
            break;
        }
        if (!ok) {
            usage();
            return 64;
        }
    }
    if (!have_port || optind != argc) {
        usage();
        return 64;
    }
    if (wildcard) {
        s_config.uri_match_fn = httpd_uri_match_wildcard;
    }

    /* Block the stop signals before any thread exists: only sigwait() sees them. */
    sigset_t stop_set;
    if (!fw_block_stop_signals(&stop_set)) {
        return 1;
    }

    esp_err_t err = httpd_start(&s_server, &s_config);
    if (err != ESP_OK) {
        fw_print_start_failed(err);
        return 2;
    }
    err = register_all(s_server, wildcard, custom_404, framing);
    if (err != ESP_OK) {
        fw_print_start_failed(err);
        httpd_stop(s_server);
        return 2;
    }
    fw_print_ready(s_config.server_port);

    int sig = fw_wait_stop_signal(&stop_set);
    ESP_LOGI(TAG, "signal %d: stopping", sig);
    err = fw_stop(s_server);
    if (err != ESP_OK) {
        return 1;
    }
    s_server = NULL;
    fprintf(stderr, "STOPPED\n");
    return 0;
}
