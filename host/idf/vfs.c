/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: the mount calls of esp_spiffs.h, esp_vfs_fat.h,
 * esp_littlefs.h, esp_vfs_semihost.h and esp_vfs.h, on the table of
 * vfs_map.c; the SD-card, SPI and GPIO stand-ins.
 *
 * A mount maps its base path ("/data") to a host folder,
 * $ESP_IDF_HOST_FS_ROOT<base path> (default "./idf_host_fs<base path>",
 * made absolute and created at mount time). vfs_wrap.c rewrites the paths of
 * the application's C library calls through idf_host__vfs_map(). At most
 * VFS_MAX_MOUNTS mounts. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "esp_log.h"
#include "esp_littlefs.h"
#include "esp_spiffs.h"
#include "esp_vfs.h"
#include "esp_vfs_fat.h"
#include "esp_vfs_semihost.h"
#include "sdmmc_cmd.h"
#include "driver/gpio.h"
#include "driver/spi_common.h"
#define IDF_HOST_VFS_WEAK
#include "vfs_priv.h"

static const char *TAG = "vfs";

#define VFS_DEFAULT_SIZE_CAP (1024ull * 1024u * 1024u)

static wl_handle_t vfs_next_wl;

/* ---- the table ------------------------------------------------------------------- */
static bool vfs_base_ok(const char *base)
{
    size_t n = base ? strlen(base) : 0;
    return n >= 2 && n <= ESP_VFS_PATH_MAX && base[0] == '/' && base[n - 1] != '/';
}

static bool vfs_label_eq(const vfs_mount_t *m, vfs_kind_t kind, const char *label)
{
    if (!m->used || m->kind != kind) {
        return false;
    }
    return label ? (m->has_label && strcmp(m->label, label) == 0) : !m->has_label;
}

/* Under the lock: the mount of kind with label (NULL: the default one). */
static vfs_mount_t *vfs_by_label(vfs_kind_t kind, const char *label)
{
    for (size_t i = 0; i < VFS_MAX_MOUNTS; i++) {
        if (vfs_label_eq(&idf_host__vfs_mounts[i], kind, label)) {
            return &idf_host__vfs_mounts[i];
        }
    }
    return NULL;
}

static vfs_mount_t *vfs_by_base(const char *base)
{
    for (size_t i = 0; i < VFS_MAX_MOUNTS; i++) {
        if (idf_host__vfs_mounts[i].used && strcmp(idf_host__vfs_mounts[i].base, base) == 0) {
            return &idf_host__vfs_mounts[i];
        }
    }
    return NULL;
}

static size_t vfs_count_kind(vfs_kind_t kind)
{
    size_t n = 0;
    for (size_t i = 0; i < VFS_MAX_MOUNTS; i++) {
        n += idf_host__vfs_mounts[i].used && idf_host__vfs_mounts[i].kind == kind;
    }
    return n;
}

/* The host folder of base: $ESP_IDF_HOST_FS_ROOT + base, absolute. */
static esp_err_t vfs_host_dir(const char *base, char *out, size_t cap)
{
    const char *root = getenv("ESP_IDF_HOST_FS_ROOT");
    if (!root || !*root) {
        root = "./idf_host_fs";
    }
    char cwd[PATH_MAX] = "";
    if (root[0] != '/' && !getcwd(cwd, sizeof cwd)) {
        return ESP_FAIL;
    }
    while (root[0] == '.' && root[1] == '/') {
        root += 2;                  /* "./idf_host_fs" is cwd + "/idf_host_fs" */
    }
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/') {
        rl--;
    }
    int n = snprintf(out, cap, "%s%s%.*s%s", cwd, cwd[0] ? "/" : "", (int)rl, root, base);
    return (n < 0 || (size_t)n >= cap) ? ESP_ERR_INVALID_SIZE : ESP_OK;
}

typedef struct {
    vfs_kind_t kind;
    const char *base;
    const char *label;
    bool readonly;
    esp_err_t busy_err;             /* returned when the label or base is taken */
} vfs_mount_req_t;

static void vfs_drop(vfs_mount_t *m);

