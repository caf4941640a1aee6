/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Async handlers example: the Linux counterpart of ESP-IDF's
 * examples/protocols/http_server/async_handlers.
 *
 *   GET /       an index page linking the two endpoints below
 *   GET /quick  answers at once: "random: <n>\n"
 *   GET /long   a slow, chunked response served by a worker thread:
 *               "<div>req: N</div>\n", "<div>uri: <uri> host: <Host></div>\n" (read
 *               from the copy, HTML-escaped), then LONG_TICKS lines "<div>i</div>\n", one
 *               every LONG_INTERVAL_MS milliseconds. When both workers are busy it
 *               answers "503 Busy" with "<div> no workers available. server busy.</div>"
 *
 * The /long handler runs on the server thread only long enough to copy the request
 * with httpd_req_async_handler_begin() and hand the copy to a worker; the worker
 * writes the response with the ordinary response API and gives the copy back with
 * httpd_req_async_handler_complete(). Meanwhile the server keeps serving /quick.
 *
 * Environment: PORT (default 8003), LONG_TICKS (default 60), LONG_INTERVAL_MS
 * (default 1000). SIGINT / SIGTERM stop the workers (a /long in progress ends
 * early), then the server; exit status 0.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esp_http_server.h"
#include "esp_log.h"

static const char *TAG = "example";

#define DEFAULT_PORT             8003
#define WORKER_COUNT             2      /* upstream's CONFIG_EXAMPLE_MAX_ASYNC_REQUESTS */
#define DEFAULT_LONG_TICKS       60
#define DEFAULT_LONG_INTERVAL_MS 1000

static unsigned long s_long_ticks = DEFAULT_LONG_TICKS;
static unsigned long s_long_interval_ms = DEFAULT_LONG_INTERVAL_MS;

/* ---- Worker pool ------------------------------------------------------------------ */

typedef esp_err_t (*async_fn_t)(httpd_req_t *req);

struct job {
    httpd_req_t *req;   /* the copy made by httpd_req_async_handler_begin() */
    async_fn_t fn;
};

/* Everything below is guarded by s_lock. s_idle counts the workers not reserved
 * by a request, so a request is only accepted when a worker will take it at once;
 * the queue therefore never holds more than WORKER_COUNT jobs. */
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_cond;   /* CLOCK_MONOTONIC; signalled on new job and on stop */
static struct job s_queue[WORKER_COUNT];
static unsigned s_head;
static unsigned s_count;
static unsigned s_idle = WORKER_COUNT;
static bool s_stopping;
static pthread_t s_workers[WORKER_COUNT];
static unsigned s_long_requests;   /* "req: N" of /long, counted over the whole run */

/* Copies req and queues the copy for a worker. ESP_ERR_NOT_FOUND: no worker is
 * free (or the pool is stopping); the caller answers the request itself. */
static esp_err_t submit_async(httpd_req_t *req, async_fn_t fn)
{
    esp_err_t err = ESP_ERR_NOT_FOUND;
    pthread_mutex_lock(&s_lock);
    if (s_idle > 0 && !s_stopping) {
        httpd_req_t *copy = NULL;
        err = httpd_req_async_handler_begin(req, &copy);
        if (err == ESP_OK) {
            s_idle--;
            s_queue[(s_head + s_count) % WORKER_COUNT] = (struct job){ .req = copy, .fn = fn };
            s_count++;
            pthread_cond_signal(&s_cond);
        } else {
            ESP_LOGE(TAG, "httpd_req_async_handler_begin: %s", esp_err_to_name(err));
        }
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}

static void *worker_main(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    ESP_LOGI(TAG, "worker %u started", id);
    pthread_mutex_lock(&s_lock);
    for (;;) {
        while (s_count == 0 && !s_stopping) {
            pthread_cond_wait(&s_cond, &s_lock);
        }
        if (s_count == 0) {
            break;   /* stopping, and nothing left to serve */
        }
        struct job job = s_queue[s_head];
        s_head = (s_head + 1) % WORKER_COUNT;
        s_count--;
        pthread_mutex_unlock(&s_lock);

        ESP_LOGI(TAG, "worker %u: serving %s", id, job.req->uri);
        esp_err_t err = job.fn(job.req);
        if (err != ESP_OK) {
            ESP_LOGW(TAG, "worker %u: %s failed: %s", id, job.req->uri, esp_err_to_name(err));
        }
        err = httpd_req_async_handler_complete(job.req);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "httpd_req_async_handler_complete: %s", esp_err_to_name(err));
        }

        pthread_mutex_lock(&s_lock);
        s_idle++;
    }
    pthread_mutex_unlock(&s_lock);
    ESP_LOGI(TAG, "worker %u stopped", id);
    return NULL;
}

