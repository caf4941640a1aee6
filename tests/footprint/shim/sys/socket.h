/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Footprint builds only (scripts/footprint.sh --addons): the BSD socket names
 * over lwIP's, as ESP-IDF's lwIP component provides them on the target (its
 * sys/socket.h maps each name to lwip_*). Only the calls the add-ons make.
 */
#ifndef HTTPD_FOOTPRINT_SYS_SOCKET_H
#define HTTPD_FOOTPRINT_SYS_SOCKET_H

#include "lwip/sockets.h"

static inline int socket(int domain, int type, int protocol) { return lwip_socket(domain, type, protocol); }
static inline int bind(int s, const struct sockaddr *a, socklen_t l) { return lwip_bind(s, a, l); }
static inline int connect(int s, const struct sockaddr *a, socklen_t l) { return lwip_connect(s, a, l); }
static inline int getsockname(int s, struct sockaddr *a, socklen_t *l) { return lwip_getsockname(s, a, l); }
static inline ssize_t send(int s, const void *b, size_t n, int f) { return lwip_send(s, b, n, f); }
static inline ssize_t recv(int s, void *b, size_t n, int f) { return lwip_recv(s, b, n, f); }
static inline int shutdown(int s, int how) { return lwip_shutdown(s, how); }

#endif
