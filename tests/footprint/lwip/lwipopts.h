/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Footprint builds only (scripts/footprint.sh): lwIP's configuration for a
 * bare-metal 32-bit target with an RTOS, close to ESP-IDF's defaults: BSD
 * sockets under their lwip_* names only (no POSIX aliases, no compatibility
 * macros), IPv4 and IPv6, poll/select, TCP keep-alive and the socket options
 * the server sets. Only lwIP's headers are used (the measurement compiles no
 * lwIP code), so only options that change declarations matter here.
 */
#ifndef HTTPD_FOOTPRINT_LWIPOPTS_H
#define HTTPD_FOOTPRINT_LWIPOPTS_H

#define NO_SYS                      0    /* an RTOS: threads, semaphores, mailboxes */
#define LWIP_NETCONN                1
#define LWIP_SOCKET                 1
#define LWIP_COMPAT_SOCKETS         0    /* lwip_socket(), ... only */
#define LWIP_POSIX_SOCKETS_IO_NAMES 0    /* no read/write/close macros */
#define LWIP_SOCKET_SELECT          1
#define LWIP_SOCKET_POLL            1
#define LWIP_IPV4                   1
#define LWIP_IPV6                   1
#define LWIP_TCP                    1
#define LWIP_UDP                    1
#define LWIP_TCP_KEEPALIVE          1    /* TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT */
#define LWIP_SO_SNDTIMEO            1
#define LWIP_SO_RCVTIMEO            1
#define LWIP_SO_LINGER              1
#define LWIP_TIMEVAL_PRIVATE        0    /* struct timeval comes from the libc */
#define LWIP_TCPIP_CORE_LOCKING     0    /* ESP-IDF's default: calls are messages to the tcpip thread */
#define LWIP_NETCONN_SEM_PER_THREAD 1    /* ... each thread waiting on its own semaphore */
#define MEM_LIBC_MALLOC             1
#define MEMP_NUM_NETCONN            16

#endif /* HTTPD_FOOTPRINT_LWIPOPTS_H */
