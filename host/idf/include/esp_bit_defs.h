/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_bit_defs.h's BIT(n) and BIT64(n). */
#ifndef ESP_BIT_DEFS_H_IDF_HOST
#define ESP_BIT_DEFS_H_IDF_HOST

#ifndef BIT
#define BIT(nr)                 (1UL << (nr))
#endif
#ifndef BIT64
#define BIT64(nr)               (1ULL << (nr))
#endif

#endif /* ESP_BIT_DEFS_H_IDF_HOST */
