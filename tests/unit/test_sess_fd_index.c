/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sessions are found by fd through an index (O(1)) for fds below twice the
 * table size plus 64, and by a scan above it. Both ways are used here: once
 * with the process's low fds free, once with 200 fds held open first so the
 * server's next sockets land above the index. Each time a handler sets and
 * reads back the session context by fd, another thread closes the session
 * with httpd_sess_trigger_close(), and the fd is no longer found afterwards.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "esp_http_server.h"
#include "check.h"
#include "loopback.h"

#define HELD 200

static esp_err_t fdinfo(httpd_req_t *req)
{
    int fd = httpd_req_to_sockfd(req);
    char *ctx = httpd_sess_get_ctx(req->handle, fd);
    bool had = ctx != NULL;
    if (!ctx) {
        ctx = strdup("ctx");
        httpd_sess_set_ctx(req->handle, fd, ctx, free);
    }
    char out[64];
    snprintf(out, sizeof out, "%d %s %s", fd, had ? "had" : "new",
             httpd_sess_get_ctx(req->handle, fd) == ctx ? "same" : "other");
    return httpd_resp_sendstr(req, out);
}

/* GET /fd; returns the server's fd for this connection, and whether the
 * context was already there, through *had. -1 on failure. */
static int ask(int s, bool *had)
{
    static const char req[] = "GET /fd HTTP/1.1\r\nHost: x\r\n\r\n";
    if (send(s, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1)) {
        return -1;
    }
    char buf[1024];
    size_t have = 0;
    for (;;) {
        ssize_t n = recv(s, buf + have, sizeof buf - 1 - have, 0);
        if (n <= 0) {
            return -1;
        }
        have += (size_t)n;
        buf[have] = '\0';
        char *body = strstr(buf, "\r\n\r\n");
        if (body && strstr(body, "same")) {
            *had = strstr(body, "had") != NULL;
            return atoi(body + 4);
        }
    }
}

static bool closed_by_peer(int s)
{
    char c;
    return recv(s, &c, 1, 0) == 0;
}

static void round_trip(httpd_handle_t h, uint16_t port, bool expect_above, int index_cap)
{
    int s = lb_client(port, 3);
    CHECK(s >= 0);
    bool had = true;
    int fd = ask(s, &had);
    CHECK(fd >= 0);
    CHECK(!had);
    CHECK(ask(s, &had) == fd);
    CHECK(had);                                   /* found again by fd: the same context */
    CHECK((fd >= index_cap) == expect_above);
    CHECK_EQ_INT(httpd_sess_trigger_close(h, fd), ESP_OK);
    CHECK(closed_by_peer(s));
    usleep(50 * 1000);
    CHECK_EQ_INT(httpd_sess_trigger_close(h, fd), ESP_ERR_NOT_FOUND);
    close(s);
}

int main(void)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.max_open_sockets = 3;
    const int index_cap = 3 * 2 + 64;
    httpd_handle_t h = lb_start(&cfg);
    CHECK(h != NULL);
    if (!h) {
        return check_summary();
    }
    httpd_uri_t u = { .uri = "/fd", .method = HTTP_GET, .handler = fdinfo };
    CHECK_EQ_INT(httpd_register_uri_handler(h, &u), ESP_OK);

    round_trip(h, cfg.server_port, false, index_cap);

    int held[HELD];
    for (int i = 0; i < HELD; i++) {
        held[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    round_trip(h, cfg.server_port, true, index_cap);
    for (int i = 0; i < HELD; i++) {
        if (held[i] >= 0) {
            close(held[i]);
        }
    }
    round_trip(h, cfg.server_port, false, index_cap);

    CHECK_EQ_INT(httpd_stop(h), ESP_OK);
    return check_summary();
}
