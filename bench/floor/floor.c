/* SPDX-License-Identifier: Apache-2.0 */
/* The syscall floor for keep-alive GET /hello on Linux: one epoll thread, one recv and one send per
 * batch of requests, a fixed response, no parsing beyond finding the end of each request head.
 * No real server can do less work per request; it is the "physical limit" row of the benchmark.
 * Build: cc -O2 -o floor floor.c     Run: ./floor PORT */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "floor_net.h"

static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

int main(int argc, char **argv)
{
    int ls, ep = floor_listen(argc > 1 ? atoi(argv[1]) : 8080, &ls);
    if (ep < 0) return 1;
    struct epoll_event evs[256];
    static char in[65536], out[65536];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                floor_accept(ls, ep, 0);
                continue;
            }
            ssize_t r = recv(fd, in, sizeof in, 0);
            if (r <= 0) { close(fd); continue; }
            size_t reqs = 0, len = 0;
            for (char *p = in; (p = memmem(p, in + r - p, "\r\n\r\n", 4)); p += 4) reqs++;
            while (reqs-- && len + sizeof RESP < sizeof out) { memcpy(out + len, RESP, sizeof RESP - 1); len += sizeof RESP - 1; }
            if (len && send(fd, out, len, MSG_NOSIGNAL) < 0) close(fd);
        }
    }
}
