/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ws_server: the firmware that tests/pytest/test_ws.py drives to test the
 * WebSocket support (RFC 6455 handshake, frames, httpd_ws_* API).
 *
 * Usage:
 *   ws_server --port N [--max-sockets N] [--recv-timeout S] [--send-timeout S]
 *
 * Prints "READY <port>" on stdout once the server runs; on failure "START_FAILED
 * <esp_err_to_name>" and exit 2 (bad command line: exit 64). SIGTERM / SIGINT:
 * queues STOP_ASYNC httpd_ws_send_data_async() sends to the fd that last asked
 * "fd?" (so they race with the stop), calls httpd_stop(), joins every push
 * thread, then prints one line on stdout
 *   FINAL async_queued=Q async_cb=C push_threads=T push_joined=J
 * (Q: httpd_ws_send_data_async() calls that returned ESP_OK, C: completion
 * callbacks that ran; every queued send must get exactly one callback) and
 * exits 0. Logs go to stderr. Default max_open_sockets: 128.
 *
 * WebSocket endpoints (GET, is_websocket = true):
 *   /ws        echo: length query (recv_frame max_len 0), then a second
 *              recv_frame with a buffer, then the frame is sent back with the
 *              same type, FIN and fragmentation (so fragments are echoed as
 *              fragments, a PONG as a PONG). TEXT commands instead of an echo:
 *                "fd?"       -> TEXT "fd=<fd>" (and "FD <fd>" on stdout)
 *                "method?"   -> TEXT "method=<req->method>"
 *                "ping-me"   -> a work function sends an empty PING with
 *                               httpd_ws_send_frame_async (no payload buffer), as
 *                               upstream's ws_echo_server example does
 *                "close-me"  -> the handler sends CLOSE 1000 itself, then prints
 *                               "CLOSING_INFO fd=<fd> info=<httpd_ws_get_fd_info>
 *                               send_after=<err of a TEXT send after it>" on stdout
 *              A plain GET (no upgrade) runs the same handler as an HTTP
 *              handler: it answers "plain http <uri>\n".
 *   /ws_proto  the /ws echo with supported_subprotocol "chat".
 *   /ws_any    the /ws echo registered for HTTP_ANY.
 *   /ws_ctl    handle_ws_control_frames = true. Every frame (PING, PONG, CLOSE
 *              included) is reported back as one BINARY frame:
 *                [type, final] + payload             (recv_frame succeeded)
 *                [0xFF] + "<esp_err_to_name>"        (recv_frame failed)
 *   /ws_msg    httpd_ws_recv_msg(max 1 MiB), then the whole message is sent
 *              back as one frame of the message's type. On an error the
 *              handler returns it.
 *   /ws_part   reads each frame in 64-byte parts with httpd_ws_recv_frame_part
 *              and sends each part at once as a fragment (first part: the
 *              frame's type, then CONTINUE; FIN on the last part of a final
 *              frame), as upstream's /ws_partial.
 *   /ws_small  length query, then recv_frame(max_len 16) into a 16-byte buffer;
 *              answers TEXT "len=<n> err=<esp_err_to_name>[ data=<payload>]".
 *   /ws_misuse each frame: the httpd_ws_* calls made wrongly (NULL request,
 *              frame or payload; no such session), then the frame read with a
 *              16-byte buffer; answers TEXT "<err> ... then <err> data=<payload>".
 *              A plain GET answers "plain recv=<err> send=<err>" (the frame
 *              calls outside a WebSocket).
 *   /ws_count  keeps a call counter in req->sess_ctx (free_ctx frees it) and
 *              answers every frame with TEXT "calls=<n>" (n counts this frame).
 *   /ws_gate   the /ws echo with both handshake callbacks: ws_pre_handshake_cb
 *              refuses the upgrade unless the request has "X-Gate: open";
 *              ws_post_handshake_cb sends TEXT "welcome <uri>" and keeps the
 *              connection, unless the query has "deny" (then it fails, and the
 *              server closes the connection after its 101).
 *
 * HTTP endpoints (GET):
 *   /push?fd=N&n=K&size=S&api=frame|data
 *              starts a thread that sends K TEXT frames to fd with
 *              httpd_ws_send_frame_async (api=frame, default) or
 *              httpd_ws_send_data (api=data). Frame i of job J is
 *              "P<J> <i> " padded to S bytes (default 0: no padding) with
 *              'a' + (k % 26) at offset k. Answers "job=<J>\n".
 *   /push_status?job=J
 *              "done=<0|1> ok=<n> err=<n> first_err=<esp_err_to_name>\n"
 *   /push_async?fd=N&n=K
 *              queues K httpd_ws_send_data_async TEXT frames "A <i>" (payload
 *              freed by the callback); answers "queued=<n> err=<first error>\n".
 *   /push_log  one line per completion callback so far, in order:
 *              "cb fd=<fd> i=<i> err=<esp_err_to_name>\n" (empty body: none yet).
 *   /fdinfo?fd=N   "info=<httpd_ws_get_fd_info(fd)>\n"
 *   /fdinfo?self=1 "fd=<own fd> info=<info of it>\n"
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "fw_common.h"

