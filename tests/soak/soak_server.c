/* SPDX-License-Identifier: Apache-2.0 */
/*
 * soak_server: the firmware that tests/soak/soak.py drives for minutes of mixed load.
 *
 * test_server has no WebSocket endpoint and ws_server no HTTP echo, and the soak wants
 * both on one server (one process whose fds and RSS are watched), plus responses whose
 * every byte the client can predict from the request alone. Hence this program; it is
 * built by scripts/soak.sh with cc against the library's static archive.
 *
 * Usage:
 *   soak_server --port N [--recv-timeout S] [--send-timeout S] [--max-sockets N]
 *
 * Prints "READY <port>" on stdout once serving (START_FAILED <err> and exit 2 on failure,
 * exit 64 on a bad command line); SIGTERM / SIGINT: httpd_stop(), then one line
 *   FINAL requests=R ws_frames=F
 * on stdout, exit 0, so LeakSanitizer checks the whole run at exit.
 *
 * Endpoints:
 *   GET  /hello              "Hello World!" (text/html)
 *   GET  /big?n=N&s=S&c=C    N bytes (at most 256 MiB) of pattern byte i = soak_pattern(S, i),
 *                            type application/octet-stream; C = 0: one httpd_resp_send of a
 *                            malloc'd buffer; C > 0: chunked, pieces of C bytes (the last one
 *                            shorter), generated piece by piece so a huge N costs no memory
 *   POST /echo?c=C           reads the whole body (Content-Length or chunked, at most 4 MiB)
 *                            and sends it back (application/octet-stream): C = 0 in one
 *                            httpd_resp_send, C > 0 chunked in pieces of C bytes. A receive
 *                            time-out answers 408 and closes (ESP_FAIL); another receive
 *                            error or a body too large: 400 / 500 and close
 *   POST /hash               streams the body through CRC-32 (zlib's polynomial) in 8 KiB
 *                            reads; body "len=<n> crc=<8 hex digits>"
 *   GET  /ws  (WebSocket)    echo: each frame is sent back with its type, FIN and
 *                            fragmentation; control frames are left to the library (PING
 *                            answered with PONG, CLOSE echoed)
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "../server/fw_common.h"

#define BIG_MAX        (256ul * 1024ul * 1024ul)
#define ECHO_MAX       (4ul * 1024ul * 1024ul)
#define CHUNK_MAX      (1024ul * 1024ul)
#define HASH_BUF       8192u

static const char *TAG = "soak_server";

/* Counters for the FINAL line: only the server thread writes them, main reads them after
 * httpd_stop() has joined it, but atomics keep that argument out of the way. */
static atomic_ulong s_requests;
static atomic_ulong s_ws_frames;

/* The /big pattern: a cheap mix of the seed and the offset within a 64 KiB block, XORed
 * with the block's number, so a byte moved, dropped or duplicated anywhere in a response
 * shows as a mismatch (a period-26 alphabet would hide shifts by multiples of 26).
 * soak.py computes the same function (from one 64 KiB table per seed). */
static inline uint8_t soak_pattern(uint32_t seed, size_t i)
{
    uint32_t x = seed + (uint32_t)(i & 0xFFFFu) * 2654435761u;
    return (uint8_t)((x >> 24 ^ x >> 8) ^ (uint32_t)(i >> 16));
}

/* Query value key as an unsigned number in [0, max]; def when absent. false: present but
 * not a number in range. */
static bool query_num(httpd_req_t *req, const char *key, unsigned long max, unsigned long def,
                      unsigned long *out)
{
    char q[256];
    char v[32];
    *out = def;
    if (httpd_req_get_url_query_str(req, q, sizeof q) != ESP_OK ||
        httpd_query_key_value(q, key, v, sizeof v) != ESP_OK) {
        return true;
    }
    return fw_parse_num(v, 0, max, out);
}

static esp_err_t hello_handler(httpd_req_t *req)
{
    atomic_fetch_add(&s_requests, 1);
    return httpd_resp_sendstr(req, "Hello World!");
}

