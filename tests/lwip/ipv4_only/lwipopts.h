/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP options for the IPv4-only compile check of the lwIP port: the
 * installed lwIP's own options, then IPv6 off (the port's IPv4 branch) and
 * core locking off (the wake-up channel's send lock). Compile only: the
 * installed library was built with its own options.
 */
#ifndef HTTPD_TEST_LWIP_IPV4_ONLY_LWIPOPTS_H
#define HTTPD_TEST_LWIP_IPV4_ONLY_LWIPOPTS_H

#include_next <lwipopts.h>

#undef LWIP_IPV6
#define LWIP_IPV6 0
#undef LWIP_TCPIP_CORE_LOCKING
#define LWIP_TCPIP_CORE_LOCKING 0

#endif
