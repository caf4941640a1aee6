/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls_server: the test firmware of tests/pytest/test_https.py, an
 * esp_https_server instance (httpd_ssl_start) with a few handlers.
 *
 *   GET  /hello          "Hello TLS"
 *   POST /echo           the request body back (any size, read in pieces)
 *   GET  /big?n=N        N bytes of a pattern ('a' + i % 26)
 *   GET  /stats          "open=O opened=P created=C closed=X errors=E fds=F heap=H":
 *                        sessions, the application open_fn's and the user callback's
 *                        counts, open descriptors, heap in use
 *   GET  /ws             WebSocket: a text frame comes back as it is; "push N"
 *                        starts a thread that sends N text frames "push i" with
 *                        httpd_ws_send_frame_async() (async pushes)
 *
 * Options: --port N --cert FILE --key FILE [--ca FILE] [--max-sockets N]
 *          [--handshake-ms N] [--tickets]
 * Protocol with conftest.Firmware: READY / START_FAILED / FINAL (see fw_common.h).
 */
#include <dirent.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_https_server.h"
#include "esp_log.h"
#include "../server/fw_common.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif
#ifdef HAVE_ASAN
/* the sanitizer runtime's (gcc ships no header for it) */
size_t __sanitizer_get_current_allocated_bytes(void);
#else
#include <malloc.h>
#endif

static const char *TAG = "tls_server";

static httpd_handle_t s_server;
static atomic_int s_created, s_closed, s_errors, s_opened;

#define MAX_PUSHERS 32
static pthread_mutex_t s_push_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t s_pushers[MAX_PUSHERS];
static int s_pusher_count;

static size_t heap_in_use(void)
{
#ifdef HAVE_ASAN
    return __sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks;
#endif
}

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        return -1;
    }
    int n = 0;
    while (readdir(d)) {
        n++;
    }
    closedir(d);
    return n - 3;   /* ".", ".." and the directory's own descriptor */
}

static void user_cb(esp_https_server_user_cb_arg_t *arg)
{
    int fd = -1;
    (void)esp_tls_get_conn_sockfd(arg->tls, &fd);
    switch (arg->user_cb_state) {
    case HTTPD_SSL_USER_CB_SESS_CREATE:
        atomic_fetch_add(&s_created, 1);
        ESP_LOGD(TAG, "fd %d: session created (%s)", fd,
                 mbedtls_ssl_get_ciphersuite(esp_tls_get_ssl_context(arg->tls)));
        break;
    case HTTPD_SSL_USER_CB_SESS_CLOSE:
        atomic_fetch_add(&s_closed, 1);
        break;
    case HTTPD_SSL_USER_CB_SESS_ERROR:
        atomic_fetch_add(&s_errors, 1);
        break;
    }
}

/* The application's own open_fn: httpd_ssl_start() keeps it for when a handshake has
 * finished (the TLS session is the socket's transport context by then). */
static esp_err_t app_open(httpd_handle_t hd, int fd)
{
    if (!httpd_sess_get_transport_ctx(hd, fd)) {
        return ESP_FAIL;
    }
    atomic_fetch_add(&s_opened, 1);
    return ESP_OK;
}

static esp_err_t hello_handler(httpd_req_t *req)
{
    return httpd_resp_sendstr(req, "Hello TLS");
}

static esp_err_t echo_handler(httpd_req_t *req)
{
    char buf[1024];
    for (;;) {
        int n = httpd_req_recv(req, buf, sizeof buf);
        if (n == HTTPD_SOCK_ERR_TIMEOUT) {
            continue;
        }
        if (n < 0) {
            return ESP_FAIL;
        }
        if (n == 0) {
            break;
        }
        if (httpd_resp_send_chunk(req, buf, (ssize_t)n) != ESP_OK) {
            return ESP_FAIL;
        }
    }
    return httpd_resp_send_chunk(req, NULL, 0);
}

