/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP port, sockets: lwip_* calls only. Listens dual-stack on [::] when lwIP
 * is built with IPv6 (LWIP_IPV6), on 0.0.0.0 otherwise. lwIP raises no
 * SIGPIPE and has no exec, so neither MSG_NOSIGNAL nor close-on-exec is
 * needed. Failures return PORT_* codes and leave errno for
 * httpd__port_last_error().
 */
#include "port/lwip/lwip_port.h"

#include <string.h>

int httpd__lwip_code(void)
{
    int e = errno;   /* (tests in a row: shorter than a switch) */
    return e == EAGAIN || e == EWOULDBLOCK             ? PORT_AGAIN
           : e == EINVAL || e == EBADF || e == EFAULT ? PORT_INVALID
                                                      : PORT_FAIL;
}

int httpd__lwip_close_failed(int fd)
{
    int *ep = &errno;   /* (one look-up of the thread's errno) */
    int e = *ep;
    int rc = httpd__lwip_code();
    (void)lwip_close(fd);
    *ep = e;
    return rc;
}

/* lwip_fcntl(F_SETFL, O_NONBLOCK) fails only for a descriptor that is not a
 * socket, which neither caller below can hand it. */
static void set_nonblock(int fd)
{
    (void)lwip_fcntl(fd, F_SETFL, O_NONBLOCK);
}

int httpd__port_listen(const struct port_listen_opts *o)
{
    /* An IPv6 socket bound to :: takes IPv4 clients too: lwIP's IPV6_V6ONLY
     * is off unless set. A backlog of 0 or less is lwIP's 1. */
#if LWIP_IPV6
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = PP_HTONS(o->port) };
#else
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = PP_HTONS(o->port) };
#endif
    int fd = lwip_socket(LWIP_IPV6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return httpd__lwip_code();
    }
#if SO_REUSE   /* without it lwIP has no SO_REUSEADDR */
    int one = 1;
    (void)lwip_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
#endif
    int rc = 0;
    if (o->ifname) {
        /* lwIP names interfaces by two letters and a number ("st1"); an
         * empty name binds to none. */
        struct ifreq ifr;   /* (lwIP's has the name only; strncpy pads it with NULs) */
        strncpy(ifr.ifr_name, o->ifname, sizeof ifr.ifr_name - 1);
        ifr.ifr_name[sizeof ifr.ifr_name - 1] = '\0';
        rc = lwip_setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, &ifr, sizeof ifr);
    }
    if (rc < 0 || lwip_bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || lwip_listen(fd, o->backlog) < 0) {
        return httpd__lwip_close_failed(fd);
    }
    set_nonblock(fd);
    return fd;
}

int httpd__port_accept(int listen_fd)
{
    int fd = lwip_accept(listen_fd, NULL, NULL);
    if (fd >= 0) {
        set_nonblock(fd);
        return fd;
    }
    int e = errno;
    /* lwIP's sockets and connections come from its memory pools. */
    if (e == ENFILE || e == ENOMEM || e == ENOBUFS) {
        return PORT_NOFD;
    }
    /* A connection aborted in the backlog: the next turn accepts the others. */
    return e == EAGAIN || e == EWOULDBLOCK || e == ECONNABORTED ? PORT_AGAIN : PORT_FAIL;
}

int httpd__port_tune_client(int fd, bool keepalive, int idle, int interval, int count)
{
    /* TCP_NODELAY; with keep-alive SO_KEEPALIVE, then (where lwIP has them)
     * the idle time and interval in seconds and the count of probes. */
    static const uint8_t opt[] = { TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT };
    int val[] = { 1, 1, idle, interval, count };
    int n = !keepalive ? 1 : LWIP_TCP_KEEPALIVE ? 5 : 2;
    for (int i = 0; i < n; i++) {
        if (lwip_setsockopt(fd, i == 1 ? SOL_SOCKET : IPPROTO_TCP, opt[i], &val[i], sizeof val[i]) < 0) {
            return httpd__lwip_code();
        }
    }
    return PORT_OK;
}

void httpd__port_set_linger(int fd, int seconds)
{
#if LWIP_SO_LINGER   /* without it lwIP has no SO_LINGER */
    struct linger l = { .l_onoff = 1, .l_linger = seconds };
    (void)lwip_setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
#else
    (void)fd; (void)seconds;
#endif
}

void httpd__port_shutdown_wr(int fd)
{
    (void)lwip_shutdown(fd, SHUT_WR);
}

void httpd__port_shutdown_rdwr(int fd)
{
    (void)lwip_shutdown(fd, SHUT_RDWR);
}

void httpd__port_close(int fd)
{
    if (fd >= 0) {
        (void)lwip_close(fd);
    }
}

/* An lwIP call's result: n itself, or the PORT_* code of its failure (one
 * copy of the test for the calls below). */
__attribute__((noinline)) static ssize_t io_result(ssize_t n)
{
    return n < 0 ? httpd__lwip_code() : n;
}

ssize_t httpd__port_send(int fd, const void *buf, size_t len, int flags)
{
    return io_result(lwip_send(fd, buf, len, flags));
}

ssize_t httpd__port_sendv(int fd, const struct iovec *iov, int iovcnt)
{
    return io_result(lwip_writev(fd, iov, iovcnt));
}

ssize_t httpd__port_recv(int fd, void *buf, size_t len, int flags)
{
    return io_result(lwip_recv(fd, buf, len, flags));
}

int httpd__port_wait_fd(int fd, bool for_write, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = for_write ? POLLOUT : POLLIN, .revents = 0 };
    return (int)io_result(lwip_poll(&p, 1, timeout_ms));   /* 1 ready, 0 timed out */
}