static const char *TAG = "ws_server";

#define MAX_JOBS      64
#define STOP_ASYNC    3
#define MSG_MAX       (1u << 20)
#define PART_LEN      64
#define LOG_MAX       (64 * 1024)

static httpd_handle_t s_server;
static atomic_int s_last_fd = -1;
static atomic_uint s_async_queued;
static atomic_uint s_async_cb;

/* ---- Helpers ---------------------------------------------------------------------- */

static esp_err_t send_text(httpd_req_t *req, const char *text)
{
    httpd_ws_frame_t f = {
        .type = HTTPD_WS_TYPE_TEXT,
        .payload = (uint8_t *)(uintptr_t)text,
        .len = strlen(text),
    };
    return httpd_ws_send_frame(req, &f);
}

static bool is_ws_frame(httpd_req_t *req)
{
    return httpd_ws_get_fd_info(req->handle, httpd_req_to_sockfd(req)) == HTTPD_WS_CLIENT_WEBSOCKET;
}

static bool query_long(httpd_req_t *req, const char *key, long *out)
{
    char q[256];
    char v[64];
    if (httpd_req_get_url_query_str(req, q, sizeof q) != ESP_OK ||
        httpd_query_key_value(q, key, v, sizeof v) != ESP_OK) {
        return false;
    }
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0') {
        return false;
    }
    *out = n;
    return true;
}

static bool query_str(httpd_req_t *req, const char *key, char *out, size_t out_len)
{
    char q[256];
    return httpd_req_get_url_query_str(req, q, sizeof q) == ESP_OK &&
           httpd_query_key_value(q, key, out, out_len) == ESP_OK;
}

static esp_err_t plain_reply(httpd_req_t *req)
{
    char body[600];
    snprintf(body, sizeof body, "plain http %s\n", req->uri);
    return httpd_resp_sendstr(req, body);
}

/* ---- /ws echo ------------------------------------------------------------------------ */

/* /ws_twice: echoes a frame, then sends the text "second" whatever the echo's
 * result (a handler that does not check it). When the echo failed half-way
 * (send_wait_timeout), the second frame must be refused, never written into
 * the cut one. Prints "TWICE first=<err> second=<err>". */
static esp_err_t twice_handler(httpd_req_t *req)
{
    if (req->method == HTTP_GET) {
        return ESP_OK;
    }
    httpd_ws_frame_t f = { 0 };
    esp_err_t err = httpd_ws_recv_frame(req, &f, 0);
    uint8_t *buf = err == ESP_OK ? malloc(f.len + 1) : NULL;
    if (!buf) {
        return err != ESP_OK ? err : ESP_ERR_NO_MEM;
    }
    f.payload = buf;
    err = httpd_ws_recv_frame(req, &f, f.len);
    esp_err_t first = err == ESP_OK ? httpd_ws_send_frame(req, &f) : err;
    httpd_ws_frame_t t = { .type = HTTPD_WS_TYPE_TEXT, .payload = (uint8_t *)"second", .len = 6 };
    esp_err_t second = httpd_ws_send_frame(req, &t);
    free(buf);
    printf("TWICE first=%s second=%s\n", esp_err_to_name(first), esp_err_to_name(second));
    fflush(stdout);
    return first;
}

