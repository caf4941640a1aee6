/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: the part of esp_eth.h (esp_eth_com.h,
 * esp_eth_driver.h) that examples include for its event names: ETH_EVENT and
 * its ids, and the driver handle type. There is no Ethernet driver on the
 * host; nothing posts these events. */
#ifndef ESP_ETH_H_IDF_HOST
#define ESP_ETH_H_IDF_HOST

#include <esp_err.h>
#include "esp_event_base.h"
#include "esp_netif.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void *esp_eth_handle_t;

typedef enum {
    ETHERNET_EVENT_START,
    ETHERNET_EVENT_STOP,
    ETHERNET_EVENT_CONNECTED,
    ETHERNET_EVENT_DISCONNECTED,
} eth_event_t;

/** The base of the Ethernet events. */
ESP_EVENT_DECLARE_BASE(ETH_EVENT);

#ifdef __cplusplus
}
#endif

#endif /* ESP_ETH_H_IDF_HOST */
