/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_spiffs.h. A SPIFFS "partition" is a folder of
 * the host: esp_vfs_spiffs_register() maps conf->base_path to
 * $ESP_IDF_HOST_FS_ROOT<base_path> (default ./idf_host_fs<base_path>), created
 * if needed, and the firmware's file calls under base_path reach it (see
 * esp_vfs.h). As on the chip: at most CONFIG_SPIFFS_MAX_PARTITIONS mounts,
 * one per label (NULL is the default partition), no directories (mkdir()
 * fails with ENOSYS; a file "a/b" may be created without creating "a"). */
#ifndef ESP_SPIFFS_H
#define ESP_SPIFFS_H

#include <stdbool.h>
#include <stddef.h>

#include <esp_err.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef CONFIG_SPIFFS_OBJ_NAME_LEN
#define CONFIG_SPIFFS_OBJ_NAME_LEN 32
#endif
#ifndef CONFIG_SPIFFS_MAX_PARTITIONS
#define CONFIG_SPIFFS_MAX_PARTITIONS 3
#endif

typedef struct {
    const char *base_path;
    const char *partition_label;
    size_t max_files;
    bool format_if_mount_failed;
} esp_vfs_spiffs_conf_t;

/** ESP_ERR_INVALID_ARG (bad base path), ESP_ERR_INVALID_STATE (label or base
 *  path already mounted, or all mounts in use), ESP_FAIL (folder cannot be made). */
esp_err_t esp_vfs_spiffs_register(const esp_vfs_spiffs_conf_t *conf);
/** ESP_ERR_INVALID_STATE if the label is not mounted. */
esp_err_t esp_vfs_spiffs_unregister(const char *partition_label);
bool esp_spiffs_mounted(const char *partition_label);
/** Removes every file of a mounted partition (ESP_ERR_INVALID_STATE if not mounted). */
esp_err_t esp_spiffs_format(const char *partition_label);
/** used_bytes: the sizes of the folder's files; total_bytes: that plus the
 *  host file system's free space, at most ESP_IDF_HOST_FS_SIZE bytes when set. */
esp_err_t esp_spiffs_info(const char *partition_label, size_t *total_bytes, size_t *used_bytes);
/** Nothing to check or collect on the host: ESP_OK when mounted. */
esp_err_t esp_spiffs_check(const char *partition_label);
esp_err_t esp_spiffs_gc(const char *partition_label, size_t size_to_gc);

#ifdef __cplusplus
}
#endif

#endif /* ESP_SPIFFS_H */