static esp_err_t vfs_mount(const vfs_mount_req_t *rq, vfs_mount_t *copy_out)
{
    if (!vfs_base_ok(rq->base)) {
        ESP_LOGE(TAG, "bad base path \"%s\" (\"/name\", at most %d characters)",
                 rq->base ? rq->base : "(null)", ESP_VFS_PATH_MAX);
        return ESP_ERR_INVALID_ARG;
    }
    if (rq->label && (!*rq->label || strlen(rq->label) > VFS_LABEL_MAX)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!&idf_host__vfs_wrapped) {
        ESP_LOGE(TAG, "cannot map %s: the application is not linked with esp_idf_host's "
                 "wrapping options (IDF_HOST_LINK_OPTIONS)", rq->base);
        return ESP_ERR_NOT_SUPPORTED;
    }
    char host[PATH_MAX];
    esp_err_t err = vfs_host_dir(rq->base, host, sizeof host);
    if (err != ESP_OK) {
        return err;
    }
    pthread_rwlock_wrlock(&idf_host__vfs_lock);
    vfs_mount_t *slot = NULL;
    if (vfs_by_base(rq->base) || vfs_by_label(rq->kind, rq->label)) {
        err = rq->busy_err;
    } else if (rq->kind == VFS_SPIFFS && vfs_count_kind(VFS_SPIFFS) >= CONFIG_SPIFFS_MAX_PARTITIONS) {
        ESP_LOGE(TAG, "max mounted partitions reached");
        err = ESP_ERR_INVALID_STATE;
    } else {
        for (size_t i = 0; i < VFS_MAX_MOUNTS && !slot; i++) {
            slot = idf_host__vfs_mounts[i].used ? NULL : &idf_host__vfs_mounts[i];
        }
        err = slot ? ESP_OK : ESP_ERR_NO_MEM;
    }
    if (slot) {
        memset(slot, 0, sizeof *slot);
        slot->used = true;
        slot->kind = rq->kind;
        snprintf(slot->base, sizeof slot->base, "%s", rq->base);
        slot->base_len = strlen(slot->base);
        slot->has_label = rq->label != NULL;
        snprintf(slot->label, sizeof slot->label, "%s", rq->label ? rq->label : "");
        snprintf(slot->host, sizeof slot->host, "%s", host);
        slot->host_len = strlen(slot->host);
        slot->readonly = rq->readonly;
        slot->flat = rq->kind == VFS_SPIFFS;
        slot->wl = ++vfs_next_wl;
        if (vfs_next_wl == INT32_MAX) {
            vfs_next_wl = 0;
        }
        if (copy_out) {
            *copy_out = *slot;
        }
        idf_host__vfs_count++;
    }
    pthread_rwlock_unlock(&idf_host__vfs_lock);
    /* The folder is made outside the lock (file system calls can be slow). */
    if (err == ESP_OK && idf_host__vfs_mkdirs(host) != 0) {
        ESP_LOGE(TAG, "cannot create %s: %s", host, strerror(errno));
        pthread_rwlock_wrlock(&idf_host__vfs_lock);
        vfs_mount_t *m = vfs_by_base(rq->base);
        if (m) {
            vfs_drop(m);
        }
        pthread_rwlock_unlock(&idf_host__vfs_lock);
        err = ESP_FAIL;
    }
    if (err == ESP_OK) {
        ESP_LOGI(TAG, "%s mapped to %s%s", rq->base, host, rq->readonly ? " (read-only)" : "");
    }
    return err;
}

/* Under the write lock. */
static void vfs_drop(vfs_mount_t *m)
{
    free(m->card);
    memset(m, 0, sizeof *m);
    idf_host__vfs_count--;
}

/* Unmounts the mount that match() accepts; not_found when none does. */
static esp_err_t vfs_unmount_where(bool (*match)(const vfs_mount_t *, const void *), const void *arg,
                                   esp_err_t not_found)
{
    esp_err_t err = not_found;
    pthread_rwlock_wrlock(&idf_host__vfs_lock);
    for (size_t i = 0; i < VFS_MAX_MOUNTS; i++) {
        if (idf_host__vfs_mounts[i].used && match(&idf_host__vfs_mounts[i], arg)) {
            ESP_LOGI(TAG, "%s unmapped", idf_host__vfs_mounts[i].base);
            vfs_drop(&idf_host__vfs_mounts[i]);
            err = ESP_OK;
            break;
        }
    }
    pthread_rwlock_unlock(&idf_host__vfs_lock);
    return err;
}

