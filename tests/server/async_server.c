/* SPDX-License-Identifier: Apache-2.0 */
/*
 * async_server: the firmware that tests/pytest/test_async.py drives to test
 * httpd_req_async_handler_begin() / httpd_req_async_handler_complete().
 *
 * Usage:
 *   async_server --port N [--max-sockets N] [--lru] [--workers N] [--recv-timeout S]
 *
 * Prints "READY <port>" on stdout once the server runs; on failure "START_FAILED
 * <esp_err_to_name>" and exit 2 (bad command line: exit 64). SIGTERM / SIGINT:
 * httpd_stop() FIRST, while workers may still hold copies, then the workers are
 * woken (a sleeping worker stops sleeping and tries to answer on its copy, which
 * must fail) and joined; then one line on stdout
 *   FINAL begun=B completed=C complete_errors=E send_errors=S ctx_allocs=A ctx_frees=F
 * (B: copies made, C: httpd_req_async_handler_complete() returned ESP_OK, E: it did
 * not, S: response calls on copies that failed, A/F: /sess contexts allocated and
 * freed) and exit 0. Logs go to stderr.
 *
 * Every /async_* handler copies the request with httpd_req_async_handler_begin(),
 * queues the copy for a pool of --workers threads (default 4) and returns ESP_OK; the
 * worker answers on the copy and calls httpd_req_async_handler_complete().
 *
 *   POST /async_echo      worker reads the whole body from the copy (httpd_req_recv,
 *                         chunked bodies too) and answers text/plain with response
 *                         header "X-Worker: 1" and body
 *                           "uri=<uri>\nhost=<Host>\nx-test=<X-Test>\nquery=<query>\n"
 *                           "param=<query key param>\nlen=<body length>\n<body>"
 *                         (absent values are empty)
 *   ANY  /async_slow?ms=N worker sleeps N ms (default 1000), answers "slow N\n"; it
 *                         never reads the body (the server drains it after complete)
 *   GET  /async_noreply   worker completes without sending anything
 *   GET  /noreply         the synchronous counterpart: returns ESP_OK, sends nothing
 *   GET  /async_close     worker calls httpd_sess_trigger_close() on its own session,
 *                         waits 200 ms, answers "trigger_close=<esp_err_to_name>\n"
 *   GET  /async_chunks    worker sends the chunks "part1\n" and "part2\n" and completes
 *                         WITHOUT the terminating chunk (the server is expected to end
 *                         it, as it does for a synchronous handler returning ESP_OK)
 *   GET  /quick           "quick\n", synchronously
 *   GET  /begin_twice     begin, then begin again on the same request in the handler,
 *                         then begin on the copy from the worker; body
 *                         "first=<err> second=<err> worker=<err>\n"
 *   GET  /sess?async=0|1  session context: a counter created on the connection's first
 *                         /sess; each request adds 1 (on the worker when async=1) and
 *                         answers "count=<n> async=<0|1>\n"
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* asprintf */
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
#include <time.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "fw_common.h"

static const char *TAG = "async_server";

#define QUEUE_CAP    256
#define MAX_WORKERS  64
#define MAX_BODY     (1u << 20)
#define FIELD_MAX    256

/* ---- Counters (reported by the FINAL line) ---------------------------------------- */

static atomic_uint s_begun;
static atomic_uint s_completed;
static atomic_uint s_complete_errors;
static atomic_uint s_send_errors;
static atomic_uint s_ctx_allocs;
static atomic_uint s_ctx_frees;

/* Counts a failed response call made on a copy. */
static esp_err_t note_send(esp_err_t err)
{
    if (err != ESP_OK) {
        atomic_fetch_add(&s_send_errors, 1);
    }
    return err;
}

/* ---- Worker pool ------------------------------------------------------------------ */

typedef void (*job_fn_t)(httpd_req_t *copy, intptr_t arg);

