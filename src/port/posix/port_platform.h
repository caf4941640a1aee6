/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The POSIX platform's types for port.h: pthreads (port_pthread.h, which the
 * lwIP port shares), and a private pipe as the loop's wake-up channel.
 */
#ifndef HTTPD_PORT_PLATFORM_H
#define HTTPD_PORT_PLATFORM_H

#include "port/posix/port_pthread.h"   /* threads and locks */
#include <stdbool.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Smallest stack a handler gets (glibc code needs far more than an ESP32 task). */
#define PORT_MIN_HANDLER_STACK (64u * 1024u)

/* A private pipe (never a network port): rd watched by the loop, wr written
 * by any thread. -1 while closed. */
struct port_wake {
    int rd;
    int wr;
};
#define PORT_WAKE_INITIALIZER { -1, -1 }

typedef struct port_wake port_wake_t;

#endif /* HTTPD_PORT_PLATFORM_H */
