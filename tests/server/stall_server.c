/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stall_server: the firmware that tests/pytest/test_stall.py drives to check
 * that slow or stalled clients never block the server ("never blocked"):
 * handlers waiting on their sockets are suspended while the loop serves
 * everyone else and the work queue.
 *
 * Usage:
 *   stall_server --port N [--max-sockets N] [--recv-timeout S] [--send-timeout S]
 *
 * Prints "READY <port>" on stdout once the server runs; on failure "START_FAILED
 * <esp_err_to_name>" and exit 2 (bad command line: exit 64). SIGTERM / SIGINT:
 * httpd_stop(), exit 0. Logs go to stderr.
 *
 *   GET  /hello          "Hello, World!\n" (text/plain)
 *   POST /upload         reads the whole body with httpd_req_recv() in 4 KiB pieces;
 *                        answers "received=<n>\n"; on HTTPD_SOCK_ERR_TIMEOUT it sends
 *                        httpd_resp_send_408() and returns ESP_FAIL; on any other
 *                        error it returns ESP_FAIL
 *   GET  /big?n=BYTES    one httpd_resp_send() of BYTES bytes (byte i = 'A' + i % 26,
 *                        application/octet-stream; at most 64 MiB, default 8 MiB); the
 *                        body comes from a buffer kept (and counted in alloc=) from the
 *                        first request of that size on: warm up before a baseline
 *   GET  /stream?mib=N   chunked response of N MiB (default 1, at most 1024) in 64 KiB
 *                        chunks of the same pattern; ESP_FAIL when a chunk send fails
 *   GET  /work?n=K       queues K (1..64) httpd_queue_work() items; answers
 *                        "queued=<k> first=<sequence number of the first>\n"
 *   GET  /stats          text/plain, one "name=value" per line:
 *     fds=              open file descriptors of the process (/proc/self/fd)
 *     alloc=            heap bytes in use (ASan allocator statistics, else mallinfo2)
 *     sessions=         httpd_get_client_list() count (the /stats connection included)
 *     handlers_running= handlers executing right now (this /stats handler included);
 *                       a handler suspended in httpd_req_recv()/httpd_send()/
 *                       httpd_resp_send*() does not count as running
 *     handlers_active=  handlers entered and not yet returned (suspended ones included)
 *     overlap=          most handlers ever running at once (must be 1)
 *     max_active=       most handlers ever active at once (above 1 with coroutines)
 *     thread_errors=    handlers or work items that ran on another thread than the first
 *                       handler (the server thread)
 *     work_queued= work_done= work_in_handler= work_order_errors= work_while_suspended=
 *                       queued / run work items; items that ran while a handler was
 *                       running (must be 0); items that ran out of FIFO order (must be
 *                       0); items that ran while some handler was suspended
 *     work_last_ms=     CLOCK_MONOTONIC milliseconds when the last work item ran
 *     upload_ok= upload_timeouts= upload_errors=  /upload outcomes
 *     big_ok= big_fail=                           /big outcomes
 *     stream_ok= stream_fail=                     /stream outcomes
 *     now_ms=           CLOCK_MONOTONIC milliseconds of this answer
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "fw_common.h"

#if defined(__SANITIZE_ADDRESS__)
#define STALL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STALL_ASAN 1
#endif
#endif
#ifdef STALL_ASAN
#if defined(__has_include)
#if __has_include(<sanitizer/allocator_interface.h>)
#include <sanitizer/allocator_interface.h>
#define STALL_HAVE_ALLOCATOR_H 1
#endif
#endif
#ifndef STALL_HAVE_ALLOCATOR_H
/* GCC ships no allocator_interface.h; the runtime has the function all the same. */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif
#endif

static const char *TAG = "stall_server";

#define RECV_PIECE   4096u
#define CHUNK_LEN    (64u * 1024u)
#define BIG_DEFAULT  (8u * 1024u * 1024u)
#define BIG_MAX      (64u * 1024u * 1024u)
#define STREAM_MAX   1024u
#define WORK_MAX     64u

static httpd_handle_t s_server;
static uint16_t s_max_sockets = 7;

/* ---- Counters ---------------------------------------------------------------------- */

static atomic_int s_running;          /* handlers executing now */
static atomic_int s_active;           /* handlers entered, not returned */
static atomic_int s_overlap;          /* max of s_running */
static atomic_int s_max_active;       /* max of s_active */
static atomic_uint s_thread_errors;
static atomic_bool s_have_thread;
static pthread_t s_server_thread;

static atomic_uint s_work_queued;     /* sequence numbers handed out */
static atomic_uint s_work_next;       /* next sequence number expected to run */
static atomic_uint s_work_done;
static atomic_uint s_work_in_handler;
static atomic_uint s_work_order_errors;
static atomic_uint s_work_while_suspended;
static atomic_ullong s_work_last_ms;

