/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX port, threads: pthreads. Joining, the thread's identity, mutexes and
 * condition variables are one call each, inline in port.h.
 */
#include "port/posix/posix.h"

int httpd__port_thread_create(port_thread_t *t, const struct port_thread_opts *o, void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc == 0) {
        /* The ESP32's task stack size is small next to what glibc code needs,
         * so a requested size only ever raises the default. */
        size_t def_stack = 0;
        pthread_attr_getstacksize(&attr, &def_stack);
        if (o && o->stack_size > def_stack) {
            pthread_attr_setstacksize(&attr, o->stack_size);
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