static void ping_work(void *arg)
{
    struct { httpd_handle_t hd; int fd; } *w = arg;
    httpd_ws_frame_t ping = { .type = HTTPD_WS_TYPE_PING };   /* no payload, no buffer */
    (void)httpd_ws_send_frame_async(w->hd, w->fd, &ping);
    free(w);
}

static esp_err_t queue_ping(httpd_req_t *req, int fd)
{
    struct { httpd_handle_t hd; int fd; } *w = malloc(sizeof *w);
    if (!w) {
        return ESP_ERR_NO_MEM;
    }
    w->hd = req->handle;
    w->fd = fd;
    esp_err_t err = httpd_queue_work(req->handle, ping_work, w);
    if (err != ESP_OK) {
        free(w);
    }
    return err;
}

static esp_err_t echo_handler(httpd_req_t *req)
{
    if (!is_ws_frame(req)) {
        return plain_reply(req);
    }
    httpd_ws_frame_t f;
    memset(&f, 0, sizeof f);
    esp_err_t err = httpd_ws_recv_frame(req, &f, 0);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "length query: %s", esp_err_to_name(err));
        return err;
    }
    uint8_t *buf = NULL;
    if (f.len) {
        buf = malloc(f.len + 1);
        if (!buf) {
            return ESP_ERR_NO_MEM;
        }
        f.payload = buf;
        err = httpd_ws_recv_frame(req, &f, f.len);
        if (err != ESP_OK) {
            ESP_LOGD(TAG, "recv_frame: %s", esp_err_to_name(err));
            free(buf);
            return err;
        }
        buf[f.len] = '\0';
    }
    int fd = httpd_req_to_sockfd(req);
    char reply[160];
    if (f.type == HTTPD_WS_TYPE_TEXT && f.final && f.len == 3 && memcmp(buf, "fd?", 3) == 0) {
        atomic_store(&s_last_fd, fd);
        printf("FD %d\n", fd);
        fflush(stdout);
        snprintf(reply, sizeof reply, "fd=%d", fd);
        err = send_text(req, reply);
    } else if (f.type == HTTPD_WS_TYPE_TEXT && f.final && f.len == 7 && memcmp(buf, "method?", 7) == 0) {
        snprintf(reply, sizeof reply, "method=%d", (int)req->method);
        err = send_text(req, reply);
    } else if (f.type == HTTPD_WS_TYPE_TEXT && f.final && f.len == 7 && memcmp(buf, "ping-me", 7) == 0) {
        err = queue_ping(req, fd);
    } else if (f.type == HTTPD_WS_TYPE_TEXT && f.final && f.len == 8 && memcmp(buf, "close-me", 8) == 0) {
        uint8_t code[2] = { 0x03, 0xE8 };
        httpd_ws_frame_t c = { .type = HTTPD_WS_TYPE_CLOSE, .payload = code, .len = 2 };
        err = httpd_ws_send_frame(req, &c);
        httpd_ws_client_info_t info = httpd_ws_get_fd_info(req->handle, fd);
        esp_err_t after = send_text(req, "after close");
        printf("CLOSING_INFO fd=%d info=%d send_after=%s\n", fd, (int)info, esp_err_to_name(after));
        fflush(stdout);
    } else {
        httpd_ws_frame_t out = {
            .type = f.type,
            .final = f.final,
            .fragmented = !f.final || f.type == HTTPD_WS_TYPE_CONTINUE,
            .payload = buf,
            .len = f.len,
        };
        err = httpd_ws_send_frame(req, &out);
    }
    free(buf);
    return err;
}

/* ---- /ws_ctl --------------------------------------------------------------------------- */