struct job {
    httpd_req_t *copy;
    job_fn_t fn;
    intptr_t arg;
};

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_cond;     /* CLOCK_MONOTONIC: new job, or stop */
static struct job s_queue[QUEUE_CAP];
static unsigned s_head, s_count;
static bool s_pool_stopping;
static pthread_t s_workers[MAX_WORKERS];
static unsigned s_worker_count = 4;

/* Queues an existing copy. */
static esp_err_t push_job(httpd_req_t *copy, job_fn_t fn, intptr_t arg)
{
    esp_err_t err = ESP_FAIL;
    pthread_mutex_lock(&s_lock);
    if (!s_pool_stopping && s_count < QUEUE_CAP) {
        s_queue[(s_head + s_count) % QUEUE_CAP] = (struct job){ .copy = copy, .fn = fn, .arg = arg };
        s_count++;
        pthread_cond_signal(&s_cond);
        err = ESP_OK;
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

/* Copies req and queues the copy; on failure answers 503 on req itself. */
static esp_err_t go_async(httpd_req_t *req, job_fn_t fn, intptr_t arg)
{
    httpd_req_t *copy = NULL;
    esp_err_t err = httpd_req_async_handler_begin(req, &copy);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "begin: %s", esp_err_to_name(err));
        httpd_resp_set_status(req, "503 Service Unavailable");
        return httpd_resp_sendstr(req, "begin failed\n");
    }
    atomic_fetch_add(&s_begun, 1);
    if (push_job(copy, fn, arg) != ESP_OK) {
        /* No worker will take it: answer on the copy here and hand it back. */
        httpd_resp_set_status(copy, "503 Service Unavailable");
        note_send(httpd_resp_sendstr(copy, "queue full\n"));
        if (httpd_req_async_handler_complete(copy) == ESP_OK) {
            atomic_fetch_add(&s_completed, 1);
        } else {
            atomic_fetch_add(&s_complete_errors, 1);
        }
    }
    return ESP_OK;
}

static void *worker_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&s_lock);
    for (;;) {
        while (s_count == 0 && !s_pool_stopping) {
            pthread_cond_wait(&s_cond, &s_lock);
        }
        if (s_count == 0) {
            break;
        }
        struct job job = s_queue[s_head];
        s_head = (s_head + 1) % QUEUE_CAP;
        s_count--;
        pthread_mutex_unlock(&s_lock);

        job.fn(job.copy, job.arg);
        esp_err_t err = httpd_req_async_handler_complete(job.copy);
        if (err == ESP_OK) {
            atomic_fetch_add(&s_completed, 1);
        } else {
            ESP_LOGE(TAG, "complete: %s", esp_err_to_name(err));
            atomic_fetch_add(&s_complete_errors, 1);
        }
        pthread_mutex_lock(&s_lock);
    }
    pthread_mutex_unlock(&s_lock);
    return NULL;
}

static int pool_start(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&s_cond, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0) {
        return rc;
    }
    for (unsigned i = 0; i < s_worker_count; i++) {
        rc = pthread_create(&s_workers[i], NULL, worker_main, NULL);
        if (rc != 0) {
            s_worker_count = i;
            return rc;
        }
    }
    return 0;
}

/* Wakes sleeping workers, lets them finish every queued job, joins them. */
static void pool_stop(void)
{
    pthread_mutex_lock(&s_lock);
    s_pool_stopping = true;
    pthread_cond_broadcast(&s_cond);
    pthread_mutex_unlock(&s_lock);
    for (unsigned i = 0; i < s_worker_count; i++) {
        pthread_join(s_workers[i], NULL);
    }
    pthread_cond_destroy(&s_cond);
}

/* Sleeps ms milliseconds on a worker, or less when the pool stops. */
static void worker_sleep(unsigned long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s_lock);
    while (!s_pool_stopping && pthread_cond_timedwait(&s_cond, &s_lock, &until) != ETIMEDOUT) {
    }
    pthread_mutex_unlock(&s_lock);
}

/* ---- Helpers ---------------------------------------------------------------------- */