static atomic_uint s_upload_ok, s_upload_timeouts, s_upload_errors;
static atomic_uint s_big_ok, s_big_fail;
static atomic_uint s_stream_ok, s_stream_fail;

static char s_chunk[CHUNK_LEN];      /* the /stream pattern, filled at start */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void atomic_max(atomic_int *m, int v)
{
    int cur = atomic_load(m);
    while (v > cur && !atomic_compare_exchange_weak(m, &cur, v)) {
    }
}

/* The library's coroutine switch; weak, so builds without coroutines link too. */
extern const char *httpd__coro_backend(void) __attribute__((weak));

/* Notes the calling thread; everything must run on the server thread. With the
 * thread coroutine switch a handler runs on a thread of its own, acting for the
 * server thread (one at a time still holds: s_overlap checks that). */
static void check_thread(bool in_handler)
{
    if (in_handler && httpd__coro_backend && strcmp(httpd__coro_backend(), "thread") == 0) {
        return;
    }
    bool expected = false;
    if (atomic_compare_exchange_strong(&s_have_thread, &expected, true)) {
        s_server_thread = pthread_self();
    } else if (!pthread_equal(s_server_thread, pthread_self())) {
        atomic_fetch_add(&s_thread_errors, 1);
    }
}

/* Handler bookkeeping: enter/leave bracket a handler, io_begin/io_end bracket
 * every call that may suspend it (it is not running while suspended). */
static void handler_enter(void)
{
    check_thread(true);
    atomic_max(&s_max_active, atomic_fetch_add(&s_active, 1) + 1);
    atomic_max(&s_overlap, atomic_fetch_add(&s_running, 1) + 1);
}

static void io_begin(void)
{
    atomic_fetch_sub(&s_running, 1);
}

static void io_end(void)
{
    atomic_max(&s_overlap, atomic_fetch_add(&s_running, 1) + 1);
}

static esp_err_t handler_leave(esp_err_t ret)
{
    atomic_fetch_sub(&s_running, 1);
    atomic_fetch_sub(&s_active, 1);
    return ret;
}

static int io_recv(httpd_req_t *req, char *buf, size_t len)
{
    io_begin();
    int n = httpd_req_recv(req, buf, len);
    io_end();
    return n;
}

static esp_err_t io_send(httpd_req_t *req, const char *buf, ssize_t len)
{
    io_begin();
    esp_err_t err = httpd_resp_send(req, buf, len);
    io_end();
    return err;
}

static esp_err_t io_chunk(httpd_req_t *req, const char *buf, ssize_t len)
{
    io_begin();
    esp_err_t err = httpd_resp_send_chunk(req, buf, len);
    io_end();
    return err;
}

static esp_err_t io_408(httpd_req_t *req)
{
    io_begin();
    esp_err_t err = httpd_resp_send_408(req);
    io_end();
    return err;
}

/* ---- Helpers ----------------------------------------------------------------------- */

/* Query parameter key as a number in [min, max]; def when absent; false when invalid. */
static bool query_num(httpd_req_t *req, const char *key, unsigned long min, unsigned long max,
                      unsigned long def, unsigned long *out)
{
    char qry[128];
    char val[32];
    *out = def;
    if (httpd_req_get_url_query_str(req, qry, sizeof qry) != ESP_OK ||
        httpd_query_key_value(qry, key, val, sizeof val) != ESP_OK) {
        return true;
    }
    return fw_parse_num(val, min, max, out);
}

static esp_err_t bad_request(httpd_req_t *req, const char *msg)
{
    io_begin();
    esp_err_t err = httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, msg);
    io_end();
    return handler_leave(err == ESP_OK ? ESP_OK : ESP_FAIL);
}

static long count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        return -1;
    }
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            n++;
        }
    }
    closedir(d);
    return n - 1;   /* the directory stream's own descriptor */
}

static unsigned long long heap_in_use(void)
{
#ifdef STALL_ASAN
    return (unsigned long long)__sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 mi = mallinfo2();
    return (unsigned long long)mi.uordblks;
#endif
}

/* ---- Handlers ---------------------------------------------------------------------- */

static esp_err_t hello_get(httpd_req_t *req)
{
    handler_enter();
    httpd_resp_set_type(req, "text/plain");
    return handler_leave(io_send(req, "Hello, World!\n", HTTPD_RESP_USE_STRLEN));
}

