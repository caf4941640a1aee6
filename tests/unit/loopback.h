/* SPDX-License-Identifier: Apache-2.0 */
/* Loopback helpers shared by the C tests that talk to a server in their own process. */
#ifndef HTTPD_TEST_LOOPBACK_H
#define HTTPD_TEST_LOOPBACK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "esp_http_server.h"

/* A port nothing listens on right now (bound once and released), or 0. */
static inline uint16_t lb_free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t l = sizeof a;
    uint16_t port = 0;
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(s, (struct sockaddr *)&a, &l) == 0) {
        port = ntohs(a.sin_port);
    }
    if (s >= 0) {
        close(s);
    }
    return port;
}

/* A blocking TCP_NODELAY client connected to 127.0.0.1:port, send and receive
 * time-outs of timeout_s seconds; -1 on failure. */
static inline int lb_client(uint16_t port, int timeout_s)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return -1;
    }
    struct timeval tv = { timeout_s, 0 };
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        close(s);
        return -1;
    }
    return s;
}

/* httpd_start() on a free port (cfg->server_port is set), a few tries; NULL on failure. */
static inline httpd_handle_t lb_start(httpd_config_t *cfg)
{
    httpd_handle_t h = NULL;
    for (int i = 0; i < 5; i++) {
        cfg->server_port = lb_free_port();
        if (httpd_start(&h, cfg) == ESP_OK) {
            return h;
        }
    }
    return NULL;
}

#endif /* HTTPD_TEST_LOOPBACK_H */
