/* SPDX-License-Identifier: Apache-2.0 */
/* Every header of the ESP-IDF host environment compiles together with
 * esp_http_server.h, in both orders (idf_headers_http_first.c has the other),
 * and brings in what ESP-IDF's headers bring in transitively: firmware that
 * includes only esp_http_server.h sees FreeRTOS tasks and esp_event; the
 * sdkconfig.h values are the environment's, an application's own
 * sdkconfig_app.h comes first, and ESP_PLATFORM is not defined. */
#include "idf_headers_list.h"
#include "esp_http_server.h"

#include "../unit/check.h"

#ifdef ESP_PLATFORM
#error "ESP_PLATFORM must not be defined on the host"
#endif
#if !CONFIG_IDF_TARGET_LINUX
#error "CONFIG_IDF_TARGET_LINUX must be 1"
#endif
#if CONFIG_FREERTOS_HZ != configTICK_RATE_HZ
#error "CONFIG_FREERTOS_HZ and configTICK_RATE_HZ differ"
#endif
#ifndef CONFIG_HTTPD_MAX_REQ_HDR_LEN
#error "the server's CONFIG_HTTPD_* values are missing"
#endif
#if CONFIG_EXAMPLE_TEST_VALUE != 7 || CONFIG_LWIP_MAX_SOCKETS != 16
#error "sdkconfig_app.h was not taken first"
#endif

int idf_headers_http_first(void);

int main(void)
{
    CHECK(idf_headers_http_first());
    CHECK_EQ_STR(CONFIG_IDF_TARGET, "linux");
    CHECK_EQ_INT(CONFIG_LOG_MAXIMUM_LEVEL, 3);
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu32, (uint32_t)42); /* <inttypes.h> via esp_log.h */
    CHECK_EQ_STR(buf, "42");
    esp_ip4_addr_t a = { .addr = ESP_IP4TOADDR(10, 1, 2, 3) };
    snprintf(buf, sizeof buf, IPSTR, IP2STR(&a));
    CHECK_EQ_STR(buf, "10.1.2.3");
    CHECK_EQ_INT(WIFI_EVENT_STA_DISCONNECTED, 5);
    CHECK_EQ_INT(IP_EVENT_STA_GOT_IP, 0);
    CHECK_EQ_INT(ESP_RST_SW, 3);
    CHECK_EQ_INT(MALLOC_CAP_8BIT, 4);
    CHECK_EQ_INT(ESP_ERR_WIFI_NOT_INIT, 0x3001);
    return check_summary();
}
