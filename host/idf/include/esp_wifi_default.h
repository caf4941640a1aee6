/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_wifi_default.h, the default Wi-Fi network
 * interfaces ("WIFI_STA_DEF", "WIFI_AP_DEF"), which on the host report the
 * loopback address. */
#ifndef _ESP_WIFI_DEFAULT_H
#define _ESP_WIFI_DEFAULT_H

#include "esp_netif.h"
#include "esp_wifi_types.h"

#ifdef __cplusplus
extern "C" {
#endif

esp_netif_t *esp_netif_create_default_wifi_ap(void);
esp_netif_t *esp_netif_create_default_wifi_sta(void);
void esp_netif_destroy_default_wifi(void *esp_netif);
esp_err_t esp_netif_create_default_wifi_mesh_netifs(esp_netif_t **p_netif_sta, esp_netif_t **p_netif_ap);

#ifdef __cplusplus
}
#endif

#endif /* _ESP_WIFI_DEFAULT_H */
