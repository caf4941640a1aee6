/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Session hooks, counted in-process: open_fn / close_fn / context free calls for
 * keep-alive use, a peer reset (SO_LINGER 0), open_fn refusing a socket, LRU
 * eviction, httpd_sess_trigger_close from another thread, and httpd_stop with
 * sessions still open. Every close must run close_fn once (which closes the fd
 * itself), then the session context free, then the transport context free.
 * Clients are plain blocking sockets on 127.0.0.1 with time-outs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "esp_http_server.h"
#include "check.h"
#include "loopback.h"

#define IO_TIMEOUT_MS 3000
#define MAX_EVENTS    1024

/* ---- Event log --------------------------------------------------------------------- */

enum ev_kind { EV_OPEN = 1, EV_CLOSE, EV_CTX_FREE, EV_TCTX_FREE, EV_GLOBAL_FREE };

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static struct { enum ev_kind kind; int fd; } s_ev[MAX_EVENTS];
static int s_nev;
static int s_n[6];              /* per kind */
static int s_close_on_closed;   /* close_fn found its fd already closed */
static atomic_bool s_fail_next_open;

static void log_ev(enum ev_kind k, int fd)
{
    pthread_mutex_lock(&s_lock);
    if (s_nev < MAX_EVENTS) {
        s_ev[s_nev].kind = k;
        s_ev[s_nev].fd = fd;
        s_nev++;
    }
    s_n[k]++;
    pthread_mutex_unlock(&s_lock);
}

static int count(enum ev_kind k)
{
    pthread_mutex_lock(&s_lock);
    int n = s_n[k];
    pthread_mutex_unlock(&s_lock);
    return n;
}

static void reset_log(void)
{
    pthread_mutex_lock(&s_lock);
    s_nev = 0;
    memset(s_n, 0, sizeof s_n);
    s_close_on_closed = 0;
    pthread_mutex_unlock(&s_lock);
}

/* The events of the last session on fd, from its OPEN, as a string like "OCST". */
static void seq_of(int fd, char *out, size_t n)
{
    static const char letters[] = "?OCSTG";
    pthread_mutex_lock(&s_lock);
    int start = -1;
    for (int i = 0; i < s_nev; i++) {
        if (s_ev[i].fd == fd && s_ev[i].kind == EV_OPEN) {
            start = i;
        }
    }
    size_t w = 0;
    for (int i = start < 0 ? 0 : start; i < s_nev && w + 1 < n; i++) {
        if (s_ev[i].fd == fd) {
            out[w++] = letters[s_ev[i].kind];
        }
    }
    out[w] = '\0';
    pthread_mutex_unlock(&s_lock);
}

typedef struct {
    int fd;
} ctx_t;

static void ctx_free_fn(void *p)
{
    log_ev(EV_CTX_FREE, ((ctx_t *)p)->fd);
    free(p);
}

static void tctx_free_fn(void *p)
{
    log_ev(EV_TCTX_FREE, ((ctx_t *)p)->fd);
    free(p);
}

static void global_free_fn(void *p)
{
    log_ev(EV_GLOBAL_FREE, -1);
    free(p);
}

static ctx_t *new_ctx(int fd)
{
    ctx_t *c = calloc(1, sizeof *c);
    if (c) {
        c->fd = fd;
    }
    return c;
}

static esp_err_t on_open(httpd_handle_t hd, int fd)
{
    (void)hd;
    log_ev(EV_OPEN, fd);
    if (atomic_exchange(&s_fail_next_open, false)) {
        return ESP_FAIL;
    }
    return ESP_OK;
}

static void on_close(httpd_handle_t hd, int fd)
{
    (void)hd;
    log_ev(EV_CLOSE, fd);
    if (fcntl(fd, F_GETFD) < 0) {
        pthread_mutex_lock(&s_lock);
        s_close_on_closed++;
        pthread_mutex_unlock(&s_lock);
        return;
    }
    close(fd);
}

