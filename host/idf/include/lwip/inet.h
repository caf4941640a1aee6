/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: lwIP's <lwip/inet.h>. inet_ntoa_r() takes an IPv4
 * address held in network byte order (a struct in_addr, or the uint32_t of
 * esp_ip4_addr_t) as lwIP's macro does, and writes its dotted form. */
#ifndef LWIP_INET_H_IDF_HOST
#define LWIP_INET_H_IDF_HOST
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
/* lwIP's IPv4 constants (host byte order values, as lwIP defines them) */
#define IPADDR_NONE      ((uint32_t)0xffffffffUL)
#define IPADDR_LOOPBACK  ((uint32_t)0x7f000001UL)
#define IPADDR_ANY       ((uint32_t)0x00000000UL)
#define IPADDR_BROADCAST ((uint32_t)0xffffffffUL)
#define inet_ntoa_r(addr, buf, buflen) inet_ntop(AF_INET, &(addr), (buf), (socklen_t)(buflen))
#define inet6_ntoa_r(addr, buf, buflen) inet_ntop(AF_INET6, &(addr), (buf), (socklen_t)(buflen))
#endif
