/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server lifecycle: argument checks of httpd_start/stop, a taken port, two
 * instances at once, 1000 start/stop cycles without fd or context leaks, stop
 * with a half-open client, server state, handler (un)registration codes, error
 * handler registration and the work queue. Real sockets on 127.0.0.1, every
 * wait bounded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
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

#define CYCLES          1000
#define IO_TIMEOUT_MS   3000

/* ---- Helpers -------------------------------------------------------------------- */

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

/* Entries of /proc/self/fd (the directory's own fd included, which is the
 * same every time, so counts compare). */
static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL) {
        return -1;
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            n++;
        }
    }
    closedir(d);
    return n;
}

/* A port that was free a moment ago (bound to 0, read back, released). */
static uint16_t free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return 0;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof(a);
    uint16_t port = 0;
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) == 0
        && getsockname(s, (struct sockaddr *)&a, &alen) == 0) {
        port = ntohs(a.sin_port);
    }
    close(s);
    return port;
}

static void set_timeouts(int s, int ms)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int connect_to(uint16_t port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return -1;
    }
    set_timeouts(s, IO_TIMEOUT_MS);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(s);
        return -1;
    }
    return s;
}

static int send_all(int s, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(s, buf, len, MSG_NOSIGNAL);
        if (n <= 0) {
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads one response with a Content-Length body from s. Returns the status
 * code (body NUL-terminated in body[]) or -1. */
static int read_response(int s, char *body, size_t body_size)
{
    char buf[4096];
    size_t len = 0;
    char *end = NULL;
    while (end == NULL) {
        if (len == sizeof(buf) - 1) {
            return -1;
        }
        ssize_t n = recv(s, buf + len, sizeof(buf) - 1 - len, 0);
        if (n <= 0) {
            return -1;
        }
        len += (size_t)n;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    int status = 0;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) {
        return -1;
    }
    size_t clen = 0;
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    if (cl != NULL && cl < end) {
        clen = strtoul(cl + strlen("\r\nContent-Length:"), NULL, 10);
    }
    size_t have = len - (size_t)(end + 4 - buf);
    if (clen + 1 > body_size) {
        return -1;
    }
    memcpy(body, end + 4, have < clen ? have : clen);
    while (have < clen) {
        ssize_t n = recv(s, body + have, clen - have, 0);
        if (n <= 0) {
            return -1;
        }
        have += (size_t)n;
    }
    body[clen] = '\0';
    return status;
}

/* GET path on s (kept open). Returns the status, body in body[]. */
static int get_on(int s, const char *path, char *body, size_t body_size)
{
    char req[256];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (send_all(s, req, (size_t)n) != 0) {
        return -1;
    }
    return read_response(s, body, body_size);
}

/* GET path on a fresh connection, closed afterwards. */
static int http_get(uint16_t port, const char *path, char *body, size_t body_size)
{
    int s = connect_to(port);
    if (s < 0) {
        return -1;
    }
    int status = get_on(s, path, body, body_size);
    close(s);
    return status;
}

/* ---- Handlers and callbacks ----------------------------------------------------- */

static atomic_int handler_calls;
static pthread_t handler_thread;   /* under handler_thread_lock: two servers' handlers store it */
static pthread_mutex_t handler_thread_lock = PTHREAD_MUTEX_INITIALIZER;

/* The library's coroutine switch; weak, so builds without coroutines link too.
 * "thread" runs each handler on a thread of its own, acting for the server thread. */
extern const char *httpd__coro_backend(void) __attribute__((weak));

static bool handlers_on_own_threads(void)
{
    return httpd__coro_backend && strcmp(httpd__coro_backend(), "thread") == 0;
}

static esp_err_t text_handler(httpd_req_t *req)
{
    atomic_fetch_add(&handler_calls, 1);
    pthread_mutex_lock(&handler_thread_lock);
    handler_thread = pthread_self();
    pthread_mutex_unlock(&handler_thread_lock);
    return httpd_resp_sendstr(req, req->user_ctx ? (const char *)req->user_ctx : "ok");
}

static atomic_int ctx_frees;

static void counting_free(void *ctx)
{
    atomic_fetch_add(&ctx_frees, 1);
    free(ctx);
}

static atomic_int opens;
static atomic_int closes;

static esp_err_t counting_open(httpd_handle_t hd, int fd)
{
    (void)hd;
    (void)fd;
    atomic_fetch_add(&opens, 1);
    return ESP_OK;
}

static void counting_close(httpd_handle_t hd, int fd)
{
    (void)hd;
    atomic_fetch_add(&closes, 1);
    close(fd);
}

static bool wait_for(atomic_int *v, int want, int timeout_ms)
{
    for (int waited = 0; atomic_load(v) < want && waited < timeout_ms; waited += 5) {
        sleep_ms(5);
    }
    return atomic_load(v) >= want;
}

static esp_err_t dummy_err_handler(httpd_req_t *req, httpd_err_code_t err)
{
    (void)err;
    httpd_resp_send_err(req, HTTPD_404_NOT_FOUND, "custom");
    return ESP_OK;
}

/* ---- (a) bad arguments ---------------------------------------------------------- */

static void test_bad_args(void)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.server_port = free_port();
    httpd_handle_t sentinel = (httpd_handle_t)(uintptr_t)0x5a5a5a5a;
    httpd_handle_t h = sentinel;

    CHECK_EQ_INT(httpd_start(NULL, &cfg), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_start(&h, NULL), ESP_ERR_INVALID_ARG);
    CHECK(h == sentinel);

    cfg.max_open_sockets = 0;
    esp_err_t err = httpd_start(&h, &cfg);
    CHECK_EQ_INT(err, ESP_ERR_INVALID_ARG);
    CHECK(h == sentinel);
    if (err == ESP_OK) {
        httpd_stop(h);
    }

    CHECK_EQ_INT(httpd_stop(NULL), ESP_ERR_INVALID_ARG);
}

/* ---- (b) port taken ------------------------------------------------------------- */

static void test_port_taken(void)
{
    int blocker = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(blocker >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
    socklen_t alen = sizeof(a);
    CHECK_EQ_INT(bind(blocker, (struct sockaddr *)&a, sizeof(a)), 0);
    CHECK_EQ_INT(listen(blocker, 1), 0);
    CHECK_EQ_INT(getsockname(blocker, (struct sockaddr *)&a, &alen), 0);

    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.server_port = ntohs(a.sin_port);
    httpd_handle_t sentinel = (httpd_handle_t)(uintptr_t)0x1234;
    httpd_handle_t h = sentinel;

    int fds_before = count_fds();
    esp_err_t err = httpd_start(&h, &cfg);
    int fds_after = count_fds();
    CHECK_EQ_INT(err, ESP_FAIL);
    CHECK(h == sentinel);
    CHECK_EQ_INT(fds_after, fds_before);
    if (err == ESP_OK) {
        httpd_stop(h);
    }
    close(blocker);
}

/* ---- (c) two instances, default ctrl_port --------------------------------------- */

static void test_two_instances(void)
{
    httpd_handle_t h[2] = { NULL, NULL };
    uint16_t ports[2];
    static const char *const names[2] = { "first", "second" };

    for (int i = 0; i < 2; i++) {
        httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
        CHECK_EQ_INT(cfg.ctrl_port, ESP_HTTPD_DEF_CTRL_PORT);
        ports[i] = free_port();
        cfg.server_port = ports[i];
        CHECK_EQ_INT(httpd_start(&h[i], &cfg), ESP_OK);
        if (h[i] == NULL) {
            continue;
        }
        httpd_uri_t u = { .uri = "/who", .method = HTTP_GET, .handler = text_handler,
                          .user_ctx = (void *)names[i] };
        CHECK_EQ_INT(httpd_register_uri_handler(h[i], &u), ESP_OK);
    }
    for (int i = 0; i < 2; i++) {
        char body[64] = "";
        if (h[i] == NULL) {
            continue;
        }
        CHECK_EQ_INT(http_get(ports[i], "/who", body, sizeof(body)), 200);
        CHECK_EQ_STR(body, names[i]);
    }
    for (int i = 0; i < 2; i++) {
        if (h[i] != NULL) {
            CHECK_EQ_INT(httpd_stop(h[i]), ESP_OK);
        }
    }
}

/* ---- (d) 1000 start/stop cycles ------------------------------------------------- */

static void test_cycles(void)
{
    uint16_t port = free_port();
    int fds_before = count_fds();
    int start_fail = 0, reg_fail = 0, stop_fail = 0, get_fail = 0, ctx_wrong = 0;
    atomic_store(&ctx_frees, 0);
    double t0 = now_s();

    for (int i = 0; i < CYCLES; i++) {
        httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
        cfg.server_port = port;
        cfg.global_user_ctx = malloc(32);
        cfg.global_user_ctx_free_fn = counting_free;
        httpd_handle_t h = NULL;
        if (httpd_start(&h, &cfg) != ESP_OK) {
            /* Not started: the context is still ours. */
            if (start_fail++ < 3) {
                fprintf(stderr, "cycle %d: httpd_start failed (port %u)\n", i, port);
            }
            free(cfg.global_user_ctx);
            continue;
        }
        if (httpd_get_global_user_ctx(h) != cfg.global_user_ctx) {
            ctx_wrong++;
        }
        httpd_uri_t u = { .uri = "/cycle", .method = HTTP_GET, .handler = text_handler,
                          .user_ctx = "cycle" };
        if (httpd_register_uri_handler(h, &u) != ESP_OK) {
            reg_fail++;
        }
        int client = -1;
        if (i % 100 == 99) {
            /* Serve one request and keep the connection open over the stop, so
             * the server closes first and leaves TIME_WAIT on its port: the next
             * start must still bind it. */
            char body[32] = "";
            client = connect_to(port);
            if (client < 0 || get_on(client, "/cycle", body, sizeof(body)) != 200
                || strcmp(body, "cycle") != 0) {
                get_fail++;
            }
        }
        if (httpd_stop(h) != ESP_OK) {
            stop_fail++;
        }
        if (client >= 0) {
            close(client);
        }
    }

    double took = now_s() - t0;
    int fds_after = count_fds();
    printf("%d start/stop cycles in %.2f s\n", CYCLES, took);
    CHECK_EQ_INT(start_fail, 0);
    CHECK_EQ_INT(reg_fail, 0);
    CHECK_EQ_INT(stop_fail, 0);
    CHECK_EQ_INT(get_fail, 0);
    CHECK_EQ_INT(ctx_wrong, 0);
    CHECK_EQ_INT(fds_after, fds_before);
    CHECK_EQ_INT(atomic_load(&ctx_frees), CYCLES);
}

/* ---- (e) stop with a half-sent request head ------------------------------------- */

static void test_stop_with_half_open_client(void)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.server_port = free_port();
    cfg.open_fn = counting_open;
    cfg.close_fn = counting_close;
    atomic_store(&opens, 0);
    atomic_store(&closes, 0);

    int fds_before = count_fds();
    httpd_handle_t h = NULL;
    CHECK_EQ_INT(httpd_start(&h, &cfg), ESP_OK);
    if (h == NULL) {
        return;
    }
    int s = connect_to(cfg.server_port);
    CHECK(s >= 0);
    static const char half[] = "GET /slow HTTP/1.1\r\nHost: 127.0";
    CHECK_EQ_INT(send_all(s, half, sizeof(half) - 1), 0);
    CHECK(wait_for(&opens, 1, 2000));
    sleep_ms(50);   /* let the server read the partial head */

    double t0 = now_s();
    CHECK_EQ_INT(httpd_stop(h), ESP_OK);
    double took = now_s() - t0;
    printf("httpd_stop with a half-sent head took %.3f s\n", took);
    CHECK(took < 2.0);
    CHECK_EQ_INT(atomic_load(&closes), 1);
    CHECK_EQ_INT(atomic_load(&opens), 1);

    /* The client sees the connection end (EOF, or a reset). */
    char buf[256];
    ssize_t n;
    do {
        n = recv(s, buf, sizeof(buf), 0);
    } while (n > 0);
    CHECK(n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK));
    close(s);
    /* Session socket, listen socket and wake-up channel are all gone. */
    CHECK_EQ_INT(count_fds(), fds_before);
}

