/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes whole connections through a real server in this process.
 *
 * On the first input a server starts on 127.0.0.1 (a free port, found by
 * binding port 0 once) with short time-outs and a few handlers:
 *   GET  /echo*    query string, query values (decoded), headers and a cookie
 *                  read through the request accessors, with small buffers too
 *   POST /post     reads the body (Content-Length or chunked) with
 *                  httpd_req_recv() until 0, answers its length and checksum
 *   GET  /chunked  a chunked response in a few pieces
 *   ANY  /any*     any method; sets headers and a status
 *   GET  /ws       WebSocket echo (is_websocket)
 *   GET  /ws_ctl   WebSocket echo that also gets PING/PONG/CLOSE
 * and an atexit() handler stops it.
 *
 * Each input is one client connection: the input is cut at every "~~~"
 * marker into (at most 16) separate sends with a short pause between them,
 * so partial heads, pipelining and bodies arriving late are exercised; then
 * the client half-closes (shutdown SHUT_WR) and reads until EOF or a 2 s
 * time-out. The reply must begin with a status line "HTTP/1.1 ". The server
 * must neither crash (ASan/UBSan report from its thread), nor leak file
 * descriptors (the open descriptors are counted every 64 inputs).
 *
 * Environment: ESP_LOG_LEVEL (the server's log level; default none while
 * fuzzing), FUZZ_SERVER_VERBOSE=1 (one line per connection: bytes in and
 * out, the reply's first line, how it ended).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MARKER          "~~~"
#define MAX_SENDS       16
#define PAUSE_US        2000
#define READ_TIMEOUT_MS 2000
#define WS_MAX_ECHO     (64 * 1024)

static httpd_handle_t s_server;
static uint16_t s_port;
static int s_fd_baseline = -1;
static unsigned s_runs;
static bool s_verbose;

/* ---- Handlers -------------------------------------------------------------------- */

static esp_err_t echo_get(httpd_req_t *req)
{
    char out[1024];
    size_t o = 0;
    char q[128], v[32], dec[32], small[4], hv[64];

    /* the query: its length, the whole (or truncated), one value, decoded */
    size_t qlen = httpd_req_get_url_query_len(req);
    esp_err_t qe = httpd_req_get_url_query_str(req, q, sizeof q);
    o += (size_t)snprintf(out + o, sizeof out - o, "qlen=%zu qerr=%d\n", qlen, (int)qe);
    if (qe == ESP_OK) {
        FUZZ_CHECK(strlen(q) == qlen);
        if (httpd_query_key_value(q, "a", v, sizeof v) == ESP_OK) {
            httpd_url_decode(dec, sizeof dec, v, strlen(v), true);
            o += (size_t)snprintf(out + o, sizeof out - o, "a=%s\n", dec);
        }
        (void)httpd_query_key_value(q, "b", small, sizeof small);
    }
    const char *qp = NULL;
    size_t qpl = 0;
    if (httpd_req_get_url_query_str_ptr(req, &qp, &qpl) == ESP_OK) {
        FUZZ_CHECK(qpl == qlen);
    }

    /* headers, by value and by pointer, with buffers large and small */
    static const char *const names[] = { "Host", "User-Agent", "X-Test", "Content-Type", "Accept" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t hl = httpd_req_get_hdr_value_len(req, names[i]);
        esp_err_t he = httpd_req_get_hdr_value_str(req, names[i], hv, sizeof hv);
        if (he == ESP_OK) {
            FUZZ_CHECK(strlen(hv) == hl);
        }
        (void)httpd_req_get_hdr_value_str(req, names[i], small, sizeof small);
        const char *hp = NULL;
        size_t hpl = 0;
        if (httpd_req_get_hdr_value_str_ptr(req, names[i], &hp, &hpl) == ESP_OK) {
            FUZZ_CHECK(hpl == hl && hp != NULL);
        }
        o += (size_t)snprintf(out + o, sizeof out - o, "%s: %zu %d\n", names[i], hl, (int)he);
    }

    /* a cookie, into a roomy and a tiny buffer */
    char cv[32];
    size_t cvs = sizeof cv;
    esp_err_t ce = httpd_req_get_cookie_val(req, "sid", cv, &cvs);
    if (ce == ESP_OK) {
        FUZZ_CHECK(strlen(cv) + 1 == cvs);
    }
    cvs = 2;
    (void)httpd_req_get_cookie_val(req, "sid", small, &cvs);
    o += (size_t)snprintf(out + o, sizeof out - o, "cookie=%d uri=%.64s\n", (int)ce, req->uri);

    size_t raw = httpd_get_raw_req_data_len(req);
    (void)raw;
    httpd_resp_set_type(req, "text/plain");
    httpd_resp_set_hdr(req, "X-Echo", "1");
    return httpd_resp_send(req, out, (ssize_t)o);
}

static esp_err_t post_body(httpd_req_t *req)
{
    char buf[97];
    size_t total = 0;
    uint32_t sum = 0;
    for (;;) {
        int r = httpd_req_recv(req, buf, sizeof buf);
        if (r == 0) {
            break;
        }
        if (r < 0) {
            if (r == HTTPD_SOCK_ERR_TIMEOUT) {
                httpd_resp_send_err(req, HTTPD_408_REQ_TIMEOUT, NULL);
            }
            return ESP_FAIL;
        }
        FUZZ_CHECK((size_t)r <= sizeof buf);
        for (int i = 0; i < r; i++) {
            sum = sum * 31u + (uint8_t)buf[i];
        }
        total += (size_t)r;
    }
    if (req->content_len) {
        FUZZ_CHECK(total == req->content_len);
    }
    char out[64];
    int n = snprintf(out, sizeof out, "len=%zu sum=%08x\n", total, (unsigned)sum);
    return httpd_resp_send(req, out, n);
}

static esp_err_t chunked_get(httpd_req_t *req)
{
    static const char *const parts[] = { "first ", "", "second ", "third\n" };
    httpd_resp_set_type(req, "text/plain");
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (httpd_resp_send_chunk(req, parts[i], (ssize_t)strlen(parts[i])) != ESP_OK) {
            return ESP_FAIL;
        }
    }
    return httpd_resp_send_chunk(req, NULL, 0);
}

