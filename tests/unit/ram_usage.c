/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The heap the server takes, counted byte by byte, with HTTPD_DEFAULT_CONFIG()
 * and the library built as an embedded target builds it (no request pool, no
 * held output, a small read-ahead, coroutines off: CMake gives this program its
 * own copy of the library, compiled with the embedded configuration header).
 *
 * Linked with -Wl,--wrap for malloc, calloc, realloc, free and strdup: every
 * block carries its size in a small header, so the live total is exact. The
 * figures checked (docs/footprint.md lists them):
 *   start      live bytes after httpd_start()                       <= 4 KiB
 *   idle       per open, idle connection: its entry of the session
 *              table (allocated at start) + what it adds             <= 128 B
 *   request    extra bytes while one request is in its handler      <= 2.5 KiB
 *              (receive buffer included: 1 KiB header limit, 512-byte URI limit)
 *   back       idle again: start + the idle connections, exactly; closed: start;
 *              stopped: nothing left.
 * Pointers are twice as wide on a 64-bit host, so there the limits are those
 * of a 32-bit target (ESP32) raised for the wider pointers (start: the same);
 * `make test` also runs this program
 * as a 32-bit armhf build under qemu-user, where the target's limits apply.
 * The server task's stack (stack_size) is not heap on POSIX and is not counted.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "httpd_priv.h"   /* sizeof(struct httpd_sess): what an entry of the session table costs */
#include "loopback.h"

/* ---- Counting allocator ---------------------------------------------------------- */

#define HDR 16   /* keeps max_align_t alignment */

static atomic_long s_live;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);

void *__wrap_malloc(size_t n)
{
    char *b = __real_malloc(n + HDR);
    if (!b) {
        return NULL;
    }
    memcpy(b, &n, sizeof n);
    atomic_fetch_add(&s_live, (long)n);
    return b + HDR;
}

void *__wrap_calloc(size_t n, size_t m)
{
    if (m && n > (SIZE_MAX - HDR) / m) {
        return NULL;
    }
    void *p = __wrap_malloc(n * m);
    if (p) {
        memset(p, 0, n * m);
    }
    return p;
}

void __wrap_free(void *p)
{
    if (!p) {
        return;
    }
    char *b = (char *)p - HDR;
    size_t n;
    memcpy(&n, b, sizeof n);
    atomic_fetch_sub(&s_live, (long)n);
    __real_free(b);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (!p) {
        return __wrap_malloc(n);
    }
    size_t old;
    memcpy(&old, (char *)p - HDR, sizeof old);
    void *q = __wrap_malloc(n);
    if (q) {
        memcpy(q, p, old < n ? old : n);
        __wrap_free(p);
    }
    return q;
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = __wrap_malloc(n);
    if (d) {
        memcpy(d, s, n);
    }
    return d;
}

static long live(void)
{
    return atomic_load(&s_live);
}

static void nap_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Waits (bounded) until the live total holds still at a value for 100 ms. */
static long settled(void)
{
    long v = live();
    for (int i = 0, still = 0; i < 300 && still < 10; i++) {
        nap_ms(10);
        long w = live();
        still = w == v ? still + 1 : 0;
        v = w;
    }
    return v;
}

/* ---- The server ------------------------------------------------------------------ */

static atomic_long s_in_handler = -1;   /* live bytes seen inside the handler */

static esp_err_t hello(httpd_req_t *req)
{
    atomic_store(&s_in_handler, live());
    return httpd_resp_sendstr(req, "hello");
}

/* One keep-alive GET on c; true when its 200 response came back whole. */
static bool get(int c, const char *path)
{
    char req[768];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: ram\r\nUser-Agent: ram_usage\r\n\r\n", path);
    if (send(c, req, (size_t)n, 0) != n) {
        return false;
    }
    char resp[512];
    size_t got = 0;
    while (got < sizeof resp - 1) {
        ssize_t r = recv(c, resp + got, sizeof resp - 1 - got, 0);
        if (r <= 0) {
            return false;
        }
        got += (size_t)r;
        resp[got] = '\0';
        if (strstr(resp, "\r\n\r\nhello")) {
            return strncmp(resp, "HTTP/1.1 200", 12) == 0;
        }
    }
    return false;
}

int main(void)
{
    const bool wide = sizeof(void *) > 4;
    const long lim_start = 4096;
    const long lim_idle = wide ? 192 : 128;
    const long lim_req = wide ? 3072 : 2560;

    long base = settled();
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    httpd_handle_t h = lb_start(&cfg);
    CHECK(h != NULL);
    if (!h) {
        return check_summary();
    }
    long start = settled() - base;
    printf("ram_usage: %d-bit, max_open_sockets %u, max_uri_handlers %u\n", wide ? 64 : 32,
           (unsigned)cfg.max_open_sockets, (unsigned)cfg.max_uri_handlers);
    printf("  heap at httpd_start:          %6ld bytes (limit %ld)\n", start, lim_start);
    CHECK(start > 0 && start <= lim_start);

    httpd_uri_t u = { .uri = "/hello", .method = HTTP_GET, .handler = hello };
    CHECK(httpd_register_uri_handler(h, &u) == ESP_OK);
    /* the first lookup builds the router's lock-free copy of the table: part of registering */
    int w = lb_client(cfg.server_port, 3);
    CHECK(w >= 0 && get(w, "/hello"));
    if (w >= 0) {
        close(w);
    }
    long registered = settled() - base;
    printf("  one handler registered:       %6ld bytes\n", registered - start);

    /* every connection the default config allows, each idle after one request */
    enum { N = 7 };
    int c[N];
    for (int i = 0; i < N; i++) {
        c[i] = lb_client(cfg.server_port, 3);
        CHECK(c[i] >= 0);
        CHECK(c[i] >= 0 && get(c[i], "/hello"));
    }
    long idle = settled() - base;
    long per_idle = (idle - registered) / N;
    printf("  per idle connection:          %6ld bytes over the start figure, which holds its session's\n"
           "                                %6zu bytes (table entry) (limit %ld for both together)\n",
           per_idle, sizeof(struct httpd_sess), lim_idle);
    CHECK(per_idle + (long)sizeof(struct httpd_sess) <= lim_idle);

    /* a request in flight, with the longest URI the default limits allow */
    char path[600];
    memset(path, 'a', sizeof path);
    memcpy(path, "/hello?", 7);
    path[480] = '\0';
    atomic_store(&s_in_handler, -1);
    CHECK(get(c[0], path));
    long in_flight = atomic_load(&s_in_handler) - base - idle;
    printf("  a request in its handler:     %6ld bytes (limit %ld)\n", in_flight, lim_req);
    CHECK(atomic_load(&s_in_handler) >= 0 && in_flight > 0 && in_flight <= lim_req);

    long again = settled() - base;
    printf("  idle again:                   %6ld bytes over the idle figure\n", again - idle);
    CHECK(again == idle);

    for (int i = 0; i < N; i++) {
        if (c[i] >= 0) {
            close(c[i]);
        }
    }
    long closed = settled() - base;
    printf("  connections closed:           %6ld bytes over the registered figure\n", closed - registered);
    CHECK(closed == registered);

    CHECK(httpd_stop(h) == ESP_OK);
    long stopped = settled() - base;
    printf("  after httpd_stop:             %6ld bytes\n", stopped);
    CHECK(stopped == 0);
    return check_summary();
}
