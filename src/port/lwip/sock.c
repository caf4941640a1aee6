/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP port, sockets: lwip_* calls only. Listens dual-stack on IPv6 when lwIP
 * is built with it (LWIP_IPV6), on IPv4 otherwise. lwIP raises no SIGPIPE and
 * has no exec, so neither MSG_NOSIGNAL nor close-on-exec is needed. Failures
 * return PORT_* codes and leave errno for httpd__port_last_error().
 */
#include "port/lwip/lwip_port.h"

#include <string.h>

int httpd__lwip_set_nonblock(int fd)
{
    return lwip_fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ? -1 : 0;
}

void httpd__lwip_close_keep_errno(int fd)
{
    int e = errno;
    (void)lwip_close(fd);
    errno = e;
}

/* Binds fd to the port on the wildcard address of its family. */
static int bind_any(int fd, int family, uint16_t port)
{
#if LWIP_IPV6
    if (family == AF_INET6) {
        int zero = 0;   /* dual-stack: IPv4 clients reach it too */
        (void)lwip_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        struct sockaddr_in6 a6;
        memset(&a6, 0, sizeof a6);   /* the address :: */
        a6.sin6_family = AF_INET6;
        a6.sin6_port = lwip_htons(port);
        return lwip_bind(fd, (struct sockaddr *)&a6, sizeof a6);
    }
#endif
    (void)family;
    struct sockaddr_in a4;
    memset(&a4, 0, sizeof a4);   /* the address 0.0.0.0 */
    a4.sin_family = AF_INET;
    a4.sin_port = lwip_htons(port);
    return lwip_bind(fd, (struct sockaddr *)&a4, sizeof a4);
}

static int listen_on(int family, const struct port_listen_opts *o)
{
    int fd = lwip_socket(family, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    int one = 1;
    (void)lwip_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc = 0;
    if (o->ifname && o->ifname[0]) {
        /* lwIP names interfaces by two letters and a number ("st1"). */
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        size_t n = strlen(o->ifname);
        memcpy(ifr.ifr_name, o->ifname, n < sizeof ifr.ifr_name ? n : sizeof ifr.ifr_name - 1);
        rc = lwip_setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, &ifr, sizeof ifr);
    }
    if (rc < 0 || bind_any(fd, family, o->port) < 0 || lwip_listen(fd, o->backlog > 0 ? o->backlog : 1) < 0 ||
        httpd__lwip_set_nonblock(fd) < 0) {
        httpd__lwip_close_keep_errno(fd);
        return -1;
    }
    return fd;
}

int httpd__port_listen(const struct port_listen_opts *o)
{
#if LWIP_IPV6
    int fd = listen_on(AF_INET6, o);
#if LWIP_IPV4
    if (fd < 0 && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT || errno == EADDRNOTAVAIL)) {
        fd = listen_on(AF_INET, o);
    }
#endif
#else
    int fd = listen_on(AF_INET, o);
#endif
    return fd < 0 ? lwip_port_code(errno) : fd;
}

int httpd__port_accept(int listen_fd)
{
    for (;;) {
        int fd = lwip_accept(listen_fd, NULL, NULL);
        if (fd >= 0) {
            if (httpd__lwip_set_nonblock(fd) < 0) {
                httpd__lwip_close_keep_errno(fd);
                return PORT_FAIL;
            }
            return fd;
        }
        if (errno == ENOMEM || errno == ENOBUFS) {
            return PORT_NOFD;   /* lwIP's sockets and connections come from its memory pools */
        }
        if (errno != EINTR && errno != ECONNABORTED) {
            int rc = lwip_port_code(errno);
            /* The caller acts on "none waiting" and "out of descriptors" only. */
            return rc == PORT_AGAIN || rc == PORT_NOFD ? rc : PORT_FAIL;
        }
    }
}

int httpd__port_tune_client(int fd, bool keepalive, int idle, int interval, int count)
{
    int one = 1;
    if (lwip_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        return lwip_port_code(errno);
    }
    if (keepalive) {
        if (lwip_setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) < 0) {
            return lwip_port_code(errno);
        }
#if LWIP_TCP_KEEPALIVE
        if (lwip_setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) < 0 ||
            lwip_setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval) < 0 ||
            lwip_setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count) < 0) {
            return lwip_port_code(errno);
        }
#endif
    }
    (void)idle; (void)interval; (void)count;
    return PORT_OK;
}

void httpd__port_set_linger(int fd, int seconds)
{
    struct linger l = { .l_onoff = 1, .l_linger = seconds };
    (void)lwip_setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
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

ssize_t httpd__port_send(int fd, const void *buf, size_t len, int flags)
{
    ssize_t n = lwip_send(fd, buf, len, flags);
    return n >= 0 ? n : lwip_port_code(errno);
}

ssize_t httpd__port_sendv(int fd, const struct iovec *iov, int iovcnt)
{
    ssize_t n = lwip_writev(fd, iov, iovcnt);
    return n >= 0 ? n : lwip_port_code(errno);
}

ssize_t httpd__port_recv(int fd, void *buf, size_t len, int flags)
{
    ssize_t n = lwip_recv(fd, buf, len, flags);
    return n >= 0 ? n : lwip_port_code(errno);
}

int httpd__port_wait_fd(int fd, bool for_write, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = for_write ? POLLOUT : POLLIN, .revents = 0 };
    int rc = lwip_poll(&p, 1, timeout_ms);
    if (rc < 0) {
        return lwip_port_code(errno);
    }
    return rc > 0 ? 1 : 0;
}
