/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The POSIX platform's types for port.h: pthreads, and a private pipe as the
 * loop's wake-up channel. The lwIP port on a system with pthreads (ESP-IDF's
 * FreeRTOS layer, Linux) has its own copy of the thread half.
 */
#ifndef HTTPD_PORT_PLATFORM_H
#define HTTPD_PORT_PLATFORM_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef pthread_t       port_thread_t;
typedef pthread_mutex_t port_mutex_t;
typedef pthread_cond_t  port_cond_t;
#define PORT_MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER
/* Smallest stack a handler gets (glibc code needs far more than an ESP32 task). */
#define PORT_MIN_HANDLER_STACK (64u * 1024u)

static inline void httpd__port_thread_join(port_thread_t t) { (void)pthread_join(t, NULL); }
static inline bool httpd__port_thread_is_current(port_thread_t t) { return pthread_equal(pthread_self(), t) != 0; }
static inline void httpd__port_mutex_init(port_mutex_t *m) { (void)pthread_mutex_init(m, NULL); }
static inline void httpd__port_mutex_destroy(port_mutex_t *m) { (void)pthread_mutex_destroy(m); }
static inline void httpd__port_mutex_lock(port_mutex_t *m) { (void)pthread_mutex_lock(m); }
static inline void httpd__port_mutex_unlock(port_mutex_t *m) { (void)pthread_mutex_unlock(m); }
static inline void httpd__port_cond_init(port_cond_t *c) { (void)pthread_cond_init(c, NULL); }
static inline void httpd__port_cond_destroy(port_cond_t *c) { (void)pthread_cond_destroy(c); }
static inline void httpd__port_cond_wait(port_cond_t *c, port_mutex_t *m) { (void)pthread_cond_wait(c, m); }
static inline void httpd__port_cond_signal(port_cond_t *c) { (void)pthread_cond_signal(c); }

/* A private pipe (never a network port): rd watched by the loop, wr written
 * by any thread. -1 while closed. */
struct port_wake {
    int rd;
    int wr;
};
#define PORT_WAKE_INITIALIZER { -1, -1 }

typedef struct port_wake port_wake_t;

#endif /* HTTPD_PORT_PLATFORM_H */
