/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WebSocket broadcast example (httpd_ws_broadcast.h): a chat room. Every text
 * message a client of /chat sends goes to every client of /chat (the group);
 * clients of /other are WebSocket clients too but not in the room. GET /clients
 * lists the WebSocket sockets.
 *
 *   PORT=8080 ./example_addon_ws_broadcast
 *   websocat ws://localhost:8080/chat      (in two terminals)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* sigwait, pthread_sigmask */
#endif
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "httpd_ws_broadcast.h"

static const char *TAG = "ws_bcast_example";

static httpd_ws_group_t *s_room;

static esp_err_t chat_ws(httpd_req_t *req)
{
    /* Joining is idempotent: on the handshake call (method GET) where the server
     * makes one, and on every frame otherwise. The session leaves when it closes. */
    esp_err_t err = httpd_ws_group_join(s_room, req);
    if (req->method == HTTP_GET || err != ESP_OK) {
        return err;
    }
    uint8_t buf[512];
    httpd_ws_frame_t f = { .payload = buf };
    err = httpd_ws_recv_frame(req, &f, sizeof buf);   /* longer messages: an error, the session closes */
    if (err != ESP_OK || f.type != HTTPD_WS_TYPE_TEXT) {
        return err;
    }
    return httpd_ws_broadcast(req->handle, s_room, HTTPD_WS_TYPE_TEXT, f.payload, f.len);
}

static esp_err_t other_ws(httpd_req_t *req)
{
    (void)req;
    return ESP_OK;   /* a WebSocket route outside the room: it reads nothing */
}

static esp_err_t clients_get(httpd_req_t *req)
{
    int fds[16];
    size_t n = sizeof fds / sizeof fds[0];
    esp_err_t err = httpd_ws_client_list(req->handle, fds, &n);
    char body[160];
    int len = snprintf(body, sizeof body, "%zu WebSocket client(s)%s, %zu in the room:", n,
                       err == ESP_ERR_INVALID_SIZE ? " (list truncated)" : "", httpd_ws_group_count(s_room));
    for (size_t i = 0; i < n && len < (int)sizeof body - 8; i++) {
        len += snprintf(body + len, sizeof body - (size_t)len, " %d", fds[i]);
    }
    httpd_resp_set_type(req, "text/plain");
    return httpd_resp_sendstr(req, body);
}

int main(void)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    const char *port = getenv("PORT");
    config.server_port = (uint16_t)(port ? atoi(port) : 8080);
    httpd_handle_t server = NULL;
    if (httpd_start(&server, &config) != ESP_OK || httpd_ws_group_create(server, 8, &s_room) != ESP_OK) {
        return 1;
    }
    static const httpd_uri_t uris[] = {
        { .uri = "/chat", .method = HTTP_GET, .handler = chat_ws, .is_websocket = true },
        { .uri = "/other", .method = HTTP_GET, .handler = other_ws, .is_websocket = true },
        { .uri = "/clients", .method = HTTP_GET, .handler = clients_get },
    };
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
        httpd_register_uri_handler(server, &uris[i]);
    }
    ESP_LOGI(TAG, "serving on port %u", (unsigned)config.server_port);

    int sig;
    sigwait(&stop, &sig);
    httpd_stop(server);
    httpd_ws_group_delete(s_room);   /* after the sessions closed: nothing refers to it any more */
    return 0;
}