static esp_err_t ctl_handler(httpd_req_t *req)
{
    if (!is_ws_frame(req)) {
        return plain_reply(req);
    }
    httpd_ws_frame_t f;
    memset(&f, 0, sizeof f);
    uint8_t out[2 + 128];
    size_t out_len;
    esp_err_t err = httpd_ws_recv_frame(req, &f, 0);
    if (err == ESP_OK && f.len > 125) {
        err = ESP_ERR_INVALID_SIZE;   /* data frames are not this endpoint's business */
    }
    if (err == ESP_OK && f.len) {
        f.payload = out + 2;
        err = httpd_ws_recv_frame(req, &f, f.len);
    }
    if (err == ESP_OK) {
        out[0] = (uint8_t)f.type;
        out[1] = f.final ? 1 : 0;
        out_len = 2 + f.len;
    } else {
        out[0] = 0xFF;
        const char *name = esp_err_to_name(err);
        size_t n = strlen(name) < 120 ? strlen(name) : 120;
        memcpy(out + 1, name, n);
        out_len = 1 + n;
    }
    httpd_ws_frame_t r = { .type = HTTPD_WS_TYPE_BINARY, .payload = out, .len = out_len };
    esp_err_t serr = httpd_ws_send_frame(req, &r);
    if (serr != ESP_OK) {
        ESP_LOGD(TAG, "ctl report: %s", esp_err_to_name(serr));
    }
    return ESP_OK;
}

/* ---- /ws_msg --------------------------------------------------------------------------- */

static esp_err_t msg_handler(httpd_req_t *req)
{
    if (!is_ws_frame(req)) {
        return plain_reply(req);
    }
    uint8_t *buf = malloc(MSG_MAX);
    if (!buf) {
        return ESP_ERR_NO_MEM;
    }
    httpd_ws_frame_t f;
    memset(&f, 0, sizeof f);
    f.payload = buf;
    esp_err_t err = httpd_ws_recv_msg(req, &f, MSG_MAX);
    if (err == ESP_OK) {
        httpd_ws_frame_t out = { .type = f.type, .payload = buf, .len = f.len };
        err = httpd_ws_send_frame(req, &out);
    } else {
        ESP_LOGD(TAG, "recv_msg: %s", esp_err_to_name(err));
    }
    free(buf);
    return err;
}

/* ---- /ws_part -------------------------------------------------------------------------- */

static esp_err_t part_handler(httpd_req_t *req)
{
    if (!is_ws_frame(req)) {
        return plain_reply(req);
    }
    uint8_t buf[PART_LEN];
    httpd_ws_frame_t f;
    memset(&f, 0, sizeof f);
    esp_err_t err = httpd_ws_recv_frame_part(req, &f, 0);
    if (err != ESP_OK) {
        return err;
    }
    httpd_ws_type_t type = f.type;
    bool last_frame = f.final;
    bool first = true;
    do {
        f.payload = buf;
        f.len = 0;
        if (f.left_len || first) {
            err = httpd_ws_recv_frame_part(req, &f, sizeof buf);
            if (err != ESP_OK) {
                return err;
            }
        }
        httpd_ws_frame_t out = {
            .type = first ? type : HTTPD_WS_TYPE_CONTINUE,
            .fragmented = true,
            .final = last_frame && f.left_len == 0,
            .payload = buf,
            .len = f.len,
        };
        err = httpd_ws_send_frame(req, &out);
        if (err != ESP_OK) {
            return err;
        }
        first = false;
    } while (f.left_len);
    return ESP_OK;
}

/* ---- /ws_small ------------------------------------------------------------------------- */

static esp_err_t small_handler(httpd_req_t *req)
{
    if (!is_ws_frame(req)) {
        return plain_reply(req);
    }
    uint8_t buf[17];
    httpd_ws_frame_t f;
    memset(&f, 0, sizeof f);
    esp_err_t err = httpd_ws_recv_frame(req, &f, 0);
    if (err != ESP_OK) {
        return err;
    }
    size_t len = f.len;
    f.payload = buf;
    err = httpd_ws_recv_frame(req, &f, 16);
    char reply[96];
    if (err == ESP_OK) {
        buf[f.len] = '\0';
        snprintf(reply, sizeof reply, "len=%zu err=%s data=%s", len, esp_err_to_name(err), (char *)buf);
    } else {
        snprintf(reply, sizeof reply, "len=%zu err=%s", len, esp_err_to_name(err));
    }
    return send_text(req, reply);
}

/* ---- /ws_misuse ------------------------------------------------------------------------ */

/* The WebSocket calls made wrongly: each must fail with its documented code
 * and leave the frame unread. A plain HTTP call answers with what the two
 * frame calls return outside a WebSocket. */
