/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sess_server: test firmware for the session / server-control black-box tests
 * (tests/pytest/test_sess_api.py).
 *
 * Usage:
 *   sess_server --port N [--max-sockets N] [--lru] [--close-fn] [--open-fail-every N]
 *               [--xor KEY] [--io-chunk N] [--recv-timeout S] [--backlog N]
 *               [--global-ctx] [--open-tctx]
 *
 *   --close-fn          install a close_fn (it calls close(fd) itself and checks the
 *                       fd was still open: a fd already closed counts as close_ebadf)
 *   --open-fail-every N open_fn returns ESP_FAIL for every N-th accepted socket
 *   --xor KEY           open_fn installs recv/send/pending overrides on every session:
 *                       every byte read is XORed with KEY (0..255), every byte sent too;
 *                       pending returns 0. Byte counts go to /stats (xor_rx, xor_tx).
 *   --io-chunk N        with --xor: each override call moves at most N bytes
 *   --global-ctx        global_user_ctx and global_transport_ctx with counting free fns
 *   --open-tctx         open_fn sets a counted transport context on every session
 *
 * Prints "READY <port>" on stdout when serving. SIGTERM/SIGINT: httpd_stop(); then
 * stderr gets
 *   FINAL open=<n> close=<n> ctx_alloc=<n> ctx_free=<n> tctx_alloc=<n> tctx_free=<n>
 *         global_free=<n> live_ctx=<n> live_tctx=<n> bad_free=<n> order_err=<n>
 *         close_ebadf=<n> close_unknown=<n> after_queue=<err> after_trigger=<err>
 * (one line) after httpd_stop returned, and the program exits 0.
 *
 * Counted contexts: every context is a tracked allocation; its free function looks the
 * pointer up among live allocations (never dereferencing a freed one), so a double or
 * foreign free shows up as bad_free instead of a crash. A session context freed after
 * that session's close_fn counts as ctx_close_free; freed after the transport context
 * of the same closing session: order_err (expected order: close_fn, ctx, transport ctx).
 *
 * Handlers (GET unless noted; query parameters as shown):
 *   /stats               counter lines "name=value\n"
 *   /sockfd              own fd
 *   /sleep?ms=N          sleeps on the server thread, body "slept"
 *   /ctx/get             "<value of req->sess_ctx or none> same=<httpd_sess_get_ctx == req->sess_ctx>
 *                        ignore=<0|1>"
 *   /ctx/new?v=X         req->sess_ctx = new ctx X (free fn counted). When ignore is set, the
 *                        handler frees the old one itself (manual_free). Body "new X ignore=<0|1>"
 *   /ctx/null            req->sess_ctx = NULL, body "null"
 *   /ctx/ignore?v=X      ignore_sess_ctx_changes = true, replace with X, free old manually
 *   /ctx/unignore        ignore_sess_ctx_changes = false
 *   /ctx/plain           req->sess_ctx = malloc(32), free_ctx = NULL (server must free())
 *   /ctx/set?v=X         httpd_sess_set_ctx(X); body "get=<get_ctx> req=<req->sess_ctx>"
 *   /ctx/set2?v=X        set_ctx(X) then set_ctx(X+1); same body
 *   /ctx/mix?v=X         req->sess_ctx = X (no set_ctx), then set_ctx(X+1); same body
 *   /ctx/same            set_ctx(current ctx, same free fn): must not free it; same body
 *   POST /ctx/body_wait  sets ctx 1000+fd, then reads content_len bytes; answers the count;
 *                        ESP_FAIL on a recv error
 *   /tctx/set?v=X        httpd_sess_set_transport_ctx(X); body "tctx=<get>"
 *   /tctx/get            "tctx=<value or none>"
 *   /global              "user=<0|1> transport=<0|1>" (pointer equality with the config)
 *   /clients?cap=N       httpd_get_client_list with capacity N (0 allowed): "<err> <count> <fds...>"
 *                        (count and fds only on ESP_OK; fds sorted)
 *   /lru_touch?fd=N      "<err name of httpd_sess_update_lru_counter>"
 *   /trigger_close?fd=N  httpd_sess_trigger_close from another pthread: "<err name>"
 *   /arm?fd=N            the next open_fn calls httpd_sess_trigger_close(fd) (result: armed_err)
 *   /queue?n=K           a pthread queues K work items; each appends its index to the log.
 *                        Body "ok=<n> fail=<n>"
 *   /queue_log           "order=<i,i,...>\nserver_thread=<items that ran on the server thread>\n";
 *                        clears the log
 *   /queue_fill?n=K      queues K no-op items from the handler (the loop cannot run them yet):
 *                        "ok=<n> fail=<n>"
 *   /push?fd=N&msg=S     queues work that httpd_socket_send()s S to fd, looping over short
 *                        sends (result: bytes sent, or the first error <= 0: push_ret);
 *                        body "<err name of httpd_queue_work>"
 *   /sock_recv?n=K       reads K bytes with httpd_socket_recv on its own socket: "got=<bytes>"
 *   POST /echo           echoes the body (read with httpd_req_recv)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "esp_http_server.h"
