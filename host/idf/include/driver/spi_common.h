/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: driver/spi_common.h, only for compiling firmware
 * that mounts an SD card over SPI: the bus configuration (a subset of
 * upstream's members) and spi_bus_initialize()/spi_bus_free(), which check
 * their arguments and succeed without driving a bus. */
#ifndef DRIVER_SPI_COMMON_H
#define DRIVER_SPI_COMMON_H

#include <stdint.h>

#include <esp_err.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SPI1_HOST = 0,
    SPI2_HOST = 1,
    SPI3_HOST = 2,
    SPI_HOST_MAX,
} spi_host_device_t;

typedef enum {
    SPI_DMA_DISABLED = 0,
    SPI_DMA_CH_AUTO = 3,
} spi_dma_chan_t;

typedef struct {
    union { int mosi_io_num; int data0_io_num; };
    union { int miso_io_num; int data1_io_num; };
    int sclk_io_num;
    union { int quadwp_io_num; int data2_io_num; };
    union { int quadhd_io_num; int data3_io_num; };
    int data4_io_num;
    int data5_io_num;
    int data6_io_num;
    int data7_io_num;
    int max_transfer_sz;
    uint32_t flags;
    int intr_flags;
} spi_bus_config_t;

/** ESP_ERR_INVALID_ARG for a bad host or NULL config, ESP_ERR_INVALID_STATE if
 *  the bus is already initialized, else ESP_OK (nothing is driven). */
esp_err_t spi_bus_initialize(spi_host_device_t host_id, const spi_bus_config_t *bus_config,
                             spi_dma_chan_t dma_chan);
/** ESP_ERR_INVALID_STATE if the bus is not initialized. */
esp_err_t spi_bus_free(spi_host_device_t host_id);

#ifdef __cplusplus
}
#endif

#endif /* DRIVER_SPI_COMMON_H */
