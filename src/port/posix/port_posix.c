/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX port: BSD sockets, pipe wake-up, monotonic clock. Builds on Linux and
 * on lwIP's POSIX socket layer; Linux-only options are used only where their
 * macros exist, with a portable path beside them.
 */
#include "port/port.h"
#include <stdlib.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

static int port_code(void)
{
    switch (errno) {
    case EAGAIN:
#if defined(EWOULDBLOCK) && EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EINTR:
        return PORT_AGAIN;
    case EINVAL:
    case EBADF:
    case EFAULT:
    case ENOTSOCK:
        return PORT_INVALID;
    case EMFILE:
    case ENFILE:
        return PORT_NOFD;
    default:
        return PORT_FAIL;
    }
}

static int set_nonblock_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        return -1;
    }
#ifdef FD_CLOEXEC
    int fdfl = fcntl(fd, F_GETFD, 0);
    if (fdfl >= 0) {
        (void)fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC);
    }
#endif
    return 0;
}

static int listen_on(int family, const struct port_listen_opts *o)
{
    int fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (o->ifname && o->ifname[0]) {
#ifdef SO_BINDTODEVICE
        if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->ifname, (socklen_t)strlen(o->ifname) + 1) < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
#else
        close(fd);
        errno = ENOTSUP;
        return -1;
#endif
    }
    int rc;
    if (family == AF_INET6) {
        int zero = 0;
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        struct sockaddr_in6 a6;
        memset(&a6, 0, sizeof a6);
        a6.sin6_family = AF_INET6;
        a6.sin6_addr = in6addr_any;
        a6.sin6_port = htons(o->port);
        rc = bind(fd, (struct sockaddr *)&a6, sizeof a6);
    } else {
        struct sockaddr_in a4;
        memset(&a4, 0, sizeof a4);
        a4.sin_family = AF_INET;
        a4.sin_addr.s_addr = htonl(INADDR_ANY);
        a4.sin_port = htons(o->port);
        rc = bind(fd, (struct sockaddr *)&a4, sizeof a4);
    }
    if (rc < 0 || listen(fd, o->backlog > 0 ? o->backlog : 1) < 0 || set_nonblock_cloexec(fd) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int port_listen(const struct port_listen_opts *o)
{
    int fd = listen_on(AF_INET6, o);
    if (fd < 0 && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT || errno == EADDRNOTAVAIL)) {
        fd = listen_on(AF_INET, o);
    }
    return fd;
}

int port_accept(int listen_fd)
{
    for (;;) {
#if defined(__linux__) && defined(SOCK_NONBLOCK)
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
        int fd = accept(listen_fd, NULL, NULL);
        if (fd >= 0 && set_nonblock_cloexec(fd) < 0) {
            close(fd);
            return -1;
        }
#endif
        if (fd < 0 && (errno == EINTR || errno == ECONNABORTED)) {
            continue;
        }
        return fd < 0 ? port_code() : fd;
    }
}

int port_tune_client(int fd, bool keepalive, int idle, int interval, int count)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        return -1;
    }
#if defined(SO_NOSIGPIPE)
    (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    if (keepalive) {
        if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) < 0) {
            return -1;
        }
#ifdef TCP_KEEPIDLE
        if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) < 0) {
            return -1;
        }
#endif
#ifdef TCP_KEEPINTVL
        if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval) < 0) {
            return -1;
        }
#endif
#ifdef TCP_KEEPCNT
        if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count) < 0) {
            return -1;
        }
#endif
        (void)idle; (void)interval; (void)count;
    }
    return 0;
}