static esp_err_t upload_post(httpd_req_t *req)
{
    handler_enter();
    char buf[RECV_PIECE];
    size_t got = 0;
    while (got < req->content_len) {
        size_t want = req->content_len - got;
        int n = io_recv(req, buf, want < sizeof buf ? want : sizeof buf);
        if (n == HTTPD_SOCK_ERR_TIMEOUT) {
            atomic_fetch_add(&s_upload_timeouts, 1);
            ESP_LOGI(TAG, "upload: body timed out after %zu of %zu bytes", got, req->content_len);
            io_408(req);
            return handler_leave(ESP_FAIL);
        }
        if (n <= 0) {
            atomic_fetch_add(&s_upload_errors, 1);
            ESP_LOGI(TAG, "upload: recv %d after %zu of %zu bytes", n, got, req->content_len);
            return handler_leave(ESP_FAIL);
        }
        got += (size_t)n;
    }
    char msg[64];
    snprintf(msg, sizeof msg, "received=%zu\n", got);
    httpd_resp_set_type(req, "text/plain");
    esp_err_t err = io_send(req, msg, HTTPD_RESP_USE_STRLEN);
    if (err == ESP_OK) {
        atomic_fetch_add(&s_upload_ok, 1);
    } else {
        atomic_fetch_add(&s_upload_errors, 1);
    }
    return handler_leave(err);
}

/* The /big body: a pattern buffer kept across requests and grown to the largest n
 * asked for (server thread only), so that after a first request of a size no
 * handler spends time filling megabytes, which would show up as latency of others. */
static char *s_big;
static size_t s_big_len;

static const char *big_body(size_t n)
{
    if (n <= s_big_len) {
        return s_big;
    }
    char *p = realloc(s_big, n ? n : 1);
    if (!p) {
        return NULL;
    }
    s_big = p;
    /* The pattern repeats every 26 bytes: seed one chunk's worth, then double by copying. */
    size_t filled = n < CHUNK_LEN - CHUNK_LEN % 26 ? n : CHUNK_LEN - CHUNK_LEN % 26;
    memcpy(p, s_chunk, filled);
    while (filled < n) {
        size_t step = filled < n - filled ? filled : n - filled;
        memcpy(p + filled, p, step);
        filled += step;
    }
    s_big_len = n;
    return s_big;
}

static esp_err_t big_get(httpd_req_t *req)
{
    handler_enter();
    unsigned long n = 0;
    if (!query_num(req, "n", 0, BIG_MAX, BIG_DEFAULT, &n)) {
        return bad_request(req, "bad n\n");
    }
    const char *body = big_body(n);
    if (!body) {
        io_begin();
        httpd_resp_send_500(req);
        io_end();
        return handler_leave(ESP_FAIL);
    }
    httpd_resp_set_type(req, HTTPD_TYPE_OCTET);
    esp_err_t err = io_send(req, body, (ssize_t)n);
    if (err == ESP_OK) {
        atomic_fetch_add(&s_big_ok, 1);
    } else {
        atomic_fetch_add(&s_big_fail, 1);
        ESP_LOGI(TAG, "big: send of %lu bytes failed: %s", n, esp_err_to_name(err));
    }
    return handler_leave(err);
}

static esp_err_t stream_get(httpd_req_t *req)
{
    handler_enter();
    unsigned long mib = 0;
    if (!query_num(req, "mib", 0, STREAM_MAX, 1, &mib)) {
        return bad_request(req, "bad mib\n");
    }
    httpd_resp_set_type(req, HTTPD_TYPE_OCTET);
    unsigned long chunks = mib * (1024u * 1024u / CHUNK_LEN);
    for (unsigned long i = 0; i < chunks; i++) {
        esp_err_t err = io_chunk(req, s_chunk, CHUNK_LEN);
        if (err != ESP_OK) {
            atomic_fetch_add(&s_stream_fail, 1);
            ESP_LOGI(TAG, "stream: chunk %lu of %lu failed: %s", i, chunks, esp_err_to_name(err));
            return handler_leave(ESP_FAIL);
        }
    }
    if (io_chunk(req, NULL, 0) != ESP_OK) {
        atomic_fetch_add(&s_stream_fail, 1);
        return handler_leave(ESP_FAIL);
    }
    atomic_fetch_add(&s_stream_ok, 1);
    return handler_leave(ESP_OK);
}

static void work_fn(void *arg)
{
    unsigned seq = (unsigned)(uintptr_t)arg;
    check_thread(false);
    if (atomic_load(&s_running) != 0) {
        atomic_fetch_add(&s_work_in_handler, 1);
    }
    if (atomic_load(&s_active) != 0) {
        atomic_fetch_add(&s_work_while_suspended, 1);
    }
    if (atomic_fetch_add(&s_work_next, 1) != seq) {
        atomic_fetch_add(&s_work_order_errors, 1);
    }
    atomic_store(&s_work_last_ms, now_ms());
    atomic_fetch_add(&s_work_done, 1);
}