static int start_workers(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&s_cond, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0) {
        return rc;
    }
    for (unsigned i = 0; i < WORKER_COUNT; i++) {
        rc = pthread_create(&s_workers[i], NULL, worker_main, (void *)(uintptr_t)i);
        if (rc != 0) {
            pthread_mutex_lock(&s_lock);
            s_stopping = true;
            pthread_cond_broadcast(&s_cond);
            pthread_mutex_unlock(&s_lock);
            while (i-- > 0) {
                pthread_join(s_workers[i], NULL);
            }
            return rc;
        }
    }
    return 0;
}

/* Lets the workers finish what they hold (a /long in progress ends at its next
 * tick) and joins them. */
static void stop_workers(void)
{
    pthread_mutex_lock(&s_lock);
    s_stopping = true;
    pthread_cond_broadcast(&s_cond);
    pthread_mutex_unlock(&s_lock);
    for (unsigned i = 0; i < WORKER_COUNT; i++) {
        pthread_join(s_workers[i], NULL);
    }
    pthread_cond_destroy(&s_cond);
}

/* Sleeps ms milliseconds on a worker; returns false at once when the pool stops. */
static bool worker_sleep(unsigned long ms)
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
    while (!s_stopping) {
        if (pthread_cond_timedwait(&s_cond, &s_lock, &until) == ETIMEDOUT) {
            break;
        }
    }
    bool go_on = !s_stopping;
    pthread_mutex_unlock(&s_lock);
    return go_on;
}

/* ---- GET /long -------------------------------------------------------------------- */

