/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: sdmmc_cmd.h, only sdmmc_card_print_info() for
 * the card that esp_vfs_fat_sdmmc_mount()/esp_vfs_fat_sdspi_mount() return
 * (a description of the host folder: name "HOSTFS", type SDHC). */
#ifndef SDMMC_CMD_H
#define SDMMC_CMD_H

#include <stdio.h>

#include "sd_protocol_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Prints name, type, speed and size of card to stream (nothing if either is NULL). */
void sdmmc_card_print_info(FILE *stream, const sdmmc_card_t *card);

#ifdef __cplusplus
}
#endif

#endif /* SDMMC_CMD_H */
