/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The port layer: everything the core needs from the OS (sockets, the wake-up
 * channel, clock and sleep, threads and locks, coroutine stack memory) behind
 * one small interface. It knows nothing of HTTP and returns its own PORT_*
 * codes, never errno values; the core above never calls the OS itself.
 * One folder per platform implements it: src/port/posix/ (BSD sockets, a
 * pipe, pthreads, mmap'd stacks, poll), src/port/linux/ (epoll, beside the
 * POSIX files), src/port/lwip/ (lwip_* sockets, a UDP wake-up) and
 * src/port/esp-idf/ (FreeRTOS tasks, beside the lwIP files).
 */
#ifndef HTTPD_PORT_H
#define HTTPD_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Platform types ---------------------------------------------------------------
 * port_platform.h comes from the platform's own folder (src/port/<platform>/,
 * on the include path of a build for that platform). It provides ssize_t and
 * struct iovec, the types the core treats as opaque (port_thread_t,
 * port_mutex_t, port_cond_t, port_wake_t with PORT_WAKE_INITIALIZER), and the
 * thread, mutex and condition calls below, usually inline:
 *
 *   void httpd__port_thread_join(port_thread_t t);
 *   bool httpd__port_thread_is_current(port_thread_t t);
 *   void httpd__port_mutex_init(port_mutex_t *m);     ..._destroy, _lock, _unlock
 *   void httpd__port_cond_init(port_cond_t *c);       ..._destroy, _signal
 *   void httpd__port_cond_wait(port_cond_t *c, port_mutex_t *m);
 *
 * and PORT_MIN_HANDLER_STACK, the smallest stack a handler coroutine gets. */
#include "port_platform.h"

/* ---- Result codes -----------------------------------------------------------------
 * Of port calls: never errno values, never HTTPD_* values. */
#define PORT_OK        0
#define PORT_AGAIN    (-1)   /* would block, or interrupted: try again later */
#define PORT_INVALID  (-2)   /* bad descriptor or argument */
#define PORT_FAIL     (-3)   /* any other failure (connection reset, ...) */
#define PORT_NOFD     (-4)   /* accept: out of descriptors (EMFILE/ENFILE) */

/** Text of the last failure of a port call on this thread, for logs
 *  (strerror(errno) on POSIX). */
const char *httpd__port_last_error(void);

/* ---- Sockets ---------------------------------------------------------------------- */

struct port_listen_opts {
    uint16_t    port;
    int         backlog;
    const char *ifname;      /* bind to this interface, or NULL */
};

/** Creates a non-blocking listening socket, IPv6 dual-stack where available,
 *  IPv4 otherwise. Returns the fd, or a PORT_* code < 0. */
int httpd__port_listen(const struct port_listen_opts *o);

/** Accepts one connection as a non-blocking, close-on-exec fd. Returns the fd,
 *  or PORT_AGAIN (none waiting), PORT_NOFD (out of descriptors), PORT_FAIL. */
int httpd__port_accept(int listen_fd);

/** Per-connection socket options: TCP_NODELAY always; TCP keep-alive when
 *  keepalive is true (idle/interval/count in seconds/probes). PORT_OK or a
 *  PORT_* code < 0. */
int httpd__port_tune_client(int fd, bool keepalive, int idle, int interval, int count);

/** SO_LINGER {on, seconds}. */
void httpd__port_set_linger(int fd, int seconds);

/** Half-closes the sending side (FIN after queued data). */
void httpd__port_shutdown_wr(int fd);

/** Shuts down both directions (pending and later I/O on fd fails). */
void httpd__port_shutdown_rdwr(int fd);

void httpd__port_close(int fd);

/** Process-wide resources of the port, held while any server exists
 *  (counted): each server takes them as it is built and gives them back as it
 *  is freed. Linux builds with HTTPD_RODATA_SENDFILE: the program's own file,
 *  open for sendfile() of its read-only data (port/linux/rodata_file.c);
 *  elsewhere nothing. */
#if HTTPD_RODATA_SENDFILE
void httpd__port_server_hold(void);
void httpd__port_server_release(void);
#else
static inline void httpd__port_server_hold(void) {}
static inline void httpd__port_server_release(void) {}
#endif

/** Send without raising SIGPIPE; receive. Return the byte count (recv: 0 =
 *  peer closed), or a PORT_* code < 0 (PORT_AGAIN when it would block). */
ssize_t httpd__port_send(int fd, const void *buf, size_t len, int flags);
ssize_t httpd__port_sendv(int fd, const struct iovec *iov, int iovcnt);
ssize_t httpd__port_recv(int fd, void *buf, size_t len, int flags);

/** Waits until fd is readable (or writable). 1 ready, 0 timed out, or a
 *  PORT_* code < 0. timeout_ms < 0 waits forever. */
int httpd__port_wait_fd(int fd, bool for_write, int timeout_ms);

/* ---- Wake-up channel -------------------------------------------------------------- */

/** Opens the channel (a closed one holds PORT_WAKE_INITIALIZER). PORT_OK or
 *  PORT_FAIL. */
int httpd__port_wake_open(port_wake_t *w);
/** The descriptor the loop watches for reading. */
int httpd__port_wake_fd(const port_wake_t *w);
/** Wakes the loop; any thread. */
void httpd__port_wake_signal(port_wake_t *w);
/** Consumes pending wake-ups; loop thread. */
void httpd__port_wake_drain(port_wake_t *w);
/** Closes the channel; harmless on a closed one. */
void httpd__port_wake_close(port_wake_t *w);

/* ---- Clock and sleep -------------------------------------------------------------- */

/** Monotonic milliseconds. */
uint64_t httpd__port_now_ms(void);
void httpd__port_sleep_ms(unsigned ms);

/* ---- Threads, locks, condition variables ------------------------------------------ */

struct port_thread_opts {
    const char *name;        /* for the platform's task list, where it keeps one */
    size_t      stack_size;  /* bytes; 0: the platform's default */
    bool        exact_stack; /* stack_size exactly, even below the default (at least the platform's
                              * minimum, whole pages where it has them): many small threads */
    unsigned    priority;    /* the platform's scale (FreeRTOS); ignored where threads have none */
    int         core_id;     /* pin to this core; PORT_ANY_CORE: wherever the scheduler likes */
};
#define PORT_ANY_CORE (-1)

/** Starts fn(arg) on a new thread. On POSIX a stack size only ever raises the
 *  default (glibc code needs more than an ESP32 task) unless exact_stack is
 *  set; priority and core are ignored. ESP-IDF honours all three.
 *  PORT_OK or a PORT_* code < 0. */
int httpd__port_thread_create(port_thread_t *t, const struct port_thread_opts *o, void *(*fn)(void *), void *arg);
/* Join, identity, mutexes and condition variables: one call each on POSIX,
 * inline (see the platform block at the top). The mutex and condition calls
 * cannot fail with valid, default-attribute objects used correctly, so they
 * return nothing. */

/* ---- Stack memory for coroutines -------------------------------------------------- */

size_t httpd__port_page_size(void);
/** A read-write mapping of len bytes (guard page + stack, a multiple of
 *  httpd__port_page_size()) whose first httpd__port_page_size() bytes are inaccessible, so a
 *  stack overflow faults instead of corrupting memory. NULL on failure. */
void *httpd__port_stack_map(size_t len);
void httpd__port_stack_unmap(void *map, size_t len);

#endif /* HTTPD_PORT_H */
