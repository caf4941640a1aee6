/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to the lwIP port: what its files share. Everything goes through
 * lwIP's own calls (lwip_socket, lwip_poll, lwip_fcntl, sys_now, ...): lwIP's
 * descriptors are not the host's, so the host's close(), fcntl() or poll()
 * must never see them.
 */
#ifndef HTTPD_PORT_LWIP_PORT_H
#define HTTPD_PORT_LWIP_PORT_H

#include "port/port.h"

#include "lwip/def.h"
#include "lwip/errno.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"

/* 127.0.0.1 in network byte order. */
#define LWIP_PORT_LOOPBACK ((u32_t)PP_HTONL(0x7f000001UL))

/** The PORT_* code of errno after a failed lwIP call (lwIP maps its err_t to
 *  errno values through lwip/errno.h). errno is left as it was, for
 *  httpd__port_last_error(). */
int httpd__lwip_code(void);

/** Closes an lwIP socket after a failure: returns httpd__lwip_code() and
 *  keeps errno for httpd__port_last_error(). */
int httpd__lwip_close_failed(int fd);

/** httpd__port_wake_drain()'s work: reads every pending datagram and returns
 *  how many were genuine wake-ups (from 127.0.0.1, carrying the secret). */
int httpd__lwip_wake_drain(port_wake_t *w);

#endif /* HTTPD_PORT_LWIP_PORT_H */