#include "fw_common.h"

#define MAX_FD       4096
#define MAX_TRACKED  8192
#define QLOG_MAX     256

/* ---- Configuration ----------------------------------------------------------- */

static httpd_handle_t s_server;
static httpd_config_t s_config = HTTPD_DEFAULT_CONFIG();
static bool s_use_close_fn;
static unsigned long s_open_fail_every;
static bool s_xor;
static unsigned char s_xor_key;
static size_t s_io_chunk;
static bool s_open_tctx;

/* ---- Counters ------------------------------------------------------------------ */

static atomic_int c_open, c_open_fail, c_close, c_close_ebadf, c_close_unknown;
static atomic_int c_ctx_alloc, c_ctx_free, c_ctx_close_free, c_manual_free;
static atomic_int c_tctx_alloc, c_tctx_free, c_global_free;
static atomic_int c_bad_free, c_order_err, c_pending_calls;
static atomic_long c_xor_rx, c_xor_tx;
static atomic_int c_push_ret = -100;
static atomic_int c_armed_fd = -1;
static atomic_int c_armed_err = -1;

/* Per-fd session phase, written on the server thread. */
enum { PH_NONE = 0, PH_OPEN, PH_CLOSED, PH_TCTX_FREED };
static int s_phase[MAX_FD];

/* ---- Tracked contexts --------------------------------------------------------- */

enum ctx_kind { K_SESS = 1, K_TRANSPORT, K_GLOBAL };

typedef struct {
    enum ctx_kind kind;
    int fd;
    long value;
} tctx_t;

static pthread_mutex_t s_track_lock = PTHREAD_MUTEX_INITIALIZER;
static void *s_live[MAX_TRACKED];
static int s_live_count[4];

static tctx_t *ctx_alloc(enum ctx_kind kind, int fd, long value)
{
    tctx_t *c = calloc(1, sizeof *c);
    if (!c) {
        return NULL;
    }
    c->kind = kind;
    c->fd = fd;
    c->value = value;
    pthread_mutex_lock(&s_track_lock);
    for (int i = 0; i < MAX_TRACKED; i++) {
        if (!s_live[i]) {
            s_live[i] = c;
            break;
        }
    }
    s_live_count[kind]++;
    pthread_mutex_unlock(&s_track_lock);
    if (kind == K_SESS) {
        atomic_fetch_add(&c_ctx_alloc, 1);
    } else if (kind == K_TRANSPORT) {
        atomic_fetch_add(&c_tctx_alloc, 1);
    }
    return c;
}

/* Removes p from the live table; false when it is not a live tracked pointer. */
static bool untrack(void *p)
{
    bool found = false;
    pthread_mutex_lock(&s_track_lock);
    for (int i = 0; i < MAX_TRACKED; i++) {
        if (s_live[i] == p) {
            s_live[i] = NULL;
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&s_track_lock);
    return found;
}

static void dec_live(enum ctx_kind kind)
{
    pthread_mutex_lock(&s_track_lock);
    s_live_count[kind]--;
    pthread_mutex_unlock(&s_track_lock);
}

static void sess_ctx_free(void *p)
{
    if (!untrack(p)) {
        atomic_fetch_add(&c_bad_free, 1);
        fprintf(stderr, "BAD_FREE sess ctx %p\n", p);
        return;
    }
    tctx_t *c = p;
    if (c->kind != K_SESS) {
        atomic_fetch_add(&c_bad_free, 1);
    }
    if (c->fd >= 0 && c->fd < MAX_FD) {
        if (s_phase[c->fd] == PH_CLOSED) {
            atomic_fetch_add(&c_ctx_close_free, 1);
        } else if (s_phase[c->fd] == PH_TCTX_FREED) {
            atomic_fetch_add(&c_ctx_close_free, 1);
            atomic_fetch_add(&c_order_err, 1);
            fprintf(stderr, "ORDER_ERR sess ctx of fd %d freed after its transport ctx\n", c->fd);
        }
    }
    dec_live(K_SESS);
    atomic_fetch_add(&c_ctx_free, 1);
    free(c);
}

/* The application frees an old context itself (ignore_sess_ctx_changes). */
static void sess_ctx_free_manual(void *p)
{
    if (!untrack(p)) {
        atomic_fetch_add(&c_bad_free, 1);
        fprintf(stderr, "BAD_FREE manual %p\n", p);
        return;
    }
    dec_live(K_SESS);
    atomic_fetch_add(&c_manual_free, 1);
    free(p);
}

static void transport_ctx_free(void *p)
{
    if (!untrack(p)) {
        atomic_fetch_add(&c_bad_free, 1);
        fprintf(stderr, "BAD_FREE transport ctx %p\n", p);
        return;
    }
    tctx_t *c = p;
    if (c->kind != K_TRANSPORT) {
        atomic_fetch_add(&c_bad_free, 1);
    }
    if (c->fd >= 0 && c->fd < MAX_FD && s_phase[c->fd] == PH_CLOSED) {
        s_phase[c->fd] = PH_TCTX_FREED;
    }
    dec_live(K_TRANSPORT);
    atomic_fetch_add(&c_tctx_free, 1);
    free(c);
}

static void global_ctx_free(void *p)
{
    if (!untrack(p)) {
        atomic_fetch_add(&c_bad_free, 1);
        fprintf(stderr, "BAD_FREE global ctx %p\n", p);
        return;
    }
    dec_live(K_GLOBAL);
    atomic_fetch_add(&c_global_free, 1);
    free(p);
}

/* ---- Transport overrides (XOR) --------------------------------------------------- */

static int xor_recv(httpd_handle_t hd, int fd, char *buf, size_t len, int flags)
{
    (void)hd;
    if (s_io_chunk && len > s_io_chunk) {
        len = s_io_chunk;
    }
    ssize_t n = recv(fd, buf, len, flags);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return HTTPD_SOCK_ERR_TIMEOUT;
        }
        return HTTPD_SOCK_ERR_FAIL;
    }
    for (ssize_t i = 0; i < n; i++) {
        buf[i] = (char)(buf[i] ^ (char)s_xor_key);
    }
    atomic_fetch_add(&c_xor_rx, (long)n);
    return (int)n;
}