void port_set_linger(int fd, int seconds)
{
    struct linger l = { .l_onoff = 1, .l_linger = seconds };
    (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

void port_shutdown_wr(int fd)
{
    (void)shutdown(fd, SHUT_WR);
}

void port_shutdown_rdwr(int fd)
{
    (void)shutdown(fd, SHUT_RDWR);
}

void port_close(int fd)
{
    if (fd >= 0) {
        (void)close(fd);
    }
}

#ifdef MSG_NOSIGNAL
#define PORT_NOSIGNAL MSG_NOSIGNAL
#else
#define PORT_NOSIGNAL 0   /* SO_NOSIGPIPE (set in port_tune_client) or no SIGPIPE at all (lwIP) */
#endif

/* glibc makes send, sendmsg and recv cancellation points: in a process with
 * threads each call is wrapped in two locked read-modify-writes of the
 * thread's cancellation state. The server cancels no thread, so on Linux the
 * request path enters the kernel directly (syscall(2) is not a cancellation
 * point); elsewhere the libc calls. */
#if defined(__linux__) && defined(SYS_sendmsg) && defined(SYS_recvfrom) && defined(SYS_sendto)
#define SYS_SEND(fd, buf, len, fl)  syscall(SYS_sendto, (fd), (buf), (len), (fl), NULL, 0)
#define SYS_SENDMSG(fd, m, fl)      syscall(SYS_sendmsg, (fd), (m), (fl))
#define SYS_RECV(fd, buf, len, fl)  syscall(SYS_recvfrom, (fd), (buf), (len), (fl), NULL, NULL)
#else
#define SYS_SEND(fd, buf, len, fl)  send((fd), (buf), (len), (fl))
#define SYS_SENDMSG(fd, m, fl)      sendmsg((fd), (m), (fl))
#define SYS_RECV(fd, buf, len, fl)  recv((fd), (buf), (len), (fl))
#endif

ssize_t port_send(int fd, const void *buf, size_t len, int flags)
{
    ssize_t n;
    do {
        n = SYS_SEND(fd, buf, len, flags | PORT_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? port_code() : n;
}

ssize_t port_sendv(int fd, const struct iovec *iov, int iovcnt)
{
    if (iovcnt == 1) {
        return port_send(fd, iov->iov_base, iov->iov_len, 0);
    }
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = (struct iovec *)iov;
    m.msg_iovlen = (size_t)iovcnt;
    ssize_t n;
    do {
        n = SYS_SENDMSG(fd, &m, PORT_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? port_code() : n;
}

ssize_t port_recv(int fd, void *buf, size_t len, int flags)
{
    ssize_t n;
    do {
        n = SYS_RECV(fd, buf, len, flags);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? port_code() : n;
}

int port_wait_fd(int fd, bool for_write, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = for_write ? POLLOUT : POLLIN, .revents = 0 };
    for (;;) {
        int rc = poll(&p, 1, timeout_ms);
        if (rc < 0 && errno == EINTR) {
            continue;
        }
        if (rc < 0) {
            return -1;
        }
        return rc > 0 ? 1 : 0;
    }
}

const char *port_last_error(void)
{
    return strerror(errno);
}

int port_wake_open(port_wake_t *w)
{
    int fds[2];
    if (pipe(fds) < 0) {
        return PORT_FAIL;
    }
    if (set_nonblock_cloexec(fds[0]) < 0 || set_nonblock_cloexec(fds[1]) < 0) {
        close(fds[0]);
        close(fds[1]);
        return PORT_FAIL;
    }
    w->rd = fds[0];
    w->wr = fds[1];
    return PORT_OK;
}

int port_wake_fd(const port_wake_t *w)
{
    return w->rd;
}

void port_wake_close(port_wake_t *w)
{
    close(w->rd);
    close(w->wr);
}

void port_wake_signal(port_wake_t *w)
{
    char c = 1;
    ssize_t n;
    do {
        n = write(w->wr, &c, 1);
    } while (n < 0 && errno == EINTR);
}

void port_wake_drain(port_wake_t *w)
{
    char buf[64];
    while (read(w->rd, buf, sizeof buf) > 0) {
    }
}

uint64_t port_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void port_sleep_ms(unsigned ms)
{
    struct timespec ts = { .tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L };
    nanosleep(&ts, NULL);
}

int port_thread_create(port_thread_t *t, size_t stack_size, void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    size_t def_stack = 0;
    pthread_attr_getstacksize(&attr, &def_stack);
    if (stack_size > def_stack) {
        pthread_attr_setstacksize(&attr, stack_size);
    }
    int rc = pthread_create(t, &attr, fn, arg);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        errno = rc;
        return PORT_FAIL;
    }
    return PORT_OK;
}

void port_thread_join(port_thread_t t) { pthread_join(t, NULL); }
bool port_thread_is_current(port_thread_t t) { return pthread_equal(pthread_self(), t) != 0; }
void port_mutex_init(port_mutex_t *m) { pthread_mutex_init(m, NULL); }
void port_mutex_destroy(port_mutex_t *m) { pthread_mutex_destroy(m); }
void port_mutex_lock(port_mutex_t *m) { pthread_mutex_lock(m); }
void port_mutex_unlock(port_mutex_t *m) { pthread_mutex_unlock(m); }
void port_cond_init(port_cond_t *c) { pthread_cond_init(c, NULL); }
void port_cond_destroy(port_cond_t *c) { pthread_cond_destroy(c); }
void port_cond_wait(port_cond_t *c, port_mutex_t *m) { pthread_cond_wait(c, m); }
void port_cond_signal(port_cond_t *c) { pthread_cond_signal(c); }