/* Sends s as one chunk with &, <, > and " escaped for HTML. */
static esp_err_t send_escaped_chunk(httpd_req_t *req, const char *s)
{
    if (*s == '\0') {
        return ESP_OK;   /* an empty chunk would end the response */
    }
    size_t len = 0;
    for (const char *p = s; *p; p++) {
        len += (*p == '&' || *p == '<' || *p == '>' || *p == '"') ? 6 : 1;
    }
    char *out = malloc(len + 1);
    if (out == NULL) {
        return ESP_ERR_NO_MEM;
    }
    char *o = out;
    for (const char *p = s; *p; p++) {
        const char *rep = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;"
                        : *p == '"' ? "&quot;" : NULL;
        if (rep != NULL) {
            o = stpcpy(o, rep);
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    esp_err_t err = httpd_resp_send_chunk(req, out, o - out);
    free(out);
    return err;
}

/* The copy carries the request line and headers: show the URI (query included)
 * and the Host header the client sent. */
static esp_err_t send_request_info(httpd_req_t *req)
{
    char host[128] = "";
    if (httpd_req_get_hdr_value_str(req, "Host", host, sizeof host) != ESP_OK) {
        host[0] = '\0';
    }
    esp_err_t err = httpd_resp_sendstr_chunk(req, "<div>uri: ");
    if (err == ESP_OK) {
        err = send_escaped_chunk(req, req->uri);
    }
    if (err == ESP_OK) {
        err = httpd_resp_sendstr_chunk(req, " host: ");
    }
    if (err == ESP_OK) {
        err = send_escaped_chunk(req, host);
    }
    if (err == ESP_OK) {
        err = httpd_resp_sendstr_chunk(req, "</div>\n");
    }
    return err;
}

/* Runs on a worker with the copy of the request. */
static esp_err_t long_async(httpd_req_t *req)
{
    pthread_mutex_lock(&s_lock);
    unsigned n = ++s_long_requests;
    pthread_mutex_unlock(&s_lock);

    char line[64];
    snprintf(line, sizeof line, "<div>req: %u</div>\n", n);
    esp_err_t err = httpd_resp_sendstr_chunk(req, line);
    if (err == ESP_OK) {
        err = send_request_info(req);
    }
    for (unsigned long i = 0; err == ESP_OK && i < s_long_ticks; i++) {
        if (!worker_sleep(s_long_interval_ms)) {
            ESP_LOGI(TAG, "/long #%u: stopping early after %lu ticks", n, i);
            break;
        }
        snprintf(line, sizeof line, "<div>%lu</div>\n", i);
        err = httpd_resp_sendstr_chunk(req, line);
    }
    if (err == ESP_OK) {
        err = httpd_resp_sendstr_chunk(req, NULL);   /* the terminating chunk */
    }
    return err;
}

static esp_err_t long_handler(httpd_req_t *req)
{
    ESP_LOGI(TAG, "/long: %s", req->uri);
    if (submit_async(req, long_async) == ESP_OK) {
        return ESP_OK;   /* a worker answers; this thread serves other clients */
    }
    httpd_resp_set_status(req, "503 Busy");
    return httpd_resp_sendstr(req, "<div> no workers available. server busy.</div>");
}

/* ---- GET /quick and GET / --------------------------------------------------------- */

static esp_err_t quick_handler(httpd_req_t *req)
{
    char body[32];
    snprintf(body, sizeof body, "random: %ld\n", random());
    return httpd_resp_sendstr(req, body);
}

static esp_err_t index_handler(httpd_req_t *req)
{
    static const char page[] =
        "<!DOCTYPE html><html><head><title>async handlers</title></head><body>\n"
        "<p><a href=\"/long\">/long</a>: a slow response served by a worker thread</p>\n"
        "<p><a href=\"/quick\">/quick</a>: an immediate response, even while /long runs</p>\n"
        "</body></html>\n";
    return httpd_resp_sendstr(req, page);
}

static const httpd_uri_t uris[] = {
    { .uri = "/",      .method = HTTP_GET, .handler = index_handler },
    { .uri = "/quick", .method = HTTP_GET, .handler = quick_handler },
    { .uri = "/long",  .method = HTTP_GET, .handler = long_handler },
};

/* ---- Server ----------------------------------------------------------------------- */

/* Reads a decimal environment variable in [min, max]; fallback when unset. */
static int env_number(const char *name, unsigned long min, unsigned long max,
                      unsigned long fallback, unsigned long *out)
{
    const char *s = getenv(name);
    if (s == NULL || *s == '\0') {
        *out = fallback;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "invalid %s: %s\n", name, s);
        return -1;
    }
    *out = v;
    return 0;
}

static httpd_handle_t start_webserver(uint16_t port)
{
    httpd_handle_t server = NULL;
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    config.server_port = port;
    config.lru_purge_enable = true;
    /* One socket per busy worker, plus one so /quick and the 503 answer get through;
     * sessions whose request is with a worker are never purged. */
    config.max_open_sockets = WORKER_COUNT + 1;

    ESP_LOGI(TAG, "Starting server on port: '%d'", config.server_port);
    esp_err_t err = httpd_start(&server, &config);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "Error starting server: %s", esp_err_to_name(err));
        return NULL;
    }
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
        err = httpd_register_uri_handler(server, &uris[i]);
        if (err != ESP_OK) {
            ESP_LOGE(TAG, "register %s: %s", uris[i].uri, esp_err_to_name(err));
            httpd_stop(server);
            return NULL;
        }
    }
    return server;
}

int main(void)
{
    unsigned long port;
    if (env_number("PORT", 1, 65535, DEFAULT_PORT, &port) != 0 ||
        env_number("LONG_TICKS", 0, 1000000, DEFAULT_LONG_TICKS, &s_long_ticks) != 0 ||
        env_number("LONG_INTERVAL_MS", 0, 3600000, DEFAULT_LONG_INTERVAL_MS, &s_long_interval_ms) != 0) {
        return 2;
    }
    srandom((unsigned)time(NULL));

    /* Block the stop signals before any thread exists, so every thread inherits
     * the mask and only sigwait() below sees them. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    int rc = start_workers();
    if (rc != 0) {
        ESP_LOGE(TAG, "starting the workers: %s", strerror(rc));
        return 1;
    }
    httpd_handle_t server = start_webserver((uint16_t)port);
    if (server == NULL) {
        stop_workers();
        return 1;
    }
    ESP_LOGI(TAG, "/long: %lu ticks, one every %lu ms; %d workers",
             s_long_ticks, s_long_interval_ms, WORKER_COUNT);

    int sig = 0;
    ESP_LOGI(TAG, "Ready: URI handlers registered");
    while ((rc = sigwait(&stop_signals, &sig)) == EINTR) {
    }
    ESP_LOGI(TAG, "Signal %d: stopping", sig);

    /* Workers first: each one ends its response and hands its copy back while
     * the server still runs, so no worker touches a stopped server. */
    stop_workers();
    esp_err_t err = httpd_stop(server);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_stop: %s", esp_err_to_name(err));
        return 1;
    }
    ESP_LOGI(TAG, "Server stopped");
    return 0;
}
