/* SPDX-License-Identifier: Apache-2.0 */
/* The syscall floor for 1 MiB responses on Linux: one epoll thread (level-triggered), every
 * request head (whatever its path) answered with a fixed header and the same 1 MiB body,
 * non-blocking, resumed on EPOLLOUT when the socket buffer is full. Two ways to send it:
 *   big_floor PORT copy        the body from a buffer in memory: sendmsg() of header + body,
 *                              the kernel copies it (what any server sending from memory does)
 *   big_floor PORT FILE        the body is FILE's first 1 MiB: send() of the header with
 *                              MSG_MORE, then sendfile() (zero-copy, as nginx's `sendfile on`)
 * The body bytes are 'a'..'z' repeated (copy), as bench/ws_bench.py's file. The least work a
 * server can do per 1 MiB response either way: the "physical limit" rows of ws_bench.py.
 * Build: cc -O2 -o big_floor big_floor.c */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "floor_net.h"

#define MAX_FD   4096
#define BODY_LEN (1024 * 1024)

static const char HEAD[] = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                           "Content-Length: 1048576\r\n\r\n";
#define HEAD_LEN (sizeof HEAD - 1)

struct peer {
    size_t sent;            /* bytes of the response under way (header included) */
    unsigned queued;        /* request heads read and not yet answered, the current one included */
    int waiting;            /* EPOLLOUT registered */
};

static struct peer peers[MAX_FD];
static char *body;          /* copy mode */
static int file = -1;       /* sendfile mode */
static int ep;

static void drop(int fd)
{
    memset(&peers[fd], 0, sizeof peers[fd]);
    close(fd);
}

static void want_out(int fd, int on)
{
    if (peers[fd].waiting == on) return;
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
    peers[fd].waiting = on;
}

/* Sends what it can of the queued responses: 0, or -1 when the connection is to be dropped. */
static int pump(int fd)
{
    struct peer *p = &peers[fd];
    while (p->queued) {
        ssize_t w;
        if (file < 0) {
            struct iovec v[2] = {{(char *)HEAD, HEAD_LEN}, {body, BODY_LEN}};
            int k = 0;
            if (p->sent >= HEAD_LEN) {
                v[1].iov_base = body + (p->sent - HEAD_LEN);
                v[1].iov_len = BODY_LEN - (p->sent - HEAD_LEN);
                k = 1;
            } else {
                v[0].iov_base = (char *)HEAD + p->sent;
                v[0].iov_len = HEAD_LEN - p->sent;
            }
            struct msghdr m = {.msg_iov = v + k, .msg_iovlen = 2 - k};
            w = sendmsg(fd, &m, MSG_NOSIGNAL);
        } else if (p->sent < HEAD_LEN) {
            w = send(fd, HEAD + p->sent, HEAD_LEN - p->sent, MSG_NOSIGNAL | MSG_MORE);
        } else {
            off_t off = (off_t)(p->sent - HEAD_LEN);
            w = sendfile(fd, file, &off, BODY_LEN - (size_t)off);
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            want_out(fd, 1);
            return 0;
        }
        if (w <= 0) return -1;
        p->sent += (size_t)w;
        if (p->sent == HEAD_LEN + BODY_LEN) {
            p->sent = 0;
            p->queued--;
        }
    }
    want_out(fd, 0);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: big_floor PORT copy|FILE\n"); return 2; }
    int port = atoi(argv[1]);
    if (strcmp(argv[2], "copy") == 0) {
        body = malloc(BODY_LEN);
        if (!body) return 1;
        for (size_t i = 0; i < BODY_LEN; i++) body[i] = (char)('a' + i % 26);
    } else if ((file = open(argv[2], O_RDONLY)) < 0) {
        perror(argv[2]);
        return 1;
    }
    int ls;
    ep = floor_listen(port, &ls);
    if (ep < 0) return 1;
    struct epoll_event evs[256];
    static char in[65536];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                floor_accept(ls, ep, MAX_FD);
                continue;
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t r = recv(fd, in, sizeof in, 0);
                if (r <= 0) {
                    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
                    drop(fd);
                    continue;
                }
                /* request heads split across reads are not handled: wrk and urllib send each in one */
                for (char *q = in; (q = memmem(q, (size_t)(in + r - q), "\r\n\r\n", 4)); q += 4)
                    peers[fd].queued++;
            }
            if (pump(fd) < 0) drop(fd);
        }
    }
}
