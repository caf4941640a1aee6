/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX port, threads: pthreads. Joining, the thread's identity, mutexes and
 * condition variables are one call each, inline in port.h.
 */
#include "port/posix/posix.h"

#include <limits.h>
#include <unistd.h>

/* The stack size a new thread gets, or 0 to keep the default. */
static size_t stack_size_for(const struct port_thread_opts *o, const pthread_attr_t *attr)
{
    if (!o || o->stack_size == 0) {
        return 0;
    }
    if (o->exact_stack) {
        /* Exactly what was asked (coroutine threads: many, small), within what
         * pthreads accept: at least PTHREAD_STACK_MIN, whole pages. */
        size_t size = o->stack_size < (size_t)PTHREAD_STACK_MIN ? (size_t)PTHREAD_STACK_MIN : o->stack_size;
        long pg = sysconf(_SC_PAGESIZE);
        size_t page = pg > 0 ? (size_t)pg : 4096u;
        return (size + page - 1) / page * page;
    }
    /* The ESP32's task stack size is small next to what glibc code needs,
     * so a requested size only ever raises the default. */
    size_t def_stack = 0;
    pthread_attr_getstacksize(attr, &def_stack);
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
        pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        errno = rc;   /* pthread returns its error: keep it for httpd__port_last_error() */
        return posix_code(rc);
    }
    return PORT_OK;
}
