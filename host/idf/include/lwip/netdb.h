/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: <lwip/netdb.h>: the system's name lookups. */
#ifndef LWIP_NETDB_H_IDF_HOST
#define LWIP_NETDB_H_IDF_HOST
#include <netdb.h>
#include "lwip/sockets.h"
#endif