/* Header value into out (empty when absent or too long). */
static void get_header(httpd_req_t *req, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    if (httpd_req_get_hdr_value_str(req, name, out, size) != ESP_OK) {
        out[0] = '\0';
    }
}

/* Query string into out (empty when absent or too long). */
static void get_query(httpd_req_t *req, char *out, size_t size)
{
    out[0] = '\0';
    if (httpd_req_get_url_query_str(req, out, size) != ESP_OK) {
        out[0] = '\0';
    }
}

static unsigned long query_number(httpd_req_t *req, const char *key, unsigned long fallback)
{
    char query[FIELD_MAX], val[32];
    get_query(req, query, sizeof query);
    if (query[0] == '\0' || httpd_query_key_value(query, key, val, sizeof val) != ESP_OK) {
        return fallback;
    }
    char *end;
    unsigned long v = strtoul(val, &end, 10);
    return (*end == '\0' && end != val) ? v : fallback;
}

/* ---- POST /async_echo ------------------------------------------------------------- */

static void echo_job(httpd_req_t *req, intptr_t arg)
{
    (void)arg;
    size_t cap = 4096, len = 0;
    char *body = malloc(cap);
    int timeouts = 0;
    while (body != NULL) {
        if (len == cap) {
            if (cap >= MAX_BODY) {
                break;
            }
            char *bigger = realloc(body, cap * 2);
            if (bigger == NULL) {
                break;
            }
            body = bigger;
            cap *= 2;
        }
        int n = httpd_req_recv(req, body + len, cap - len);
        if (n == HTTPD_SOCK_ERR_TIMEOUT && ++timeouts < 3) {
            continue;
        }
        if (n < 0) {
            ESP_LOGW(TAG, "/async_echo: recv %d after %zu bytes", n, len);
            free(body);
            note_send(httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "recv failed"));
            return;
        }
        if (n == 0) {
            break;
        }
        len += (size_t)n;
    }
    if (body == NULL) {
        note_send(httpd_resp_send_500(req));
        return;
    }

    char host[FIELD_MAX], xtest[FIELD_MAX], query[FIELD_MAX], param[FIELD_MAX];
    get_header(req, "Host", host, sizeof host);
    get_header(req, "X-Test", xtest, sizeof xtest);
    get_query(req, query, sizeof query);
    if (query[0] == '\0' || httpd_query_key_value(query, "param", param, sizeof param) != ESP_OK) {
        param[0] = '\0';
    }
    char *out = NULL;
    int out_len = asprintf(&out, "uri=%s\nhost=%s\nx-test=%s\nquery=%s\nparam=%s\nlen=%zu\n",
                           req->uri, host, xtest, query, param, len);
    char *full = (out_len >= 0) ? malloc((size_t)out_len + len) : NULL;
    if (full == NULL) {
        free(out);
        free(body);
        note_send(httpd_resp_send_500(req));
        return;
    }
    memcpy(full, out, (size_t)out_len);
    memcpy(full + out_len, body, len);
    free(out);
    free(body);
    httpd_resp_set_type(req, "text/plain");
    httpd_resp_set_hdr(req, "X-Worker", "1");
    note_send(httpd_resp_send(req, full, (ssize_t)((size_t)out_len + len)));
    free(full);
}

static esp_err_t async_echo_handler(httpd_req_t *req)
{
    return go_async(req, echo_job, 0);
}

/* ---- ANY /async_slow, GET /async_noreply, GET /noreply, GET /quick ---------------- */

static void slow_job(httpd_req_t *req, intptr_t arg)
{
    (void)arg;
    unsigned long ms = query_number(req, "ms", 1000);
    worker_sleep(ms);
    char body[48];
    snprintf(body, sizeof body, "slow %lu\n", ms);
    note_send(httpd_resp_sendstr(req, body));
}

static esp_err_t async_slow_handler(httpd_req_t *req)
{
    return go_async(req, slow_job, 0);
}

