/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: sd_protocol_types.h, only for compiling firmware
 * that mounts an SD card (esp_vfs_fat_sdmmc_mount()): the host type and the
 * card description, with a subset of upstream's members. No card is driven. */
#ifndef SD_PROTOCOL_TYPES_H
#define SD_PROTOCOL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esp_err.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SDMMC_HOST_FLAG_1BIT    (1 << 0)
#define SDMMC_HOST_FLAG_4BIT    (1 << 1)
#define SDMMC_HOST_FLAG_8BIT    (1 << 2)
#define SDMMC_HOST_FLAG_SPI     (1 << 3)
#define SDMMC_HOST_FLAG_DDR     (1 << 4)
#define SDMMC_HOST_FLAG_DEINIT_ARG (1 << 5)

#define SDMMC_FREQ_DEFAULT      20000
#define SDMMC_FREQ_HIGHSPEED    40000
#define SDMMC_FREQ_PROBING      400
#define SDMMC_FREQ_52M          52000
#define SDMMC_FREQ_26M          26000

typedef struct {
    uint32_t flags;
    int slot;
    int max_freq_khz;
    float io_voltage;
    esp_err_t (*init)(void);
    esp_err_t (*deinit)(void);
    int command_timeout_ms;
} sdmmc_host_t;

typedef struct {
    int mfg_id;
    int oem_id;
    char name[8];
    int revision;
    int serial;
    int date;
} sdmmc_cid_t;

typedef struct {
    int csd_ver;
    int mmc_ver;
    int capacity;          /* in sectors */
    int sector_size;
    int read_block_len;
    int card_command_class;
    int tr_speed;
} sdmmc_csd_t;

typedef struct {
    sdmmc_host_t host;
    uint32_t ocr;
    sdmmc_cid_t cid;
    sdmmc_csd_t csd;
    uint32_t rca;
    uint32_t max_freq_khz;
    int real_freq_khz;
    uint32_t is_mem : 1;
    uint32_t is_sdio : 1;
    uint32_t is_mmc : 1;
    uint32_t num_io_functions : 3;
    uint32_t log_bus_width : 2;
    uint32_t is_ddr : 1;
    uint32_t reserved : 23;
} sdmmc_card_t;

#ifdef __cplusplus
}
#endif

#endif /* SD_PROTOCOL_TYPES_H */