/* A copy of the mount matching kind+label, or false. */
static bool vfs_get_by_label(vfs_kind_t kind, const char *label, vfs_mount_t *out)
{
    pthread_rwlock_rdlock(&idf_host__vfs_lock);
    vfs_mount_t *m = vfs_by_label(kind, label);
    if (m) {
        *out = *m;
    }
    pthread_rwlock_unlock(&idf_host__vfs_lock);
    return m != NULL;
}

static bool vfs_get_by_base(const char *base, vfs_mount_t *out)
{
    pthread_rwlock_rdlock(&idf_host__vfs_lock);
    vfs_mount_t *m = base ? vfs_by_base(base) : NULL;
    if (m) {
        *out = *m;
    }
    pthread_rwlock_unlock(&idf_host__vfs_lock);
    return m != NULL;
}

/* ---- sizes and formatting -------------------------------------------------------- */
static uint64_t vfs_used_sum;

static int vfs_add_size(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)path;
    (void)ftw;
    if (flag == FTW_F) {
        vfs_used_sum += (uint64_t)st->st_size;
    }
    return 0;
}

static int vfs_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    if (ftw->level > 0 && unlinkat(AT_FDCWD, path, flag == FTW_DP ? AT_REMOVEDIR : 0) != 0) {
        ESP_LOGW(TAG, "cannot remove %s: %s", path, strerror(errno));
    }
    return 0;
}

static pthread_mutex_t vfs_walk_lock = PTHREAD_MUTEX_INITIALIZER;

/* Bytes in the files under dir; total = that plus the free space, at most
 * $ESP_IDF_HOST_FS_SIZE (default VFS_DEFAULT_SIZE_CAP). */
static esp_err_t vfs_sizes(const char *dir, uint64_t *total, uint64_t *used, uint64_t *free_bytes)
{
    struct statvfs sv;
    if (statvfs(dir, &sv) != 0) {
        return ESP_FAIL;
    }
    pthread_mutex_lock(&vfs_walk_lock);
    vfs_used_sum = 0;
    int rc = nftw(dir, vfs_add_size, 16, FTW_PHYS);
    uint64_t u = vfs_used_sum;
    pthread_mutex_unlock(&vfs_walk_lock);
    if (rc != 0) {
        return ESP_FAIL;
    }
    uint64_t avail = (uint64_t)sv.f_bavail * sv.f_frsize;
    uint64_t t = u + avail;
    /* Capped (1 GiB unless set) so that firmware written for a 32-bit size_t
     * and "%d" sees sizes it can hold, as a chip's partition or card would give. */
    uint64_t c = VFS_DEFAULT_SIZE_CAP;
    const char *cap = getenv("ESP_IDF_HOST_FS_SIZE");
    if (cap && *cap) {
        uint64_t v = strtoull(cap, NULL, 0);
        c = v > 0 ? v : c;
    }
    if (c < t) {
        t = c;
    }
    if (u > t) {
        u = t;
    }
    *total = t;
    *used = u;
    *free_bytes = t - u;
    return ESP_OK;
}

static esp_err_t vfs_format_dir(const char *dir)
{
    pthread_mutex_lock(&vfs_walk_lock);
    int rc = nftw(dir, vfs_remove_one, 16, FTW_DEPTH | FTW_PHYS);
    pthread_mutex_unlock(&vfs_walk_lock);
    return rc == 0 ? ESP_OK : ESP_FAIL;
}

static size_t vfs_clamp_size(uint64_t v)
{
    return v > SIZE_MAX ? SIZE_MAX : (size_t)v;
}

/* ---- esp_vfs.h -------------------------------------------------------------------- */
esp_err_t esp_vfs_register(const char *base_path, const esp_vfs_t *vfs, void *ctx)
{
    (void)ctx;
    if (!vfs || !base_path || strlen(base_path) > ESP_VFS_PATH_MAX
            || (base_path[0] && (base_path[0] != '/' || base_path[strlen(base_path) - 1] == '/'))) {
        return ESP_ERR_INVALID_ARG;
    }
    ESP_LOGE(TAG, "custom file systems (esp_vfs_register) are not supported on the host");
    return ESP_ERR_NOT_SUPPORTED;
}

static bool vfs_match_base(const vfs_mount_t *m, const void *arg)
{
    return strcmp(m->base, arg) == 0;
}

