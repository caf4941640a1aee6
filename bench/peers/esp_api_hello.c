/* SPDX-License-Identifier: Apache-2.0 */
/* Hello/upload server written only against the public esp_http_server.h API.
 * Build it against any implementation of that API (bench/run.sh links it with
 * our library's build/bench/libesp_http_server.a).
 * usage: esp_api_hello [PORT [MAX_OPEN_SOCKETS [BACKLOG [NODELAY]]]]  (defaults 8080 1000 128 0)
 * NODELAY=1 installs an open_fn that sets TCP_NODELAY on each accepted socket (our library
 * sets TCP_NODELAY itself, so the benchmark runs it with NODELAY=0). */
#include <esp_http_server.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static esp_err_t hello_get(httpd_req_t *req)
{
    httpd_resp_set_type(req, "text/plain");
    return httpd_resp_send(req, "Hello, World!", 13);
}

static esp_err_t upload_post(httpd_req_t *req)
{
    static char buf[16384];
    size_t left = req->content_len;
    while (left > 0) {
        int n = httpd_req_recv(req, buf, left < sizeof buf ? left : sizeof buf);
        if (n == HTTPD_SOCK_ERR_TIMEOUT) continue;
        if (n <= 0) return ESP_FAIL;
        left -= (size_t)n;
    }
    httpd_resp_set_type(req, "text/plain");
    return httpd_resp_send(req, "ok", 2);
}

static esp_err_t open_nodelay(httpd_handle_t hd, int fd)
{
    (void)hd;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return ESP_OK;
}

int main(int argc, char **argv)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.server_port = argc > 1 ? atoi(argv[1]) : 8080;
    cfg.max_open_sockets = argc > 2 ? atoi(argv[2]) : 1000;
    cfg.backlog_conn = argc > 3 ? atoi(argv[3]) : 128;
    cfg.lru_purge_enable = true;
    int nodelay = argc > 4 ? atoi(argv[4]) : 0;
    if (nodelay) cfg.open_fn = open_nodelay;
    httpd_handle_t h = NULL;
    esp_err_t e = httpd_start(&h, &cfg);
    if (e != ESP_OK) { fprintf(stderr, "httpd_start failed: %d\n", e); return 1; }
    httpd_uri_t u1 = { .uri = "/hello", .method = HTTP_GET, .handler = hello_get, .user_ctx = NULL };
    httpd_uri_t u2 = { .uri = "/upload", .method = HTTP_POST, .handler = upload_post, .user_ctx = NULL };
    httpd_register_uri_handler(h, &u1);
    httpd_register_uri_handler(h, &u2);
    fprintf(stderr, "esp_http_server API hello on %d (max_open_sockets=%d backlog=%d nodelay=%d)\n",
            cfg.server_port, cfg.max_open_sockets, cfg.backlog_conn, nodelay);
    for (;;) pause();
}
