/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX port, sockets: BSD sockets. Builds on Linux and on lwIP's POSIX
 * socket layer; Linux-only options are used only where their macros exist,
 * with a portable path beside them. Failures return PORT_* codes and leave
 * errno for httpd__port_last_error().
 */
#include "port/posix/posix.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/syscall.h>

#include "port/linux/syscall_direct.h"
#endif

int httpd__posix_set_nonblock_cloexec(int fd)
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
    if (rc < 0 || listen(fd, o->backlog > 0 ? o->backlog : 1) < 0 || httpd__posix_set_nonblock_cloexec(fd) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int httpd__port_listen(const struct port_listen_opts *o)
{
    int fd = listen_on(AF_INET6, o);
    if (fd < 0 && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT || errno == EADDRNOTAVAIL)) {
        fd = listen_on(AF_INET, o);
    }
    return fd < 0 ? posix_code(errno) : fd;
}

int httpd__port_accept(int listen_fd)
{
    for (;;) {
#if defined(__linux__) && defined(SOCK_NONBLOCK)
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
        int fd = accept(listen_fd, NULL, NULL);
        if (fd >= 0 && httpd__posix_set_nonblock_cloexec(fd) < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return PORT_FAIL;
        }
#endif
        if (fd >= 0) {
            return fd;
        }
        if (errno != EINTR && errno != ECONNABORTED) {
            int rc = posix_code(errno);
            /* The caller acts on "none waiting" and "out of descriptors" only. */
            return rc == PORT_AGAIN || rc == PORT_NOFD ? rc : PORT_FAIL;
        }
    }
}

int httpd__port_tune_client(int fd, bool keepalive, int idle, int interval, int count)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        return posix_code(errno);
    }
#if defined(SO_NOSIGPIPE)
    (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    if (keepalive) {
        if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) < 0) {
            return posix_code(errno);
        }
#ifdef TCP_KEEPIDLE
        if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) < 0) {
            return posix_code(errno);
        }
#endif
#ifdef TCP_KEEPINTVL
        if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval) < 0) {
            return posix_code(errno);
        }
#endif
#ifdef TCP_KEEPCNT
        if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count) < 0) {
            return posix_code(errno);
        }
#endif
        (void)idle; (void)interval; (void)count;
    }
    return PORT_OK;
}

