/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lwIP port's wake-up channel (wake.c): its type, for port_platform.h.
 * A platform that reuses wake.c with its own thread types (port_mutex_t,
 * PORT_MUTEX_INITIALIZER) includes this header after defining them.
 *
 * One UDP socket bound to 127.0.0.1 on an ephemeral port: the loop watches
 * it, and a wake-up is a datagram the socket sends to its own address (self),
 * carrying the channel's secret. Threads may send at the same time only where
 * lwIP allows it: with LWIP_TCPIP_CORE_LOCKING (each call runs under the core
 * lock) or LWIP_NETCONN_SEM_PER_THREAD (each thread waits on its own
 * semaphore). Elsewhere a mutex serialises the senders. The loop's
 * non-blocking receive shares nothing with a send.
 */
#ifndef HTTPD_PORT_LWIP_WAKE_H
#define HTTPD_PORT_LWIP_WAKE_H

#include <stdint.h>

#include "lwip/opt.h"
#include "lwip/sockets.h"

#if !LWIP_TCPIP_CORE_LOCKING && !LWIP_NETCONN_SEM_PER_THREAD
#define HTTPD_LWIP_WAKE_LOCK 1
#else
#define HTTPD_LWIP_WAKE_LOCK 0
#endif

/* fd is -1 while closed. */
struct port_wake {
    int                fd;
    uint32_t           secret[2];
    struct sockaddr_in self;
#if HTTPD_LWIP_WAKE_LOCK
    port_mutex_t       lock;
#endif
};
#if HTTPD_LWIP_WAKE_LOCK
#define PORT_WAKE_INITIALIZER { -1, { 0, 0 }, { 0 }, PORT_MUTEX_INITIALIZER }
#else
#define PORT_WAKE_INITIALIZER { -1, { 0, 0 }, { 0 } }
#endif

typedef struct port_wake port_wake_t;

#endif /* HTTPD_PORT_LWIP_WAKE_H */