static esp_err_t work_get(httpd_req_t *req)
{
    handler_enter();
    unsigned long k = 0;
    if (!query_num(req, "n", 1, WORK_MAX, 1, &k)) {
        return bad_request(req, "bad n\n");
    }
    unsigned queued = 0;
    unsigned first = atomic_load(&s_work_queued);
    for (unsigned long i = 0; i < k; i++) {
        /* Sequence numbers are handed out on this (the server) thread only. */
        unsigned seq = atomic_load(&s_work_queued);
        if (httpd_queue_work(req->handle, work_fn, (void *)(uintptr_t)seq) != ESP_OK) {
            break;
        }
        atomic_fetch_add(&s_work_queued, 1);
        queued++;
    }
    char msg[64];
    snprintf(msg, sizeof msg, "queued=%u first=%u\n", queued, first);
    httpd_resp_set_type(req, "text/plain");
    return handler_leave(io_send(req, msg, HTTPD_RESP_USE_STRLEN));
}

static esp_err_t stats_get(httpd_req_t *req)
{
    handler_enter();
    int *fds = calloc(s_max_sockets, sizeof *fds);
    size_t nsess = s_max_sockets;
    if (!fds || httpd_get_client_list(req->handle, &nsess, fds) != ESP_OK) {
        nsess = 0;
    }
    free(fds);
    /* Measured after the list is freed, so that it is not counted. */
    long nfds = count_fds();
    unsigned long long alloc = heap_in_use();
    char msg[1024];
    snprintf(msg, sizeof msg,
             "fds=%ld\nalloc=%llu\nsessions=%zu\nhandlers_running=%d\nhandlers_active=%d\n"
             "overlap=%d\nmax_active=%d\nthread_errors=%u\n"
             "work_queued=%u\nwork_done=%u\nwork_in_handler=%u\nwork_order_errors=%u\n"
             "work_while_suspended=%u\nwork_last_ms=%llu\n"
             "upload_ok=%u\nupload_timeouts=%u\nupload_errors=%u\n"
             "big_ok=%u\nbig_fail=%u\nstream_ok=%u\nstream_fail=%u\nnow_ms=%llu\n",
             nfds, alloc, nsess, atomic_load(&s_running), atomic_load(&s_active),
             atomic_load(&s_overlap), atomic_load(&s_max_active), atomic_load(&s_thread_errors),
             atomic_load(&s_work_queued), atomic_load(&s_work_done), atomic_load(&s_work_in_handler),
             atomic_load(&s_work_order_errors), atomic_load(&s_work_while_suspended),
             (unsigned long long)atomic_load(&s_work_last_ms),
             atomic_load(&s_upload_ok), atomic_load(&s_upload_timeouts), atomic_load(&s_upload_errors),
             atomic_load(&s_big_ok), atomic_load(&s_big_fail),
             atomic_load(&s_stream_ok), atomic_load(&s_stream_fail),
             (unsigned long long)now_ms());
    httpd_resp_set_type(req, "text/plain");
    return handler_leave(io_send(req, msg, HTTPD_RESP_USE_STRLEN));
}

static const httpd_uri_t s_uris[] = {
    { .uri = "/hello",  .method = HTTP_GET,  .handler = hello_get },
    { .uri = "/upload", .method = HTTP_POST, .handler = upload_post },
    { .uri = "/big",    .method = HTTP_GET,  .handler = big_get },
    { .uri = "/stream", .method = HTTP_GET,  .handler = stream_get },
    { .uri = "/work",   .method = HTTP_GET,  .handler = work_get },
    { .uri = "/stats",  .method = HTTP_GET,  .handler = stats_get },
};

/* ---- main -------------------------------------------------------------------------- */

enum { OPT_PORT = 1, OPT_MAX_SOCKETS, OPT_RECV_TIMEOUT, OPT_SEND_TIMEOUT };

static void usage(void)
{
    fprintf(stderr, "usage: stall_server --port N [--max-sockets N] [--recv-timeout S]"
                    " [--send-timeout S]\n");
}

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
    config.max_uri_handlers = 16;
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
            ok = fw_parse_u16(optarg, 1, 4096, &config.max_open_sockets);
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
    s_max_sockets = config.max_open_sockets;
    for (size_t i = 0; i < CHUNK_LEN; i++) {
        s_chunk[i] = (char)('A' + i % 26);
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
    ESP_LOGI(TAG, "signal %d: stopping the server", sig);
    err = fw_stop(s_server);
    free(s_big);
    return err == ESP_OK ? 0 : 1;
}