static esp_err_t any_method(httpd_req_t *req)
{
    char out[96];
    const char *m = http_method_str((enum http_method)req->method);
    int n = snprintf(out, sizeof out, "method=%s len=%zu\n", m, req->content_len);
    httpd_resp_set_status(req, req->method == HTTP_DELETE ? HTTPD_204 : HTTPD_200);
    httpd_resp_set_hdr(req, "Cache-Control", "no-store");
    if (req->method == HTTP_HEAD || req->method == HTTP_DELETE) {
        return httpd_resp_send(req, NULL, 0);
    }
    return httpd_resp_send(req, out, n);
}

#if CONFIG_HTTPD_WS_SUPPORT
static esp_err_t ws_echo(httpd_req_t *req)
{
    if (req->method == HTTP_GET) {
        if (httpd_ws_get_fd_info(req->handle, httpd_req_to_sockfd(req)) != HTTPD_WS_CLIENT_WEBSOCKET) {
            return httpd_resp_sendstr(req, "plain GET on a WebSocket endpoint\n");
        }
        return ESP_OK;   /* the handshake */
    }
    httpd_ws_frame_t f;
    memset(&f, 0, sizeof f);
    esp_err_t err = httpd_ws_recv_frame(req, &f, 0);   /* the length */
    if (err != ESP_OK) {
        return err;
    }
    if (f.len > WS_MAX_ECHO) {
        return ESP_FAIL;
    }
    uint8_t *buf = NULL;
    if (f.len) {
        buf = malloc(f.len);
        if (!buf) {
            return ESP_ERR_NO_MEM;
        }
        f.payload = buf;
        err = httpd_ws_recv_frame(req, &f, f.len);
        if (err != ESP_OK) {
            free(buf);
            return err;
        }
    }
    if (f.type == HTTPD_WS_TYPE_CLOSE) {
        f.len = 0;   /* answer a close with a bare close */
    }
    if (f.type != HTTPD_WS_TYPE_PONG) {
        err = httpd_ws_send_frame(req, &f);
    }
    free(buf);
    return err;
}
#endif