static esp_err_t big_handler(httpd_req_t *req)
{
    char q[64], v[16];
    long n = 0;
    if (httpd_req_get_url_query_str(req, q, sizeof q) == ESP_OK &&
        httpd_query_key_value(q, "n", v, sizeof v) == ESP_OK) {
        n = strtol(v, NULL, 10);
    }
    if (n < 0 || n > (16L << 20)) {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "bad n");
    }
    char *body = malloc((size_t)n + 1);
    if (!body) {
        return httpd_resp_send_500(req);
    }
    for (long i = 0; i < n; i++) {
        body[i] = (char)('a' + i % 26);
    }
    esp_err_t e = httpd_resp_send(req, body, (ssize_t)n);
    free(body);
    return e;
}

static esp_err_t stats_handler(httpd_req_t *req)
{
    size_t fds = 8;
    int clients[8];
    int open = httpd_get_client_list(req->handle, &fds, clients) == ESP_OK ? (int)fds : -1;
    char body[160];
    snprintf(body, sizeof body, "open=%d opened=%d created=%d closed=%d errors=%d fds=%d heap=%zu", open, atomic_load(&s_opened),
             atomic_load(&s_created), atomic_load(&s_closed), atomic_load(&s_errors), open_fds(), heap_in_use());
    return httpd_resp_sendstr(req, body);
}

struct push {
    int fd;
    long n;
};

static void *push_main(void *arg)
{
    struct push p = *(struct push *)arg;
    free(arg);
    for (long i = 0; i < p.n; i++) {
        char text[32];
        int len = snprintf(text, sizeof text, "push %ld", i);
        httpd_ws_frame_t f = {.type = HTTPD_WS_TYPE_TEXT, .payload = (uint8_t *)text, .len = (size_t)len};
        if (httpd_ws_send_frame_async(s_server, p.fd, &f) != ESP_OK) {
            break;
        }
    }
    return NULL;
}

static esp_err_t start_push(int fd, long n)
{
    struct push *p = malloc(sizeof *p);
    if (!p) {
        return ESP_ERR_NO_MEM;
    }
    *p = (struct push){.fd = fd, .n = n};
    pthread_mutex_lock(&s_push_lock);
    int rc = s_pusher_count < MAX_PUSHERS ? pthread_create(&s_pushers[s_pusher_count], NULL, push_main, p) : -1;
    if (rc == 0) {
        s_pusher_count++;
    }
    pthread_mutex_unlock(&s_push_lock);
    if (rc != 0) {
        free(p);
        return ESP_FAIL;
    }
    return ESP_OK;
}

static esp_err_t ws_handler(httpd_req_t *req)
{
    if (req->method == HTTP_GET) {
        return ESP_OK;   /* the handshake */
    }
    httpd_ws_frame_t f = {0};
    esp_err_t e = httpd_ws_recv_frame(req, &f, 0);
    if (e != ESP_OK) {
        return e;
    }
    uint8_t *buf = calloc(1, f.len + 1);
    if (!buf) {
        return ESP_ERR_NO_MEM;
    }
    f.payload = buf;
    e = httpd_ws_recv_frame(req, &f, f.len);
    if (e == ESP_OK && f.type == HTTPD_WS_TYPE_TEXT && strncmp((char *)buf, "push ", 5) == 0) {
        e = start_push(httpd_req_to_sockfd(req), strtol((char *)buf + 5, NULL, 10));
    } else if (e == ESP_OK) {
        e = httpd_ws_send_frame(req, &f);
    }
    free(buf);
    return e;
}

static const httpd_uri_t s_uris[] = {
    {.uri = "/hello", .method = HTTP_GET, .handler = hello_handler},
    {.uri = "/echo", .method = HTTP_POST, .handler = echo_handler},
    {.uri = "/big", .method = HTTP_GET, .handler = big_handler},
    {.uri = "/stats", .method = HTTP_GET, .handler = stats_handler},
    {.uri = "/ws", .method = HTTP_GET, .handler = ws_handler, .is_websocket = true},
};

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = (n + 4096 + 1) * 2;
            uint8_t *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    /* PEM is parsed with its terminating NUL counted, DER without. */
    *len = strstr((char *)buf, "-----BEGIN") ? n + 1 : n;
    return buf;
}

static void usage(void)
{
    fprintf(stderr, "usage: tls_server --port N --cert FILE --key FILE [--ca FILE] [--max-sockets N]"
                    " [--handshake-ms N] [--tickets]\n");
}

