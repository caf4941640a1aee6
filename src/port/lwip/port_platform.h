/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lwIP platform's types for port.h: lwIP's socket header for struct iovec
 * and ssize_t, pthreads for threads and locks (the host's, or the pthread
 * layer of an RTOS such as ESP-IDF's FreeRTOS: posix/port_pthread.h), and the UDP wake-up channel
 * of lwip_wake.h.
 */
#ifndef HTTPD_PORT_PLATFORM_H
#define HTTPD_PORT_PLATFORM_H

#include "port/posix/port_pthread.h"   /* threads and locks */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lwip/sockets.h"

/* Smallest stack a handler gets: on ESP-IDF the configured stack_size as it
 * is; lwIP on a desktop system runs handlers on glibc, which needs more. */
#ifdef ESP_PLATFORM
#define PORT_MIN_HANDLER_STACK 0u
#else
#define PORT_MIN_HANDLER_STACK (64u * 1024u)
#endif

/* Most client connections a server may keep: ESP-IDF's lwIP has
 * CONFIG_LWIP_MAX_SOCKETS sockets in all, and httpd_start() refuses a
 * max_open_sockets above that less 3 (the server's own sockets), as upstream's
 * does. lwIP elsewhere has no such setting: no cap. */
#ifdef CONFIG_LWIP_MAX_SOCKETS
#define PORT_MAX_OPEN_SOCKETS (CONFIG_LWIP_MAX_SOCKETS - 3)
#endif

/* The server task's stack is small (ESP-IDF: stack_size, 4 KiB by default)
 * and handlers share it: the fast paths keep large buffers out of the frames
 * that stay under the calls they make, at the cost of a call. */
#define PORT_TIGHT_STACK 1

#include "lwip_wake.h"

#endif /* HTTPD_PORT_PLATFORM_H */
