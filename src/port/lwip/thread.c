/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP port, threads: pthreads (the host's, or an RTOS's pthread layer).
 * Joining, the thread's identity, mutexes and condition variables are inline
 * in port_platform.h. A platform with its own task API replaces this file.
 */
#include "port/lwip/lwip_port.h"

#include <limits.h>

/* The stack size a new thread gets, or 0 to keep the default. */
static size_t stack_size_for(const struct port_thread_opts *o, const pthread_attr_t *attr)
{
    if (!o || o->stack_size == 0) {
        return 0;
    }
    if (o->exact_stack) {
#ifdef PTHREAD_STACK_MIN
        return o->stack_size < (size_t)PTHREAD_STACK_MIN ? (size_t)PTHREAD_STACK_MIN : o->stack_size;
#else
        return o->stack_size;
#endif
    }
    /* Otherwise a requested size only ever raises the default: what an ESP32
     * task gets is small next to what a hosted C library needs. */
    size_t def_stack = 0;
    (void)pthread_attr_getstacksize(attr, &def_stack);
    return o->stack_size > def_stack ? o->stack_size : 0;
}

int httpd__port_thread_create(port_thread_t *t, const struct port_thread_opts *o, void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc == 0) {
        size_t stack = stack_size_for(o, &attr);
        if (stack) {
            (void)pthread_attr_setstacksize(&attr, stack);   /* refused: the default stays */
        }
        rc = pthread_create(t, &attr, fn, arg);
        (void)pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        errno = rc;   /* pthread returns its error: keep it for httpd__port_last_error() */
        return lwip_port_code(rc);
    }
    return PORT_OK;
}