void httpd__port_set_linger(int fd, int seconds)
{
    struct linger l = { .l_onoff = 1, .l_linger = seconds };
    (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

void httpd__port_shutdown_wr(int fd)
{
    (void)shutdown(fd, SHUT_WR);
}

void httpd__port_shutdown_rdwr(int fd)
{
    (void)shutdown(fd, SHUT_RDWR);
}

void httpd__port_close(int fd)
{
    if (fd >= 0) {
        (void)close(fd);
    }
}

#ifdef MSG_NOSIGNAL
#define PORT_NOSIGNAL MSG_NOSIGNAL
#else
#define PORT_NOSIGNAL 0   /* SO_NOSIGPIPE (set in httpd__port_tune_client) or no SIGPIPE at all (lwIP) */
#endif

/* glibc makes send, sendmsg and recv cancellation points: in a process with
 * threads each call is wrapped in two locked read-modify-writes of the
 * thread's cancellation state. The server cancels no thread, so on Linux the
 * request path enters the kernel directly (port/linux/syscall_direct.h: in
 * line on x86-64 and AArch64, else syscall(2), which is not a cancellation
 * point either); elsewhere the libc calls. */
#if defined(PORT_SYSCALL) && defined(SYS_sendmsg) && defined(SYS_recvfrom) && defined(SYS_sendto)
#define SYS_SEND(fd, buf, len, fl)  PORT_SYSCALL(SYS_sendto, (fd), (buf), (len), (fl), 0, 0)
#define SYS_SENDMSG(fd, m, fl)      PORT_SYSCALL(SYS_sendmsg, (fd), (m), (fl), 0, 0, 0)
#define SYS_RECV(fd, buf, len, fl)  PORT_SYSCALL(SYS_recvfrom, (fd), (buf), (len), (fl), 0, 0)
#else
#define SYS_SEND(fd, buf, len, fl)  send((fd), (buf), (len), (fl))
#define SYS_SENDMSG(fd, m, fl)      sendmsg((fd), (m), (fl))
#define SYS_RECV(fd, buf, len, fl)  recv((fd), (buf), (len), (fl))
#endif

/* One send(2), retried when interrupted. Thin on purpose: the request path
 * pays the syscall and one test; errno is read only once the call has failed. */
static inline ssize_t send_bytes(int fd, const void *buf, size_t len, int flags)
{
    for (;;) {
        ssize_t n = SYS_SEND(fd, buf, len, flags | PORT_NOSIGNAL);
        if (n >= 0) {
            return n;
        }
        if (errno != EINTR) {
            return posix_code(errno);
        }
    }
}

/* One sendmsg(2) of the iovecs, retried when interrupted, as send_bytes(). */
static inline ssize_t sendmsg_iov(int fd, const struct iovec *iov, int iovcnt, int flags)
{
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = (struct iovec *)iov;
    m.msg_iovlen = (size_t)iovcnt;
    for (;;) {
        ssize_t n = SYS_SENDMSG(fd, &m, flags | PORT_NOSIGNAL);
        if (n >= 0) {
            return n;
        }
        if (errno != EINTR) {
            return posix_code(errno);
        }
    }
}

#if HTTPD_RODATA_SENDFILE
/* Read-only program data (a const asset of the program) leaves with sendfile()
 * from the program's file, without the copy into the socket buffer
 * (port/linux/rodata_file.c says which spans, once it has checked the file
 * against memory). sendfile() has no MSG_NOSIGNAL: SIGPIPE is blocked in the
 * calling thread around it, and one it raised is taken back, so the process
 * sees what a send with MSG_NOSIGNAL would have done (a SIGPIPE the caller
 * already had pending stays pending). */
#include <signal.h>
#include <sys/sendfile.h>

#include "port/linux/rodata_file.h"

#define RODATA_UNUSABLE (PORT_FAIL - 100)   /* not a PORT_* code: send from memory instead */

static ssize_t send_rodata(int sock, int file, off_t off, size_t len)
{
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    if (pthread_sigmask(SIG_BLOCK, &pipe_set, &old) != 0) {
        return RODATA_UNUSABLE;
    }
    bool was_pending = false;   /* a SIGPIPE the caller had blocked and not yet taken */
    if (sigismember(&old, SIGPIPE)) {
        sigset_t pend;
        was_pending = sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE);
    }
    ssize_t n;
    do {
        n = sendfile(sock, file, &off, len);
    } while (n < 0 && errno == EINTR);
    int err = errno;
    if ((n < 0 || (size_t)n < len) && !was_pending) {
        /* Cut short: the peer may be gone, and SIGPIPE raised even when some
         * bytes went first. Take it back, if it came. */
        static const struct timespec now = { 0, 0 };
        (void)sigtimedwait(&pipe_set, NULL, &now);
    }
    (void)pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = err;
    if (n > 0) {
        return n;
    }
    if (n == 0 || err == EINVAL || err == ENOSYS || err == EOPNOTSUPP) {
        httpd__port_rodata_file_off();   /* the file system does not sendfile() it: never again */
        return RODATA_UNUSABLE;
    }
    return posix_code(err);
}

/* The iovecs up to the first long span of read-only program data, or that
 * span itself when it comes first: sent, or RODATA_UNUSABLE when there is
 * none (or it cannot be used) and the caller sends from memory. Out of line:
 * only sends with a long iovec come here. */
__attribute__((noinline)) static ssize_t sendv_rodata(int fd, const struct iovec *iov, int iovcnt)
{
    for (int i = 0; i < iovcnt; i++) {
        off_t off;
        int file;
        if (iov[i].iov_len < HTTPD_RODATA_SENDFILE_MIN
            || (file = httpd__port_rodata_file(iov[i].iov_base, iov[i].iov_len, &off)) < 0) {
            continue;
        }
        if (i == 0) {
            return send_rodata(fd, file, off, iov[0].iov_len);
        }
        /* What comes before it (the response head) goes first, held back
         * (MSG_MORE) to leave in one segment with the file's first bytes. */
        return sendmsg_iov(fd, iov, i, MSG_MORE);
    }
    return RODATA_UNUSABLE;
}
#endif

ssize_t httpd__port_send(int fd, const void *buf, size_t len, int flags)
{
#if HTTPD_RODATA_SENDFILE
    if (len >= HTTPD_RODATA_SENDFILE_MIN && flags == 0) {
        struct iovec one = { (void *)(uintptr_t)buf, len };
        ssize_t n = sendv_rodata(fd, &one, 1);
        if (n != RODATA_UNUSABLE) {
            return n;
        }
    }
#endif
    return send_bytes(fd, buf, len, flags);
}

ssize_t httpd__port_sendv(int fd, const struct iovec *iov, int iovcnt)
{
#if HTTPD_RODATA_SENDFILE
    size_t any = 0;   /* has a bit at 2^15 or above when an iovec is 32 KiB or longer */
    if (iovcnt > 0) {
        any = iov[0].iov_len;
        for (int i = 1; i < iovcnt; i++) {
            any |= iov[i].iov_len;
        }
    }
    if (any >= HTTPD_RODATA_SENDFILE_MIN) {
        ssize_t n = sendv_rodata(fd, iov, iovcnt);
        if (n != RODATA_UNUSABLE) {
            return n;
        }
    }
#endif
    if (iovcnt == 1) {
        return send_bytes(fd, iov->iov_base, iov->iov_len, 0);
    }
    return sendmsg_iov(fd, iov, iovcnt, 0);
}

ssize_t httpd__port_recv(int fd, void *buf, size_t len, int flags)
{
    for (;;) {
        ssize_t n = SYS_RECV(fd, buf, len, flags);
        if (n >= 0) {
            return n;
        }
        if (errno != EINTR) {
            return posix_code(errno);
        }
    }
}

int httpd__port_wait_fd(int fd, bool for_write, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = for_write ? POLLOUT : POLLIN, .revents = 0 };
    for (;;) {
        int rc = poll(&p, 1, timeout_ms);
        if (rc < 0 && errno == EINTR) {
            continue;
        }
        if (rc < 0) {
            return posix_code(errno);
        }
        return rc > 0 ? 1 : 0;
    }
}