static int xor_send(httpd_handle_t hd, int fd, const char *buf, size_t len, int flags)
{
    (void)hd;
    char tmp[4096];
    if (len > sizeof tmp) {
        len = sizeof tmp;
    }
    if (s_io_chunk && len > s_io_chunk) {
        len = s_io_chunk;
    }
    for (size_t i = 0; i < len; i++) {
        tmp[i] = (char)(buf[i] ^ (char)s_xor_key);
    }
    ssize_t n = send(fd, tmp, len, flags | MSG_NOSIGNAL);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return HTTPD_SOCK_ERR_TIMEOUT;
        }
        return HTTPD_SOCK_ERR_FAIL;
    }
    atomic_fetch_add(&c_xor_tx, (long)n);
    return (int)n;
}

static int xor_pending(httpd_handle_t hd, int fd)
{
    (void)hd;
    (void)fd;
    atomic_fetch_add(&c_pending_calls, 1);
    return 0;
}

/* ---- Hooks -------------------------------------------------------------------------- */

static pthread_t s_server_thread;
static atomic_bool s_have_server_thread;

static esp_err_t on_open(httpd_handle_t hd, int fd)
{
    if (!atomic_load(&s_have_server_thread)) {
        s_server_thread = pthread_self();
        atomic_store(&s_have_server_thread, true);
    }
    int n = atomic_fetch_add(&c_open, 1) + 1;
    if (fd >= 0 && fd < MAX_FD) {
        if (s_use_close_fn && s_phase[fd] == PH_OPEN) {
            fprintf(stderr, "OPEN_TWICE fd %d\n", fd);
            atomic_fetch_add(&c_order_err, 1);
        }
        s_phase[fd] = PH_OPEN;
    }
    int armed = atomic_exchange(&c_armed_fd, -1);
    if (armed >= 0) {
        atomic_store(&c_armed_err, httpd_sess_trigger_close(hd, armed));
    }
    if (s_open_fail_every && (unsigned long)n % s_open_fail_every == 0) {
        atomic_fetch_add(&c_open_fail, 1);
        return ESP_FAIL;
    }
    if (s_xor) {
        if (httpd_sess_set_recv_override(hd, fd, xor_recv) != ESP_OK ||
            httpd_sess_set_send_override(hd, fd, xor_send) != ESP_OK ||
            httpd_sess_set_pending_override(hd, fd, xor_pending) != ESP_OK) {
            fprintf(stderr, "override install failed for fd %d\n", fd);
        }
    }
    if (s_open_tctx) {
        httpd_sess_set_transport_ctx(hd, fd, ctx_alloc(K_TRANSPORT, fd, 500 + fd), transport_ctx_free);
    }
    return ESP_OK;
}

static void on_close(httpd_handle_t hd, int fd)
{
    (void)hd;
    atomic_fetch_add(&c_close, 1);
    if (fd >= 0 && fd < MAX_FD) {
        if (s_phase[fd] != PH_OPEN) {
            atomic_fetch_add(&c_close_unknown, 1);
            fprintf(stderr, "CLOSE_UNKNOWN fd %d (phase %d)\n", fd, s_phase[fd]);
        }
        s_phase[fd] = PH_CLOSED;
    }
    if (fcntl(fd, F_GETFD) < 0) {
        atomic_fetch_add(&c_close_ebadf, 1);
        fprintf(stderr, "CLOSE_EBADF fd %d already closed when close_fn ran\n", fd);
        return;
    }
    close(fd);
}

/* ---- Response helpers ------------------------------------------------------------- */

static long query_long(httpd_req_t *req, const char *key, long dflt)
{
    char q[256], v[64];
    if (httpd_req_get_url_query_str(req, q, sizeof q) != ESP_OK ||
        httpd_query_key_value(q, key, v, sizeof v) != ESP_OK) {
        return dflt;
    }
    return strtol(v, NULL, 10);
}