/* Sends data[0..len) chunked in pieces of c bytes, then the terminating chunk. */
static esp_err_t send_chunked(httpd_req_t *req, const char *data, size_t len, size_t c)
{
    for (size_t off = 0; off < len; off += c) {
        size_t n = len - off < c ? len - off : c;
        esp_err_t err = httpd_resp_send_chunk(req, data + off, (ssize_t)n);
        if (err != ESP_OK) {
            return err;
        }
    }
    return httpd_resp_send_chunk(req, NULL, 0);
}

static esp_err_t big_handler(httpd_req_t *req)
{
    atomic_fetch_add(&s_requests, 1);
    unsigned long n = 0, seed = 0, c = 0;
    if (!query_num(req, "n", BIG_MAX, 0, &n) || !query_num(req, "s", UINT32_MAX, 0, &seed) ||
        !query_num(req, "c", CHUNK_MAX, 0, &c)) {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "bad query");
    }
    httpd_resp_set_type(req, "application/octet-stream");
    if (c == 0) {
        char *buf = malloc(n ? n : 1);
        if (buf == NULL) {
            httpd_resp_send_500(req);
            return ESP_FAIL;
        }
        for (size_t i = 0; i < n; i++) {
            buf[i] = (char)soak_pattern((uint32_t)seed, i);
        }
        esp_err_t err = httpd_resp_send(req, buf, (ssize_t)n);
        free(buf);
        return err;
    }
    /* Piece by piece: a stalled reader of a 64 MiB response must cost one piece of memory,
     * and the handler must give up when send_wait_timeout passes. */
    char *piece = malloc(c);
    if (piece == NULL) {
        httpd_resp_send_500(req);
        return ESP_FAIL;
    }
    esp_err_t err = ESP_OK;
    for (size_t off = 0; off < n && err == ESP_OK; off += c) {
        size_t len = n - off < c ? n - off : c;
        for (size_t i = 0; i < len; i++) {
            piece[i] = (char)soak_pattern((uint32_t)seed, off + i);
        }
        err = httpd_resp_send_chunk(req, piece, (ssize_t)len);
    }
    free(piece);
    if (err == ESP_OK) {
        err = httpd_resp_send_chunk(req, NULL, 0);
    }
    return err;
}

/* A failed httpd_req_recv(): 408 for a time-out (as upstream's examples), 400 otherwise;
 * ESP_FAIL either way so the connection closes. */
static esp_err_t recv_failed(httpd_req_t *req, int ret)
{
    if (ret == HTTPD_SOCK_ERR_TIMEOUT) {
        httpd_resp_send_408(req);
    } else {
        char msg[32];
        snprintf(msg, sizeof msg, "recv %d", ret);
        httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, msg);
    }
    return ESP_FAIL;
}

static esp_err_t echo_handler(httpd_req_t *req)
{
    atomic_fetch_add(&s_requests, 1);
    unsigned long c = 0;
    if (!query_num(req, "c", CHUNK_MAX, 0, &c)) {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "bad query");
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            size_t ncap = cap ? cap * 2 : 16384;
            char *p = ncap <= ECHO_MAX + 16384 ? realloc(buf, ncap) : NULL;
            if (p == NULL) {
                free(buf);
                httpd_resp_send_500(req);
                return ESP_FAIL;
            }
            buf = p;
            cap = ncap;
        }
        int ret = httpd_req_recv(req, buf + len, cap - len);
        if (ret == 0) {
            break;
        }
        if (ret < 0) {
            free(buf);
            return recv_failed(req, ret);
        }
        len += (size_t)ret;
    }
    httpd_resp_set_type(req, "application/octet-stream");
    esp_err_t err = c ? send_chunked(req, buf, len, c) : httpd_resp_send(req, buf, (ssize_t)len);
    free(buf);
    return err;
}

