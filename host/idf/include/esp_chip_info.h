/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_chip_info.h. On the host the chip is
 * CHIP_POSIX_LINUX (ESP-IDF's value for its linux target), revision 0, with
 * the host's number of online processors as cores and no features. */
#ifndef ESP_CHIP_INFO_H_IDF_HOST
#define ESP_CHIP_INFO_H_IDF_HOST

#include <stdbool.h>
#include <stdint.h>
#include <sdkconfig.h>
#include "esp_bit_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CHIP_ESP32  = 1,
    CHIP_ESP32S2 = 2,
    CHIP_ESP32S3 = 9,
    CHIP_ESP32C3 = 5,
    CHIP_ESP32C2 = 12,
    CHIP_ESP32C6 = 13,
    CHIP_ESP32H2 = 16,
    CHIP_ESP32P4 = 18,
    CHIP_ESP32C61 = 20,
    CHIP_ESP32C5 = 23,
    CHIP_ESP32H21 = 25,
    CHIP_ESP32H4 = 28,
    CHIP_ESP32S31 = 32,
    CHIP_POSIX_LINUX = 999,
} esp_chip_model_t;

#define CHIP_FEATURE_EMB_FLASH      BIT(0)
#define CHIP_FEATURE_WIFI_BGN       BIT(1)
#define CHIP_FEATURE_BLE            BIT(4)
#define CHIP_FEATURE_BT             BIT(5)
#define CHIP_FEATURE_IEEE802154     BIT(6)
#define CHIP_FEATURE_EMB_PSRAM      BIT(7)

typedef struct {
    esp_chip_model_t model;
    uint32_t features;
    uint16_t revision;
    uint8_t cores;
} esp_chip_info_t;

void esp_chip_info(esp_chip_info_t *out_info);

#ifdef __cplusplus
}
#endif

#endif /* ESP_CHIP_INFO_H_IDF_HOST */
