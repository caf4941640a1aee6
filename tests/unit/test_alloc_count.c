/* SPDX-License-Identifier: Apache-2.0 */
/*
 * No allocation on the request path, counted: this program is linked
 * with -Wl,--wrap for malloc, calloc, realloc, strdup and mmap, so every call the
 * library (and this file) makes to them passes through a counter. After a
 * warm-up it serves keep-alive requests (GET with a query and a header lookup,
 * POST bodies read with httpd_req_recv, 404s), pipelined batches (whose
 * responses are held and sent together) and chunked responses, on real
 * loopback sockets, and checks that not one allocation happened meanwhile.
 * The client is in this process too and allocates nothing while counting.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "esp_http_server.h"
#include "check.h"
#include "loopback.h"

/* ---- Counting wrappers (see the link options in CMakeLists.txt) ------------------- */

static atomic_bool s_counting;
static atomic_long s_allocs;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

static void counted(void)
{
    if (atomic_load(&s_counting)) {
        atomic_fetch_add(&s_allocs, 1);
    }
}

void *__wrap_malloc(size_t n)
{
    counted();
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
    counted();
    return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
    counted();
    return __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    counted();
    return __real_strdup(s);
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    counted();
    return __real_mmap(addr, len, prot, flags, fd, off);
}

/* ---- Server -------------------------------------------------------------------------- */

static esp_err_t hello(httpd_req_t *req)
{
    char q[64], v[16], ua[64];
    if (httpd_req_get_url_query_str(req, q, sizeof q) == ESP_OK) {
        (void)httpd_query_key_value(q, "a", v, sizeof v);
    }
    (void)httpd_req_get_hdr_value_str(req, "User-Agent", ua, sizeof ua);
    httpd_resp_set_type(req, "text/plain");
    httpd_resp_set_hdr(req, "X-Served", "yes");
    return httpd_resp_send(req, "Hello, World!", HTTPD_RESP_USE_STRLEN);
}

static esp_err_t upload(httpd_req_t *req)
{
    char buf[512];
    size_t left = req->content_len;
    while (left > 0) {
        int n = httpd_req_recv(req, buf, left < sizeof buf ? left : sizeof buf);
        if (n <= 0) {
            return ESP_FAIL;
        }
        left -= (size_t)n;
    }
    return httpd_resp_sendstr(req, "ok");
}

static esp_err_t chunks(httpd_req_t *req)
{
    for (int i = 0; i < 3; i++) {
        if (httpd_resp_send_chunk(req, "chunk\n", 6) != ESP_OK) {
            return ESP_FAIL;
        }
    }
    return httpd_resp_send_chunk(req, NULL, 0);
}

/* ---- Client (no allocation) ----------------------------------------------------------- */

static int client(uint16_t port)
{
    return lb_client(port, 3);
}

static bool send_all(int s, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(s, p, len, MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* Reads until `count` occurrences of `marker` arrived (each response ends with one). */
static bool read_markers(int s, const char *marker, int count)
{
    static char buf[65536];
    size_t have = 0, mlen = strlen(marker);
    int seen = 0;
    while (seen < count) {
        ssize_t n = recv(s, buf + have, sizeof buf - have - 1, 0);
        if (n <= 0) {
            return false;
        }
        have += (size_t)n;
        buf[have] = '\0';
        char *p = buf, *hit;
        while ((hit = memmem(p, have - (size_t)(p - buf), marker, mlen)) != NULL) {
            seen++;
            p = hit + mlen;
        }
        size_t rest = have - (size_t)(p - buf);
        memmove(buf, p, rest);   /* keep a partial marker */
        have = rest;
    }
    return true;
}

static const char GET[] = "GET /hello?a=1&b=2 HTTP/1.1\r\nHost: x\r\nUser-Agent: test\r\n\r\n";
static const char MISS[] = "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n";
static const char CHUNKS[] = "GET /chunks HTTP/1.1\r\nHost: x\r\n\r\n";

static bool one_round(int s)
{
    static char post[2048];
    static size_t post_len;
    if (!post_len) {
        char body[1000];
        memset(body, 'b', sizeof body);
        post_len = (size_t)snprintf(post, sizeof post, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n%.*s",
                                    sizeof body, (int)sizeof body, body);
    }
    static char batch[sizeof GET * 10];
    static size_t batch_len;
    if (!batch_len) {
        for (int i = 0; i < 10; i++) {
            memcpy(batch + batch_len, GET, sizeof GET - 1);
            batch_len += sizeof GET - 1;
        }
    }
    /* the 404 comes last: its default response closes the connection */
    return send_all(s, GET, sizeof GET - 1) && read_markers(s, "Hello, World!", 1) &&
           send_all(s, post, post_len) && read_markers(s, "\r\n\r\nok", 1) &&
           send_all(s, CHUNKS, sizeof CHUNKS - 1) && read_markers(s, "0\r\n\r\n", 1) &&
           send_all(s, batch, batch_len) && read_markers(s, "Hello, World!", 10) &&
           send_all(s, MISS, sizeof MISS - 1) && read_markers(s, "Nothing matches the given URI", 1);
}

int main(void)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    httpd_handle_t h = lb_start(&cfg);
    CHECK(h != NULL);
    if (!h) {
        return check_summary();
    }
    httpd_uri_t uris[] = {
        { .uri = "/hello", .method = HTTP_GET, .handler = hello },
        { .uri = "/upload", .method = HTTP_POST, .handler = upload },
        { .uri = "/chunks", .method = HTTP_GET, .handler = chunks },
    };
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
        CHECK_EQ_INT(httpd_register_uri_handler(h, &uris[i]), ESP_OK);
    }

    int s = client(cfg.server_port);
    CHECK(s >= 0);
    bool ok = true;
    for (int i = 0; i < 20 && ok; i++) {   /* warm-up: pools, handler table copy, stdio */
        ok = one_round(s);
        close(s);
        s = client(cfg.server_port);
    }
    CHECK(ok);

    atomic_store(&s_counting, true);
    int rounds = 0;
    for (; rounds < 300 && ok; rounds++) {
        ok = one_round(s);
        close(s);
        s = client(cfg.server_port);   /* a new connection costs no allocation either */
    }
    usleep(100 * 1000);                /* the server finishes the last close */
    atomic_store(&s_counting, false);
    CHECK(ok);
    CHECK(s >= 0);
    long allocs = atomic_load(&s_allocs);
    printf("%d rounds (%d requests, %d connections): %ld allocations\n", rounds, rounds * 14, rounds, allocs);
    CHECK_EQ_INT(allocs, 0);

    /* the counter works: an allocation here, and the library's own (a handler
     * registration copies its URI), are seen */
    atomic_store(&s_counting, true);
    void *volatile p = malloc(16);   /* volatile: an optimising build may not elide the pair */
    httpd_uri_t extra = { .uri = "/extra", .method = HTTP_GET, .handler = hello };
    CHECK_EQ_INT(httpd_register_uri_handler(h, &extra), ESP_OK);
    atomic_store(&s_counting, false);
    free(p);
    CHECK(atomic_load(&s_allocs) >= allocs + 2);

    close(s);
    CHECK_EQ_INT(httpd_stop(h), ESP_OK);
    return check_summary();
}
