/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX port, threads: pthreads. The mutex and condition calls cannot fail
 * with valid, default-attribute objects used correctly, so they return
 * nothing.
 */
#include "port/posix/posix.h"

int httpd__port_thread_create(port_thread_t *t, size_t stack_size, void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc == 0) {
        /* The ESP32's task stack size is small next to what glibc code needs,
         * so a requested size only ever raises the default. */
        size_t def_stack = 0;
        pthread_attr_getstacksize(&attr, &def_stack);
        if (stack_size > def_stack) {
            pthread_attr_setstacksize(&attr, stack_size);
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

void httpd__port_thread_join(port_thread_t t)
{
    (void)pthread_join(t, NULL);
}

bool httpd__port_thread_is_current(port_thread_t t)
{
    return pthread_equal(pthread_self(), t) != 0;
}

void httpd__port_mutex_init(port_mutex_t *m)
{
    (void)pthread_mutex_init(m, NULL);
}

void httpd__port_mutex_destroy(port_mutex_t *m)
{
    (void)pthread_mutex_destroy(m);
}

void httpd__port_mutex_lock(port_mutex_t *m)
{
    (void)pthread_mutex_lock(m);
}

void httpd__port_mutex_unlock(port_mutex_t *m)
{
    (void)pthread_mutex_unlock(m);
}

void httpd__port_cond_init(port_cond_t *c)
{
    (void)pthread_cond_init(c, NULL);
}

void httpd__port_cond_destroy(port_cond_t *c)
{
    (void)pthread_cond_destroy(c);
}

void httpd__port_cond_wait(port_cond_t *c, port_mutex_t *m)
{
    (void)pthread_cond_wait(c, m);
}

void httpd__port_cond_signal(port_cond_t *c)
{
    (void)pthread_cond_signal(c);
}
