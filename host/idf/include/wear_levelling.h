/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: wear_levelling.h, the handle type that
 * esp_vfs_fat_spiflash_mount_rw_wl() returns (no wear levelling on the host). */
#ifndef WEAR_LEVELLING_H
#define WEAR_LEVELLING_H

#include <stdint.h>

#include <esp_err.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t wl_handle_t;

#define WL_INVALID_HANDLE -1

#ifdef __cplusplus
}
#endif

#endif /* WEAR_LEVELLING_H */
