/* SPDX-License-Identifier: Apache-2.0 */
/* The syscall floor for WebSocket echo on Linux: one epoll thread (level-triggered, as
 * floor.c), the RFC 6455 opening handshake, then per readable connection one recv and
 * one send carrying the echo of every whole frame read (unmasked, FIN set, the client's
 * opcode). No UTF-8 check, no fragmentation, no control frames beyond CLOSE (answered by
 * closing), payloads of at most 125 bytes: the least work a WebSocket echo server can do
 * per message, the "physical limit" row of bench/ws_bench.py.
 * Build: cc -O2 -I bench/peers -o ws_floor ws_floor.c     Run: ./ws_floor PORT */
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
#include "ws_echo.h"

#include "ws_accept.h"

#define MAX_FD 4096
#define KEEP   256          /* bytes of an unfinished frame kept for the next read */

struct peer {
    unsigned char open;     /* handshake done */
    unsigned short keep_len;
    unsigned char keep[KEEP];
};

static struct peer peers[MAX_FD];

static void drop(int fd)
{
    peers[fd].open = 0;
    peers[fd].keep_len = 0;
    close(fd);
}

/* The opening handshake: the whole request is expected in one read (wsclient sends it in one). */
static void handshake(int fd, char *in, ssize_t r)
{
    if (ws_switch_send(fd, in, (size_t)r) < 0) { drop(fd); return; }
    peers[fd].open = 1;
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 8080;
    int ls;
    int ep = floor_listen(port, &ls);
    if (ep < 0) return 1;
    struct epoll_event evs[256];
    static unsigned char in[KEEP + 65536], out[KEEP + 65536];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                floor_accept(ls, ep, MAX_FD);
                continue;
            }
            struct peer *p = &peers[fd];
            size_t have = p->keep_len;
            memcpy(in, p->keep, have);
            ssize_t r = recv(fd, in + have, sizeof in - KEEP - 1, 0);
            if (r <= 0) { drop(fd); continue; }
            if (!p->open) { in[r] = 0; handshake(fd, (char *)in, r); continue; }
            size_t end = have + (size_t)r, at;
            long o = ws_echo_frames(in, end, out, &at);
            if (o < 0 || end - at > KEEP) { drop(fd); continue; }
            p->keep_len = (unsigned short)(end - at);
            memcpy(p->keep, in + at, end - at);
            if (o && send(fd, out, (size_t)o, MSG_NOSIGNAL) != o) drop(fd);
        }
    }
}
