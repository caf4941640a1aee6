/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_littlefs.h (the littlefs component's API that
 * firmware such as the restful_server example uses). A LittleFS partition is
 * a folder of the host, as for esp_spiffs.h, with directories. */
#ifndef ESP_LITTLEFS_H
#define ESP_LITTLEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esp_err.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *base_path;
    const char *partition_label;
    const void *partition;          /* an esp_partition_t on the chip; ignored */
    uint8_t format_if_mount_failed : 1;
    uint8_t read_only : 1;
    uint8_t dont_mount : 1;
    uint8_t grow_on_mount : 1;
} esp_vfs_littlefs_conf_t;

/** As esp_vfs_spiffs_register() (ESP_ERR_INVALID_STATE if the label is mounted). */
esp_err_t esp_vfs_littlefs_register(const esp_vfs_littlefs_conf_t *conf);
esp_err_t esp_vfs_littlefs_unregister(const char *partition_label);
bool esp_littlefs_mounted(const char *partition_label);
esp_err_t esp_littlefs_format(const char *partition_label);
esp_err_t esp_littlefs_info(const char *partition_label, size_t *total_bytes, size_t *used_bytes);

#ifdef __cplusplus
}
#endif

#endif /* ESP_LITTLEFS_H */
