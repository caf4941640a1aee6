/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Concurrency stress: one server in this process and every kind of caller at
 * once, for a bounded time, so that ThreadSanitizer (scripts/test-tsan.sh)
 * and AddressSanitizer see the server thread, its handlers and the
 * any-thread API race against each other:
 *
 *   HTTP keep-alive clients     GET, POST with a body, routes that come and go
 *   WebSocket clients           handshake and masked frames, echoed back
 *   API threads                 httpd_queue_work, httpd_ws_send_frame_async to
 *                               the connected WebSocket fds, trigger_close,
 *                               update_lru_counter, httpd_ws_get_fd_info,
 *                               register/unregister of URI handlers
 *   main                        httpd_stop() while all of it runs, then a new
 *                               server on a new port, ROUNDS times
 *
 * Clients tolerate every error (the server closes, purges and stops under
 * them): they only reconnect. Every socket has send and receive time-outs,
 * so nothing hangs. The verdict is the sanitizers' (and exit 0 once the
 * threads are joined); the counts printed at the end show that each kind of
 * traffic really ran.
 *
 * Usage: stress [seconds [rounds]]   (default 12 s, 3 rounds; env STRESS_SECONDS,
 *                                     STRESS_ROUNDS override the defaults;
 *                                     STRESS_ANY_THREAD_QUERIES=0: see client_fds)
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../unit/loopback.h"
#include "esp_log.h"

#define HTTP_CLIENTS 4
#define WS_CLIENTS   3
#define MAX_SOCKETS  12      /* fewer than the clients can open: LRU purge runs too */
#define DYN_ROUTES   4

/* The server of the current round. g_handle stays set until httpd_stop()
 * has returned, so the calls that check the handle against the registry of
 * running servers (queue_work, trigger_close, ws_send_frame_async) race
 * with the stop itself. The calls that take the handle on trust
 * (get_client_list, get_fd_info, update_lru_counter, (un)register: their
 * caller must know the server runs) hold g_up_lock for reading and look at
 * g_up, which main clears under the write lock before it stops the server.
 * (Registering during httpd_stop() itself is tests/unit/test_router_stop.c's.) */
static _Atomic(httpd_handle_t) g_handle;
static atomic_int g_port;
static pthread_rwlock_t g_up_lock = PTHREAD_RWLOCK_INITIALIZER;
static bool g_up;
static atomic_bool g_quit;

static atomic_ulong n_get, n_post, n_ws_echo, n_ws_async, n_work, n_close, n_lru, n_info, n_reg;

/* ---- Helpers ------------------------------------------------------------------------ */

