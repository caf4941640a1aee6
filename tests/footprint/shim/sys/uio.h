/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Footprint builds only (scripts/footprint.sh): struct iovec and the vector
 * I/O calls, as ESP-IDF's newlib component provides them on the target
 * (newlib's generic headers have no <sys/uio.h>). Declarations only.
 * The `iovec` macro tells lwIP's <lwip/sockets.h> that the struct exists, so
 * both headers can be included in one file.
 */
#ifndef HTTPD_FOOTPRINT_SYS_UIO_H
#define HTTPD_FOOTPRINT_SYS_UIO_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iovec {
    void  *iov_base;
    size_t iov_len;
};
#define iovec iovec

ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
ssize_t writev(int fd, const struct iovec *iov, int iovcnt);

#ifdef __cplusplus
}
#endif

#endif /* HTTPD_FOOTPRINT_SYS_UIO_H */
