/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: lwIP's <lwip/sockets.h> as firmware includes it.
 * On the chip it declares the BSD socket calls over lwIP; on the host those
 * are the system's, declared by the system headers below. */
#ifndef LWIP_SOCKETS_H_IDF_HOST
#define LWIP_SOCKETS_H_IDF_HOST
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lwip/err.h"
#include "lwip/inet.h"
#endif
