/* SPDX-License-Identifier: Apache-2.0 */
/* libmicrohttpd hello/upload peer.
 * usage: mhd_hello PORT MODE   MODE = epoll (1 internal epoll thread, default)
 *                                    | pool2 (epoll, thread pool of 2)
 *                                    | tpc   (thread per connection)          */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

static struct MHD_Response *hello_resp, *ok_resp;

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)cls; (void)version; (void)upload_data;
    /* Always answer on the 2nd call: a response queued on the first call (before MHD
     * knows the request is complete) makes MHD 0.9.75 send "Connection: close". */
    if (*con_cls == NULL) { *con_cls = (void *)1; return MHD_YES; }
    if (strcmp(method, "POST") == 0 && strcmp(url, "/upload") == 0) {
        if (*upload_data_size) { *upload_data_size = 0; return MHD_YES; } /* discard chunk */
        return MHD_queue_response(c, MHD_HTTP_OK, ok_resp);
    }
    if (strcmp(method, "GET") == 0 && strcmp(url, "/hello") == 0)
        return MHD_queue_response(c, MHD_HTTP_OK, hello_resp);
    return MHD_NO;
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 8080;
    const char *mode = argc > 2 ? argv[2] : "epoll";
    hello_resp = MHD_create_response_from_buffer(13, (void *)"Hello, World!", MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(hello_resp, "Content-Type", "text/plain");
    ok_resp = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(ok_resp, "Content-Type", "text/plain");
    unsigned flags; unsigned pool = 0;
    if (!strcmp(mode, "tpc")) flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    else { flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL; if (!strcmp(mode, "pool2")) pool = 2; }
    struct MHD_Daemon *d;
    if (pool)
        d = MHD_start_daemon(flags, port, NULL, NULL, handler, NULL, MHD_OPTION_CONNECTION_LIMIT, 4000u,
                             MHD_OPTION_CONNECTION_TIMEOUT, 0u, MHD_OPTION_THREAD_POOL_SIZE, pool, MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags, port, NULL, NULL, handler, NULL, MHD_OPTION_CONNECTION_LIMIT, 4000u,
                             MHD_OPTION_CONNECTION_TIMEOUT, 0u, MHD_OPTION_END);
    if (!d) { fprintf(stderr, "MHD_start_daemon failed\n"); return 1; }
    fprintf(stderr, "mhd (%s, libmicrohttpd %s) on %d\n", mode, MHD_get_version(), port);
    pause();
    return 0;
}