/* GET /ctx: creates the session and transport contexts on first use.
 * Body "new <fd>" or "old <fd>". */
static esp_err_t ctx_handler(httpd_req_t *req)
{
    int fd = httpd_req_to_sockfd(req);
    const char *what = "old";
    if (!req->sess_ctx) {
        req->sess_ctx = new_ctx(fd);
        req->free_ctx = ctx_free_fn;
        httpd_sess_set_transport_ctx(req->handle, fd, new_ctx(fd), tctx_free_fn);
        what = "new";
    }
    char out[32];
    snprintf(out, sizeof out, "%s %d", what, fd);
    return httpd_resp_send(req, out, HTTPD_RESP_USE_STRLEN);
}

/* ---- Clients ----------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static uint16_t free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return 0;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof(a);
    uint16_t port = 0;
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &alen) == 0) {
        port = ntohs(a.sin_port);
    }
    close(s);
    return port;
}

static int client(uint16_t port)
{
    return lb_client(port, IO_TIMEOUT_MS / 1000);
}

static bool send_str(int s, const char *str)
{
    size_t len = strlen(str), off = 0;
    while (off < len) {
        ssize_t n = send(s, str + off, len - off, MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        off += (size_t)n;
    }
    return true;
}

/* Sends GET path and reads one Content-Length response; the body goes to body.
 * Returns the status, or -1. */
static int get(int s, const char *path, char *body, size_t body_size)
{
    char req[256], buf[2048];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
    if (!send_str(s, req)) {
        return -1;
    }
    size_t len = 0;
    char *end = NULL;
    while (!(end = memmem(buf, len, "\r\n\r\n", 4))) {
        if (len == sizeof buf) {
            return -1;
        }
        ssize_t n = recv(s, buf + len, sizeof buf - len, 0);
        if (n <= 0) {
            return -1;
        }
        len += (size_t)n;
    }
    size_t head = (size_t)(end - buf) + 4;
    int status = -1;
    if (sscanf(buf, "HTTP/1.1 %d", &status) != 1) {
        return -1;
    }
    const char *cl = memmem(buf, head, "Content-Length: ", 16);
    size_t clen = cl ? (size_t)strtoul(cl + 16, NULL, 10) : 0;
    while (len < head + clen) {
        if (len == sizeof buf) {
            return -1;
        }
        ssize_t n = recv(s, buf + len, sizeof buf - len, 0);
        if (n <= 0) {
            return -1;
        }
        len += (size_t)n;
    }
    if (body_size) {
        size_t k = clen < body_size - 1 ? clen : body_size - 1;
        memcpy(body, buf + head, k);
        body[k] = '\0';
    }
    return status;
}

/* The session fd the server gave this client (via GET /ctx), or -1. */
static int ctx_request(int s, bool *was_new)
{
    char body[64];
    if (get(s, "/ctx", body, sizeof body) != 200) {
        return -1;
    }
    if (was_new) {
        *was_new = strncmp(body, "new ", 4) == 0;
    }
    return atoi(body + 4);
}

