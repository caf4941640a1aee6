/* SPDX-License-Identifier: Apache-2.0 */
/*
 * push_server: test firmware for the push add-ons, Server-Sent Events
 * (httpd_sse.h) and WebSocket broadcast (httpd_ws_broadcast.h), driven by
 * tests/pytest/test_addon_push.py and tests/browser/test_addon_sse_browser.py.
 *
 *   push_server --port N [--max-sockets N] [--sse-queue BYTES] [--max-subs N]
 *               [--keepalive-ms MS] [--retry-ms MS] [--sndbuf BYTES] [--delete-first]
 *
 * Routes:
 *   /events              SSE. on_subscribe sends the new subscriber an event
 *                        "hello" with data "last=<Last-Event-ID or none>";
 *                        "?deny" in the query is refused (403).
 *   /rate?ms=N&size=S    the producer thread broadcasts "tick" events every N ms on
 *                        /events (0: stops): id the counter, data the counter padded
 *                        with '.' to S bytes (default: no padding).
 *   /bcast?event=&id=&data=  one broadcast from the handler (values URL-decoded);
 *                        answers "queued=N".
 *   /flood?n=N&size=S    N broadcasts of S bytes of data each; answers "queued=TOTAL".
 *   /threads?t=T&n=N     T threads broadcast N events each at once (data "t<k>-<i>");
 *                        answers "done=1" when all returned.
 *   /kick                ends the newest subscription (httpd_sse_close): "kick=<0|1>".
 *   /count               "subs=N ga=N gb=N wsclients=N"
 *   /page                an HTML page with an EventSource on /events (browser test).
 *   /ws, /ws_b           WebSocket echo; clients join group a (/ws) or b (/ws_b).
 *   /wsbcast?g=a|b|all&data=&n=  n (default 1) broadcasts of data; answers "ok".
 *
 * Prints "READY <port>"; SIGTERM stops the server with subscribers attached,
 * then deletes the route and groups (--delete-first: the other order).
 */
#include <getopt.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../server/fw_common.h"
#include "addon_util.h"
#include "esp_log.h"
#include "httpd_sse.h"
#include "httpd_ws_broadcast.h"

static const char *TAG = "push_server";

static httpd_handle_t s_server;
static httpd_sse_route_t *s_sse;
static httpd_ws_group_t *s_ga, *s_gb;
static int s_sndbuf;
static atomic_int s_newest_fd = -1;   /* the newest subscriber's socket */

static pthread_mutex_t s_rate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_rate_cond = PTHREAD_COND_INITIALIZER;
static unsigned s_rate_ms;
static size_t s_rate_size;
static bool s_quit;

/* ---- helpers ------------------------------------------------------------------------- */

/* Query value of key, URL-decoded, into val; false when absent or invalid. */
static bool query(httpd_req_t *req, const char *key, char *val, size_t size)
{
    char q[512], raw[512];
    if (httpd_req_get_url_query_str(req, q, sizeof q) != ESP_OK ||
        httpd_query_key_value(q, key, raw, sizeof raw) != ESP_OK) {
        return false;
    }
    return httpd__addon_url_decode(val, size, raw, strlen(raw), true) >= 0;
}

static unsigned long query_num(httpd_req_t *req, const char *key, unsigned long dflt, unsigned long max)
{
    char v[16];
    unsigned long n = dflt;
    if (query(req, key, v, sizeof v) && !fw_parse_num(v, 0, max, &n)) {
        n = dflt;
    }
    return n;
}

/* "<key>=<a>" as text/plain. */
static esp_err_t reply(httpd_req_t *req, const char *key, unsigned long a)
{
    char body[64];
    snprintf(body, sizeof body, "%s=%lu", key, a);
    httpd_resp_set_type(req, "text/plain");
    return httpd_resp_sendstr(req, body);
}

/* ---- SSE ------------------------------------------------------------------------------ */

static esp_err_t on_subscribe(httpd_sse_route_t *route, httpd_req_t *req, int fd, const char *last_id, void *ctx)
{
    (void)ctx;
    char q[64];
    if (httpd_req_get_url_query_str(req, q, sizeof q) == ESP_OK && strstr(q, "deny")) {
        return ESP_FAIL;
    }
    char data[HTTPD_SSE_LAST_ID_MAX + 8];
    snprintf(data, sizeof data, "last=%s", last_id ? last_id : "none");
    atomic_store(&s_newest_fd, fd);
    return httpd_sse_send(route, fd, "hello", data, NULL);
}

static void on_unsubscribe(httpd_sse_route_t *route, int fd, void *ctx)
{
    (void)route;
    (void)ctx;
    ESP_LOGD(TAG, "fd %d unsubscribed", fd);
}

