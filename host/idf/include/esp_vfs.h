/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_vfs.h. On the host, the file systems that
 * firmware mounts (esp_spiffs.h, esp_vfs_fat.h, esp_littlefs.h,
 * esp_vfs_semihost.h) are folders of the host: a mount maps its base path
 * ("/data") to $ESP_IDF_HOST_FS_ROOT/data, and the firmware's own fopen(),
 * open(), stat(), opendir(), unlink(), rename(), mkdir()... on paths under the
 * base path reach that folder (the application is linked with the wrapping
 * options of esp_idf_host; see README.md). Custom file systems
 * (esp_vfs_register() with an esp_vfs_t) are not supported on the host:
 * those calls return ESP_ERR_NOT_SUPPORTED. */
#ifndef ESP_VFS_H
#define ESP_VFS_H

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>
#include <utime.h>

#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include <esp_err.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Maximum length of a base path (as upstream). */
#define ESP_VFS_PATH_MAX 15

#define ESP_VFS_FLAG_DEFAULT        (1 << 0)
#define ESP_VFS_FLAG_CONTEXT_PTR    (1 << 1)
#define ESP_VFS_FLAG_READONLY_FS    (1 << 2)
#define ESP_VFS_FLAG_STATIC         (1 << 3)

typedef int esp_vfs_id_t;

/** The operations of a custom file system, with upstream's member names
 *  (a subset: no select or termios members). Only for compiling: the host
 *  does not call them. */
typedef struct {
    int flags;
    union { ssize_t (*write_p)(void *p, int fd, const void *data, size_t size);
            ssize_t (*write)(int fd, const void *data, size_t size); };
    union { off_t (*lseek_p)(void *p, int fd, off_t size, int mode);
            off_t (*lseek)(int fd, off_t size, int mode); };
    union { ssize_t (*read_p)(void *ctx, int fd, void *dst, size_t size);
            ssize_t (*read)(int fd, void *dst, size_t size); };
    union { ssize_t (*pread_p)(void *ctx, int fd, void *dst, size_t size, off_t offset);
            ssize_t (*pread)(int fd, void *dst, size_t size, off_t offset); };
    union { ssize_t (*pwrite_p)(void *ctx, int fd, const void *src, size_t size, off_t offset);
            ssize_t (*pwrite)(int fd, const void *src, size_t size, off_t offset); };
    union { int (*open_p)(void *ctx, const char *path, int flags, int mode);
            int (*open)(const char *path, int flags, int mode); };
    union { int (*close_p)(void *ctx, int fd);
            int (*close)(int fd); };
    union { int (*fstat_p)(void *ctx, int fd, struct stat *st);
            int (*fstat)(int fd, struct stat *st); };
    union { int (*stat_p)(void *ctx, const char *path, struct stat *st);
            int (*stat)(const char *path, struct stat *st); };
    union { int (*link_p)(void *ctx, const char *n1, const char *n2);
            int (*link)(const char *n1, const char *n2); };
    union { int (*unlink_p)(void *ctx, const char *path);
            int (*unlink)(const char *path); };
    union { int (*rename_p)(void *ctx, const char *src, const char *dst);
            int (*rename)(const char *src, const char *dst); };
    union { DIR *(*opendir_p)(void *ctx, const char *name);
            DIR *(*opendir)(const char *name); };
    union { struct dirent *(*readdir_p)(void *ctx, DIR *pdir);
            struct dirent *(*readdir)(DIR *pdir); };
    union { int (*readdir_r_p)(void *ctx, DIR *pdir, struct dirent *entry, struct dirent **out_dirent);
            int (*readdir_r)(DIR *pdir, struct dirent *entry, struct dirent **out_dirent); };
    union { long (*telldir_p)(void *ctx, DIR *pdir);
            long (*telldir)(DIR *pdir); };
    union { void (*seekdir_p)(void *ctx, DIR *pdir, long offset);
            void (*seekdir)(DIR *pdir, long offset); };
    union { int (*closedir_p)(void *ctx, DIR *pdir);
            int (*closedir)(DIR *pdir); };
    union { int (*mkdir_p)(void *ctx, const char *name, mode_t mode);
            int (*mkdir)(const char *name, mode_t mode); };
    union { int (*rmdir_p)(void *ctx, const char *name);
            int (*rmdir)(const char *name); };
    union { int (*fcntl_p)(void *ctx, int fd, int cmd, int arg);
            int (*fcntl)(int fd, int cmd, int arg); };
    union { int (*ioctl_p)(void *ctx, int fd, int cmd, va_list args);
            int (*ioctl)(int fd, int cmd, va_list args); };
    union { int (*fsync_p)(void *ctx, int fd);
            int (*fsync)(int fd); };
    union { int (*access_p)(void *ctx, const char *path, int amode);
            int (*access)(const char *path, int amode); };
    union { int (*truncate_p)(void *ctx, const char *path, off_t length);
            int (*truncate)(const char *path, off_t length); };
    union { int (*ftruncate_p)(void *ctx, int fd, off_t length);
            int (*ftruncate)(int fd, off_t length); };
    union { int (*utime_p)(void *ctx, const char *path, const struct utimbuf *times);
            int (*utime)(const char *path, const struct utimbuf *times); };
} esp_vfs_t;

/** Not supported on the host: ESP_ERR_INVALID_ARG for bad arguments, else
 *  ESP_ERR_NOT_SUPPORTED. */
esp_err_t esp_vfs_register(const char *base_path, const esp_vfs_t *vfs, void *ctx);
/** Unregisters a mount of esp_spiffs.h / esp_vfs_fat.h / ... by its base path;
 *  ESP_ERR_INVALID_STATE if nothing is mounted there. */
esp_err_t esp_vfs_unregister(const char *base_path);

#ifdef __cplusplus
}
#endif

#endif /* ESP_VFS_H */