static esp_err_t send_text(httpd_req_t *req, const char *text)
{
    httpd_resp_set_type(req, "text/plain");
    return httpd_resp_send(req, text, HTTPD_RESP_USE_STRLEN);
}

static void note_server_thread(void)
{
    if (!atomic_load(&s_have_server_thread)) {
        s_server_thread = pthread_self();
        atomic_store(&s_have_server_thread, true);
    }
}

static const char *ctx_str(void *p, char *buf, size_t n)
{
    if (!p) {
        snprintf(buf, n, "none");
    } else {
        snprintf(buf, n, "%ld", ((tctx_t *)p)->value);
    }
    return buf;
}

/* ---- Handlers ----------------------------------------------------------------------- */

static esp_err_t stats_handler(httpd_req_t *req)
{
    char out[1024];
    pthread_mutex_lock(&s_track_lock);
    int live_ctx = s_live_count[K_SESS], live_tctx = s_live_count[K_TRANSPORT];
    pthread_mutex_unlock(&s_track_lock);
    snprintf(out, sizeof out,
             "open=%d\nopen_fail=%d\nclose=%d\nclose_ebadf=%d\nclose_unknown=%d\n"
             "ctx_alloc=%d\nctx_free=%d\nctx_close_free=%d\nmanual_free=%d\n"
             "tctx_alloc=%d\ntctx_free=%d\nglobal_free=%d\nlive_ctx=%d\nlive_tctx=%d\n"
             "bad_free=%d\norder_err=%d\npending_calls=%d\nxor_rx=%ld\nxor_tx=%ld\n"
             "push_ret=%d\narmed_err=%d\n",
             atomic_load(&c_open), atomic_load(&c_open_fail), atomic_load(&c_close),
             atomic_load(&c_close_ebadf), atomic_load(&c_close_unknown),
             atomic_load(&c_ctx_alloc), atomic_load(&c_ctx_free), atomic_load(&c_ctx_close_free),
             atomic_load(&c_manual_free), atomic_load(&c_tctx_alloc), atomic_load(&c_tctx_free),
             atomic_load(&c_global_free), live_ctx, live_tctx, atomic_load(&c_bad_free),
             atomic_load(&c_order_err), atomic_load(&c_pending_calls), atomic_load(&c_xor_rx),
             atomic_load(&c_xor_tx), atomic_load(&c_push_ret), atomic_load(&c_armed_err));
    return send_text(req, out);
}

static esp_err_t sockfd_handler(httpd_req_t *req)
{
    char out[32];
    snprintf(out, sizeof out, "%d", httpd_req_to_sockfd(req));
    return send_text(req, out);
}

static esp_err_t sleep_handler(httpd_req_t *req)
{
    long ms = query_long(req, "ms", 100);
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    return send_text(req, "slept");
}

static esp_err_t ctx_get_handler(httpd_req_t *req)
{
    char a[32], out[96];
    void *g = httpd_sess_get_ctx(req->handle, httpd_req_to_sockfd(req));
    snprintf(out, sizeof out, "%s same=%d ignore=%d", ctx_str(req->sess_ctx, a, sizeof a),
             g == req->sess_ctx, req->ignore_sess_ctx_changes ? 1 : 0);
    return send_text(req, out);
}

static esp_err_t ctx_new_handler(httpd_req_t *req)
{
    long v = query_long(req, "v", 1);
    void *old = req->sess_ctx;
    tctx_t *c = ctx_alloc(K_SESS, httpd_req_to_sockfd(req), v);
    if (!c) {
        return ESP_FAIL;
    }
    if (req->ignore_sess_ctx_changes && old) {
        sess_ctx_free_manual(old);
    }
    req->sess_ctx = c;
    req->free_ctx = sess_ctx_free;
    char out[64];
    snprintf(out, sizeof out, "new %ld ignore=%d", v, req->ignore_sess_ctx_changes ? 1 : 0);
    return send_text(req, out);
}

static esp_err_t ctx_null_handler(httpd_req_t *req)
{
    req->sess_ctx = NULL;
    return send_text(req, "null");
}

static esp_err_t ctx_ignore_handler(httpd_req_t *req)
{
    long v = query_long(req, "v", 1);
    void *old = req->sess_ctx;
    req->ignore_sess_ctx_changes = true;
    req->sess_ctx = ctx_alloc(K_SESS, httpd_req_to_sockfd(req), v);
    req->free_ctx = sess_ctx_free;
    if (old) {
        sess_ctx_free_manual(old);
    }
    return send_text(req, "ignore");
}

static esp_err_t ctx_unignore_handler(httpd_req_t *req)
{
    req->ignore_sess_ctx_changes = false;
    return send_text(req, "unignore");
}

static esp_err_t ctx_plain_handler(httpd_req_t *req)
{
    char *p = malloc(32);
    if (!p) {
        return ESP_FAIL;
    }
    memcpy(p, "plain", 6);
    req->sess_ctx = p;
    req->free_ctx = NULL;
    return send_text(req, "plain");
}