static void *producer(void *arg)
{
    (void)arg;
    unsigned long counter = 0;
    pthread_mutex_lock(&s_rate_lock);
    while (!s_quit) {
        if (s_rate_ms == 0) {
            pthread_cond_wait(&s_rate_cond, &s_rate_lock);
            continue;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long ns = ts.tv_nsec + (long)(s_rate_ms % 1000) * 1000000L;
        ts.tv_sec += (time_t)(s_rate_ms / 1000) + ns / 1000000000L;
        ts.tv_nsec = ns % 1000000000L;
        pthread_cond_timedwait(&s_rate_cond, &s_rate_lock, &ts);
        if (s_quit || s_rate_ms == 0) {
            continue;
        }
        size_t size = s_rate_size;
        pthread_mutex_unlock(&s_rate_lock);
        char n[24];
        int nl = snprintf(n, sizeof n, "%lu", ++counter);
        char *data = malloc(size > (size_t)nl ? size + 1 : sizeof n);
        if (data) {
            memcpy(data, n, (size_t)nl + 1);
            if (size > (size_t)nl) {
                memset(data + nl, '.', size - (size_t)nl);
                data[size] = '\0';
            }
            httpd_sse_broadcast(s_sse, "tick", data, n, NULL);
            free(data);
        }
        pthread_mutex_lock(&s_rate_lock);
    }
    pthread_mutex_unlock(&s_rate_lock);
    return NULL;
}

static esp_err_t rate_handler(httpd_req_t *req)
{
    unsigned long ms = query_num(req, "ms", 0, 60000), size = query_num(req, "size", 0, 65536);
    pthread_mutex_lock(&s_rate_lock);
    s_rate_ms = (unsigned)ms;
    s_rate_size = size;
    pthread_cond_signal(&s_rate_cond);
    pthread_mutex_unlock(&s_rate_lock);
    return reply(req, "rate", ms);
}

static esp_err_t bcast_handler(httpd_req_t *req)
{
    char event[64], id[64], data[256];
    bool has_event = query(req, "event", event, sizeof event);
    bool has_id = query(req, "id", id, sizeof id);
    if (!query(req, "data", data, sizeof data)) {
        strcpy(data, "");
    }
    size_t queued = 0;
    esp_err_t err = httpd_sse_broadcast(s_sse, has_event ? event : NULL, data, has_id ? id : NULL, &queued);
    if (err != ESP_OK) {
        return httpd_resp_send_custom_err(req, "400 Bad Request", esp_err_to_name(err));
    }
    return reply(req, "queued", (unsigned long)queued);
}

static esp_err_t flood_handler(httpd_req_t *req)
{
    unsigned long n = query_num(req, "n", 1, 100000), size = query_num(req, "size", 100, 65536);
    char *data = malloc(size + 1);
    if (!data) {
        return httpd_resp_send_500(req);
    }
    memset(data, 'x', size);
    data[size] = '\0';
    unsigned long total = 0;
    for (unsigned long i = 0; i < n; i++) {
        size_t q = 0;
        httpd_sse_broadcast(s_sse, "flood", data, NULL, &q);
        total += q;
    }
    free(data);
    return reply(req, "queued", total);
}

struct thr {
    pthread_t t;
    unsigned k;
    unsigned long n;
};

static void *thread_main(void *arg)
{
    struct thr *t = arg;
    for (unsigned long i = 0; i < t->n; i++) {
        char d[32];
        snprintf(d, sizeof d, "t%u-%lu", t->k, i);
        httpd_sse_broadcast(s_sse, "mt", d, NULL, NULL);
    }
    return NULL;
}

static esp_err_t threads_handler(httpd_req_t *req)
{
    struct thr t[8];
    unsigned long nt = query_num(req, "t", 4, 8), n = query_num(req, "n", 50, 10000);
    unsigned started = 0;
    for (unsigned k = 0; k < nt; k++) {
        t[k].k = k;
        t[k].n = n;
        if (pthread_create(&t[k].t, NULL, thread_main, &t[k]) != 0) {
            break;
        }
        started++;
    }
    for (unsigned k = 0; k < started; k++) {
        pthread_join(t[k].t, NULL);
    }
    return reply(req, "done", started == nt);
}

static esp_err_t kick_handler(httpd_req_t *req)
{
    return reply(req, "kick", httpd_sse_close(s_sse, atomic_load(&s_newest_fd)) == ESP_OK);
}

static esp_err_t count_handler(httpd_req_t *req)
{
    int fds[64];
    size_t n = 64;
    if (httpd_ws_client_list(req->handle, fds, &n) != ESP_OK) {
        n = 999;
    }
    char body[96];
    snprintf(body, sizeof body, "subs=%zu ga=%zu gb=%zu wsclients=%zu", httpd_sse_subscriber_count(s_sse),
             httpd_ws_group_count(s_ga), httpd_ws_group_count(s_gb), n);
    httpd_resp_set_type(req, "text/plain");
    return httpd_resp_sendstr(req, body);
}

static esp_err_t page_handler(httpd_req_t *req)
{
    static const char page[] =
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>sse</title></head><body>"
        "<pre id=\"log\"></pre><script>\n"
        "window.got = []; window.opened = false;\n"
        "const es = new EventSource('/events');\n"
        "es.onopen = () => { window.opened = true; };\n"
        "es.addEventListener('hello', e => window.got.push('hello:' + e.data));\n"
        "es.addEventListener('news', e => window.got.push('news:' + e.lastEventId + ':' + e.data));\n"
        "es.onmessage = e => window.got.push('message:' + e.data);\n"
        "</script></body></html>";
    httpd_resp_set_type(req, "text/html; charset=utf-8");
    return httpd_resp_send(req, page, sizeof page - 1);
}

/* ---- WebSocket --------------------------------------------------------------------------- */

static esp_err_t ws_echo(httpd_req_t *req, httpd_ws_group_t *g)
{
    esp_err_t err = httpd_ws_group_join(g, req);   /* the handshake call, and every frame (harmless) */
    if (req->method == HTTP_GET || err != ESP_OK) {
        return err;
    }
    httpd_ws_frame_t f = { 0 };
    uint8_t buf[256];
    err = httpd_ws_recv_frame(req, &f, 0);
    if (err != ESP_OK || f.len > sizeof buf) {
        return err != ESP_OK ? err : ESP_ERR_INVALID_SIZE;
    }
    f.payload = buf;
    if (f.len && (err = httpd_ws_recv_frame(req, &f, f.len)) != ESP_OK) {
        return err;
    }
    if (f.type != HTTPD_WS_TYPE_TEXT && f.type != HTTPD_WS_TYPE_BINARY) {
        return ESP_OK;
    }
    return httpd_ws_send_frame(req, &f);
}

static esp_err_t ws_a_handler(httpd_req_t *req)
{
    return ws_echo(req, s_ga);
}

static esp_err_t ws_b_handler(httpd_req_t *req)
{
    return ws_echo(req, s_gb);
}

static esp_err_t wsbcast_handler(httpd_req_t *req)
{
    char g[8], data[1024];
    if (!query(req, "g", g, sizeof g)) {
        strcpy(g, "all");
    }
    if (!query(req, "data", data, sizeof data)) {
        strcpy(data, "");
    }
    unsigned long n = query_num(req, "n", 1, 100000), size = query_num(req, "size", 0, 65536);
    httpd_ws_group_t *grp = strcmp(g, "a") == 0 ? s_ga : strcmp(g, "b") == 0 ? s_gb : NULL;
    char *payload = data;
    size_t len = strlen(data);
    if (size) {
        if (!(payload = malloc(size))) {
            return httpd_resp_send_500(req);
        }
        memset(payload, 'y', size);
        len = size;
    }
    unsigned long ok = 0;
    for (unsigned long i = 0; i < n; i++) {
        ok += httpd_ws_broadcast(req->handle, grp, HTTPD_WS_TYPE_TEXT, payload, len) == ESP_OK;
    }
    if (payload != data) {
        free(payload);
    }
    return reply(req, "ok", ok);
}

/* ---- main ------------------------------------------------------------------------------ */

static esp_err_t open_fn(httpd_handle_t hd, int fd)
{
    (void)hd;
    if (s_sndbuf > 0) {
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s_sndbuf, sizeof s_sndbuf);
    }
    return ESP_OK;
}

