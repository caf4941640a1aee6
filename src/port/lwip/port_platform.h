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

#include "lwip_wake.h"

#endif /* HTTPD_PORT_PLATFORM_H */
