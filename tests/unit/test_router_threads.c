/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The handler table under concurrent change: lookups run on the server thread
 * against its own copy of the table, refreshed when a registration or an
 * unregistration from any thread publishes a new generation. Here one thread
 * registers and unregisters a toggling URI as fast as it can, another registers and unregisters a batch
 * of other URIs, while this thread makes keep-alive requests on loopback to a
 * stable URI and to the toggling one. Every stable request must get 200 from
 * the right handler, every toggling one 200 (with its context) or 404, and
 * AddressSanitizer must see no use of the freed URI strings.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "esp_http_server.h"
#include "check.h"
#include "loopback.h"

static atomic_bool s_stop;
static atomic_long s_toggles;

static esp_err_t stable(httpd_req_t *req)
{
    return httpd_resp_sendstr(req, "stable");
}

/* user_ctx: a heap string per registration, freed when the test ends (the
 * table hands user_ctx to handlers; its lifetime is the application's) */
static esp_err_t toggled(httpd_req_t *req)
{
    return httpd_resp_sendstr(req, (const char *)req->user_ctx);
}

#define MAX_CTX 100000
static char *s_ctx[MAX_CTX];

static void *toggler(void *arg)
{
    httpd_handle_t h = arg;
    long n = 0;
    while (!atomic_load(&s_stop) && n < MAX_CTX) {
        char *ctx = strdup("toggled");
        s_ctx[n++] = ctx;
        httpd_uri_t u = { .uri = "/toggle", .method = HTTP_GET, .handler = toggled, .user_ctx = ctx };
        if (httpd_register_uri_handler(h, &u) == ESP_OK) {
            usleep(300);
            httpd_unregister_uri_handler(h, "/toggle", HTTP_GET);
            atomic_fetch_add(&s_toggles, 1);
        }
        usleep(300);
    }
    return NULL;
}

static void *churner(void *arg)
{
    httpd_handle_t h = arg;
    char uri[32];
    while (!atomic_load(&s_stop)) {
        for (int i = 0; i < 4; i++) {
            snprintf(uri, sizeof uri, "/churn/%d", i);
            httpd_uri_t u = { .uri = uri, .method = HTTP_POST, .handler = stable };
            httpd_register_uri_handler(h, &u);   /* the table copies the URI */
        }
        for (int i = 0; i < 4; i++) {
            snprintf(uri, sizeof uri, "/churn/%d", i);
            httpd_unregister_uri(h, uri);
        }
    }
    return NULL;
}

static int client(uint16_t port)
{
    return lb_client(port, 3);
}

/* One GET; returns the status and copies the body (Content-Length framed). */
static int get(int s, const char *path, char *body, size_t cap)
{
    char req[128], buf[2048];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
    if (send(s, req, (size_t)n, MSG_NOSIGNAL) != n) {
        return -1;
    }
    size_t have = 0;
    for (;;) {
        char *end = memmem(buf, have, "\r\n\r\n", 4);
        if (end) {
            const char *cl = memmem(buf, (size_t)(end - buf), "Content-Length: ", 16);
            size_t blen = cl ? (size_t)atoi(cl + 16) : 0;
            size_t hlen = (size_t)(end - buf) + 4;
            if (have >= hlen + blen) {
                size_t c = blen < cap - 1 ? blen : cap - 1;
                memcpy(body, buf + hlen, c);
                body[c] = '\0';
                return atoi(buf + 9);
            }
        }
        if (have == sizeof buf) {
            return -1;
        }
        ssize_t r = recv(s, buf + have, sizeof buf - have, 0);
        if (r <= 0) {
            return -1;
        }
        have += (size_t)r;
    }
}

int main(void)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.max_uri_handlers = 16;
    httpd_handle_t h = lb_start(&cfg);
    CHECK(h != NULL);
    if (!h) {
        return check_summary();
    }
    httpd_uri_t st = { .uri = "/stable", .method = HTTP_GET, .handler = stable };
    CHECK_EQ_INT(httpd_register_uri_handler(h, &st), ESP_OK);

    pthread_t t1, t2;
    CHECK_EQ_INT(pthread_create(&t1, NULL, toggler, h), 0);
    CHECK_EQ_INT(pthread_create(&t2, NULL, churner, h), 0);

    int s = client(cfg.server_port);
    CHECK(s >= 0);
    int ok_stable = 0, hits = 0, misses = 0, bad = 0;
    char body[64];
    for (int i = 0; i < 3000 && s >= 0; i++) {
        int st1 = get(s, "/stable", body, sizeof body);
        if (st1 == 200 && strcmp(body, "stable") == 0) {
            ok_stable++;
        } else {
            bad++;
        }
        int st2 = get(s, "/toggle", body, sizeof body);
        if (st2 == 200 && strcmp(body, "toggled") == 0) {
            hits++;
        } else if (st2 == 404) {
            misses++;
            close(s);                       /* the default 404 closes the connection */
            s = client(cfg.server_port);
        } else {
            bad++;
            break;
        }
    }
    atomic_store(&s_stop, true);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("stable 200: %d, toggled 200: %d, 404: %d, other: %d, toggles: %ld\n", ok_stable, hits, misses, bad,
           atomic_load(&s_toggles));
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(ok_stable, 3000);
    CHECK_EQ_INT(hits + misses, 3000);
    CHECK(atomic_load(&s_toggles) > 10);
    if (s >= 0) {
        close(s);
    }
    CHECK_EQ_INT(httpd_stop(h), ESP_OK);
    for (long i = 0; i < MAX_CTX; i++) {
        free(s_ctx[i]);
    }
    return check_summary();
}