/* ---- (f) server state ----------------------------------------------------------- */

static void test_server_state(void)
{
    CHECK_EQ_INT(httpd_get_server_state(NULL), HTTP_SERVER_EVENT_ERROR);

    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.server_port = free_port();
    httpd_handle_t h = NULL;
    CHECK_EQ_INT(httpd_start(&h, &cfg), ESP_OK);
    if (h == NULL) {
        return;
    }
    CHECK_EQ_INT(httpd_get_server_state(h), HTTP_SERVER_EVENT_START);
    CHECK_EQ_INT(httpd_stop(h), ESP_OK);
    /* The handle is stale now: the library recognises it without touching it. */
    CHECK_EQ_INT(httpd_get_server_state(h), HTTP_SERVER_EVENT_STOP);
    CHECK_EQ_INT(httpd_stop(h), ESP_ERR_INVALID_ARG);
}

/* ---- (g) URI handler registration ----------------------------------------------- */

static void test_register_codes(void)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.server_port = free_port();
    CHECK_EQ_INT(cfg.max_uri_handlers, 8);
    httpd_handle_t h = NULL;
    CHECK_EQ_INT(httpd_start(&h, &cfg), ESP_OK);
    if (h == NULL) {
        return;
    }

    static const char *const names[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8" };
    httpd_uri_t u = { .uri = "/x", .method = HTTP_GET, .handler = text_handler };

    CHECK_EQ_INT(httpd_register_uri_handler(NULL, &u), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_register_uri_handler(h, NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_unregister_uri_handler(NULL, "/x", HTTP_GET), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_unregister_uri_handler(h, NULL, HTTP_GET), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_unregister_uri(NULL, "/x"), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_unregister_uri(h, NULL), ESP_ERR_INVALID_ARG);

    /* The upstream "Basic Functionality" sequence. */
    for (int i = 0; i < 8; i++) {
        u.uri = names[i];
        CHECK_EQ_INT(httpd_register_uri_handler(h, &u), ESP_OK);
    }
    u.uri = names[8];
    CHECK_EQ_INT(httpd_register_uri_handler(h, &u), ESP_ERR_HTTPD_HANDLERS_FULL);
    CHECK_EQ_INT(httpd_unregister_uri_handler(h, "0", HTTP_GET), ESP_OK);
    CHECK_EQ_INT(httpd_unregister_uri_handler(h, "0", HTTP_GET), ESP_ERR_NOT_FOUND);
    u.uri = names[1];
    CHECK_EQ_INT(httpd_register_uri_handler(h, &u), ESP_ERR_HTTPD_HANDLER_EXISTS);
    u.uri = names[0];
    CHECK_EQ_INT(httpd_register_uri_handler(h, &u), ESP_OK);
    CHECK(httpd_register_uri_handler(h, &u) != ESP_OK);     /* duplicate while full */
    u.uri = names[8];
    CHECK_EQ_INT(httpd_register_uri_handler(h, &u), ESP_ERR_HTTPD_HANDLERS_FULL);
    for (int i = 0; i < 8; i++) {
        CHECK_EQ_INT(httpd_unregister_uri_handler(h, names[i], HTTP_GET), ESP_OK);
    }
    CHECK_EQ_INT(httpd_unregister_uri_handler(h, "/missing", HTTP_GET), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_unregister_uri(h, "/missing"), ESP_ERR_NOT_FOUND);

    /* Same URI, another method: not a duplicate. httpd_unregister_uri drops all. */
    static const httpd_method_t methods[] = { HTTP_GET, HTTP_POST, HTTP_PUT };
    u.uri = "/m";
    for (size_t i = 0; i < 3; i++) {
        u.method = methods[i];
        CHECK_EQ_INT(httpd_register_uri_handler(h, &u), ESP_OK);
    }
    u.uri = "/other";
    u.method = HTTP_GET;
    CHECK_EQ_INT(httpd_register_uri_handler(h, &u), ESP_OK);

    char body[128] = "";
    CHECK_EQ_INT(http_get(cfg.server_port, "/m", body, sizeof(body)), 200);
    CHECK_EQ_INT(httpd_unregister_uri(h, "/m"), ESP_OK);
    for (size_t i = 0; i < 3; i++) {
        CHECK_EQ_INT(httpd_unregister_uri_handler(h, "/m", methods[i]), ESP_ERR_NOT_FOUND);
    }
    CHECK_EQ_INT(httpd_unregister_uri(h, "/m"), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(http_get(cfg.server_port, "/m", body, sizeof(body)), 404);
    CHECK_EQ_INT(http_get(cfg.server_port, "/other", body, sizeof(body)), 200);

    /* The freed slots take registrations again. */
    u.uri = "/m";
    CHECK_EQ_INT(httpd_register_uri_handler(h, &u), ESP_OK);
    CHECK_EQ_INT(http_get(cfg.server_port, "/m", body, sizeof(body)), 200);

    CHECK_EQ_INT(httpd_stop(h), ESP_OK);
}

/* ---- (h) error handler registration --------------------------------------------- */

static void test_err_handler_codes(void)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.server_port = free_port();
    httpd_handle_t h = NULL;
    CHECK_EQ_INT(httpd_start(&h, &cfg), ESP_OK);
    if (h == NULL) {
        return;
    }
    CHECK_EQ_INT(httpd_register_err_handler(h, HTTPD_ERR_CODE_MAX, dummy_err_handler),
                 ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_register_err_handler(h, (httpd_err_code_t)(HTTPD_ERR_CODE_MAX + 5),
                                            dummy_err_handler), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_register_err_handler(NULL, HTTPD_404_NOT_FOUND, dummy_err_handler),
                 ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_register_err_handler(h, HTTPD_404_NOT_FOUND, dummy_err_handler), ESP_OK);

    char body[128] = "";
    CHECK_EQ_INT(http_get(cfg.server_port, "/nothing", body, sizeof(body)), 404);
    CHECK_EQ_STR(body, "custom");
    CHECK_EQ_INT(httpd_register_err_handler(h, HTTPD_404_NOT_FOUND, NULL), ESP_OK);
    CHECK_EQ_INT(http_get(cfg.server_port, "/nothing", body, sizeof(body)), 404);
    CHECK_EQ_STR(body, "Nothing matches the given URI");

    CHECK_EQ_INT(httpd_stop(h), ESP_OK);
}

/* ---- (i) work queue ------------------------------------------------------------- */

typedef struct {
    atomic_int runs;
    pthread_t  thread;
    int        order[4];
    atomic_int next;
} work_rec_t;

static work_rec_t work_rec;

static void record_work(void *arg)
{
    int id = (int)(intptr_t)arg;
    work_rec.thread = pthread_self();
    int slot = atomic_fetch_add(&work_rec.next, 1);
    if (slot < 4) {
        work_rec.order[slot] = id;
    }
    atomic_fetch_add(&work_rec.runs, 1);
}

static atomic_int stop_from_server_rc = -12345;

/* httpd_stop() on the server's own thread must refuse, not deadlock. */
static void stop_from_work(void *arg)
{
    atomic_store(&stop_from_server_rc, httpd_stop((httpd_handle_t)arg));
}

static esp_err_t stop_from_handler(httpd_req_t *req)
{
    char out[16];
    snprintf(out, sizeof(out), "%d", (int)httpd_stop(req->handle));
    return httpd_resp_sendstr(req, out);
}

static void test_queue_work(void)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.server_port = free_port();
    httpd_handle_t h = NULL;
    CHECK_EQ_INT(httpd_start(&h, &cfg), ESP_OK);
    if (h == NULL) {
        return;
    }
    CHECK_EQ_INT(httpd_queue_work(NULL, record_work, NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_queue_work(h, NULL, NULL), ESP_ERR_INVALID_ARG);

    /* Learn the server thread from a handler. */
    httpd_uri_t u = { .uri = "/t", .method = HTTP_GET, .handler = text_handler };
    CHECK_EQ_INT(httpd_register_uri_handler(h, &u), ESP_OK);
    char body[32];
    CHECK_EQ_INT(http_get(cfg.server_port, "/t", body, sizeof(body)), 200);

    memset(&work_rec, 0, sizeof(work_rec));
    CHECK_EQ_INT(httpd_queue_work(h, record_work, (void *)(intptr_t)1), ESP_OK);
    CHECK(wait_for(&work_rec.runs, 1, 2000));
    sleep_ms(50);
    CHECK_EQ_INT(atomic_load(&work_rec.runs), 1);
    CHECK(!pthread_equal(work_rec.thread, pthread_self()));
    if (!handlers_on_own_threads()) {
        pthread_mutex_lock(&handler_thread_lock);
        CHECK(pthread_equal(work_rec.thread, handler_thread));
        pthread_mutex_unlock(&handler_thread_lock);
    }

    /* Several items run once each, in FIFO order. */
    memset(&work_rec, 0, sizeof(work_rec));
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(httpd_queue_work(h, record_work, (void *)(intptr_t)(i + 10)), ESP_OK);
    }
    CHECK(wait_for(&work_rec.runs, 3, 2000));
    sleep_ms(50);
    CHECK_EQ_INT(atomic_load(&work_rec.runs), 3);
    CHECK_EQ_INT(work_rec.order[0], 10);
    CHECK_EQ_INT(work_rec.order[1], 11);
    CHECK_EQ_INT(work_rec.order[2], 12);

    /* httpd_stop from a work item and from a handler: ESP_ERR_INVALID_STATE. */
    atomic_store(&stop_from_server_rc, -12345);
    CHECK_EQ_INT(httpd_queue_work(h, stop_from_work, h), ESP_OK);
    for (int waited = 0; atomic_load(&stop_from_server_rc) == -12345 && waited < 2000; waited += 5) {
        sleep_ms(5);
    }
    CHECK_EQ_INT(atomic_load(&stop_from_server_rc), ESP_ERR_INVALID_STATE);
    httpd_uri_t stopper = { .uri = "/stop", .method = HTTP_GET, .handler = stop_from_handler };
    CHECK_EQ_INT(httpd_register_uri_handler(h, &stopper), ESP_OK);
    char expect[16];
    snprintf(expect, sizeof(expect), "%d", ESP_ERR_INVALID_STATE);
    CHECK_EQ_INT(http_get(cfg.server_port, "/stop", body, sizeof(body)), 200);
    CHECK_EQ_STR(body, expect);
    CHECK_EQ_INT(httpd_get_server_state(h), HTTP_SERVER_EVENT_START);

    CHECK_EQ_INT(httpd_stop(h), ESP_OK);
}

int main(void)
{
    double t0 = now_s();
    test_bad_args();
    test_port_taken();
    test_two_instances();
    test_server_state();
    test_register_codes();
    test_err_handler_codes();
    test_queue_work();
    test_stop_with_half_open_client();
    test_cycles();
    printf("test_lifecycle took %.2f s\n", now_s() - t0);
    return check_summary();
}
