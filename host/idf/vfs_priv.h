/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: what the mount table (vfs_map.c), the mount
 * calls (vfs.c) and the wrapped C library calls (vfs_wrap.c) share.
 * Internal to esp_idf_host. vfs_wrap.c needs only vfs_map.c, which logs
 * nothing, so an application that mounts nothing links no more than that. */
#ifndef IDF_HOST_VFS_PRIV_H
#define IDF_HOST_VFS_PRIV_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "esp_vfs.h"
#include "sd_protocol_types.h"
#include "wear_levelling.h"

#define VFS_MAX_MOUNTS 8
#define VFS_LABEL_MAX  17

typedef enum {
    VFS_SPIFFS,
    VFS_FAT_WL,
    VFS_FAT_RO,
    VFS_SDCARD,
    VFS_LITTLEFS,
    VFS_SEMIHOST,
} vfs_kind_t;

typedef struct {
    bool used;
    vfs_kind_t kind;
    char base[ESP_VFS_PATH_MAX + 1];
    size_t base_len;
    bool has_label;                 /* false: the kind's default partition */
    char label[VFS_LABEL_MAX + 1];
    char host[PATH_MAX];            /* absolute host folder */
    size_t host_len;
    bool readonly;
    bool flat;                      /* SPIFFS: no directories */
    sdmmc_card_t *card;
    wl_handle_t wl;
} vfs_mount_t;

/* The table: written under the write lock by vfs.c, read by idf_host__vfs_map().
 * The lock is never held while a file system call runs. */
extern pthread_rwlock_t idf_host__vfs_lock;
extern vfs_mount_t idf_host__vfs_mounts[VFS_MAX_MOUNTS];
extern atomic_int idf_host__vfs_count;     /* mounts in use; read without the lock */

/* How a call uses its path, for idf_host__vfs_map(). */
#define IDF_HOST_VFS_WRITE   1u   /* it may change the file system (EROFS on a read-only mount) */
#define IDF_HOST_VFS_CREATE  2u   /* it may create a file (a flat file system makes its folders) */
#define IDF_HOST_VFS_DIR     4u   /* mkdir/rmdir: ENOSYS on a flat file system (SPIFFS) */

/* Rewrites path when it lies under a mounted base path: 1 and the host path
 * in out; 0 when it does not (out untouched: use path as it is); -1 with
 * errno set when the call must fail (ENAMETOOLONG, EROFS, ENOSYS, ENOENT for
 * a ".." component, which the chip's file systems do not resolve either). */
int idf_host__vfs_map(const char *path, unsigned how, char *out, size_t cap);

/* Creates dir and its parents (mkdir -p) with calls that are not wrapped;
 * 0 or -1 with errno. */
int idf_host__vfs_mkdirs(const char *dir);

/* Defined by vfs_wrap.c, which the link pulls in only when the application
 * is linked with the wrapping options; vfs.c refers to it weakly, so a mount
 * without them fails with a clear error instead of mapping nothing. */
#ifdef IDF_HOST_VFS_WEAK
extern const int idf_host__vfs_wrapped __attribute__((weak));
#else
extern const int idf_host__vfs_wrapped;
#endif

#endif /* IDF_HOST_VFS_PRIV_H */