static esp_err_t misuse_handler(httpd_req_t *req)
{
    httpd_ws_frame_t f, text = { .type = HTTPD_WS_TYPE_TEXT, .payload = (uint8_t *)"x", .len = 1 };
    memset(&f, 0, sizeof f);
    char reply[512];
    if (!is_ws_frame(req)) {
        esp_err_t recv = httpd_ws_recv_frame(req, &f, 0);
        esp_err_t send = httpd_ws_send_frame(req, &text);
        snprintf(reply, sizeof reply, "plain recv=%s send=%s\n", esp_err_to_name(recv), esp_err_to_name(send));
        return httpd_resp_sendstr(req, reply);
    }
    httpd_ws_frame_t no_payload = { .type = HTTPD_WS_TYPE_TEXT, .len = 3 };
    httpd_handle_t hd = req->handle;
    int fd = httpd_req_to_sockfd(req);
    esp_err_t errs[10] = {
        httpd_ws_recv_frame(NULL, &f, 0),
        httpd_ws_recv_frame(req, NULL, 0),
        httpd_ws_recv_frame(req, &f, 16),               /* f.payload NULL */
        httpd_ws_recv_msg(req, &f, 16),                 /* f.payload NULL */
        httpd_ws_recv_frame_part(req, &f, 16),          /* f.payload NULL */
        httpd_ws_send_frame(req, &no_payload),
        httpd_ws_send_frame(NULL, &text),
        httpd_ws_send_frame(req, NULL),
        httpd_ws_send_frame_async(hd, fd, NULL),
        httpd_ws_send_frame_async(hd, 99999, &text),    /* no such session */
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        n += (size_t)snprintf(reply + n, sizeof reply - n, "%s ", esp_err_to_name(errs[i]));
    }
    uint8_t buf[17];
    memset(&f, 0, sizeof f);
    f.payload = buf;
    esp_err_t err = httpd_ws_recv_frame(req, &f, 16);
    buf[err == ESP_OK ? f.len : 0] = '\0';
    snprintf(reply + n, sizeof reply - n, "then %s data=%s", esp_err_to_name(err), (char *)buf);
    return send_text(req, reply);
}

/* ---- /ws_count ------------------------------------------------------------------------- */

static esp_err_t count_handler(httpd_req_t *req)
{
    if (!is_ws_frame(req)) {
        return plain_reply(req);
    }
    httpd_ws_frame_t f;
    memset(&f, 0, sizeof f);
    uint8_t buf[126];
    esp_err_t err = httpd_ws_recv_frame(req, &f, 0);
    if (err != ESP_OK || f.len > 125) {
        return err != ESP_OK ? err : ESP_ERR_INVALID_SIZE;
    }
    f.payload = buf;
    if (f.len && (err = httpd_ws_recv_frame(req, &f, f.len)) != ESP_OK) {
        return err;
    }
    unsigned *calls = req->sess_ctx;
    if (!calls) {
        calls = calloc(1, sizeof *calls);
        if (!calls) {
            return ESP_ERR_NO_MEM;
        }
        req->sess_ctx = calls;
        req->free_ctx = free;
    }
    ++*calls;
    char reply[32];
    snprintf(reply, sizeof reply, "calls=%u", *calls);
    return send_text(req, reply);
}

/* ---- /push: frames from other threads ------------------------------------------------ */

struct push_job {
    int id;
    int fd;
    long n;
    long size;
    bool use_data_api;
    pthread_t thread;
    bool started;
    bool done;
    long ok;
    long err;
    esp_err_t first_err;
};

static pthread_mutex_t s_jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct push_job s_jobs[MAX_JOBS];
static int s_job_count;