static esp_err_t ctx_set_reply(httpd_req_t *req)
{
    char a[32], b[32], out[96];
    void *g = httpd_sess_get_ctx(req->handle, httpd_req_to_sockfd(req));
    snprintf(out, sizeof out, "get=%s req=%s", ctx_str(g, a, sizeof a), ctx_str(req->sess_ctx, b, sizeof b));
    return send_text(req, out);
}

static esp_err_t ctx_set_handler(httpd_req_t *req)
{
    int fd = httpd_req_to_sockfd(req);
    long v = query_long(req, "v", 1);
    httpd_sess_set_ctx(req->handle, fd, ctx_alloc(K_SESS, fd, v), sess_ctx_free);
    return ctx_set_reply(req);
}

static esp_err_t ctx_set2_handler(httpd_req_t *req)
{
    int fd = httpd_req_to_sockfd(req);
    long v = query_long(req, "v", 1);
    httpd_sess_set_ctx(req->handle, fd, ctx_alloc(K_SESS, fd, v), sess_ctx_free);
    httpd_sess_set_ctx(req->handle, fd, ctx_alloc(K_SESS, fd, v + 1), sess_ctx_free);
    return ctx_set_reply(req);
}

static esp_err_t ctx_mix_handler(httpd_req_t *req)
{
    int fd = httpd_req_to_sockfd(req);
    long v = query_long(req, "v", 1);
    req->sess_ctx = ctx_alloc(K_SESS, fd, v);
    req->free_ctx = sess_ctx_free;
    httpd_sess_set_ctx(req->handle, fd, ctx_alloc(K_SESS, fd, v + 1), sess_ctx_free);
    return ctx_set_reply(req);
}

static esp_err_t ctx_same_handler(httpd_req_t *req)
{
    int fd = httpd_req_to_sockfd(req);
    httpd_sess_set_ctx(req->handle, fd, httpd_sess_get_ctx(req->handle, fd), sess_ctx_free);
    return ctx_set_reply(req);
}

static esp_err_t ctx_body_wait_handler(httpd_req_t *req)
{
    int fd = httpd_req_to_sockfd(req);
    void *old = req->sess_ctx;
    req->sess_ctx = ctx_alloc(K_SESS, fd, 1000 + fd);
    req->free_ctx = sess_ctx_free;
    (void)old;   /* freed by the server after the handler */
    size_t got = 0;
    char buf[256];
    while (got < req->content_len) {
        int n = httpd_req_recv(req, buf, sizeof buf);
        if (n == HTTPD_SOCK_ERR_TIMEOUT) {
            continue;
        }
        if (n <= 0) {
            return ESP_FAIL;
        }
        got += (size_t)n;
    }
    char out[32];
    snprintf(out, sizeof out, "%zu", got);
    return send_text(req, out);
}

static esp_err_t tctx_set_handler(httpd_req_t *req)
{
    int fd = httpd_req_to_sockfd(req);
    long v = query_long(req, "v", 1);
    httpd_sess_set_transport_ctx(req->handle, fd, ctx_alloc(K_TRANSPORT, fd, v), transport_ctx_free);
    char a[32], out[64];
    snprintf(out, sizeof out, "tctx=%s", ctx_str(httpd_sess_get_transport_ctx(req->handle, fd), a, sizeof a));
    return send_text(req, out);
}

static esp_err_t tctx_get_handler(httpd_req_t *req)
{
    int fd = httpd_req_to_sockfd(req);
    char a[32], out[64];
    snprintf(out, sizeof out, "tctx=%s", ctx_str(httpd_sess_get_transport_ctx(req->handle, fd), a, sizeof a));
    return send_text(req, out);
}