esp_err_t esp_vfs_unregister(const char *base_path)
{
    if (!base_path) {
        return ESP_ERR_INVALID_ARG;
    }
    return vfs_unmount_where(vfs_match_base, base_path, ESP_ERR_INVALID_STATE);
}

/* ---- SPIFFS and LittleFS --------------------------------------------------------- */
typedef struct {
    vfs_kind_t kind;
    const char *label;
} vfs_label_arg_t;

static bool vfs_match_label(const vfs_mount_t *m, const void *arg)
{
    const vfs_label_arg_t *a = arg;
    return vfs_label_eq(m, a->kind, a->label);
}

static esp_err_t vfs_unmount_label(vfs_kind_t kind, const char *label)
{
    vfs_label_arg_t a = { kind, label };
    return vfs_unmount_where(vfs_match_label, &a, ESP_ERR_INVALID_STATE);
}

static esp_err_t vfs_info_label(vfs_kind_t kind, const char *label, size_t *total, size_t *used)
{
    vfs_mount_t m;
    if (!vfs_get_by_label(kind, label, &m)) {
        return ESP_ERR_INVALID_STATE;
    }
    uint64_t t, u, f;
    esp_err_t err = vfs_sizes(m.host, &t, &u, &f);
    if (err == ESP_OK) {
        if (total) {
            *total = vfs_clamp_size(t);
        }
        if (used) {
            *used = vfs_clamp_size(u);
        }
    }
    return err;
}

static esp_err_t vfs_format_label(vfs_kind_t kind, const char *label)
{
    vfs_mount_t m;
    if (!vfs_get_by_label(kind, label, &m)) {
        ESP_LOGE(TAG, "partition \"%s\" is not mounted: the host cannot tell its folder",
                 label ? label : "(default)");
        return ESP_ERR_INVALID_STATE;
    }
    return vfs_format_dir(m.host);
}

/* The calls SPIFFS and LittleFS share, for fs spiffs or littlefs:
 * esp_vfs_<fs>_unregister(), esp_<fs>_mounted(), esp_<fs>_format() and
 * esp_<fs>_info(). */
#define VFS_LABEL_CALLS(fs, kind)                                                           \
    esp_err_t esp_vfs_##fs##_unregister(const char *partition_label)                        \
    {                                                                                       \
        return vfs_unmount_label(kind, partition_label);                                    \
    }                                                                                       \
    bool esp_##fs##_mounted(const char *partition_label)                                    \
    {                                                                                       \
        vfs_mount_t m;                                                                      \
        return vfs_get_by_label(kind, partition_label, &m);                                 \
    }                                                                                       \
    esp_err_t esp_##fs##_format(const char *partition_label)                                \
    {                                                                                       \
        return vfs_format_label(kind, partition_label);                                     \
    }                                                                                       \
    esp_err_t esp_##fs##_info(const char *partition_label, size_t *total_bytes,             \
          size_t *used_bytes)                                                               \
    {                                                                                       \
        return vfs_info_label(kind, partition_label, total_bytes, used_bytes);              \
    }

VFS_LABEL_CALLS(spiffs, VFS_SPIFFS)
VFS_LABEL_CALLS(littlefs, VFS_LITTLEFS)

esp_err_t esp_vfs_spiffs_register(const esp_vfs_spiffs_conf_t *conf)
{
    if (!conf) {
        return ESP_ERR_INVALID_ARG;
    }
    vfs_mount_req_t rq = { VFS_SPIFFS, conf->base_path, conf->partition_label, false, ESP_ERR_INVALID_STATE };
    return vfs_mount(&rq, NULL);
}

esp_err_t esp_spiffs_check(const char *partition_label)
{
    return esp_spiffs_mounted(partition_label) ? ESP_OK : ESP_ERR_INVALID_STATE;
}

esp_err_t esp_spiffs_gc(const char *partition_label, size_t size_to_gc)
{
    (void)size_to_gc;
    return esp_spiffs_mounted(partition_label) ? ESP_OK : ESP_ERR_INVALID_STATE;
}

esp_err_t esp_vfs_littlefs_register(const esp_vfs_littlefs_conf_t *conf)
{
    if (!conf || (conf->read_only && conf->format_if_mount_failed)) {
        return ESP_ERR_INVALID_ARG;
    }
    vfs_mount_req_t rq = { VFS_LITTLEFS, conf->base_path, conf->partition_label, conf->read_only,
                           ESP_ERR_INVALID_STATE };
    return vfs_mount(&rq, NULL);
}

