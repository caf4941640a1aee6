/* SPDX-License-Identifier: Apache-2.0 */
/* WebSocket echo server written only against the public esp_http_server.h API, in
 * the upstream idiom: httpd_ws_recv_frame(req, &f, 0) learns the frame's length, a
 * second call with a buffer of that size (calloc'ed per frame) reads the payload,
 * httpd_ws_send_frame() echoes it with the same type. Build it against any implementation of that API (bench/run.sh links
 * it with our library's libesp_http_server.a); bench/ws_bench.py measures it.
 * usage: esp_api_ws_echo [PORT [MAX_OPEN_SOCKETS]]  (defaults 8080 128)
 * WS /ws echoes every TEXT / BINARY frame. */
#include <esp_http_server.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#if !CONFIG_HTTPD_WS_SUPPORT
int main(void)
{
    fprintf(stderr, "esp_api_ws_echo: the library was built without WebSocket support\n");
    return 1;
}
#else

#define MAX_FRAME (1024 * 1024)     /* longer frames close the connection */

static esp_err_t ws_echo(httpd_req_t *req)
{
    if (req->method == HTTP_GET) {
        return ESP_OK;          /* the handshake (older ESP-IDF versions call the handler for it) */
    }
    httpd_ws_frame_t f = { .type = HTTPD_WS_TYPE_TEXT };
    esp_err_t e = httpd_ws_recv_frame(req, &f, 0);
    if (e != ESP_OK) {
        return e;
    }
    if (f.len > MAX_FRAME) {
        return ESP_FAIL;
    }
    /* a buffer per frame, as upstream's example does: a handler waiting for the rest of a
     * payload may be suspended while another connection's handler runs */
    uint8_t *buf = NULL;
    if (f.len) {
        buf = calloc(1, f.len + 1);
        if (!buf) {
            return ESP_ERR_NO_MEM;
        }
        f.payload = buf;
        e = httpd_ws_recv_frame(req, &f, f.len);
        if (e != ESP_OK) {
            free(buf);
            return e;
        }
    }
    e = httpd_ws_send_frame(req, &f);
    free(buf);
    return e;
}

int main(int argc, char **argv)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.server_port = argc > 1 ? atoi(argv[1]) : 8080;
    cfg.max_open_sockets = argc > 2 ? atoi(argv[2]) : 128;
    cfg.backlog_conn = 128;
    cfg.lru_purge_enable = true;
    httpd_handle_t h = NULL;
    esp_err_t e = httpd_start(&h, &cfg);
    if (e != ESP_OK) { fprintf(stderr, "httpd_start failed: %d\n", e); return 1; }
    httpd_uri_t ws = { .uri = "/ws", .method = HTTP_GET, .handler = ws_echo, .user_ctx = NULL,
                       .is_websocket = true };
    httpd_register_uri_handler(h, &ws);
    fprintf(stderr, "esp_http_server API WebSocket echo on %d (max_open_sockets=%d)\n",
            cfg.server_port, cfg.max_open_sockets);
    for (;;) pause();
}
#endif
