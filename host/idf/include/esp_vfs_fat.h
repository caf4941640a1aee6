/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_vfs_fat.h. A FAT file system, in flash with
 * wear levelling or on an SD card, is a folder of the host:
 * $ESP_IDF_HOST_FS_ROOT<base_path> (see esp_vfs.h). Read-only mounts
 * (esp_vfs_fat_spiflash_mount_ro(), mount_config->read_only) refuse writes
 * with EROFS. The FatFs API itself (ff.h, esp_vfs_fat_register()) is not
 * provided. */
#ifndef ESP_VFS_FAT_H
#define ESP_VFS_FAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esp_err.h>
#include "sd_protocol_types.h"
#include "driver/sdspi_host.h"
#include "wear_levelling.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    bool format_if_mount_failed;
    int max_files;
    size_t allocation_unit_size;
    bool disk_status_check_enable;
    bool use_one_fat;
    bool read_only;
} esp_vfs_fat_mount_config_t;

#define VFS_FAT_MOUNT_DEFAULT_CONFIG() \
    { \
        .format_if_mount_failed = false, \
        .max_files = 5, \
        .allocation_unit_size = 0, \
        .disk_status_check_enable = false, \
        .use_one_fat = false, \
        .read_only = false, \
    }

typedef esp_vfs_fat_mount_config_t esp_vfs_fat_sdmmc_mount_config_t;

/** Maps base_path; *out_card (if out_card) gets a description of the folder,
 *  freed by esp_vfs_fat_sdcard_unmount(). ESP_ERR_INVALID_ARG for bad
 *  arguments, ESP_ERR_INVALID_STATE if base_path is already mounted. */
esp_err_t esp_vfs_fat_sdmmc_mount(const char *base_path, const sdmmc_host_t *host_config,
                                  const void *slot_config, const esp_vfs_fat_mount_config_t *mount_config,
                                  sdmmc_card_t **out_card);
esp_err_t esp_vfs_fat_sdspi_mount(const char *base_path, const sdmmc_host_t *host_config_input,
                                  const sdspi_device_config_t *slot_config,
                                  const esp_vfs_fat_mount_config_t *mount_config, sdmmc_card_t **out_card);
/** ESP_ERR_INVALID_ARG if card is NULL or was not mounted at base_path. */
esp_err_t esp_vfs_fat_sdcard_unmount(const char *base_path, sdmmc_card_t *card);
/** Removes everything in the mounted folder. */
esp_err_t esp_vfs_fat_sdcard_format_cfg(const char *base_path, sdmmc_card_t *card, esp_vfs_fat_mount_config_t *cfg);
esp_err_t esp_vfs_fat_sdcard_format(const char *base_path, sdmmc_card_t *card);

/** wl_handle gets a handle for esp_vfs_fat_spiflash_unmount_rw_wl(). */
esp_err_t esp_vfs_fat_spiflash_mount_rw_wl(const char *base_path, const char *partition_label,
                                           const esp_vfs_fat_mount_config_t *mount_config,
                                           wl_handle_t *wl_handle);
esp_err_t esp_vfs_fat_spiflash_unmount_rw_wl(const char *base_path, wl_handle_t wl_handle);
/** Removes everything in the folder (mounted or not). */
esp_err_t esp_vfs_fat_spiflash_format_cfg_rw_wl(const char *base_path, const char *partition_label,
                                                esp_vfs_fat_mount_config_t *cfg);
esp_err_t esp_vfs_fat_spiflash_format_rw_wl(const char *base_path, const char *partition_label);
esp_err_t esp_vfs_fat_spiflash_mount_ro(const char *base_path, const char *partition_label,
                                        const esp_vfs_fat_mount_config_t *mount_config);
esp_err_t esp_vfs_fat_spiflash_unmount_ro(const char *base_path, const char *partition_label);

/** Size and free space of the host file system that holds the folder
 *  (at most ESP_IDF_HOST_FS_SIZE bytes when that is set). */
esp_err_t esp_vfs_fat_info(const char *base_path, uint64_t *out_total_bytes, uint64_t *out_free_bytes);

/** Deprecated upstream names of the spiflash calls. */
esp_err_t esp_vfs_fat_spiflash_mount(const char *base_path, const char *partition_label,
                                     const esp_vfs_fat_mount_config_t *mount_config, wl_handle_t *wl_handle)
    __attribute__((deprecated("esp_vfs_fat_spiflash_mount is deprecated, please use esp_vfs_fat_spiflash_mount_rw_wl instead")));
esp_err_t esp_vfs_fat_spiflash_unmount(const char *base_path, wl_handle_t wl_handle)
    __attribute__((deprecated("esp_vfs_fat_spiflash_unmount is deprecated, please use esp_vfs_fat_spiflash_unmount_rw_wl instead")));
esp_err_t esp_vfs_fat_rawflash_mount(const char *base_path, const char *partition_label,
                                     const esp_vfs_fat_mount_config_t *mount_config)
    __attribute__((deprecated("esp_vfs_fat_rawflash_mount is deprecated, please use esp_vfs_fat_spiflash_mount_ro instead")));
esp_err_t esp_vfs_fat_rawflash_unmount(const char *base_path, const char *partition_label)
    __attribute__((deprecated("esp_vfs_fat_rawflash_unmount is deprecated, please use esp_vfs_fat_spiflash_unmount_ro instead")));

#ifdef __cplusplus
}
#endif

#endif /* ESP_VFS_FAT_H */
