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

/** Makes an lwIP socket non-blocking (lwip_fcntl). 0, or -1 with errno set. */
int httpd__lwip_set_nonblock(int fd);

/** Closes an lwIP socket, keeping errno for httpd__port_last_error(). */
void httpd__lwip_close_keep_errno(int fd);

/** httpd__port_wake_drain()'s work: reads every pending datagram and returns
 *  how many were genuine wake-ups (from 127.0.0.1, carrying the secret). */
int httpd__lwip_wake_drain(port_wake_t *w);

/** PORT_* code of a failed lwIP call's errno (lwIP maps its err_t to errno
 *  values through lwip/errno.h). Only on the failure path; errno is left as
 *  it was, for httpd__port_last_error(). */
static inline int lwip_port_code(int err)
{
    switch (err) {
    case EAGAIN:
#if defined(EWOULDBLOCK) && EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EINTR:
        return PORT_AGAIN;
    case EINVAL:
    case EBADF:
    case EFAULT:
    case ENOTSOCK:
        return PORT_INVALID;
    case EMFILE:
    case ENFILE:
        return PORT_NOFD;
    default:
        return PORT_FAIL;
    }
}

#endif /* HTTPD_PORT_LWIP_PORT_H */
