/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Built beside the lwIP port's files with ipv4_only/lwipopts.h: proves that
 * those files really compiled with IPv6 and core locking off (and so the
 * wake-up channel with its send lock).
 */
#include "port/lwip/lwip_port.h"

#if LWIP_IPV6
#error "ipv4_only/lwipopts.h did not take effect: LWIP_IPV6 is on"
#endif
#if LWIP_TCPIP_CORE_LOCKING || !HTTPD_LWIP_WAKE_LOCK
#error "ipv4_only/lwipopts.h did not take effect: core locking is on"
#endif
#if !LWIP_IPV4
#error "the IPv4-only check needs LWIP_IPV4"
#endif

/* Something to compile: the channel's size with its lock. */
int httpd__lwip_ipv4_only_check(void);
int httpd__lwip_ipv4_only_check(void)
{
    return (int)sizeof(port_wake_t);
}
