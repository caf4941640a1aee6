/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_random.h. The bytes come from the host's
 * getrandom() (the kernel's generator) instead of the chip's RNG. */
#ifndef ESP_RANDOM_H_IDF_HOST
#define ESP_RANDOM_H_IDF_HOST

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

uint32_t esp_random(void);
void esp_fill_random(void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* ESP_RANDOM_H_IDF_HOST */