/* CRC-32 (IEEE 802.3, reflected, as zlib.crc32), bitwise: the soak is not about speed. */
static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) {
            crc = crc >> 1 ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

static esp_err_t hash_handler(httpd_req_t *req)
{
    atomic_fetch_add(&s_requests, 1);
    unsigned char buf[HASH_BUF];
    uint32_t crc = 0;
    size_t total = 0;
    for (;;) {
        int ret = httpd_req_recv(req, (char *)buf, sizeof buf);
        if (ret == 0) {
            break;
        }
        if (ret < 0) {
            return recv_failed(req, ret);
        }
        crc = crc32_update(crc, buf, (size_t)ret);
        total += (size_t)ret;
    }
    char out[64];
    snprintf(out, sizeof out, "len=%zu crc=%08x", total, (unsigned)crc);
    return httpd_resp_sendstr(req, out);
}

static esp_err_t ws_handler(httpd_req_t *req)
{
    /* Frames come with method 0; HTTP_GET is a plain request without the Upgrade header
     * (or the after-handshake call older ESP-IDF versions made: nothing to do then). */
    if (req->method == HTTP_GET) {
        if (httpd_ws_get_fd_info(req->handle, httpd_req_to_sockfd(req)) == HTTPD_WS_CLIENT_WEBSOCKET) {
            return ESP_OK;
        }
        return httpd_resp_sendstr(req, "websocket only");
    }
    atomic_fetch_add(&s_ws_frames, 1);
    httpd_ws_frame_t f;
    memset(&f, 0, sizeof f);
    esp_err_t err = httpd_ws_recv_frame(req, &f, 0);
    if (err != ESP_OK) {
        return err;
    }
    uint8_t *buf = NULL;
    if (f.len) {
        buf = malloc(f.len);
        if (buf == NULL) {
            return ESP_ERR_NO_MEM;
        }
        f.payload = buf;
        err = httpd_ws_recv_frame(req, &f, f.len);
        if (err != ESP_OK) {
            free(buf);
            return err;
        }
    }
    httpd_ws_frame_t out = {
        .type = f.type,
        .final = f.final,
        .fragmented = !f.final || f.type == HTTPD_WS_TYPE_CONTINUE,
        .payload = buf,
        .len = f.len,
    };
    err = httpd_ws_send_frame(req, &out);
    free(buf);
    return err;
}

static void usage(void)
{
    fprintf(stderr, "usage: soak_server --port N [--recv-timeout S] [--send-timeout S] [--max-sockets N]\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "port",         required_argument, NULL, 'p' },
        { "recv-timeout", required_argument, NULL, 'r' },
        { "send-timeout", required_argument, NULL, 's' },
        { "max-sockets",  required_argument, NULL, 'm' },
        { NULL, 0, NULL, 0 },
    };
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.max_open_sockets = 64;      /* the soak's workers plus its stalled clients, with room */
    cfg.recv_wait_timeout = 3;
    cfg.send_wait_timeout = 3;
    bool have_port = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        bool ok;
        switch (c) {
        case 'p':
            ok = have_port = fw_parse_u16(optarg, 0, 65535, &cfg.server_port);
            break;
        case 'r':
            ok = fw_parse_u16(optarg, 1, UINT16_MAX, &cfg.recv_wait_timeout);
            break;
        case 's':
            ok = fw_parse_u16(optarg, 1, UINT16_MAX, &cfg.send_wait_timeout);
            break;
        case 'm':
            ok = fw_parse_u16(optarg, 1, 1000, &cfg.max_open_sockets);
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

    static const httpd_uri_t uris[] = {
        { .uri = "/hello", .method = HTTP_GET,  .handler = hello_handler },
        { .uri = "/big",   .method = HTTP_GET,  .handler = big_handler },
        { .uri = "/echo",  .method = HTTP_POST, .handler = echo_handler },
        { .uri = "/hash",  .method = HTTP_POST, .handler = hash_handler },
        { .uri = "/ws",    .method = HTTP_GET,  .handler = ws_handler, .is_websocket = true },
    };
    sigset_t stop_set;
    if (!fw_block_stop_signals(&stop_set)) {
        return 1;
    }
    httpd_handle_t server = NULL;
    if (fw_start(&server, &cfg, uris, sizeof uris / sizeof uris[0]) != ESP_OK) {
        return 2;
    }
    fw_print_ready(cfg.server_port);
    int sig = fw_wait_stop_signal(&stop_set);
    ESP_LOGI(TAG, "signal %d: stopping", sig);
    if (fw_stop(server) != ESP_OK) {
        return 1;
    }
    printf("FINAL requests=%lu ws_frames=%lu\n", atomic_load(&s_requests), atomic_load(&s_ws_frames));
    fflush(stdout);
    return 0;
}