/* ---- semihosting ----------------------------------------------------------------- */
static bool vfs_match_semihost(const vfs_mount_t *m, const void *arg)
{
    return m->kind == VFS_SEMIHOST && strcmp(m->base, arg) == 0;
}

esp_err_t esp_vfs_semihost_register(const char *base_path)
{
    /* Each semihosting mount is its own "partition": the base path is its label. */
    if (!vfs_base_ok(base_path)) {
        return ESP_ERR_INVALID_ARG;
    }
    vfs_mount_req_t rq = { VFS_SEMIHOST, base_path, base_path, false, ESP_ERR_INVALID_ARG };
    return vfs_mount(&rq, NULL);
}

esp_err_t esp_vfs_semihost_unregister(const char *base_path)
{
    if (!base_path) {
        return ESP_ERR_INVALID_ARG;
    }
    return vfs_unmount_where(vfs_match_semihost, base_path, ESP_ERR_INVALID_ARG);
}

/* ---- FAT in flash ---------------------------------------------------------------- */
static esp_err_t vfs_fat_flash_mount(const char *base_path, const char *partition_label,
                                     const esp_vfs_fat_mount_config_t *mount_config, bool ro,
                                     wl_handle_t *wl_handle)
{
    if (!mount_config || (mount_config->read_only && mount_config->format_if_mount_failed)) {
        return ESP_ERR_INVALID_ARG;
    }
    vfs_mount_req_t rq = { ro ? VFS_FAT_RO : VFS_FAT_WL, base_path, partition_label,
                           ro || mount_config->read_only, ESP_ERR_INVALID_STATE };
    vfs_mount_t m;
    esp_err_t err = vfs_mount(&rq, &m);
    if (err == ESP_OK && wl_handle) {
        *wl_handle = m.wl;
    }
    return err;
}

esp_err_t esp_vfs_fat_spiflash_mount_rw_wl(const char *base_path, const char *partition_label,
                                           const esp_vfs_fat_mount_config_t *mount_config,
                                           wl_handle_t *wl_handle)
{
    if (!wl_handle) {
        return ESP_ERR_INVALID_ARG;
    }
    return vfs_fat_flash_mount(base_path, partition_label, mount_config, false, wl_handle);
}

typedef struct {
    vfs_kind_t kind;
    const char *base;
    wl_handle_t wl;
    const char *label;
    const sdmmc_card_t *card;
} vfs_fat_arg_t;

static bool vfs_match_fat(const vfs_mount_t *m, const void *arg)
{
    const vfs_fat_arg_t *a = arg;
    if (m->kind != a->kind || !a->base || strcmp(m->base, a->base) != 0) {
        return false;
    }
    switch (a->kind) {
    case VFS_FAT_WL:
        return m->wl == a->wl;
    case VFS_FAT_RO:
        return vfs_label_eq(m, VFS_FAT_RO, a->label);
    default:
        return m->card == a->card;
    }
}

esp_err_t esp_vfs_fat_spiflash_unmount_rw_wl(const char *base_path, wl_handle_t wl_handle)
{
    vfs_fat_arg_t a = { VFS_FAT_WL, base_path, wl_handle, NULL, NULL };
    return vfs_unmount_where(vfs_match_fat, &a, ESP_ERR_INVALID_STATE);
}

esp_err_t esp_vfs_fat_spiflash_mount_ro(const char *base_path, const char *partition_label,
                                        const esp_vfs_fat_mount_config_t *mount_config)
{
    return vfs_fat_flash_mount(base_path, partition_label, mount_config, true, NULL);
}

esp_err_t esp_vfs_fat_spiflash_unmount_ro(const char *base_path, const char *partition_label)
{
    vfs_fat_arg_t a = { VFS_FAT_RO, base_path, 0, partition_label, NULL };
    return vfs_unmount_where(vfs_match_fat, &a, ESP_ERR_INVALID_STATE);
}

esp_err_t esp_vfs_fat_spiflash_format_cfg_rw_wl(const char *base_path, const char *partition_label,
                                                esp_vfs_fat_mount_config_t *cfg)
{
    (void)partition_label;
    (void)cfg;
    if (!vfs_base_ok(base_path)) {
        return ESP_ERR_INVALID_ARG;
    }
    vfs_mount_t m;
    if (vfs_get_by_base(base_path, &m)) {
        return m.readonly ? ESP_ERR_INVALID_STATE : vfs_format_dir(m.host);
    }
    char host[PATH_MAX];
    esp_err_t err = vfs_host_dir(base_path, host, sizeof host);
    if (err == ESP_OK && idf_host__vfs_mkdirs(host) != 0) {
        err = ESP_FAIL;
    }
    return err == ESP_OK ? vfs_format_dir(host) : err;
}