static esp_err_t global_handler(httpd_req_t *req)
{
    char out[64];
    snprintf(out, sizeof out, "user=%d transport=%d",
             s_config.global_user_ctx != NULL && httpd_get_global_user_ctx(req->handle) == s_config.global_user_ctx,
             s_config.global_transport_ctx != NULL &&
             httpd_get_global_transport_ctx(req->handle) == s_config.global_transport_ctx);
    return send_text(req, out);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static esp_err_t clients_handler(httpd_req_t *req)
{
    long cap = query_long(req, "cap", 16);
    if (cap < 0 || cap > 1024) {
        cap = 16;
    }
    int fds[1024];
    size_t n = (size_t)cap;
    for (int i = 0; i < 1024; i++) {
        fds[i] = -7;
    }
    esp_err_t err = httpd_get_client_list(req->handle, &n, fds);
    char out[8192];
    int off = snprintf(out, sizeof out, "%s", esp_err_to_name(err));
    if (err == ESP_OK) {
        if (n > (size_t)cap) {
            off += snprintf(out + off, sizeof out - (size_t)off, " OVERFLOW");
            n = (size_t)cap;
        }
        qsort(fds, n, sizeof fds[0], cmp_int);
        off += snprintf(out + off, sizeof out - (size_t)off, " %zu", n);
        for (size_t i = 0; i < n && off < (int)sizeof out - 16; i++) {
            off += snprintf(out + off, sizeof out - (size_t)off, " %d", fds[i]);
        }
    }
    return send_text(req, out);
}

static esp_err_t lru_touch_handler(httpd_req_t *req)
{
    esp_err_t err = httpd_sess_update_lru_counter(req->handle, (int)query_long(req, "fd", -1));
    return send_text(req, esp_err_to_name(err));
}

struct thread_call {
    httpd_handle_t h;
    int fd;
    long n;
    esp_err_t err;
    int ok, fail;
};

static void *trigger_thread(void *arg)
{
    struct thread_call *tc = arg;
    tc->err = httpd_sess_trigger_close(tc->h, tc->fd);
    return NULL;
}

static esp_err_t trigger_close_handler(httpd_req_t *req)
{
    struct thread_call tc = { .h = req->handle, .fd = (int)query_long(req, "fd", -1) };
    pthread_t t;
    if (pthread_create(&t, NULL, trigger_thread, &tc) != 0) {
        return ESP_FAIL;
    }
    pthread_join(t, NULL);
    return send_text(req, esp_err_to_name(tc.err));
}

static esp_err_t arm_handler(httpd_req_t *req)
{
    atomic_store(&c_armed_fd, (int)query_long(req, "fd", -1));
    return send_text(req, "armed");
}

/* Work-queue log. */
static pthread_mutex_t s_qlog_lock = PTHREAD_MUTEX_INITIALIZER;
static int s_qlog[QLOG_MAX];
static int s_qlog_len;
static int s_qlog_on_server;
static intptr_t s_qlog_index[QLOG_MAX];

static void log_work(void *arg)
{
    int idx = (int)*(intptr_t *)arg;
    pthread_mutex_lock(&s_qlog_lock);
    if (s_qlog_len < QLOG_MAX) {
        s_qlog[s_qlog_len++] = idx;
    }
    if (atomic_load(&s_have_server_thread) && pthread_equal(pthread_self(), s_server_thread)) {
        s_qlog_on_server++;
    }
    pthread_mutex_unlock(&s_qlog_lock);
}

static void *queue_thread(void *arg)
{
    struct thread_call *tc = arg;
    for (long i = 0; i < tc->n && i < QLOG_MAX; i++) {
        s_qlog_index[i] = (intptr_t)i;
        if (httpd_queue_work(tc->h, log_work, &s_qlog_index[i]) == ESP_OK) {
            tc->ok++;
        } else {
            tc->fail++;
        }
    }
    return NULL;
}

static esp_err_t queue_handler(httpd_req_t *req)
{
    note_server_thread();
    struct thread_call tc = { .h = req->handle, .n = query_long(req, "n", 5) };
    pthread_t t;
    if (pthread_create(&t, NULL, queue_thread, &tc) != 0) {
        return ESP_FAIL;
    }
    pthread_join(t, NULL);
    char out[64];
    snprintf(out, sizeof out, "ok=%d fail=%d", tc.ok, tc.fail);
    return send_text(req, out);
}

static esp_err_t queue_log_handler(httpd_req_t *req)
{
    char out[4096];
    pthread_mutex_lock(&s_qlog_lock);
    int off = snprintf(out, sizeof out, "order=");
    for (int i = 0; i < s_qlog_len; i++) {
        off += snprintf(out + off, sizeof out - (size_t)off, "%s%d", i ? "," : "", s_qlog[i]);
    }
    snprintf(out + off, sizeof out - (size_t)off, "\nserver_thread=%d\n", s_qlog_on_server);
    s_qlog_len = 0;
    s_qlog_on_server = 0;
    pthread_mutex_unlock(&s_qlog_lock);
    return send_text(req, out);
}

static atomic_int c_noop_runs;

static void noop_work(void *arg)
{
    (void)arg;
    atomic_fetch_add(&c_noop_runs, 1);
}

static esp_err_t queue_fill_handler(httpd_req_t *req)
{
    long n = query_long(req, "n", 70);
    int ok = 0, fail = 0;
    for (long i = 0; i < n; i++) {
        if (httpd_queue_work(req->handle, noop_work, NULL) == ESP_OK) {
            ok++;
        } else {
            fail++;
        }
    }
    char out[64];
    snprintf(out, sizeof out, "ok=%d fail=%d", ok, fail);
    return send_text(req, out);
}

struct push_arg {
    int fd;
    size_t len;
    char msg[256];
};

static void push_work(void *arg)
{
    struct push_arg *p = arg;
    size_t done = 0;
    int n = 0;
    while (done < p->len) {   /* one call may send fewer bytes (an override with a chunk limit) */
        n = httpd_socket_send(s_server, p->fd, p->msg + done, p->len - done, 0);
        if (n <= 0) {
            break;
        }
        done += (size_t)n;
    }
    atomic_store(&c_push_ret, n <= 0 ? n : (int)done);
    free(p);
}

static esp_err_t push_handler(httpd_req_t *req)
{
    char q[512];
    struct push_arg *p = calloc(1, sizeof *p);
    if (!p) {
        return ESP_FAIL;
    }
    p->fd = (int)query_long(req, "fd", -1);
    if (httpd_req_get_url_query_str(req, q, sizeof q) != ESP_OK ||
        httpd_query_key_value(q, "msg", p->msg, sizeof p->msg) != ESP_OK) {
        snprintf(p->msg, sizeof p->msg, "pushed");
    }
    p->len = strlen(p->msg);
    esp_err_t err = httpd_queue_work(req->handle, push_work, p);
    if (err != ESP_OK) {
        free(p);
    }
    return send_text(req, esp_err_to_name(err));
}

static esp_err_t sock_recv_handler(httpd_req_t *req)
{
    long want = query_long(req, "n", 5);
    char buf[256], out[300];
    if (want < 0 || want > (long)sizeof buf) {
        want = 5;
    }
    int fd = httpd_req_to_sockfd(req);
    long got = 0;
    while (got < want) {
        int n = httpd_socket_recv(req->handle, fd, buf + got, (size_t)(want - got), 0);
        if (n <= 0) {
            break;
        }
        got += n;
    }
    snprintf(out, sizeof out, "got=%.*s", (int)got, buf);
    return send_text(req, out);
}

static esp_err_t echo_handler(httpd_req_t *req)
{
    if (req->content_len > 65536) {
        return ESP_FAIL;
    }
    char *buf = malloc(req->content_len + 1);
    if (!buf) {
        return ESP_FAIL;
    }
    size_t got = 0;
    while (got < req->content_len) {
        int n = httpd_req_recv(req, buf + got, req->content_len - got);
        if (n <= 0) {
            free(buf);
            return ESP_FAIL;
        }
        got += (size_t)n;
    }
    httpd_resp_set_type(req, "text/plain");
    esp_err_t err = httpd_resp_send(req, buf, (ssize_t)got);
    free(buf);
    return err;
}

/* ---- Main ---------------------------------------------------------------------------- */

static const struct {
    const char *uri;
    httpd_method_t method;
    esp_err_t (*fn)(httpd_req_t *);
} s_routes[] = {
    { "/stats", HTTP_GET, stats_handler },
    { "/sockfd", HTTP_GET, sockfd_handler },
    { "/sleep", HTTP_GET, sleep_handler },
    { "/ctx/get", HTTP_GET, ctx_get_handler },
    { "/ctx/new", HTTP_GET, ctx_new_handler },
    { "/ctx/null", HTTP_GET, ctx_null_handler },
    { "/ctx/ignore", HTTP_GET, ctx_ignore_handler },
    { "/ctx/unignore", HTTP_GET, ctx_unignore_handler },
    { "/ctx/plain", HTTP_GET, ctx_plain_handler },
    { "/ctx/set", HTTP_GET, ctx_set_handler },
    { "/ctx/set2", HTTP_GET, ctx_set2_handler },
    { "/ctx/mix", HTTP_GET, ctx_mix_handler },
    { "/ctx/same", HTTP_GET, ctx_same_handler },
    { "/ctx/body_wait", HTTP_POST, ctx_body_wait_handler },
    { "/tctx/set", HTTP_GET, tctx_set_handler },
    { "/tctx/get", HTTP_GET, tctx_get_handler },
    { "/global", HTTP_GET, global_handler },
    { "/clients", HTTP_GET, clients_handler },
    { "/lru_touch", HTTP_GET, lru_touch_handler },
    { "/trigger_close", HTTP_GET, trigger_close_handler },
    { "/arm", HTTP_GET, arm_handler },
    { "/queue", HTTP_GET, queue_handler },
    { "/queue_log", HTTP_GET, queue_log_handler },
    { "/queue_fill", HTTP_GET, queue_fill_handler },
    { "/push", HTTP_GET, push_handler },
    { "/sock_recv", HTTP_GET, sock_recv_handler },
    { "/echo", HTTP_POST, echo_handler },
};

enum {
    OPT_PORT = 1, OPT_MAX_SOCKETS, OPT_LRU, OPT_CLOSE_FN, OPT_OPEN_FAIL, OPT_XOR, OPT_IO_CHUNK,
    OPT_RECV_TIMEOUT, OPT_BACKLOG, OPT_GLOBAL, OPT_OPEN_TCTX,
};

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "port",            required_argument, NULL, OPT_PORT },
        { "max-sockets",     required_argument, NULL, OPT_MAX_SOCKETS },
        { "lru",             no_argument,       NULL, OPT_LRU },
        { "close-fn",        no_argument,       NULL, OPT_CLOSE_FN },
        { "open-fail-every", required_argument, NULL, OPT_OPEN_FAIL },
        { "xor",             required_argument, NULL, OPT_XOR },
        { "io-chunk",        required_argument, NULL, OPT_IO_CHUNK },
        { "recv-timeout",    required_argument, NULL, OPT_RECV_TIMEOUT },
        { "backlog",         required_argument, NULL, OPT_BACKLOG },
        { "global-ctx",      no_argument,       NULL, OPT_GLOBAL },
        { "open-tctx",       no_argument,       NULL, OPT_OPEN_TCTX },
        { NULL, 0, NULL, 0 },
    };
    bool have_port = false, global = false;
    unsigned long v = 0;
    int c;

    s_config.max_uri_handlers = 40;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case OPT_PORT:
            ok = fw_parse_u16(optarg, 0, 65535, &s_config.server_port);
            have_port = ok;
            break;
        case OPT_MAX_SOCKETS:
            ok = fw_parse_u16(optarg, 0, 1000, &s_config.max_open_sockets);
            break;
        case OPT_LRU:
            s_config.lru_purge_enable = true;
            break;
        case OPT_CLOSE_FN:
            s_use_close_fn = true;
            break;
        case OPT_OPEN_FAIL:
            ok = fw_parse_num(optarg, 0, 1000000, &s_open_fail_every);
            break;
        case OPT_XOR:
            ok = fw_parse_num(optarg, 0, 255, &v);
            s_xor = true;
            s_xor_key = (unsigned char)v;
            break;
        case OPT_IO_CHUNK:
            ok = fw_parse_num(optarg, 0, 4096, &v);
            s_io_chunk = (size_t)v;
            break;
        case OPT_RECV_TIMEOUT:
            ok = fw_parse_u16(optarg, 0, 3600, &s_config.recv_wait_timeout);
            break;
        case OPT_BACKLOG:
            ok = fw_parse_u16(optarg, 0, 4096, &s_config.backlog_conn);
            break;
        case OPT_GLOBAL:
            global = true;
            break;
        case OPT_OPEN_TCTX:
            s_open_tctx = true;
            break;
        default:
            ok = false;
            break;
        }
        if (!ok) {
            fprintf(stderr, "bad command line\n");
            return 64;
        }
    }
    if (!have_port || optind != argc) {
        fprintf(stderr, "usage: sess_server --port N [options]\n");
        return 64;
    }
    s_config.open_fn = on_open;
    if (s_use_close_fn) {
        s_config.close_fn = on_close;
    }
    if (global) {
        s_config.global_user_ctx = ctx_alloc(K_GLOBAL, -1, 1);
        s_config.global_user_ctx_free_fn = global_ctx_free;
        s_config.global_transport_ctx = ctx_alloc(K_GLOBAL, -1, 2);
        s_config.global_transport_ctx_free_fn = global_ctx_free;
    }

    /* Block the stop signals before any thread exists: only sigwait() sees them. */
    sigset_t stop_set;
    if (!fw_block_stop_signals(&stop_set)) {
        return 1;
    }

    esp_err_t err = httpd_start(&s_server, &s_config);
    if (err != ESP_OK) {
        fw_print_start_failed(err);
        if (global) {
            global_ctx_free(s_config.global_user_ctx);
            global_ctx_free(s_config.global_transport_ctx);
        }
        return 2;
    }
    for (size_t i = 0; i < sizeof s_routes / sizeof s_routes[0]; i++) {
        httpd_uri_t u = { .uri = s_routes[i].uri, .method = s_routes[i].method, .handler = s_routes[i].fn };
        err = httpd_register_uri_handler(s_server, &u);
        if (err != ESP_OK) {
            fw_print_start_failed(err);
            httpd_stop(s_server);
            return 2;
        }
    }
    fw_print_ready(s_config.server_port);

    (void)fw_wait_stop_signal(&stop_set);
    err = fw_stop(s_server);
    if (err != ESP_OK) {
        return 1;
    }
    /* The library promises both are safe with a stopped handle. */
    esp_err_t after_queue = httpd_queue_work(s_server, noop_work, NULL);
    esp_err_t after_trigger = httpd_sess_trigger_close(s_server, 5);
    s_server = NULL;
    pthread_mutex_lock(&s_track_lock);
    int live_ctx = s_live_count[K_SESS], live_tctx = s_live_count[K_TRANSPORT];
    pthread_mutex_unlock(&s_track_lock);
    fprintf(stderr,
            "FINAL open=%d close=%d ctx_alloc=%d ctx_free=%d tctx_alloc=%d tctx_free=%d "
            "global_free=%d live_ctx=%d live_tctx=%d bad_free=%d order_err=%d close_ebadf=%d "
            "close_unknown=%d ctx_close_free=%d manual_free=%d open_fail=%d "
            "after_queue=%s after_trigger=%s\n",
            atomic_load(&c_open), atomic_load(&c_close), atomic_load(&c_ctx_alloc),
            atomic_load(&c_ctx_free), atomic_load(&c_tctx_alloc), atomic_load(&c_tctx_free),
            atomic_load(&c_global_free), live_ctx, live_tctx, atomic_load(&c_bad_free),
            atomic_load(&c_order_err), atomic_load(&c_close_ebadf), atomic_load(&c_close_unknown),
            atomic_load(&c_ctx_close_free), atomic_load(&c_manual_free), atomic_load(&c_open_fail),
            esp_err_to_name(after_queue), esp_err_to_name(after_trigger));
    fflush(stderr);
    return 0;
}
