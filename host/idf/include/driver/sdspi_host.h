/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: driver/sdspi_host.h, only for compiling firmware
 * that mounts an SD card over SPI: the default host and device
 * configurations (subsets of upstream's members). No card is driven. */
#ifndef DRIVER_SDSPI_HOST_H
#define DRIVER_SDSPI_HOST_H

#include <stdint.h>

#include <esp_err.h>
#include "sd_protocol_types.h"
#include "driver/spi_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SDSPI_DEFAULT_HOST SPI2_HOST
#define SDSPI_DEFAULT_DMA  SPI_DMA_CH_AUTO

#define SDSPI_HOST_DEFAULT() { \
    .flags = SDMMC_HOST_FLAG_SPI | SDMMC_HOST_FLAG_DEINIT_ARG, \
    .slot = SDSPI_DEFAULT_HOST, \
    .max_freq_khz = SDMMC_FREQ_DEFAULT, \
    .io_voltage = 3.3f, \
    .init = NULL, \
    .deinit = NULL, \
    .command_timeout_ms = 0, \
}

#define SDSPI_SLOT_NO_CS   (-1)
#define SDSPI_SLOT_NO_CD   (-1)
#define SDSPI_SLOT_NO_WP   (-1)
#define SDSPI_SLOT_NO_INT  (-1)

typedef int sdspi_dev_handle_t;

typedef struct {
    spi_host_device_t host_id;
    int gpio_cs;
    int gpio_cd;
    int gpio_wp;
    int gpio_int;
    uint8_t gpio_wp_polarity;
} sdspi_device_config_t;

#define SDSPI_DEVICE_CONFIG_DEFAULT() { \
    .host_id = SDSPI_DEFAULT_HOST, \
    .gpio_cs = 13, \
    .gpio_cd = SDSPI_SLOT_NO_CD, \
    .gpio_wp = SDSPI_SLOT_NO_WP, \
    .gpio_int = SDSPI_SLOT_NO_INT, \
    .gpio_wp_polarity = 0, \
}

#ifdef __cplusplus
}
#endif

#endif /* DRIVER_SDSPI_HOST_H */
