/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The port layer: everything the core needs from the OS, behind one small
 * interface. It knows nothing of HTTP. src/port/posix/ implements it with BSD
 * sockets and POSIX; Linux-only calls stay inside it behind #ifdef with a
 * portable fallback beside them, so the same file builds for lwIP.
 */
#ifndef HTTPD_PORT_H
#define HTTPD_PORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define PORT_OK        0
#define PORT_AGAIN    (-1)
#define PORT_INVALID  (-2)
#define PORT_FAIL     (-3)
#define PORT_NOFD     (-4)

typedef struct port_wake { int rd, wr; } port_wake_t;
typedef pthread_t port_thread_t;
typedef pthread_mutex_t port_mutex_t;
typedef pthread_cond_t port_cond_t;
#define PORT_MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER
const char *port_last_error(void);
int  port_wake_fd(const port_wake_t *w);
void port_wake_close(port_wake_t *w);
void port_sleep_ms(unsigned ms);
int  port_thread_create(port_thread_t *t, size_t stack_size, void *(*fn)(void *), void *arg);
void port_thread_join(port_thread_t t);
bool port_thread_is_current(port_thread_t t);
void port_mutex_init(port_mutex_t *m);
void port_mutex_destroy(port_mutex_t *m);
void port_mutex_lock(port_mutex_t *m);
void port_mutex_unlock(port_mutex_t *m);
void port_cond_init(port_cond_t *c);
void port_cond_destroy(port_cond_t *c);
void port_cond_wait(port_cond_t *c, port_mutex_t *m);
void port_cond_signal(port_cond_t *c);

struct port_listen_opts {
    uint16_t    port;
    int         backlog;
    const char *ifname;      /* bind to this interface, or NULL */
};

/** Creates a non-blocking listening socket, IPv6 dual-stack where available,
 *  IPv4 otherwise. Returns the fd, or -1 with errno set. */
int port_listen(const struct port_listen_opts *o);

/** Accepts one connection as a non-blocking, close-on-exec fd; -1 with errno
 *  (EAGAIN when none is waiting). */
int port_accept(int listen_fd);

/** Per-connection socket options: TCP_NODELAY always; TCP keep-alive when
 *  keepalive is true (idle/interval/count in seconds/probes). 0 or -1. */
int port_tune_client(int fd, bool keepalive, int idle, int interval, int count);

/** SO_LINGER {on, seconds}. */
void port_set_linger(int fd, int seconds);

/** Half-closes the sending side (FIN after queued data). */
void port_shutdown_wr(int fd);

/** Shuts down both directions (pending and later I/O on fd fails). */
void port_shutdown_rdwr(int fd);

void port_close(int fd);

/** Send without raising SIGPIPE. Return as send()/sendmsg(). */
ssize_t port_send(int fd, const void *buf, size_t len, int flags);
ssize_t port_sendv(int fd, const struct iovec *iov, int iovcnt);
ssize_t port_recv(int fd, void *buf, size_t len, int flags);

/** Waits until fd is readable (or writable). 1 ready, 0 timed out, -1 error.
 *  timeout_ms < 0 waits forever. */
int port_wait_fd(int fd, bool for_write, int timeout_ms);

/** Wake-up channel: a private pipe (never a network port). fds[0] is read by
 *  the server loop, fds[1] written by any thread. Both non-blocking. */
int port_wake_open(port_wake_t *w);
void port_wake_signal(port_wake_t *w);
void port_wake_drain(port_wake_t *w);

/** Monotonic milliseconds. */
uint64_t port_now_ms(void);


#endif /* HTTPD_PORT_H */