static const httpd_uri_t s_uris[] = {
    { .uri = "/rate", .method = HTTP_GET, .handler = rate_handler },
    { .uri = "/bcast", .method = HTTP_GET, .handler = bcast_handler },
    { .uri = "/flood", .method = HTTP_GET, .handler = flood_handler },
    { .uri = "/threads", .method = HTTP_GET, .handler = threads_handler },
    { .uri = "/count", .method = HTTP_GET, .handler = count_handler },
    { .uri = "/kick", .method = HTTP_GET, .handler = kick_handler },
    { .uri = "/page", .method = HTTP_GET, .handler = page_handler },
    { .uri = "/ws", .method = HTTP_GET, .handler = ws_a_handler, .is_websocket = true },
    { .uri = "/ws_b", .method = HTTP_GET, .handler = ws_b_handler, .is_websocket = true },
    { .uri = "/wsbcast", .method = HTTP_GET, .handler = wsbcast_handler },
};

static void usage(void)
{
    fprintf(stderr, "usage: push_server --port N [--max-sockets N] [--sse-queue BYTES] [--max-subs N]\n"
                    "                   [--keepalive-ms MS] [--retry-ms MS] [--sndbuf BYTES] [--delete-first]\n");
}

int main(int argc, char **argv)
{
    enum { O_PORT = 1, O_SOCKETS, O_QUEUE, O_SUBS, O_KA, O_RETRY, O_SNDBUF, O_DELFIRST };
    static const struct option opts[] = {
        { "port", required_argument, NULL, O_PORT },
        { "max-sockets", required_argument, NULL, O_SOCKETS },
        { "sse-queue", required_argument, NULL, O_QUEUE },
        { "max-subs", required_argument, NULL, O_SUBS },
        { "keepalive-ms", required_argument, NULL, O_KA },
        { "retry-ms", required_argument, NULL, O_RETRY },
        { "sndbuf", required_argument, NULL, O_SNDBUF },
        { "delete-first", no_argument, NULL, O_DELFIRST },
        { NULL, 0, NULL, 0 },
    };
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    config.max_uri_handlers = 16;
    config.max_open_sockets = 48;
    config.backlog_conn = 64;
    config.open_fn = open_fn;
    httpd_sse_config_t sse = HTTPD_SSE_DEFAULT_CONFIG();
    sse.max_subscribers = 32;
    sse.keepalive_ms = 0;
    sse.on_subscribe = on_subscribe;
    sse.on_unsubscribe = on_unsubscribe;
    bool have_port = false, delete_first = false;
    unsigned long v;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case O_PORT:
            ok = have_port = fw_parse_u16(optarg, 1, 65535, &config.server_port);
            break;
        case O_SOCKETS:
            ok = fw_parse_u16(optarg, 1, 1000, &config.max_open_sockets);
            break;
        case O_QUEUE:
            ok = fw_parse_num(optarg, 256, 1 << 24, &v);
            sse.queue_size = v;
            break;
        case O_SUBS:
            ok = fw_parse_num(optarg, 1, 1000, &v);
            sse.max_subscribers = (uint16_t)v;
            break;
        case O_KA:
            ok = fw_parse_num(optarg, 0, 600000, &v);
            sse.keepalive_ms = (uint32_t)v;
            break;
        case O_RETRY:
            ok = fw_parse_num(optarg, 0, 600000, &v);
            sse.retry_ms = (uint32_t)v;
            break;
        case O_SNDBUF:
            ok = fw_parse_num(optarg, 1024, 1 << 24, &v);
            s_sndbuf = (int)v;
            break;
        case O_DELFIRST:
            delete_first = true;
            break;
        default:
            ok = false;
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
    sigset_t stop_set;
    if (!fw_block_stop_signals(&stop_set)) {
        return 1;
    }
    if (fw_start(&s_server, &config, s_uris, sizeof s_uris / sizeof s_uris[0]) != ESP_OK) {
        return 2;
    }
    esp_err_t err = httpd_sse_register(s_server, "/events", &sse, &s_sse);
    if (err == ESP_OK) {
        err = httpd_ws_group_create(s_server, 64, &s_ga);
    }
    if (err == ESP_OK) {
        err = httpd_ws_group_create(s_server, 64, &s_gb);
    }
    pthread_t prod;
    if (err == ESP_OK && pthread_create(&prod, NULL, producer, NULL) != 0) {
        err = ESP_FAIL;
    }
    if (err != ESP_OK) {
        fw_print_start_failed(err);
        fw_stop(s_server);
        return 2;
    }
    fw_print_ready(config.server_port);

    int sig = fw_wait_stop_signal(&stop_set);
    ESP_LOGI(TAG, "signal %d: stopping with %zu subscriber(s)", sig, httpd_sse_subscriber_count(s_sse));
    pthread_mutex_lock(&s_rate_lock);
    s_quit = true;
    pthread_cond_signal(&s_rate_cond);
    pthread_mutex_unlock(&s_rate_lock);
    pthread_join(prod, NULL);
    if (delete_first) {
        httpd_sse_delete(s_sse);
    }
    err = fw_stop(s_server);
    if (!delete_first) {
        httpd_sse_delete(s_sse);
    }
    httpd_ws_group_delete(s_ga);
    httpd_ws_group_delete(s_gb);
    printf("FINAL stop=%s\n", esp_err_to_name(err));
    return err == ESP_OK ? 0 : 1;
}
