/* SPDX-License-Identifier: Apache-2.0 */
/* Large-response server written only against the public esp_http_server.h API
 * (bench/run.sh links it with our library's libesp_http_server.a; bench/ws_bench.py
 * measures it). usage: esp_api_big [PORT [MAX_OPEN_SOCKETS]]  (defaults 8080 128)
 *   GET /1m         1 MiB from memory with one httpd_resp_send()
 *   GET /1m_chunks  the same bytes as 256 httpd_resp_send_chunk() calls of 4 KiB each,
 *                   then the final empty chunk (Transfer-Encoding: chunked)
 *   GET /1m_const   the same bytes from a const array in the program's read-only data
 *                   (an embedded asset, as ESP-IDF's EMBED_FILES makes one), one httpd_resp_send()
 *   GET /hello      13 bytes, to check the server is up */
#include <esp_http_server.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define BIG_LEN   (1024 * 1024)
#define CHUNK_LEN 4096

static char big[BIG_LEN];

/* 1 MiB of 'a'..'z' repeated (40,329 times 26 bytes, then 22) in .rodata, placed by the
 * assembler as ESP-IDF's EMBED_FILES places an embedded file, on a page boundary: the Linux
 * build sends it with sendfile() from the program's file, which on Linux 6.18 cost about 1.2x
 * the CPU per MiB when the array started inside a page (an asset declared
 * __attribute__((aligned(4096))) gets the same as this one). */
extern const char big_const[BIG_LEN];
__asm__(".section .rodata\n"
        ".balign 4096\n"
        "big_const:\n"
        ".rept 40329\n"
        ".ascii \"abcdefghijklmnopqrstuvwxyz\"\n"
        ".endr\n"
        ".ascii \"abcdefghijklmnopqrstuv\"\n"
        ".previous\n");

static esp_err_t one_send(httpd_req_t *req)
{
    httpd_resp_set_type(req, "application/octet-stream");
    return httpd_resp_send(req, big, BIG_LEN);
}

static esp_err_t one_send_const(httpd_req_t *req)
{
    httpd_resp_set_type(req, "application/octet-stream");
    return httpd_resp_send(req, big_const, BIG_LEN);
}

static esp_err_t chunks(httpd_req_t *req)
{
    httpd_resp_set_type(req, "application/octet-stream");
    for (size_t off = 0; off < BIG_LEN; off += CHUNK_LEN) {
        esp_err_t e = httpd_resp_send_chunk(req, big + off, CHUNK_LEN);
        if (e != ESP_OK) {
            return e;
        }
    }
    return httpd_resp_send_chunk(req, NULL, 0);
}

static esp_err_t hello(httpd_req_t *req)
{
    httpd_resp_set_type(req, "text/plain");
    return httpd_resp_send(req, "Hello, World!", 13);
}

int main(int argc, char **argv)
{
    for (size_t i = 0; i < BIG_LEN; i++) {
        big[i] = (char)('a' + i % 26);      /* the same bytes as ws_bench.py's static file */
    }
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.server_port = argc > 1 ? atoi(argv[1]) : 8080;
    cfg.max_open_sockets = argc > 2 ? atoi(argv[2]) : 128;
    cfg.backlog_conn = 128;
    cfg.lru_purge_enable = true;
    httpd_handle_t h = NULL;
    esp_err_t e = httpd_start(&h, &cfg);
    if (e != ESP_OK) { fprintf(stderr, "httpd_start failed: %d\n", e); return 1; }
    httpd_uri_t u1 = { .uri = "/1m", .method = HTTP_GET, .handler = one_send, .user_ctx = NULL };
    httpd_uri_t u2 = { .uri = "/1m_chunks", .method = HTTP_GET, .handler = chunks, .user_ctx = NULL };
    httpd_uri_t u4 = { .uri = "/1m_const", .method = HTTP_GET, .handler = one_send_const, .user_ctx = NULL };
    httpd_uri_t u3 = { .uri = "/hello", .method = HTTP_GET, .handler = hello, .user_ctx = NULL };
    httpd_register_uri_handler(h, &u1);
    httpd_register_uri_handler(h, &u2);
    httpd_register_uri_handler(h, &u3);
    httpd_register_uri_handler(h, &u4);
    fprintf(stderr, "esp_http_server API large responses on %d (max_open_sockets=%d)\n",
            cfg.server_port, cfg.max_open_sockets);
    for (;;) pause();
}