static void *push_main(void *arg)
{
    struct push_job *j = arg;
    size_t cap = (size_t)(j->size > 64 ? j->size : 64);
    char *buf = malloc(cap + 1);
    for (long i = 0; buf && i < j->n; i++) {
        int hl = snprintf(buf, cap + 1, "P%d %ld ", j->id, i);
        size_t len = (size_t)hl;
        for (size_t k = len; k < (size_t)j->size; k++) {
            buf[k] = (char)('a' + k % 26);
        }
        if ((size_t)j->size > len) {
            len = (size_t)j->size;
        }
        httpd_ws_frame_t f = { .type = HTTPD_WS_TYPE_TEXT, .payload = (uint8_t *)buf, .len = len };
        esp_err_t e = j->use_data_api ? httpd_ws_send_data(s_server, j->fd, &f)
                                      : httpd_ws_send_frame_async(s_server, j->fd, &f);
        pthread_mutex_lock(&s_jobs_lock);
        if (e == ESP_OK) {
            j->ok++;
        } else {
            if (j->err++ == 0) {
                j->first_err = e;
            }
        }
        pthread_mutex_unlock(&s_jobs_lock);
    }
    free(buf);
    pthread_mutex_lock(&s_jobs_lock);
    j->done = true;
    pthread_mutex_unlock(&s_jobs_lock);
    return NULL;
}

static esp_err_t push_handler(httpd_req_t *req)
{
    long fd = -1;
    long n = 1;
    long size = 0;
    char api[16] = "frame";
    if (!query_long(req, "fd", &fd)) {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "fd required");
    }
    (void)query_long(req, "n", &n);
    (void)query_long(req, "size", &size);
    (void)query_str(req, "api", api, sizeof api);
    if (n < 0 || n > 1000000 || size < 0 || size > (1L << 20)) {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "bad n/size");
    }
    pthread_mutex_lock(&s_jobs_lock);
    if (s_job_count == MAX_JOBS) {
        pthread_mutex_unlock(&s_jobs_lock);
        return httpd_resp_send_err(req, HTTPD_500_INTERNAL_SERVER_ERROR, "too many jobs");
    }
    struct push_job *j = &s_jobs[s_job_count];
    *j = (struct push_job){ .id = s_job_count, .fd = (int)fd, .n = n, .size = size,
                            .use_data_api = strcmp(api, "data") == 0, .first_err = ESP_OK };
    int rc = pthread_create(&j->thread, NULL, push_main, j);
    if (rc == 0) {
        j->started = true;
        s_job_count++;
    }
    pthread_mutex_unlock(&s_jobs_lock);
    if (rc != 0) {
        return httpd_resp_send_err(req, HTTPD_500_INTERNAL_SERVER_ERROR, "pthread_create failed");
    }
    char body[32];
    snprintf(body, sizeof body, "job=%d\n", j->id);
    return httpd_resp_sendstr(req, body);
}

static esp_err_t push_status_handler(httpd_req_t *req)
{
    long id = -1;
    char body[160];
    pthread_mutex_lock(&s_jobs_lock);
    if (!query_long(req, "job", &id) || id < 0 || id >= s_job_count) {
        pthread_mutex_unlock(&s_jobs_lock);
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "bad job");
    }
    struct push_job *j = &s_jobs[id];
    snprintf(body, sizeof body, "done=%d ok=%ld err=%ld first_err=%s\n", j->done ? 1 : 0, j->ok, j->err,
             esp_err_to_name(j->first_err));
    pthread_mutex_unlock(&s_jobs_lock);
    return httpd_resp_sendstr(req, body);
}

/* ---- /push_async ------------------------------------------------------------------------ */

static pthread_mutex_t s_log_lock = PTHREAD_MUTEX_INITIALIZER;
static char s_log[LOG_MAX];
static size_t s_log_len;

struct async_send {
    long i;
    char payload[32];
};

static void async_done(esp_err_t err, int fd, void *arg)
{
    struct async_send *a = arg;
    pthread_mutex_lock(&s_log_lock);
    int n = snprintf(s_log + s_log_len, LOG_MAX - s_log_len, "cb fd=%d i=%ld err=%s\n", fd, a ? a->i : -1L,
                     esp_err_to_name(err));
    if (n > 0 && (size_t)n < LOG_MAX - s_log_len) {
        s_log_len += (size_t)n;
    }
    pthread_mutex_unlock(&s_log_lock);
    free(a);
    atomic_fetch_add(&s_async_cb, 1);
}

static esp_err_t queue_async(int fd, long i)
{
    struct async_send *a = malloc(sizeof *a);
    if (!a) {
        return ESP_ERR_NO_MEM;
    }
    a->i = i;
    snprintf(a->payload, sizeof a->payload, "A %ld", i);
    httpd_ws_frame_t f = { .type = HTTPD_WS_TYPE_TEXT, .payload = (uint8_t *)a->payload, .len = strlen(a->payload) };
    esp_err_t err = httpd_ws_send_data_async(s_server, fd, &f, async_done, a);
    if (err == ESP_OK) {
        atomic_fetch_add(&s_async_queued, 1);
    } else {
        free(a);
    }
    return err;
}