static void register_handlers(httpd_handle_t h)
{
    const httpd_uri_t uris[] = {
        { .uri = "/echo*", .method = HTTP_GET, .handler = echo_get },
        { .uri = "/post", .method = HTTP_POST, .handler = post_body },
        { .uri = "/chunked", .method = HTTP_GET, .handler = chunked_get },
        { .uri = "/any*", .method = HTTP_ANY, .handler = any_method },
#if CONFIG_HTTPD_WS_SUPPORT
        { .uri = "/ws", .method = HTTP_GET, .handler = ws_echo, .is_websocket = true },
        { .uri = "/ws_ctl", .method = HTTP_GET, .handler = ws_echo, .is_websocket = true,
          .handle_ws_control_frames = true },
#endif
    };
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
        FUZZ_CHECK(httpd_register_uri_handler(h, &uris[i]) == ESP_OK);
    }
}

/* ---- The server -------------------------------------------------------------------- */

static void stop_server(void)
{
    if (s_server) {
        httpd_stop(s_server);
        s_server = NULL;
    }
}

/* A loopback port nothing listens on right now (bound once, released), or 0. */
static uint16_t free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t l = sizeof a;
    uint16_t port = 0;
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &l) == 0) {
        port = ntohs(a.sin_port);
    }
    if (s >= 0) {
        close(s);
    }
    return port;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        return -1;
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n - 1;   /* the directory's own descriptor */
}

static void start_once(void)
{
    if (s_server) {
        return;
    }
    const char *lv = getenv("ESP_LOG_LEVEL");
    if (!lv || !*lv) {
        esp_log_level_set("*", ESP_LOG_NONE);
    }
    s_verbose = getenv("FUZZ_SERVER_VERBOSE") != NULL;
    signal(SIGPIPE, SIG_IGN);

    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.recv_wait_timeout = 1;
    cfg.send_wait_timeout = 1;
    cfg.max_open_sockets = 4;
    cfg.lru_purge_enable = true;
    cfg.max_uri_handlers = 8;
    cfg.uri_match_fn = httpd_uri_match_wildcard;
    for (int i = 0; i < 10 && !s_server; i++) {
        cfg.server_port = free_port();
        if (cfg.server_port && httpd_start(&s_server, &cfg) != ESP_OK) {
            s_server = NULL;
        }
    }
    FUZZ_CHECK(s_server != NULL);
    s_port = cfg.server_port;
    register_handlers(s_server);
    atexit(stop_server);
}

/* ---- One connection -------------------------------------------------------------- */

static void pause_briefly(void)
{
    struct timespec ts = { 0, PAUSE_US * 1000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int client(void)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FUZZ_CHECK(s >= 0);
    struct timeval tv = { 2, 0 };
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(s_port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int err = connect(s, (struct sockaddr *)&a, sizeof a) == 0 ? 0 : errno;
    if (err == EINTR || err == EINPROGRESS) {
        /* a signal (libFuzzer's timer) interrupted it: the connection goes on
         * by itself; wait until it is made */
        struct pollfd p = { .fd = s, .events = POLLOUT };
        socklen_t l = sizeof err;
        while (poll(&p, 1, READ_TIMEOUT_MS) < 0 && errno == EINTR) {
        }
        if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &l) != 0) {
            err = errno;
        }
    }
    if (err != 0) {
        fprintf(stderr, "fuzz_server: connect: %s\n", strerror(err));
        FUZZ_CHECK(!"the server stopped accepting connections");
    }
    return s;
}