/* True when the server closed s (EOF or reset) within the time-out, with no data. */
static bool closed_by_peer(int s)
{
    char c;
    ssize_t n = recv(s, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

static bool wait_count(enum ev_kind k, int n)
{
    double end = now_s() + IO_TIMEOUT_MS / 1000.0;
    while (count(k) < n && now_s() < end) {
        sleep_ms(5);
    }
    return count(k) >= n;
}

static httpd_handle_t start(uint16_t *port, uint16_t max_socks, bool lru, bool globals)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.open_fn = on_open;
    cfg.close_fn = on_close;
    cfg.max_open_sockets = max_socks;
    cfg.lru_purge_enable = lru;
    if (globals) {
        cfg.global_user_ctx = malloc(8);
        cfg.global_user_ctx_free_fn = global_free_fn;
        cfg.global_transport_ctx = malloc(8);
        cfg.global_transport_ctx_free_fn = global_free_fn;
    }
    httpd_handle_t h = NULL;
    for (int i = 0; i < 5; i++) {
        cfg.server_port = free_port();
        if (httpd_start(&h, &cfg) == ESP_OK) {
            *port = cfg.server_port;
            httpd_uri_t u = { .uri = "/ctx", .method = HTTP_GET, .handler = ctx_handler };
            if (httpd_register_uri_handler(h, &u) != ESP_OK) {
                httpd_stop(h);
                return NULL;
            }
            return h;
        }
    }
    if (globals) {
        free(cfg.global_user_ctx);
        free(cfg.global_transport_ctx);
    }
    return NULL;
}

/* ---- Scenarios ---------------------------------------------------------------------- */

static void test_keep_alive_and_reset(void)
{
    uint16_t port = 0;
    reset_log();
    httpd_handle_t h = start(&port, 8, false, false);
    CHECK(h != NULL);
    if (!h) {
        return;
    }
    char seq[32];

    /* Keep-alive: the context persists, then everything is freed once at close. */
    int c = client(port);
    bool was_new = false;
    int fd = ctx_request(c, &was_new);
    CHECK(fd >= 0 && was_new);
    CHECK_EQ_INT(ctx_request(c, &was_new), fd);
    CHECK(!was_new);
    CHECK_EQ_INT(ctx_request(c, &was_new), fd);
    CHECK(!was_new);
    CHECK_EQ_INT(count(EV_CTX_FREE), 0);
    close(c);
    CHECK(wait_count(EV_TCTX_FREE, 1));
    seq_of(fd, seq, sizeof seq);
    CHECK_EQ_STR(seq, "OCST");

    /* Peer reset with SO_LINGER 0. */
    c = client(port);
    fd = ctx_request(c, NULL);
    CHECK(fd >= 0);
    struct linger lg = { 1, 0 };
    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(c);
    CHECK(wait_count(EV_TCTX_FREE, 2));
    seq_of(fd, seq, sizeof seq);
    CHECK_EQ_STR(seq, "OCST");

    /* A reset in the middle of a request head. */
    c = client(port);
    send_str(c, "GET /ctx HTTP/1.1\r\nHo");
    CHECK(wait_count(EV_OPEN, 3));
    sleep_ms(50);
    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(c);
    CHECK(wait_count(EV_CLOSE, 3));

    /* open_fn refusing: closed once, through close_fn, nothing read. */
    atomic_store(&s_fail_next_open, true);
    c = client(port);
    send_str(c, "GET /ctx HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(closed_by_peer(c));
    close(c);
    CHECK(wait_count(EV_CLOSE, 4));
    sleep_ms(50);
    CHECK_EQ_INT(count(EV_OPEN), 4);
    CHECK_EQ_INT(count(EV_CLOSE), 4);
    CHECK_EQ_INT(count(EV_CTX_FREE), 2);
    CHECK_EQ_INT(count(EV_TCTX_FREE), 2);
    CHECK_EQ_INT(s_close_on_closed, 0);

    /* The server still serves. */
    c = client(port);
    CHECK(ctx_request(c, NULL) >= 0);
    close(c);
    CHECK(wait_count(EV_CLOSE, 5));
    CHECK_EQ_INT(httpd_stop(h), ESP_OK);
    CHECK_EQ_INT(count(EV_OPEN), 5);
    CHECK_EQ_INT(count(EV_CLOSE), 5);
    CHECK_EQ_INT(count(EV_CTX_FREE), 3);
    CHECK_EQ_INT(count(EV_TCTX_FREE), 3);
}

/* Session API calls made from a work function, i.e. on the server thread. */
struct on_server {
    httpd_handle_t h;
    int fa, fc;
    esp_err_t touch, touch_missing, touch_null;
    esp_err_t list_ok, list_short, list_zero, list_null_n, list_null_fds, list_null_h;
    size_t list_n;
    int list[4];
    atomic_bool done;
};

static void on_server_fn(void *arg)
{
    struct on_server *w = arg;
    w->touch = httpd_sess_update_lru_counter(w->h, w->fa);
    w->touch_missing = httpd_sess_update_lru_counter(w->h, 99999);
    w->touch_null = httpd_sess_update_lru_counter(NULL, w->fa);
    size_t n = 4;
    w->list_ok = httpd_get_client_list(w->h, &n, w->list);
    w->list_n = n;
    int tmp[4];
    n = 1;
    w->list_short = httpd_get_client_list(w->h, &n, tmp);
    n = 0;
    w->list_zero = httpd_get_client_list(w->h, &n, tmp);
    w->list_null_n = httpd_get_client_list(w->h, NULL, tmp);
    n = 4;
    w->list_null_fds = httpd_get_client_list(w->h, &n, NULL);
    w->list_null_h = httpd_get_client_list(NULL, &n, tmp);
    atomic_store(&w->done, true);
}

static bool run_on_server(struct on_server *w)
{
    atomic_store(&w->done, false);
    if (httpd_queue_work(w->h, on_server_fn, w) != ESP_OK) {
        return false;
    }
    double end = now_s() + IO_TIMEOUT_MS / 1000.0;
    while (!atomic_load(&w->done) && now_s() < end) {
        sleep_ms(2);
    }
    return atomic_load(&w->done);
}

static void test_lru_eviction(void)
{
    uint16_t port = 0;
    reset_log();
    httpd_handle_t h = start(&port, 2, true, false);
    CHECK(h != NULL);
    if (!h) {
        return;
    }
    int a = client(port), b = client(port);
    int fa = ctx_request(a, NULL);
    int fb = ctx_request(b, NULL);
    CHECK(fa >= 0 && fb >= 0);
    /* a is the least recently used: protect it (on the server thread, so that
     * the touch is ordered after b's request completed), so that b goes. */
    struct on_server w = { .h = h, .fa = fa };
    CHECK(run_on_server(&w));
    CHECK_EQ_INT(w.touch, ESP_OK);
    CHECK_EQ_INT(w.touch_missing, ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(w.touch_null, ESP_ERR_INVALID_ARG);
    int c = client(port);
    int fc = ctx_request(c, NULL);
    CHECK(fc >= 0);
    CHECK(closed_by_peer(b));
    CHECK(wait_count(EV_TCTX_FREE, 1));
    char seq[32];
    seq_of(fb, seq, sizeof seq);
    CHECK_EQ_STR(seq, "OCST");
    CHECK_EQ_INT(ctx_request(a, NULL), fa);   /* a survived */

    w.fc = fc;
    CHECK(run_on_server(&w));
    CHECK_EQ_INT(w.list_ok, ESP_OK);
    CHECK_EQ_INT(w.list_n, 2);
    CHECK((w.list[0] == fa && w.list[1] == fc) || (w.list[0] == fc && w.list[1] == fa));
    CHECK_EQ_INT(w.list_short, ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(w.list_zero, ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(w.list_null_n, ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(w.list_null_fds, ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(w.list_null_h, ESP_ERR_INVALID_ARG);

    CHECK_EQ_INT(httpd_stop(h), ESP_OK);
    CHECK_EQ_INT(count(EV_OPEN), 3);
    CHECK_EQ_INT(count(EV_CLOSE), 3);
    CHECK_EQ_INT(count(EV_CTX_FREE), 3);
    CHECK_EQ_INT(count(EV_TCTX_FREE), 3);
    CHECK_EQ_INT(s_close_on_closed, 0);
    close(a);
    close(b);
    close(c);
}

struct trig {
    httpd_handle_t h;
    int fd;
    esp_err_t err;
};

static void *trigger_thread(void *arg)
{
    struct trig *t = arg;
    t->err = httpd_sess_trigger_close(t->h, t->fd);
    return NULL;
}

static void test_trigger_close(void)
{
    uint16_t port = 0;
    reset_log();
    httpd_handle_t h = start(&port, 4, false, false);
    CHECK(h != NULL);
    if (!h) {
        return;
    }
    int a = client(port);
    int fa = ctx_request(a, NULL);
    CHECK(fa >= 0);
    struct trig t = { h, fa, ESP_FAIL };
    pthread_t th;
    CHECK_EQ_INT(pthread_create(&th, NULL, trigger_thread, &t), 0);
    pthread_join(th, NULL);
    CHECK_EQ_INT(t.err, ESP_OK);
    CHECK(closed_by_peer(a));
    CHECK(wait_count(EV_TCTX_FREE, 1));
    char seq[32];
    seq_of(fa, seq, sizeof seq);
    CHECK_EQ_STR(seq, "OCST");
    CHECK_EQ_INT(httpd_sess_trigger_close(h, fa), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_sess_trigger_close(h, 99999), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_sess_trigger_close(NULL, fa), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_stop(h), ESP_OK);
    CHECK_EQ_INT(count(EV_CLOSE), 1);
    CHECK_EQ_INT(count(EV_CTX_FREE), 1);
    close(a);
}

static atomic_int s_work_runs;

static void work_fn(void *arg)
{
    (void)arg;
    atomic_fetch_add(&s_work_runs, 1);
}

static void test_stop_with_open_sessions(void)
{
    uint16_t port = 0;
    reset_log();
    httpd_handle_t h = start(&port, 16, false, true);
    CHECK(h != NULL);
    if (!h) {
        return;
    }
    int cl[7];
    int fds[5];
    for (int i = 0; i < 5; i++) {
        cl[i] = client(port);
        fds[i] = ctx_request(cl[i], NULL);
        CHECK(fds[i] >= 0);
    }
    cl[5] = client(port);
    send_str(cl[5], "GET /ctx HTTP/1.1\r\nHo");   /* half a head */
    cl[6] = client(port);                         /* connected, silent */
    CHECK(wait_count(EV_OPEN, 7));
    CHECK_EQ_INT(httpd_queue_work(h, work_fn, NULL), ESP_OK);
    double t0 = now_s();
    while (atomic_load(&s_work_runs) < 1 && now_s() < t0 + 3) {
        sleep_ms(5);
    }
    CHECK_EQ_INT(atomic_load(&s_work_runs), 1);
    CHECK_EQ_INT(httpd_stop(h), ESP_OK);
    CHECK(now_s() - t0 < 3.0);
    CHECK_EQ_INT(count(EV_OPEN), 7);
    CHECK_EQ_INT(count(EV_CLOSE), 7);
    CHECK_EQ_INT(count(EV_CTX_FREE), 5);
    CHECK_EQ_INT(count(EV_TCTX_FREE), 5);
    CHECK_EQ_INT(count(EV_GLOBAL_FREE), 2);
    CHECK_EQ_INT(s_close_on_closed, 0);
    char seq[32];
    for (int i = 0; i < 5; i++) {
        seq_of(fds[i], seq, sizeof seq);
        CHECK_EQ_STR(seq, "OCST");
    }
    /* The library makes these safe with a stopped handle. */
    CHECK_EQ_INT(httpd_queue_work(h, work_fn, NULL), ESP_FAIL);
    CHECK_EQ_INT(httpd_sess_trigger_close(h, fds[0]), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_queue_work(NULL, work_fn, NULL), ESP_ERR_INVALID_ARG);
    for (int i = 0; i < 7; i++) {
        CHECK(closed_by_peer(cl[i]));
        close(cl[i]);
    }
}

int main(void)
{
    test_keep_alive_and_reset();
    test_lru_eviction();
    test_trigger_close();
    test_stop_with_open_sessions();
    return check_summary();
}