static esp_err_t push_async_handler(httpd_req_t *req)
{
    long fd = -1;
    long n = 1;
    if (!query_long(req, "fd", &fd)) {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "fd required");
    }
    (void)query_long(req, "n", &n);
    long queued = 0;
    esp_err_t first = ESP_OK;
    for (long i = 0; i < n && i < 10000; i++) {
        esp_err_t err = queue_async((int)fd, i);
        if (err == ESP_OK) {
            queued++;
        } else if (first == ESP_OK) {
            first = err;
        }
    }
    char body[96];
    snprintf(body, sizeof body, "queued=%ld err=%s\n", queued, esp_err_to_name(first));
    return httpd_resp_sendstr(req, body);
}

static esp_err_t push_log_handler(httpd_req_t *req)
{
    pthread_mutex_lock(&s_log_lock);
    char *copy = malloc(s_log_len + 1);
    size_t len = s_log_len;
    if (copy) {
        memcpy(copy, s_log, len);
    }
    pthread_mutex_unlock(&s_log_lock);
    if (!copy) {
        return ESP_ERR_NO_MEM;
    }
    httpd_resp_set_type(req, "text/plain");
    esp_err_t err = httpd_resp_send(req, copy, (ssize_t)len);
    free(copy);
    return err;
}

/* ---- /fdinfo --------------------------------------------------------------------------- */

static esp_err_t fdinfo_handler(httpd_req_t *req)
{
    long fd = -1;
    long self = 0;
    char body[64];
    if (query_long(req, "self", &self) && self) {
        int own = httpd_req_to_sockfd(req);
        snprintf(body, sizeof body, "fd=%d info=%d\n", own, (int)httpd_ws_get_fd_info(req->handle, own));
    } else if (query_long(req, "fd", &fd)) {
        snprintf(body, sizeof body, "info=%d\n", (int)httpd_ws_get_fd_info(req->handle, (int)fd));
    } else {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "fd required");
    }
    return httpd_resp_sendstr(req, body);
}

/* ---- Handshake callbacks (/ws_gate) ------------------------------------------------ */

#if CONFIG_HTTPD_WS_PRE_HANDSHAKE_CB_SUPPORT
static esp_err_t gate_pre(httpd_req_t *req)
{
    char v[16];
    if (httpd_req_get_hdr_value_str(req, "X-Gate", v, sizeof v) == ESP_OK && strcmp(v, "open") == 0) {
        return ESP_OK;
    }
    return ESP_FAIL;
}
#endif

#if CONFIG_HTTPD_WS_POST_HANDSHAKE_CB_SUPPORT
static esp_err_t gate_post(httpd_req_t *req)
{
    char text[64];
    snprintf(text, sizeof text, "welcome %.40s", req->uri);
    if (send_text(req, text) != ESP_OK) {
        return ESP_FAIL;
    }
    return strstr(req->uri, "deny") ? ESP_FAIL : ESP_OK;
}
#endif

/* ---- URIs ------------------------------------------------------------------------------ */