esp_err_t esp_vfs_fat_spiflash_format_rw_wl(const char *base_path, const char *partition_label)
{
    return esp_vfs_fat_spiflash_format_cfg_rw_wl(base_path, partition_label, NULL);
}

esp_err_t esp_vfs_fat_spiflash_mount(const char *base_path, const char *partition_label,
                                     const esp_vfs_fat_mount_config_t *mount_config, wl_handle_t *wl_handle)
{
    if (!wl_handle) {
        return ESP_ERR_INVALID_ARG;
    }
    return vfs_fat_flash_mount(base_path, partition_label, mount_config, false, wl_handle);
}

esp_err_t esp_vfs_fat_spiflash_unmount(const char *base_path, wl_handle_t wl_handle)
{
    return esp_vfs_fat_spiflash_unmount_rw_wl(base_path, wl_handle);
}

esp_err_t esp_vfs_fat_rawflash_mount(const char *base_path, const char *partition_label,
                                     const esp_vfs_fat_mount_config_t *mount_config)
{
    return esp_vfs_fat_spiflash_mount_ro(base_path, partition_label, mount_config);
}

esp_err_t esp_vfs_fat_rawflash_unmount(const char *base_path, const char *partition_label)
{
    return esp_vfs_fat_spiflash_unmount_ro(base_path, partition_label);
}

esp_err_t esp_vfs_fat_info(const char *base_path, uint64_t *out_total_bytes, uint64_t *out_free_bytes)
{
    if (!base_path || !out_total_bytes || !out_free_bytes) {
        return ESP_ERR_INVALID_ARG;
    }
    vfs_mount_t m;
    if (!vfs_get_by_base(base_path, &m)
            || (m.kind != VFS_FAT_WL && m.kind != VFS_FAT_RO && m.kind != VFS_SDCARD)) {
        return ESP_ERR_INVALID_STATE;
    }
    uint64_t used;
    return vfs_sizes(m.host, out_total_bytes, &used, out_free_bytes);
}

/* ---- FAT on an SD card ----------------------------------------------------------- */
static esp_err_t vfs_sd_mount(const char *base_path, const sdmmc_host_t *host, const void *slot,
                              const esp_vfs_fat_mount_config_t *mount_config, sdmmc_card_t **out_card)
{
    if (!host || !slot || !mount_config || (mount_config->read_only && mount_config->format_if_mount_failed)) {
        return ESP_ERR_INVALID_ARG;
    }
    sdmmc_card_t *card = calloc(1, sizeof *card);
    if (!card) {
        return ESP_ERR_NO_MEM;
    }
    card->host = *host;
    card->ocr = 0x40ff8000u;        /* SDHC, 2.7-3.6 V */
    snprintf(card->cid.name, sizeof card->cid.name, "HOSTFS");
    card->csd.sector_size = 512;
    card->csd.read_block_len = 9;
    card->max_freq_khz = (uint32_t)(host->max_freq_khz > 0 ? host->max_freq_khz : SDMMC_FREQ_DEFAULT);
    card->real_freq_khz = (int)card->max_freq_khz;
    card->is_mem = 1;

    /* Each card is its own "partition": the base path is its label. */
    vfs_mount_req_t rq = { VFS_SDCARD, base_path, base_path, mount_config->read_only, ESP_ERR_INVALID_STATE };
    vfs_mount_t m;
    esp_err_t err = vfs_mount(&rq, &m);
    if (err != ESP_OK) {
        free(card);
        return err;
    }
    uint64_t t = 0, u = 0, f = 0;
    if (vfs_sizes(m.host, &t, &u, &f) == ESP_OK) {
        uint64_t sectors = t / 512u;
        card->csd.capacity = sectors > INT32_MAX ? INT32_MAX : (int)sectors;
    }
    pthread_rwlock_wrlock(&idf_host__vfs_lock);
    vfs_mount_t *slotm = vfs_by_base(base_path);
    if (slotm) {
        slotm->card = card;
    }
    pthread_rwlock_unlock(&idf_host__vfs_lock);
    if (out_card) {
        *out_card = card;
    }
    return ESP_OK;
}