static void noreply_job(httpd_req_t *req, intptr_t arg)
{
    (void)req;
    (void)arg;
}

static esp_err_t async_noreply_handler(httpd_req_t *req)
{
    return go_async(req, noreply_job, 0);
}

static esp_err_t noreply_handler(httpd_req_t *req)
{
    (void)req;
    return ESP_OK;
}

static esp_err_t quick_handler(httpd_req_t *req)
{
    return httpd_resp_sendstr(req, "quick\n");
}

/* ---- GET /async_chunks ------------------------------------------------------------ */

static void chunks_job(httpd_req_t *req, intptr_t arg)
{
    (void)arg;
    if (note_send(httpd_resp_sendstr_chunk(req, "part1\n")) == ESP_OK) {
        note_send(httpd_resp_sendstr_chunk(req, "part2\n"));
    }
}

static esp_err_t async_chunks_handler(httpd_req_t *req)
{
    return go_async(req, chunks_job, 0);
}

/* ---- GET /async_close ------------------------------------------------------------- */

static void close_job(httpd_req_t *req, intptr_t arg)
{
    (void)arg;
    esp_err_t err = httpd_sess_trigger_close(req->handle, httpd_req_to_sockfd(req));
    worker_sleep(200);   /* time for the server to run the close, were it not deferred */
    char body[64];
    snprintf(body, sizeof body, "trigger_close=%s\n", esp_err_to_name(err));
    note_send(httpd_resp_sendstr(req, body));
}

static esp_err_t async_close_handler(httpd_req_t *req)
{
    return go_async(req, close_job, 0);
}

/* ---- GET /begin_twice ------------------------------------------------------------- */

static void begin_twice_job(httpd_req_t *req, intptr_t arg)
{
    httpd_req_t *again = NULL;
    esp_err_t worker = httpd_req_async_handler_begin(req, &again);
    if (worker == ESP_OK) {
        /* Not expected; hand the extra copy back so nothing leaks. */
        httpd_req_async_handler_complete(again);
    }
    char body[160];
    snprintf(body, sizeof body, "first=ESP_OK second=%s worker=%s\n",
             esp_err_to_name((esp_err_t)arg), esp_err_to_name(worker));
    note_send(httpd_resp_sendstr(req, body));
}

static esp_err_t begin_twice_handler(httpd_req_t *req)
{
    httpd_req_t *copy = NULL;
    esp_err_t first = httpd_req_async_handler_begin(req, &copy);
    if (first != ESP_OK) {
        char body[64];
        snprintf(body, sizeof body, "first=%s\n", esp_err_to_name(first));
        return httpd_resp_sendstr(req, body);
    }
    atomic_fetch_add(&s_begun, 1);
    httpd_req_t *copy2 = NULL;
    esp_err_t second = httpd_req_async_handler_begin(req, &copy2);
    if (second == ESP_OK) {
        atomic_fetch_add(&s_begun, 1);
        if (httpd_req_async_handler_complete(copy2) == ESP_OK) {
            atomic_fetch_add(&s_completed, 1);
        }
    }
    if (push_job(copy, begin_twice_job, (intptr_t)second) != ESP_OK) {
        note_send(httpd_resp_send_500(copy));
        if (httpd_req_async_handler_complete(copy) == ESP_OK) {
            atomic_fetch_add(&s_completed, 1);
        }
    }
    return ESP_OK;
}

/* ---- GET /sess -------------------------------------------------------------------- */

struct counter {
    unsigned n;
};

static void counter_free(void *ctx)
{
    atomic_fetch_add(&s_ctx_frees, 1);
    free(ctx);
}

static void sess_respond(httpd_req_t *req, bool async)
{
    struct counter *c = req->sess_ctx;
    c->n++;
    char body[48];
    snprintf(body, sizeof body, "count=%u async=%d\n", c->n, async ? 1 : 0);
    esp_err_t err = httpd_resp_sendstr(req, body);
    if (async) {
        note_send(err);
    }
}