static const httpd_uri_t s_uris[] = {
    { .uri = "/ws", .method = HTTP_GET, .handler = echo_handler, .is_websocket = true },
    { .uri = "/ws_proto", .method = HTTP_GET, .handler = echo_handler, .is_websocket = true,
      .supported_subprotocol = "chat" },
    { .uri = "/ws_any", .method = HTTP_ANY, .handler = echo_handler, .is_websocket = true },
    { .uri = "/ws_ctl", .method = HTTP_GET, .handler = ctl_handler, .is_websocket = true,
      .handle_ws_control_frames = true },
    { .uri = "/ws_msg", .method = HTTP_GET, .handler = msg_handler, .is_websocket = true },
    { .uri = "/ws_part", .method = HTTP_GET, .handler = part_handler, .is_websocket = true },
    { .uri = "/ws_small", .method = HTTP_GET, .handler = small_handler, .is_websocket = true },
    { .uri = "/ws_count", .method = HTTP_GET, .handler = count_handler, .is_websocket = true },
    { .uri = "/ws_misuse", .method = HTTP_GET, .handler = misuse_handler, .is_websocket = true },
    { .uri = "/ws_twice", .method = HTTP_GET, .handler = twice_handler, .is_websocket = true },
    { .uri = "/ws_gate", .method = HTTP_GET, .handler = echo_handler, .is_websocket = true,
#if CONFIG_HTTPD_WS_PRE_HANDSHAKE_CB_SUPPORT
      .ws_pre_handshake_cb = gate_pre,
#endif
#if CONFIG_HTTPD_WS_POST_HANDSHAKE_CB_SUPPORT
      .ws_post_handshake_cb = gate_post,
#endif
    },
    { .uri = "/push", .method = HTTP_GET, .handler = push_handler },
    { .uri = "/push_status", .method = HTTP_GET, .handler = push_status_handler },
    { .uri = "/push_async", .method = HTTP_GET, .handler = push_async_handler },
    { .uri = "/push_log", .method = HTTP_GET, .handler = push_log_handler },
    { .uri = "/fdinfo", .method = HTTP_GET, .handler = fdinfo_handler },
};

/* ---- main ------------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: ws_server --port N [--max-sockets N] [--recv-timeout S] [--send-timeout S]\n");
}

enum { OPT_PORT = 1, OPT_MAX_SOCKETS, OPT_RECV_TIMEOUT, OPT_SEND_TIMEOUT };

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "port",         required_argument, NULL, OPT_PORT },
        { "max-sockets",  required_argument, NULL, OPT_MAX_SOCKETS },
        { "recv-timeout", required_argument, NULL, OPT_RECV_TIMEOUT },
        { "send-timeout", required_argument, NULL, OPT_SEND_TIMEOUT },
        { NULL, 0, NULL, 0 },
    };
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    config.max_uri_handlers = 24;
    config.max_open_sockets = 128;
    config.backlog_conn = 128;
    bool have_port = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case OPT_PORT:
            ok = have_port = fw_parse_u16(optarg, 1, 65535, &config.server_port);
            break;
        case OPT_MAX_SOCKETS:
            ok = fw_parse_u16(optarg, 1, UINT16_MAX, &config.max_open_sockets);
            break;
        case OPT_RECV_TIMEOUT:
            ok = fw_parse_u16(optarg, 1, UINT16_MAX, &config.recv_wait_timeout);
            break;
        case OPT_SEND_TIMEOUT:
            ok = fw_parse_u16(optarg, 1, UINT16_MAX, &config.send_wait_timeout);
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

    /* Block the stop signals before any thread exists: only sigwait() sees them. */
    sigset_t stop_set;
    if (!fw_block_stop_signals(&stop_set)) {
        return 1;
    }

    esp_err_t err = fw_start(&s_server, &config, s_uris, sizeof s_uris / sizeof s_uris[0]);
    if (err != ESP_OK) {
        return 2;
    }
    fw_print_ready(config.server_port);

    int sig = fw_wait_stop_signal(&stop_set);
    ESP_LOGI(TAG, "signal %d: stopping", sig);
    int last_fd = atomic_load(&s_last_fd);
    if (last_fd >= 0) {
        for (long i = 0; i < STOP_ASYNC; i++) {
            (void)queue_async(last_fd, 1000 + i);
        }
    }
    err = fw_stop(s_server);
    /* The push threads must all finish: their sends fail once the server is gone. */
    int threads = 0;
    int joined = 0;
    pthread_mutex_lock(&s_jobs_lock);
    int count = s_job_count;
    pthread_mutex_unlock(&s_jobs_lock);
    for (int i = 0; i < count; i++) {
        if (s_jobs[i].started) {
            threads++;
            if (pthread_join(s_jobs[i].thread, NULL) == 0) {
                joined++;
            }
        }
    }
    printf("FINAL async_queued=%u async_cb=%u push_threads=%d push_joined=%d\n", atomic_load(&s_async_queued),
           atomic_load(&s_async_cb), threads, joined);
    fflush(stdout);
    return err == ESP_OK ? 0 : 1;
}
