/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The socket under a TLS session on lwIP (see src/https/tls_net.h). Built into
 * the HTTPS library only. lwIP raises no SIGPIPE; the server's sockets are
 * already non-blocking, MSG_DONTWAIT makes sure.
 */
#include <errno.h>
#include <limits.h>

#include "lwip/sockets.h"
#include "mbedtls/net_sockets.h"
#include "mbedtls/ssl.h"

#include "https/tls_net.h"

static int result(ssize_t n, int would_block, int failed)
{
    if (n >= 0) {
        return (int)n;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return would_block;
    }
    return errno == ECONNRESET || errno == EPIPE || errno == ENOTCONN ? MBEDTLS_ERR_NET_CONN_RESET : failed;
}

int httpd_tls__net_send(void *ctx, const unsigned char *buf, size_t len)
{
    ssize_t n = lwip_send(*(const int *)ctx, buf, len > INT_MAX ? INT_MAX : len, MSG_DONTWAIT);
    return result(n, MBEDTLS_ERR_SSL_WANT_WRITE, MBEDTLS_ERR_NET_SEND_FAILED);
}

int httpd_tls__net_recv(void *ctx, unsigned char *buf, size_t len)
{
    ssize_t n = lwip_recv(*(const int *)ctx, buf, len > INT_MAX ? INT_MAX : len, MSG_DONTWAIT);
    return result(n, MBEDTLS_ERR_SSL_WANT_READ, MBEDTLS_ERR_NET_RECV_FAILED);
}