static void sess_job(httpd_req_t *req, intptr_t arg)
{
    (void)arg;
    sess_respond(req, true);
}

static esp_err_t sess_handler(httpd_req_t *req)
{
    if (req->sess_ctx == NULL) {
        struct counter *c = calloc(1, sizeof *c);
        if (c == NULL) {
            return httpd_resp_send_500(req);
        }
        atomic_fetch_add(&s_ctx_allocs, 1);
        req->sess_ctx = c;
        req->free_ctx = counter_free;
    }
    if (query_number(req, "async", 0) != 0) {
        return go_async(req, sess_job, 0);
    }
    sess_respond(req, false);
    return ESP_OK;
}

/* ---- Registration ----------------------------------------------------------------- */

static const httpd_uri_t s_uris[] = {
    { .uri = "/async_echo",    .method = HTTP_POST, .handler = async_echo_handler },
    { .uri = "/async_slow",    .method = HTTP_ANY,  .handler = async_slow_handler },
    { .uri = "/async_noreply", .method = HTTP_GET,  .handler = async_noreply_handler },
    { .uri = "/noreply",       .method = HTTP_GET,  .handler = noreply_handler },
    { .uri = "/async_chunks",  .method = HTTP_GET,  .handler = async_chunks_handler },
    { .uri = "/async_close",   .method = HTTP_GET,  .handler = async_close_handler },
    { .uri = "/quick",         .method = HTTP_GET,  .handler = quick_handler },
    { .uri = "/begin_twice",   .method = HTTP_GET,  .handler = begin_twice_handler },
    { .uri = "/sess",          .method = HTTP_GET,  .handler = sess_handler },
};

/* ---- main ------------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: async_server --port N [--max-sockets N] [--lru] [--workers N]"
                    " [--recv-timeout S]\n");
}

enum { OPT_PORT = 1, OPT_MAX_SOCKETS, OPT_LRU, OPT_WORKERS, OPT_RECV_TIMEOUT };

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "port",         required_argument, NULL, OPT_PORT },
        { "max-sockets",  required_argument, NULL, OPT_MAX_SOCKETS },
        { "lru",          no_argument,       NULL, OPT_LRU },
        { "workers",      required_argument, NULL, OPT_WORKERS },
        { "recv-timeout", required_argument, NULL, OPT_RECV_TIMEOUT },
        { NULL, 0, NULL, 0 },
    };
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    config.max_uri_handlers = 16;
    bool have_port = false;
    unsigned long v = 0;
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
        case OPT_LRU:
            config.lru_purge_enable = true;
            break;
        case OPT_WORKERS:
            ok = fw_parse_num(optarg, 1, MAX_WORKERS, &v);
            s_worker_count = (unsigned)v;
            break;
        case OPT_RECV_TIMEOUT:
            ok = fw_parse_u16(optarg, 1, UINT16_MAX, &config.recv_wait_timeout);
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
    int rc = pool_start();
    if (rc != 0) {
        fprintf(stderr, "pthread_create: %s\n", strerror(rc));
        pool_stop();
        return 1;
    }

    httpd_handle_t server = NULL;
    esp_err_t err = fw_start(&server, &config, s_uris, sizeof s_uris / sizeof s_uris[0]);
    if (err != ESP_OK) {
        pool_stop();
        return 2;
    }
    fw_print_ready(config.server_port);

    int sig = fw_wait_stop_signal(&stop_set);
    ESP_LOGI(TAG, "signal %d: stopping the server, then the workers", sig);
    err = fw_stop(server);
    pool_stop();
    printf("FINAL begun=%u completed=%u complete_errors=%u send_errors=%u ctx_allocs=%u ctx_frees=%u\n",
           atomic_load(&s_begun), atomic_load(&s_completed), atomic_load(&s_complete_errors),
           atomic_load(&s_send_errors), atomic_load(&s_ctx_allocs), atomic_load(&s_ctx_frees));
    fflush(stdout);
    return err == ESP_OK ? 0 : 1;
}
