/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lwIP platform's types for port.h: lwIP's socket header for struct iovec
 * and ssize_t, pthreads for threads and locks (the host's, or the pthread
 * layer of an RTOS such as ESP-IDF's FreeRTOS), and the UDP wake-up channel
 * of lwip_wake.h.
 */
#ifndef HTTPD_PORT_PLATFORM_H
#define HTTPD_PORT_PLATFORM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lwip/sockets.h"

typedef pthread_t       port_thread_t;
typedef pthread_mutex_t port_mutex_t;
typedef pthread_cond_t  port_cond_t;
#define PORT_MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER
/* Smallest stack a handler gets: on ESP-IDF the configured stack_size as it
 * is; lwIP on a desktop system runs handlers on glibc, which needs more. */
#ifdef ESP_PLATFORM
#define PORT_MIN_HANDLER_STACK 0u
#else
#define PORT_MIN_HANDLER_STACK (64u * 1024u)
#endif

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

#include "lwip_wake.h"

#endif /* HTTPD_PORT_PLATFORM_H */