static unsigned rnd(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static bool send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool recv_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = recv(fd, p, len, 0);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* Reads a response head into buf (NUL-terminated); its length, or -1. */
static int recv_head(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    while (len + 1 < cap) {
        ssize_t n = recv(fd, buf + len, 1, 0);   /* byte by byte: nothing of the body is taken */
        if (n <= 0) {
            return -1;
        }
        len++;
        if (len >= 4 && memcmp(buf + len - 4, "\r\n\r\n", 4) == 0) {
            buf[len] = '\0';
            return (int)len;
        }
    }
    return -1;
}

static int client(void)
{
    int port = atomic_load(&g_port);
    return port ? lb_client((uint16_t)port, 2) : -1;
}

/* httpd_get_client_list and httpd_ws_get_fd_info from any thread: the API
 * threads call both directly (under g_up_lock, as their callers must know the
 * server runs), while the server thread takes the same list in a work item
 * (snapshot_fn, queued by work_thread), so both paths run against the
 * session changes. STRESS_ANY_THREAD_QUERIES=0 makes the API threads use the
 * server thread's copy instead. */
static bool g_any_thread_queries;
static pthread_mutex_t g_snap_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_snap_fds[MAX_SOCKETS];
static bool g_snap_ws[MAX_SOCKETS];
static size_t g_snap_n;

static void snapshot_fn(void *arg)   /* server thread: a work item */
{
    httpd_handle_t h = atomic_load(&g_handle);   /* the server running this item */
    int all[MAX_SOCKETS];
    size_t n = MAX_SOCKETS;
    if (!h || httpd_get_client_list(h, &n, all) != ESP_OK) {
        n = 0;
    }
    pthread_mutex_lock(&g_snap_lock);
    for (size_t i = 0; i < n; i++) {
        g_snap_fds[i] = all[i];
        g_snap_ws[i] = httpd_ws_get_fd_info(h, all[i]) == HTTPD_WS_CLIENT_WEBSOCKET;
    }
    g_snap_n = n;
    pthread_mutex_unlock(&g_snap_lock);
    atomic_fetch_add(&n_info, n);
    atomic_fetch_add((atomic_ulong *)arg, 1);
}

/* The running server's client fds (all, or the WebSocket ones); n <= MAX_SOCKETS. */
static size_t client_fds(int *fds, bool ws_only)
{
    size_t n = 0;
    if (!g_any_thread_queries) {
        pthread_mutex_lock(&g_snap_lock);
        for (size_t i = 0; i < g_snap_n; i++) {
            if (!ws_only || g_snap_ws[i]) {
                fds[n++] = g_snap_fds[i];
            }
        }
        pthread_mutex_unlock(&g_snap_lock);
        return n;
    }
    pthread_rwlock_rdlock(&g_up_lock);
    httpd_handle_t h = atomic_load(&g_handle);
    int all[MAX_SOCKETS];
    size_t got = MAX_SOCKETS;
    if (g_up && h && httpd_get_client_list(h, &got, all) == ESP_OK) {
        for (size_t i = 0; i < got; i++) {
            atomic_fetch_add(&n_info, 1);
            if (!ws_only || httpd_ws_get_fd_info(h, all[i]) == HTTPD_WS_CLIENT_WEBSOCKET) {
                fds[n++] = all[i];
            }
        }
    }
    pthread_rwlock_unlock(&g_up_lock);
    return n;
}

/* ---- Handlers (server thread) ------------------------------------------------------- */

static esp_err_t get_handler(httpd_req_t *req)
{
    /* from a handler too: the server thread's own path of the call */
    httpd_sess_update_lru_counter(req->handle, httpd_req_to_sockfd(req));
    atomic_fetch_add(&n_get, 1);
    return httpd_resp_sendstr(req, "hello from the stress server");
}

static esp_err_t post_handler(httpd_req_t *req)
{
    char buf[256];
    size_t total = 0;
    while (total < req->content_len) {
        int n = httpd_req_recv(req, buf, sizeof buf);
        if (n == HTTPD_SOCK_ERR_TIMEOUT) {
            continue;
        }
        if (n <= 0) {
            return ESP_FAIL;
        }
        total += (size_t)n;
    }
    atomic_fetch_add(&n_post, 1);
    snprintf(buf, sizeof buf, "%zu", total);
    return httpd_resp_sendstr(req, buf);
}

static esp_err_t ws_handler(httpd_req_t *req)
{
    if (req->method == HTTP_GET) {
        return ESP_OK;   /* the handshake */
    }
    uint8_t buf[512];
    httpd_ws_frame_t f = { .payload = buf };
    if (httpd_ws_recv_frame(req, &f, 0) != ESP_OK || f.len > sizeof buf) {
        return ESP_FAIL;
    }
    if (f.len > 0 && httpd_ws_recv_frame(req, &f, sizeof buf) != ESP_OK) {
        return ESP_FAIL;
    }
    if (f.type != HTTPD_WS_TYPE_TEXT && f.type != HTTPD_WS_TYPE_BINARY) {
        return ESP_OK;
    }
    atomic_fetch_add(&n_ws_echo, 1);
    return httpd_ws_send_frame(req, &f);
}

static esp_err_t dyn_handler(httpd_req_t *req)
{
    return httpd_resp_sendstr(req, req->user_ctx);
}

static const httpd_uri_t uris[] = {
    { .uri = "/get", .method = HTTP_GET, .handler = get_handler },
    { .uri = "/post", .method = HTTP_POST, .handler = post_handler },
    { .uri = "/ws", .method = HTTP_GET, .handler = ws_handler, .is_websocket = true },
};

/* ---- HTTP clients ------------------------------------------------------------------- */

static void *http_client(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg * 7919u + 1u;
    static const char body[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    int fd = -1;
    while (!atomic_load(&g_quit)) {
        if (fd < 0 && (fd = client()) < 0) {
            sleep_ms(20);   /* between servers */
            continue;
        }
        char req[512], head[1024];
        unsigned kind = rnd(&seed) % 8;
        int n;
        if (kind < 4) {
            n = snprintf(req, sizeof req, "GET /get HTTP/1.1\r\nHost: x\r\n\r\n");
        } else if (kind < 7) {
            size_t len = 1 + rnd(&seed) % (sizeof body - 1);
            n = snprintf(req, sizeof req, "POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n%.*s",
                         len, (int)len, body);
        } else {
            n = snprintf(req, sizeof req, "GET /dyn%u HTTP/1.1\r\nHost: x\r\n\r\n", rnd(&seed) % DYN_ROUTES);
        }
        long clen = -1;
        bool ok = send_all(fd, req, (size_t)n) && recv_head(fd, head, sizeof head) > 0;
        if (ok) {
            const char *cl = strcasestr(head, "Content-Length:");
            clen = cl ? strtol(cl + 15, NULL, 10) : -1;
            ok = clen >= 0 && clen < (long)sizeof req && recv_all(fd, req, (size_t)clen) &&
                 !strcasestr(head, "Connection: close");
        }
        if (!ok || rnd(&seed) % 32 == 0) {   /* broken, or now and then a fresh connection */
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    return NULL;
}

/* ---- WebSocket clients -------------------------------------------------------------- */

static bool ws_send(int fd, uint8_t op, const void *payload, size_t len, unsigned *seed)
{
    uint8_t frame[8 + 256];
    if (len > 256) {
        return false;
    }
    size_t h = 0;
    frame[h++] = (uint8_t)(0x80u | op);
    if (len < 126) {
        frame[h++] = (uint8_t)(0x80u | len);
    } else {
        frame[h++] = 0x80u | 126u;
        frame[h++] = (uint8_t)(len >> 8);
        frame[h++] = (uint8_t)len;
    }
    uint32_t key = rnd(seed);
    uint8_t mask[4] = { (uint8_t)key, (uint8_t)(key >> 8), (uint8_t)(key >> 16), (uint8_t)(key >> 24) };
    memcpy(frame + h, mask, 4);
    h += 4;
    for (size_t i = 0; i < len; i++) {
        frame[h + i] = ((const uint8_t *)payload)[i] ^ mask[i & 3];
    }
    return send_all(fd, frame, h + len);
}

/* One frame from the server (unmasked); its payload (up to cap bytes) in buf. */
static bool ws_recv(int fd, uint8_t *op, uint8_t *buf, size_t cap, size_t *len)
{
    uint8_t h[2];
    if (!recv_all(fd, h, 2)) {
        return false;
    }
    size_t n = h[1] & 0x7Fu;
    if (n == 126) {
        uint8_t e[2];
        if (!recv_all(fd, e, 2)) {
            return false;
        }
        n = (size_t)e[0] << 8 | e[1];
    } else if (n == 127 || (h[1] & 0x80u)) {
        return false;   /* nothing this test sends is that big; a server never masks */
    }
    if (n > cap) {
        return false;
    }
    *op = h[0] & 0x0Fu;
    *len = n;
    return recv_all(fd, buf, n);
}

static int ws_connect(unsigned *seed)
{
    int fd = client();
    if (fd < 0) {
        return -1;
    }
    char req[256], head[1024];
    int n = snprintf(req, sizeof req,
                     "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    (void)seed;
    if (!send_all(fd, req, (size_t)n) || recv_head(fd, head, sizeof head) < 0 ||
        strncmp(head, "HTTP/1.1 101", 12) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void *ws_client(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg * 104729u + 3u;
    int fd = -1;
    while (!atomic_load(&g_quit)) {
        if (fd < 0 && (fd = ws_connect(&seed)) < 0) {
            sleep_ms(20);
            continue;
        }
        char msg[200];
        int n = snprintf(msg, sizeof msg, "echo %u %.*s", rnd(&seed), (int)(rnd(&seed) % 150),
                         "................................................................................"
                         "......................................................................");
        bool ok = ws_send(fd, 0x1, msg, (size_t)n, &seed);
        /* the echo, perhaps after frames other threads sent to this fd */
        for (int i = 0; ok && i < 64; i++) {
            uint8_t op, buf[512];
            size_t len;
            ok = ws_recv(fd, &op, buf, sizeof buf, &len);
            if (ok && op == 0x8) {
                ok = false;   /* the server closes */
            }
            if (ok && len == (size_t)n && memcmp(buf, msg, len) == 0) {
                break;
            }
        }
        if (ok && rnd(&seed) % 64 == 0) {
            uint8_t code[2] = { 0x03, 0xE8 };   /* 1000: a clean close now and then */
            ws_send(fd, 0x8, code, 2, &seed);
            ok = false;
        }
        if (!ok) {
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    return NULL;
}

/* ---- API threads -------------------------------------------------------------------- */

static void *work_thread(void *arg)
{
    (void)arg;
    while (!atomic_load(&g_quit)) {
        httpd_handle_t h = atomic_load(&g_handle);
        if (h) {
            /* a static arg: an item dropped at stop leaks nothing */
            httpd_queue_work(h, snapshot_fn, &n_work);
        }
        sleep_ms(1);
    }
    return NULL;
}

static void *ws_push_thread(void *arg)
{
    (void)arg;
    static const char text[] = "pushed by another thread";
    while (!atomic_load(&g_quit)) {
        int fds[MAX_SOCKETS];
        size_t n = client_fds(fds, true);
        httpd_handle_t h = atomic_load(&g_handle);
        for (size_t i = 0; h && i < n; i++) {
            httpd_ws_frame_t f = { .final = true, .type = HTTPD_WS_TYPE_TEXT,
                                   .payload = (uint8_t *)(uintptr_t)text, .len = sizeof text - 1 };
            if (httpd_ws_send_frame_async(h, fds[i], &f) == ESP_OK) {
                atomic_fetch_add(&n_ws_async, 1);
            }
        }
        sleep_ms(2);
    }
    return NULL;
}

/* trigger_close and update_lru_counter: both check the handle themselves. */
static void *sess_thread(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg + 17u;
    while (!atomic_load(&g_quit)) {
        int all[MAX_SOCKETS];
        size_t got = client_fds(all, false);
        httpd_handle_t h = atomic_load(&g_handle);
        for (size_t i = 0; h && i < got; i++) {
            if (httpd_sess_update_lru_counter(h, all[i]) == ESP_OK) {
                atomic_fetch_add(&n_lru, 1);
            }
        }
        if (got > 0 && h && rnd(&seed) % 8 == 0 &&
            httpd_sess_trigger_close(h, all[rnd(&seed) % got]) == ESP_OK) {
            atomic_fetch_add(&n_close, 1);
        }
        sleep_ms(3);
    }
    return NULL;
}

static void *route_thread(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg + 31u;
    static char names[DYN_ROUTES][16];
    for (int i = 0; i < DYN_ROUTES; i++) {
        snprintf(names[i], sizeof names[i], "/dyn%d", i);
    }
    while (!atomic_load(&g_quit)) {
        unsigned i = rnd(&seed) % DYN_ROUTES;
        pthread_rwlock_rdlock(&g_up_lock);
        httpd_handle_t h = atomic_load(&g_handle);
        if (g_up && h) {
            if (rnd(&seed) % 2) {
                httpd_uri_t u = { .uri = names[i], .method = HTTP_GET, .handler = dyn_handler,
                                  .user_ctx = names[i] };
                httpd_register_uri_handler(h, &u);
            } else {
                httpd_unregister_uri_handler(h, names[i], HTTP_GET);
            }
            atomic_fetch_add(&n_reg, 1);
        }
        pthread_rwlock_unlock(&g_up_lock);
        sleep_ms(2);
    }
    return NULL;
}

/* ---- Main --------------------------------------------------------------------------- */

static httpd_handle_t start_server(void)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.max_open_sockets = MAX_SOCKETS;
    cfg.max_uri_handlers = 8;
    cfg.lru_purge_enable = true;
    cfg.recv_wait_timeout = 2;
    cfg.send_wait_timeout = 2;
    cfg.backlog_conn = 16;
    httpd_handle_t h = lb_start(&cfg);
    if (!h) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
        if (httpd_register_uri_handler(h, &uris[i]) != ESP_OK) {
            httpd_stop(h);
            return NULL;
        }
    }
    atomic_store(&g_port, cfg.server_port);
    atomic_store(&g_handle, h);
    pthread_rwlock_wrlock(&g_up_lock);
    g_up = true;
    pthread_rwlock_unlock(&g_up_lock);
    return h;
}

static unsigned env_or(const char *name, int argc, char **argv, int i, unsigned def)
{
    const char *v = argc > i ? argv[i] : getenv(name);
    return v && *v ? (unsigned)strtoul(v, NULL, 10) : def;
}

int main(int argc, char **argv)
{
    unsigned seconds = env_or("STRESS_SECONDS", argc, argv, 1, 12);
    unsigned rounds = env_or("STRESS_ROUNDS", argc, argv, 2, 3);
    if (rounds == 0) {
        rounds = 1;
    }
    unsigned round_ms = seconds * 1000u / rounds;
    /* "already registered", "not registered", purges and time-outs are the
     * point of the test, not news */
    esp_log_level_set("*", ESP_LOG_ERROR);
    const char *any = getenv("STRESS_ANY_THREAD_QUERIES");
    g_any_thread_queries = !(any && *any == '0');

    httpd_handle_t h = start_server();
    if (!h) {
        fprintf(stderr, "stress: cannot start the server\n");
        return 1;
    }
    pthread_t th[HTTP_CLIENTS + WS_CLIENTS + 5];
    int nth = 0;
    for (int i = 0; i < HTTP_CLIENTS; i++) {
        pthread_create(&th[nth++], NULL, http_client, (void *)(uintptr_t)i);
    }
    for (int i = 0; i < WS_CLIENTS; i++) {
        pthread_create(&th[nth++], NULL, ws_client, (void *)(uintptr_t)i);
    }
    pthread_create(&th[nth++], NULL, work_thread, NULL);
    pthread_create(&th[nth++], NULL, ws_push_thread, NULL);
    pthread_create(&th[nth++], NULL, sess_thread, (void *)(uintptr_t)1);
    pthread_create(&th[nth++], NULL, sess_thread, (void *)(uintptr_t)2);
    pthread_create(&th[nth++], NULL, route_thread, NULL);

    int status = 0;
    for (unsigned r = 0; r < rounds; r++) {
        sleep_ms(round_ms);
        /* the trusting callers stop first; the checking ones race with the stop */
        pthread_rwlock_wrlock(&g_up_lock);
        g_up = false;
        pthread_rwlock_unlock(&g_up_lock);
        atomic_store(&g_port, 0);
        httpd_stop(h);
        atomic_store(&g_handle, NULL);
        h = NULL;
        pthread_mutex_lock(&g_snap_lock);
        g_snap_n = 0;
        pthread_mutex_unlock(&g_snap_lock);
        if (r + 1 < rounds) {
            sleep_ms(20);   /* clients meet a closed port meanwhile */
            if (!(h = start_server())) {
                fprintf(stderr, "stress: cannot restart the server\n");
                status = 1;
                break;
            }
        }
    }
    atomic_store(&g_quit, true);
    for (int i = 0; i < nth; i++) {
        pthread_join(th[i], NULL);
    }
    if (h) {
        httpd_stop(h);
    }
    printf("stress: %u s, %u rounds: %lu GET, %lu POST, %lu ws echo, %lu ws async, %lu work, "
           "%lu trigger_close, %lu lru, %lu fd_info, %lu (un)register\n",
           seconds, rounds, atomic_load(&n_get), atomic_load(&n_post), atomic_load(&n_ws_echo),
           atomic_load(&n_ws_async), atomic_load(&n_work), atomic_load(&n_close), atomic_load(&n_lru),
           atomic_load(&n_info), atomic_load(&n_reg));
    if (atomic_load(&n_get) == 0 || atomic_load(&n_post) == 0 || atomic_load(&n_ws_echo) == 0) {
        fprintf(stderr, "stress: some traffic never got through\n");
        status = 1;
    }
    return status;
}
