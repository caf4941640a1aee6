/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: driver/sdmmc_host.h, only for compiling firmware
 * that mounts an SD card through the SDMMC peripheral: the default host and
 * slot configurations (subsets of upstream's members). No card is driven. */
#ifndef DRIVER_SDMMC_HOST_H
#define DRIVER_SDMMC_HOST_H

#include <stdint.h>

#include <esp_err.h>
#include "sd_protocol_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SDMMC_HOST_SLOT_0     0
#define SDMMC_HOST_SLOT_1     1

#define SDMMC_HOST_DEFAULT() { \
    .flags = SDMMC_HOST_FLAG_8BIT | SDMMC_HOST_FLAG_4BIT | SDMMC_HOST_FLAG_1BIT | SDMMC_HOST_FLAG_DDR, \
    .slot = SDMMC_HOST_SLOT_1, \
    .max_freq_khz = SDMMC_FREQ_DEFAULT, \
    .io_voltage = 3.3f, \
    .init = NULL, \
    .deinit = NULL, \
    .command_timeout_ms = 0, \
}

#define SDMMC_SLOT_FLAG_INTERNAL_PULLUP  (1U << 0)
#define SDMMC_SLOT_FLAG_WP_ACTIVE_HIGH   (1U << 1)
#define SDMMC_SLOT_FLAG_UHS1             (1U << 2)

#define SDMMC_SLOT_NO_CD      (-1)
#define SDMMC_SLOT_NO_WP      (-1)
#define SDMMC_SLOT_WIDTH_DEFAULT 0

typedef struct {
    int clk;
    int cmd;
    int d0;
    int d1;
    int d2;
    int d3;
    int d4;
    int d5;
    int d6;
    int d7;
    int cd;
    int wp;
    uint8_t width;
    uint32_t flags;
} sdmmc_slot_config_t;

#define SDMMC_SLOT_CONFIG_DEFAULT() { \
    .clk = -1, .cmd = -1, .d0 = -1, .d1 = -1, .d2 = -1, .d3 = -1, \
    .d4 = -1, .d5 = -1, .d6 = -1, .d7 = -1, \
    .cd = SDMMC_SLOT_NO_CD, \
    .wp = SDMMC_SLOT_NO_WP, \
    .width = SDMMC_SLOT_WIDTH_DEFAULT, \
    .flags = 0, \
}

#ifdef __cplusplus
}
#endif

#endif /* DRIVER_SDMMC_HOST_H */
