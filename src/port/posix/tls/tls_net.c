/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The socket under a TLS session on POSIX systems (see src/https/tls_net.h).
 * Built into the HTTPS library only. mbedTLS's own mbedtls_net_send() uses
 * write(), which raises SIGPIPE on a reset connection: these use send() with
 * MSG_NOSIGNAL (or rely on SO_NOSIGPIPE, set on every client socket where it
 * exists).
 */
#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "mbedtls/net_sockets.h"
#include "mbedtls/ssl.h"

#include "https/tls_net.h"

#ifdef MSG_NOSIGNAL
#define TLS_NOSIGNAL MSG_NOSIGNAL
#else
#define TLS_NOSIGNAL 0
#endif

static int result(ssize_t n, int would_block, int failed)
{
    if (n >= 0) {
        return (int)n;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return would_block;
    }
    return errno == ECONNRESET || errno == EPIPE ? MBEDTLS_ERR_NET_CONN_RESET : failed;
}

int httpd_tls__net_send(void *ctx, const unsigned char *buf, size_t len)
{
    ssize_t n = send(*(const int *)ctx, buf, len > INT_MAX ? INT_MAX : len, MSG_DONTWAIT | TLS_NOSIGNAL);
    return result(n, MBEDTLS_ERR_SSL_WANT_WRITE, MBEDTLS_ERR_NET_SEND_FAILED);
}

int httpd_tls__net_recv(void *ctx, unsigned char *buf, size_t len)
{
    ssize_t n = recv(*(const int *)ctx, buf, len > INT_MAX ? INT_MAX : len, MSG_DONTWAIT);
    return result(n, MBEDTLS_ERR_SSL_WANT_READ, MBEDTLS_ERR_NET_RECV_FAILED);
}
