/* SPDX-License-Identifier: Apache-2.0 */
/* CivetWeb hello/upload peer.  usage: civetweb_hello PORT [NUM_THREADS] */
#include <civetweb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int hello(struct mg_connection *c, void *cb)
{
    (void)cb;
    static const char r[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
    mg_write(c, r, sizeof r - 1);
    return 200;
}
static int upload(struct mg_connection *c, void *cb)
{
    (void)cb;
    char buf[16384];
    while (mg_read(c, buf, sizeof buf) > 0) { }
    static const char r[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
    mg_write(c, r, sizeof r - 1);
    return 200;
}
int main(int argc, char **argv)
{
    const char *port = argc > 1 ? argv[1] : "8080";
    const char *threads = argc > 2 ? argv[2] : "64";
    const char *opts[] = { "listening_ports", port, "num_threads", threads, "enable_keep_alive", "yes",
                           "keep_alive_timeout_ms", "600000", "request_timeout_ms", "600000", NULL };
    mg_init_library(0);
    struct mg_callbacks cbs; memset(&cbs, 0, sizeof cbs);
    struct mg_context *ctx = mg_start(&cbs, NULL, opts);
    if (!ctx) { fprintf(stderr, "mg_start failed\n"); return 1; }
    mg_set_request_handler(ctx, "/hello$", hello, NULL);
    mg_set_request_handler(ctx, "/upload$", upload, NULL);
    fprintf(stderr, "civetweb %s on %s, %s threads\n", mg_version(), port, threads);
    pause();
    return 0;
}