/* Sends b[0..n) whole; false once the server has closed (or reset) the connection. */
static bool send_all(int s, const uint8_t *b, size_t n)
{
    while (n > 0) {
        ssize_t w = send(s, b, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return false;
        }
        b += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads until EOF, an error or the time-out; checks that the reply starts
 * with a status line. Returns false on the time-out. */
static bool read_reply(int s, size_t *total_out, char *first, size_t first_cap)
{
    static const char status[] = "HTTP/1.1 ";
    char buf[4096];
    size_t total = 0;
    first[0] = '\0';
    uint64_t end = now_ms() + READ_TIMEOUT_MS;
    for (;;) {
        uint64_t t = now_ms();
        if (t >= end) {
            *total_out = total;
            return false;
        }
        struct pollfd p = { .fd = s, .events = POLLIN };
        int pr = poll(&p, 1, (int)(end - t));
        if (pr < 0 && errno == EINTR) {
            continue;
        }
        if (pr <= 0) {
            *total_out = total;
            return pr != 0;
        }
        ssize_t r = recv(s, buf, sizeof buf, 0);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            *total_out = total;
            return true;   /* EOF, or reset */
        }
        if (total == 0) {
            size_t k = 0;
            while (k < (size_t)r && k < first_cap - 1 && buf[k] != '\r' && buf[k] != '\n') {
                k++;
            }
            memcpy(first, buf, k);
            first[k] = '\0';
        }
        if (total < sizeof status - 1) {
            size_t k = sizeof status - 1 - total;
            if (k > (size_t)r) {
                k = (size_t)r;
            }
            if (memcmp(buf, status + total, k) != 0) {
                fprintf(stderr, "fuzz_server: the reply does not begin with a status line: \"%.*s\"\n",
                        (int)(r < 64 ? r : 64), buf);
                FUZZ_CHECK(!"reply without a status line");
            }
        }
        total += (size_t)r;
    }
}

static const uint8_t *find_marker(const uint8_t *b, size_t n)
{
    const size_t m = sizeof MARKER - 1;
    for (size_t i = 0; i + m <= n; i++) {
        if (memcmp(b + i, MARKER, m) == 0) {
            return b + i;
        }
    }
    return NULL;
}

static void check_fds(void)
{
    int n = count_fds();
    if (n < 0) {
        return;
    }
    if (s_fd_baseline < 0) {
        s_fd_baseline = n;
        return;
    }
    /* the server may still be closing the last few sessions: give it time */
    for (int i = 0; i < 40 && n > s_fd_baseline + 8; i++) {
        pause_briefly();
        pause_briefly();
        n = count_fds();
    }
    if (n > s_fd_baseline + 8) {
        fprintf(stderr, "fuzz_server: %d descriptors open, %d after the first input\n", n, s_fd_baseline);
        FUZZ_CHECK(!"file descriptors leak");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    start_once();
    if (s_runs++ % 64 == 0) {
        check_fds();
    }

    int s = client();
    const uint8_t *p = data, *end = data + size;
    bool open = true;
    for (int sends = 0; open && p < end; sends++) {
        const uint8_t *m = sends + 1 < MAX_SENDS ? find_marker(p, (size_t)(end - p)) : NULL;
        const uint8_t *e = m ? m : end;
        if (e > p) {
            open = send_all(s, p, (size_t)(e - p));
        }
        p = m ? m + sizeof MARKER - 1 : end;
        if (m) {
            pause_briefly();
        }
    }
    shutdown(s, SHUT_WR);
    uint64_t t0 = now_ms();
    size_t got = 0;
    char first[80];
    bool ended = read_reply(s, &got, first, sizeof first);
    if (s_verbose) {
        fprintf(stderr, "fuzz_server: %zu bytes in, %zu out (\"%s\"), %s after %llu ms\n", size, got, first,
                ended ? "EOF" : "no EOF", (unsigned long long)(now_ms() - t0));
    }
    close(s);
    return 0;
}
