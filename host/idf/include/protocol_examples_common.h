/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: protocol_examples_common.h, the connection helper
 * of ESP-IDF's protocol examples. On the host the network is already up:
 * example_connect() creates the station interface "example_netif_sta" (with
 * the loopback address 127.0.0.1), logs what the chip logs once connected
 * ("- IPv4 address: 127.0.0.1,"), posts IP_EVENT_STA_GOT_IP on the default
 * event loop when one exists, and returns ESP_OK. example_disconnect() posts
 * WIFI_EVENT_STA_DISCONNECTED and removes the interface. Unlike upstream's
 * header for the linux target (whose example_connect() does nothing), these
 * are real functions whatever CONFIG_IDF_TARGET_LINUX says. */
#ifndef PROTOCOL_EXAMPLES_COMMON_H_IDF_HOST
#define PROTOCOL_EXAMPLES_COMMON_H_IDF_HOST

#include <sdkconfig.h>
#include <esp_err.h>
#include "esp_netif.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef EXAMPLE_NETIF_DESC_STA
#define EXAMPLE_NETIF_DESC_STA "example_netif_sta"
#endif
#if CONFIG_EXAMPLE_CONNECT_ETHERNET
#define EXAMPLE_NETIF_DESC_ETH "example_netif_eth"
#endif

#define EXAMPLE_INTERFACE get_example_netif()
#define get_example_netif() get_example_netif_from_desc(EXAMPLE_NETIF_DESC_STA)

esp_err_t example_connect(void);
esp_err_t example_disconnect(void);
esp_err_t example_configure_stdin_stdout(void);
esp_netif_t *get_example_netif_from_desc(const char *desc);

#ifdef __cplusplus
}
#endif

#endif /* PROTOCOL_EXAMPLES_COMMON_H_IDF_HOST */