enum { OPT_PORT = 1, OPT_CERT, OPT_KEY, OPT_CA, OPT_MAX_SOCKETS, OPT_HANDSHAKE_MS, OPT_TICKETS };

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"port", required_argument, NULL, OPT_PORT},
        {"cert", required_argument, NULL, OPT_CERT},
        {"key", required_argument, NULL, OPT_KEY},
        {"ca", required_argument, NULL, OPT_CA},
        {"max-sockets", required_argument, NULL, OPT_MAX_SOCKETS},
        {"handshake-ms", required_argument, NULL, OPT_HANDSHAKE_MS},
        {"tickets", no_argument, NULL, OPT_TICKETS},
        {NULL, 0, NULL, 0},
    };
    httpd_ssl_config_t conf = HTTPD_SSL_CONFIG_DEFAULT();
    conf.httpd.max_open_sockets = 64;
    conf.httpd.backlog_conn = 64;
    conf.httpd.max_uri_handlers = 8;
    conf.user_cb = user_cb;
    conf.httpd.open_fn = app_open;
    const char *cert = NULL, *key = NULL, *ca = NULL;
    bool have_port = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        bool ok = true;
        unsigned long v = 0;
        switch (c) {
        case OPT_PORT:
            ok = have_port = fw_parse_u16(optarg, 1, 65535, &conf.port_secure);
            break;
        case OPT_CERT:
            cert = optarg;
            break;
        case OPT_KEY:
            key = optarg;
            break;
        case OPT_CA:
            ca = optarg;
            break;
        case OPT_MAX_SOCKETS:
            ok = fw_parse_u16(optarg, 1, 1000, &conf.httpd.max_open_sockets);
            break;
        case OPT_HANDSHAKE_MS:
            ok = fw_parse_num(optarg, 1, 600000, &v);
            conf.tls_handshake_timeout_ms = (uint32_t)v;
            break;
        case OPT_TICKETS:
            conf.session_tickets = true;
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
    if (!have_port || !cert || !key || optind != argc) {
        usage();
        return 64;
    }
    size_t cert_len = 0, key_len = 0, ca_len = 0;
    uint8_t *cert_buf = read_file(cert, &cert_len);
    uint8_t *key_buf = read_file(key, &key_len);
    uint8_t *ca_buf = ca ? read_file(ca, &ca_len) : NULL;
    if (!cert_buf || !key_buf || (ca && !ca_buf)) {
        return 1;
    }
    conf.servercert = cert_buf;
    conf.servercert_len = cert_len;
    conf.prvtkey_pem = key_buf;
    conf.prvtkey_len = key_len;
    conf.cacert_pem = ca_buf;
    conf.cacert_len = ca_len;

    sigset_t stop_set;
    if (!fw_block_stop_signals(&stop_set)) {
        return 1;
    }
    esp_err_t err = httpd_ssl_start(&s_server, &conf);
    for (size_t i = 0; err == ESP_OK && i < sizeof s_uris / sizeof s_uris[0]; i++) {
        err = httpd_register_uri_handler(s_server, &s_uris[i]);
    }
    if (err != ESP_OK) {
        fw_print_start_failed(err);
        if (s_server) {
            httpd_ssl_stop(s_server);
        }
        free(cert_buf);
        free(key_buf);
        free(ca_buf);
        return 2;
    }
    fw_print_ready(conf.port_secure);

    int sig = fw_wait_stop_signal(&stop_set);
    ESP_LOGI(TAG, "signal %d: stopping", sig);
    err = httpd_ssl_stop(s_server);
    pthread_mutex_lock(&s_push_lock);
    int pushers = s_pusher_count;
    pthread_mutex_unlock(&s_push_lock);
    for (int i = 0; i < pushers; i++) {
        pthread_join(s_pushers[i], NULL);
    }
    printf("FINAL created=%d closed=%d errors=%d pushers=%d\n", atomic_load(&s_created), atomic_load(&s_closed),
           atomic_load(&s_errors), pushers);
    fflush(stdout);
    free(cert_buf);
    free(key_buf);
    free(ca_buf);
    return err == ESP_OK ? 0 : 1;
}
