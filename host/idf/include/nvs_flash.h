/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: nvs_flash.h. The storage of every partition is
 * one file: the environment variable ESP_IDF_HOST_NVS names it, default
 * "nvs.bin" in the working directory. nvs_flash_init() reads it (a missing
 * file is an empty storage; an unreadable one gives ESP_ERR_NVS_NO_FREE_PAGES,
 * which firmware answers with nvs_flash_erase() as on the chip). */
#ifndef NVS_FLASH_H
#define NVS_FLASH_H

#include "nvs.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NVS_KEY_SIZE 32

typedef struct {
    uint8_t eky[NVS_KEY_SIZE];
    uint8_t tky[NVS_KEY_SIZE];
} nvs_sec_cfg_t;

/** Initializes the default partition ("nvs"); ESP_OK if it already is. */
esp_err_t nvs_flash_init(void);
/** Any label of 1..16 characters is a partition (no partition table on the host). */
esp_err_t nvs_flash_init_partition(const char *partition_label);
/** Writes pending changes, closes the partition's handles; ESP_ERR_NVS_NOT_INITIALIZED if it was not. */
esp_err_t nvs_flash_deinit(void);
esp_err_t nvs_flash_deinit_partition(const char *partition_label);
/** Deinitializes the partition if needed and removes its contents from the file. */
esp_err_t nvs_flash_erase(void);
esp_err_t nvs_flash_erase_partition(const char *part_name);
/** No encryption on the host: ESP_ERR_NVS_ENCR_NOT_SUPPORTED (cfg NULL: as nvs_flash_init...()). */
esp_err_t nvs_flash_secure_init(nvs_sec_cfg_t *cfg);
esp_err_t nvs_flash_secure_init_partition(const char *partition_label, nvs_sec_cfg_t *cfg);

#ifdef __cplusplus
}
#endif

#endif /* NVS_FLASH_H */
