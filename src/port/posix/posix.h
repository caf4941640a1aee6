/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to the POSIX port: the errno -> PORT_* mapping and a descriptor
 * helper its files share.
 */
#ifndef HTTPD_PORT_POSIX_H
#define HTTPD_PORT_POSIX_H

#include "port/port.h"

#include <errno.h>

/** Makes fd non-blocking and close-on-exec. 0, or -1 with errno set. */
int httpd__posix_set_nonblock_cloexec(int fd);

/** PORT_* code of a failed call's errno. Only ever on the failure path, so
 *  the request path pays nothing for it. errno is left as it was, for
 *  httpd__port_last_error(). */
static inline int posix_code(int err)
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

#endif /* HTTPD_PORT_POSIX_H */
