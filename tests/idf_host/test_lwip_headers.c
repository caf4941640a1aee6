/* SPDX-License-Identifier: Apache-2.0 */
/* lwIP's headers as firmware includes them (a DNS server, say): they compile
 * together, bring in the FreeRTOS types as ESP-IDF's do, and inet_ntoa_r()
 * prints an address held as a struct in_addr or as lwIP's uint32_t. */
#include "lwip/err.h"
#include "lwip/inet.h"
#include "lwip/netdb.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"

#include <string.h>

#include "../unit/check.h"

int main(void)
{
    char buf[INET6_ADDRSTRLEN];
    struct in_addr a = { .s_addr = htonl(0x7f000001) };
    CHECK(inet_ntoa_r(a, buf, sizeof buf) != NULL && strcmp(buf, "127.0.0.1") == 0);
    uint32_t raw = htonl(0xc0a80401);
    CHECK(inet_ntoa_r(raw, buf, sizeof buf) != NULL && strcmp(buf, "192.168.4.1") == 0);
    struct in6_addr six = IN6ADDR_LOOPBACK_INIT;
    CHECK(inet6_ntoa_r(six, buf, sizeof buf) != NULL && strcmp(buf, "::1") == 0);
    CHECK(IPADDR_ANY == 0 && ERR_OK == 0);
    TaskHandle_t self = xTaskGetCurrentTaskHandle();   /* FreeRTOS came along */
    CHECK(self != NULL);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(s >= 0);
    close(s);
    return check_summary();
}