esp_err_t esp_vfs_fat_sdmmc_mount(const char *base_path, const sdmmc_host_t *host_config,
                                  const void *slot_config, const esp_vfs_fat_mount_config_t *mount_config,
                                  sdmmc_card_t **out_card)
{
    return vfs_sd_mount(base_path, host_config, slot_config, mount_config, out_card);
}

esp_err_t esp_vfs_fat_sdspi_mount(const char *base_path, const sdmmc_host_t *host_config_input,
                                  const sdspi_device_config_t *slot_config,
                                  const esp_vfs_fat_mount_config_t *mount_config, sdmmc_card_t **out_card)
{
    return vfs_sd_mount(base_path, host_config_input, slot_config, mount_config, out_card);
}

esp_err_t esp_vfs_fat_sdcard_unmount(const char *base_path, sdmmc_card_t *card)
{
    if (!card) {
        return ESP_ERR_INVALID_ARG;
    }
    vfs_fat_arg_t a = { VFS_SDCARD, base_path, 0, NULL, card };
    return vfs_unmount_where(vfs_match_fat, &a, ESP_ERR_INVALID_ARG);
}

esp_err_t esp_vfs_fat_sdcard_format_cfg(const char *base_path, sdmmc_card_t *card, esp_vfs_fat_mount_config_t *cfg)
{
    (void)cfg;
    if (!card) {
        return ESP_ERR_INVALID_STATE;
    }
    vfs_mount_t m;
    if (!vfs_get_by_base(base_path, &m) || m.card != card) {
        return ESP_ERR_INVALID_STATE;
    }
    return vfs_format_dir(m.host);
}

esp_err_t esp_vfs_fat_sdcard_format(const char *base_path, sdmmc_card_t *card)
{
    return esp_vfs_fat_sdcard_format_cfg(base_path, card, NULL);
}

void sdmmc_card_print_info(FILE *stream, const sdmmc_card_t *card)
{
    if (!stream || !card) {
        return;
    }
    fprintf(stream, "Name: %s\n", card->cid.name);
    fprintf(stream, "Type: SDHC (host folder)\n");
    fprintf(stream, "Speed: %.2f MHz\n", card->real_freq_khz / 1000.0);
    fprintf(stream, "Size: %lluMB\n",
            (unsigned long long)card->csd.capacity * (unsigned long long)card->csd.sector_size / (1024u * 1024u));
}

/* ---- SPI bus stand-in ------------------------------------------------------------ */
static unsigned vfs_spi_buses;      /* bit per spi_host_device_t, under idf_host__vfs_lock */

esp_err_t spi_bus_initialize(spi_host_device_t host_id, const spi_bus_config_t *bus_config,
                             spi_dma_chan_t dma_chan)
{
    (void)dma_chan;
    if ((int)host_id < 0 || host_id >= SPI_HOST_MAX || !bus_config) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_rwlock_wrlock(&idf_host__vfs_lock);
    esp_err_t err = (vfs_spi_buses & (1u << host_id)) ? ESP_ERR_INVALID_STATE : ESP_OK;
    vfs_spi_buses |= 1u << host_id;
    pthread_rwlock_unlock(&idf_host__vfs_lock);
    return err;
}

esp_err_t spi_bus_free(spi_host_device_t host_id)
{
    if ((int)host_id < 0 || host_id >= SPI_HOST_MAX) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_rwlock_wrlock(&idf_host__vfs_lock);
    esp_err_t err = (vfs_spi_buses & (1u << host_id)) ? ESP_OK : ESP_ERR_INVALID_STATE;
    vfs_spi_buses &= ~(1u << host_id);
    pthread_rwlock_unlock(&idf_host__vfs_lock);
    return err;
}

/* ---- GPIO stand-in (SD-card pull-ups) -------------------------------------------- */
esp_err_t gpio_set_pull_mode(gpio_num_t gpio_num, gpio_pull_mode_t pull)
{
    if (!GPIO_IS_VALID_GPIO(gpio_num) || (int)pull < (int)GPIO_PULLUP_ONLY || pull > GPIO_FLOATING) {
        return ESP_ERR_INVALID_ARG;
    }
    return ESP_OK;
}
