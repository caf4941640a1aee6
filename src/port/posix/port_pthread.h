/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Threads, mutexes and condition variables of port.h over pthreads: one call
 * each, inline. Shared by the platforms that have pthreads: POSIX, and lwIP
 * on a system with them (Linux, or ESP-IDF's pthread layer over FreeRTOS).
 * Included by their port_platform.h only.
 */
#ifndef HTTPD_PORT_PTHREAD_H
#define HTTPD_PORT_PTHREAD_H

#include <pthread.h>
#include <stdbool.h>

typedef pthread_t       port_thread_t;
typedef pthread_mutex_t port_mutex_t;
typedef pthread_cond_t  port_cond_t;
#define PORT_MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER

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

#endif /* HTTPD_PORT_PTHREAD_H */
