/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_mac.h. There is no eFuse: the base MAC
 * address is a fixed, locally administered 02:00:00:00:00:01 unless set with
 * esp_base_mac_addr_set(); the interfaces' addresses derive from it as on a
 * chip with four universal addresses (station +0, soft-AP +1, Bluetooth +2,
 * Ethernet +3). */
#ifndef ESP_MAC_H_IDF_HOST
#define ESP_MAC_H_IDF_HOST

#include <stdint.h>
#include <esp_err.h>
#include <sdkconfig.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAC2STR(a) (a)[0], (a)[1], (a)[2], (a)[3], (a)[4], (a)[5]
#define MACSTR "%02x:%02x:%02x:%02x:%02x:%02x"

typedef enum {
    ESP_MAC_WIFI_STA,
    ESP_MAC_WIFI_SOFTAP,
    ESP_MAC_BT,
    ESP_MAC_ETH,
    ESP_MAC_IEEE802154,
    ESP_MAC_BASE,
    ESP_MAC_EFUSE_FACTORY,
    ESP_MAC_EFUSE_CUSTOM,
    ESP_MAC_EFUSE_EXT,
} esp_mac_type_t;

#define ONE_UNIVERSAL_MAC_ADDR 1
#define TWO_UNIVERSAL_MAC_ADDR 2
#define FOUR_UNIVERSAL_MAC_ADDR 4
#define UNIVERSAL_MAC_ADDR_NUM FOUR_UNIVERSAL_MAC_ADDR

esp_err_t esp_base_mac_addr_set(const uint8_t *mac);
esp_err_t esp_base_mac_addr_get(uint8_t *mac);
esp_err_t esp_efuse_mac_get_default(uint8_t *mac);
esp_err_t esp_read_mac(uint8_t *mac, esp_mac_type_t type);
esp_err_t esp_derive_local_mac(uint8_t *local_mac, const uint8_t *universal_mac);

#ifdef __cplusplus
}
#endif

#endif /* ESP_MAC_H_IDF_HOST */
