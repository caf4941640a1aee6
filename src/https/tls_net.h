/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls_net.h: the socket under a TLS session, in the shape of mbedTLS's
 * send/receive callbacks (https_server.c's, which add a read-ahead, call
 * these). One implementation per port (src/port/<port>/tls/tls_net.c): they
 * own the OS calls, the layer above names none. ctx points to the session's
 * socket (an int).
 *
 * Both never block (the server's sockets are non-blocking) and never raise
 * SIGPIPE. They return the byte count (recv: 0 when the peer closed), or
 * MBEDTLS_ERR_SSL_WANT_READ / _WANT_WRITE when the socket is not ready, or
 * MBEDTLS_ERR_NET_CONN_RESET / _SEND_FAILED / _RECV_FAILED.
 */
#ifndef HTTPD_TLS_NET_H
#define HTTPD_TLS_NET_H

#include <stddef.h>

int httpd_tls__net_send(void *ctx, const unsigned char *buf, size_t len);
int httpd_tls__net_recv(void *ctx, unsigned char *buf, size_t len);

#endif /* HTTPD_TLS_NET_H */
