/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP port, threads: pthreads (the host's, or an RTOS's pthread layer).
 * Joining, the thread's identity, mutexes and condition variables are inline
 * in port_platform.h. A platform with its own task API replaces this file.
 */
#include "port/lwip/lwip_port.h"

#include <limits.h>

#ifndef PTHREAD_STACK_MIN
#define PTHREAD_STACK_MIN 0
#endif

int httpd__port_thread_create(port_thread_t *t, const struct port_thread_opts *o, void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc == 0) {
        if (o && o->stack_size) {
            /* exact_stack: the size asked for, at least the minimum. Otherwise
             * a size only ever raises the default: what an ESP32 task gets is
             * small next to what a hosted C library needs. */
            size_t floor = PTHREAD_STACK_MIN;
            if (!o->exact_stack) {
                (void)pthread_attr_getstacksize(&attr, &floor);
            }
            /* Refused: the default stays. */
            (void)pthread_attr_setstacksize(&attr, o->stack_size > floor ? o->stack_size : floor);
        }
        rc = pthread_create(t, &attr, fn, arg);
        (void)pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        errno = rc;   /* pthread returns its error: keep it for httpd__port_last_error() */
        return PORT_FAIL;
    }
    return PORT_OK;
}
