/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_vfs_semihost.h. The "host directory" of
 * semihosting is $ESP_IDF_HOST_FS_ROOT<base_path> (see esp_vfs.h). */
#ifndef ESP_VFS_SEMIHOST_H
#define ESP_VFS_SEMIHOST_H

#include "esp_vfs.h"

#ifdef __cplusplus
extern "C" {
#endif

/** ESP_ERR_INVALID_ARG if base_path is bad or already registered,
 *  ESP_ERR_NO_MEM if every mount slot is in use. */
esp_err_t esp_vfs_semihost_register(const char *base_path);
/** ESP_ERR_INVALID_ARG if no semihosting mount is at base_path. */
esp_err_t esp_vfs_semihost_unregister(const char *base_path);

#ifdef __cplusplus
}
#endif

#endif /* ESP_VFS_SEMIHOST_H */
