/* SPDX-License-Identifier: Apache-2.0 */
/* The listening socket and the accept loop shared by the syscall-floor servers (floor.c,
 * ws_floor.c, big_floor.c): 127.0.0.1:PORT, non-blocking, level-triggered epoll. */
#ifndef BENCH_FLOOR_NET_H
#define BENCH_FLOOR_NET_H
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Listens on 127.0.0.1:port and returns an epoll instance watching it (data.fd = *ls), or -1. */
static int floor_listen(int port, int *ls)
{
    int one = 1;
    *ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    setsockopt(*ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001)};
    if (bind(*ls, (void *)&a, sizeof a) || listen(*ls, 1024)) { perror("listen"); return -1; }
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = *ls};
    epoll_ctl(ep, EPOLL_CTL_ADD, *ls, &ev);
    return ep;
}

/* Accepts every pending connection: non-blocking, TCP_NODELAY, watched for EPOLLIN; fds at
 * or above max_fd are closed (0: no limit). */
static void floor_accept(int ls, int ep, int max_fd)
{
    int c, one = 1;
    while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
        if (max_fd && c >= max_fd) { close(c); continue; }
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
    }
}
#endif
