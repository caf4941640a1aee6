/* SPDX-License-Identifier: Apache-2.0 */
/* Mounts of the ESP-IDF host environment (host/idf/vfs.c, vfs_wrap.c) map a
 * base path to a host folder, as the file_serving example needs: after
 * esp_vfs_spiffs_register() at "/data", fopen/fprintf/fread/stat/opendir/
 * readdir/rename/unlink/open/truncate on "/data/..." act on
 * $ESP_IDF_HOST_FS_ROOT/data (checked through the host path), in the plain,
 * 64-bit-offset and fortified variants of the calls; paths outside every
 * mount are untouched; unmounting stops the mapping; a second mount gives
 * upstream's error. Also SPIFFS's missing directories, ".." refused, FAT
 * read-write and read-only, SD cards, LittleFS, semihosting, and the
 * argument checks. Everything happens in a temporary folder, removed at the
 * end. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esp_littlefs.h"
#include "esp_log.h"
#include "esp_spiffs.h"
#include "esp_vfs.h"
#include "esp_vfs_fat.h"
#include "esp_vfs_semihost.h"
#include "sdmmc_cmd.h"
#include "driver/gpio.h"
#include "driver/sdmmc_host.h"
#include "driver/sdspi_host.h"
#include "driver/spi_common.h"

#include "../unit/check.h"

/* The fortified open()s, called by name as _FORTIFY_SOURCE makes programs do. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);

static char root[200];

static void host_path(char *out, size_t cap, const char *rel)
{
    snprintf(out, cap, "%s%s", root, rel);
}

static int host_exists(const char *rel)
{
    char p[512];
    struct stat st;
    host_path(p, sizeof p, rel);
    return stat(p, &st) == 0;
}

static int write_host_file(const char *rel, const char *text)
{
    char p[512];
    host_path(p, sizeof p, rel);
    FILE *f = fopen(p, "w");
    if (!f) {
        return -1;
    }
    fputs(text, f);
    return fclose(f);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);                                      /* on: the final check sees leftovers */
    return 0;
}

static void test_arguments(void)
{
    esp_vfs_spiffs_conf_t bad[] = {
        { .base_path = "data", .max_files = 5 },
        { .base_path = "/data/", .max_files = 5 },
        { .base_path = "/0123456789abcdef", .max_files = 5 },     /* 17 > ESP_VFS_PATH_MAX */
        { .base_path = NULL, .max_files = 5 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ_INT(esp_vfs_spiffs_register(&bad[i]), ESP_ERR_INVALID_ARG);
    }
    CHECK_EQ_INT(esp_vfs_spiffs_register(NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_vfs_spiffs_unregister(NULL), ESP_ERR_INVALID_STATE);
    CHECK(!esp_spiffs_mounted(NULL));
    size_t total, used;
    CHECK_EQ_INT(esp_spiffs_info(NULL, &total, &used), ESP_ERR_INVALID_STATE);
    esp_vfs_t ops;
    memset(&ops, 0, sizeof ops);
    CHECK_EQ_INT(esp_vfs_register("/custom", &ops, NULL), ESP_ERR_NOT_SUPPORTED);
    CHECK_EQ_INT(esp_vfs_register("/custom", NULL, NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_vfs_unregister("/custom"), ESP_ERR_INVALID_STATE);
    CHECK(!host_exists("/data"));                       /* nothing made by a failed mount */
}

static void test_spiffs(void)
{
    struct stat st;
    CHECK(stat("/data/hello.txt", &st) != 0);          /* not mounted yet */

    esp_vfs_spiffs_conf_t conf = { .base_path = "/data", .partition_label = NULL,
                                   .max_files = 5, .format_if_mount_failed = true };
    CHECK_EQ_INT(esp_vfs_spiffs_register(&conf), ESP_OK);
    CHECK(esp_spiffs_mounted(NULL));
    CHECK(host_exists("/data"));
    CHECK_EQ_INT(esp_vfs_spiffs_register(&conf), ESP_ERR_INVALID_STATE);   /* same label */
    esp_vfs_spiffs_conf_t other = { .base_path = "/data", .partition_label = "other", .max_files = 5 };
    CHECK_EQ_INT(esp_vfs_spiffs_register(&other), ESP_ERR_INVALID_STATE);  /* same base path */

    /* stdio */
    FILE *f = fopen("/data/hello.txt", "w");
    CHECK(f != NULL);
    if (f) {
        fprintf(f, "hello %d\n", 42);
        fclose(f);
    }
    CHECK(host_exists("/data/hello.txt"));
    char buf[64] = "";
    f = fopen("/data/hello.txt", "r");
    CHECK(f != NULL);
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    CHECK_EQ_STR(buf, "hello 42\n");
    CHECK(stat("/data/hello.txt", &st) == 0 && st.st_size == 9 && S_ISREG(st.st_mode));
    CHECK(lstat("/data/hello.txt", &st) == 0 && st.st_size == 9);
    CHECK_EQ_INT(access("/data/hello.txt", R_OK), 0);
    CHECK(stat("/data", &st) == 0 && S_ISDIR(st.st_mode));

    /* a file written on the host side is seen under the base path */
    CHECK_EQ_INT(write_host_file("/data/from_host.txt", "abc"), 0);
    CHECK(stat("/data/from_host.txt", &st) == 0 && st.st_size == 3);

    /* directory listing */
    DIR *d = opendir("/data");
    CHECK(d != NULL);
    int seen = 0, entries = 0, dots = 0;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL && entries < 100) {
            entries++;
            seen += strcmp(e->d_name, "hello.txt") == 0 || strcmp(e->d_name, "from_host.txt") == 0;
            dots += e->d_name[0] == '.';
        }
        closedir(d);
    }
    CHECK_EQ_INT(seen, 2);
    CHECK_EQ_INT(entries, 2);
    CHECK_EQ_INT(dots, 0);                             /* no "." or "..", as on the chip */

    /* a host directory outside the mounts still lists "." and ".." */
    d = opendir(root);
    dots = 0;
    entries = 0;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL && entries < 100) {
            entries++;
            dots += strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
        }
        closedir(d);
    }
    CHECK_EQ_INT(dots, 2);

    /* rename and unlink */
    CHECK_EQ_INT(rename("/data/hello.txt", "/data/renamed.txt"), 0);
    CHECK(!host_exists("/data/hello.txt"));
    CHECK(host_exists("/data/renamed.txt"));
    char outside[512];
    host_path(outside, sizeof outside, "/outside.txt");
    CHECK_EQ_INT(rename("/data/renamed.txt", outside), -1);          /* across file systems */
    CHECK_EQ_INT(errno, EXDEV);
    CHECK_EQ_INT(unlink("/data/from_host.txt"), 0);
    CHECK(!host_exists("/data/from_host.txt"));
    CHECK_EQ_INT(remove("/data/renamed.txt"), 0);
    CHECK(!host_exists("/data/renamed.txt"));
    CHECK_EQ_INT(unlink("/data/renamed.txt"), -1);
    CHECK_EQ_INT(errno, ENOENT);

    /* POSIX I/O, plain, 64-bit and fortified names */
    int fd = open("/data/raw.bin", O_CREAT | O_WRONLY | O_TRUNC, 0640);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_EQ_INT(write(fd, "0123456789", 10), 10);
        close(fd);
    }
    CHECK(host_exists("/data/raw.bin"));
    fd = open("/data/raw.bin", O_RDONLY);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_EQ_INT(read(fd, buf, 4), 4);
        close(fd);
    }
    CHECK_EQ_INT(truncate("/data/raw.bin", 5), 0);
    CHECK(stat("/data/raw.bin", &st) == 0 && st.st_size == 5);
    struct stat64 st64;
    CHECK(stat64("/data/raw.bin", &st64) == 0 && st64.st_size == 5);
    CHECK(lstat64("/data/raw.bin", &st64) == 0 && st64.st_size == 5);
    CHECK_EQ_INT(truncate64("/data/raw.bin", 3), 0);
    fd = open64("/data/raw.bin", O_RDONLY);
    CHECK(fd >= 0);
    if (fd >= 0) {
        close(fd);
    }
    fd = __open_2("/data/raw.bin", O_RDONLY);
    CHECK(fd >= 0);
    if (fd >= 0) {
        close(fd);
    }
    fd = __open64_2("/data/raw.bin", O_RDONLY);
    CHECK(fd >= 0);
    if (fd >= 0) {
        close(fd);
    }
    f = fopen64("/data/raw64.txt", "w");
    CHECK(f != NULL);
    if (f) {
        fclose(f);
    }
    CHECK(host_exists("/data/raw64.txt"));
    fd = creat("/data/creat.txt", 0600);
    CHECK(fd >= 0);
    if (fd >= 0) {
        close(fd);
    }
    CHECK(host_exists("/data/creat.txt"));
    f = fopen("/data/creat.txt", "r");
    CHECK(f != NULL);
    if (f) {
        f = freopen("/data/raw64.txt", "r", f);
        CHECK(f != NULL);
        if (f) {
            fclose(f);
        }
    }

    /* SPIFFS has no directories: a "/" in a name needs no mkdir; mkdir fails */
    f = fopen("/data/sub/dir/file.txt", "w");
    CHECK(f != NULL);
    if (f) {
        fputs("x", f);
        fclose(f);
    }
    CHECK(host_exists("/data/sub/dir/file.txt"));
    CHECK_EQ_INT(mkdir("/data/newdir", 0755), -1);
    CHECK_EQ_INT(errno, ENOSYS);

    /* ".." does not leave the mount */
    CHECK(fopen("/data/../escape.txt", "w") == NULL);
    CHECK_EQ_INT(errno, ENOENT);
    CHECK(!host_exists("/escape.txt"));
    CHECK(stat("/data/sub/../raw.bin", &st) != 0);

    /* a path that only starts like the base path is not under it: "/database"
     * is not $ROOT/data + "base" (which exists), it is the host's /database */
    CHECK_EQ_INT(write_host_file("/database", "x"), 0);
    CHECK(stat("/database", &st) != 0);

    /* paths outside every mount are the host's own */
    f = fopen(outside, "w");
    CHECK(f != NULL);
    if (f) {
        fclose(f);
    }
    CHECK(host_exists("/outside.txt"));
    CHECK_EQ_INT(unlink(outside), 0);

    /* info: used is what the files hold (raw.bin 3, file.txt 1, raw64/creat 0) */
    size_t total = 0, used = 0;
    CHECK_EQ_INT(esp_spiffs_info(NULL, &total, &used), ESP_OK);
    CHECK_EQ_INT(used, 4);
    CHECK(total >= used && total <= 1024u * 1024u * 1024u);     /* default cap: 1 GiB */
    setenv("ESP_IDF_HOST_FS_SIZE", "1000", 1);
    CHECK(esp_spiffs_info(NULL, &total, &used) == ESP_OK && total == 1000 && used == 4);
    unsetenv("ESP_IDF_HOST_FS_SIZE");
    CHECK_EQ_INT(esp_spiffs_check(NULL), ESP_OK);

    /* format empties the folder */
    CHECK_EQ_INT(esp_spiffs_format(NULL), ESP_OK);
    CHECK(!host_exists("/data/raw.bin"));
    CHECK(!host_exists("/data/sub"));
    CHECK(host_exists("/data"));
    CHECK(esp_spiffs_info(NULL, &total, &used) == ESP_OK && used == 0);

    /* unmount stops the mapping; the host folder stays */
    CHECK_EQ_INT(write_host_file("/data/kept.txt", "k"), 0);
    CHECK(stat("/data/kept.txt", &st) == 0);
    CHECK_EQ_INT(esp_vfs_spiffs_unregister(NULL), ESP_OK);
    CHECK(!esp_spiffs_mounted(NULL));
    CHECK(stat("/data/kept.txt", &st) != 0);
    CHECK(fopen("/data/kept.txt", "r") == NULL);
    CHECK(host_exists("/data/kept.txt"));
    CHECK_EQ_INT(esp_vfs_spiffs_unregister(NULL), ESP_ERR_INVALID_STATE);
    CHECK_EQ_INT(esp_spiffs_format(NULL), ESP_ERR_INVALID_STATE);

    /* labels: at most CONFIG_SPIFFS_MAX_PARTITIONS (3) */
    esp_vfs_spiffs_conf_t a = { .base_path = "/sa", .partition_label = "a", .max_files = 2 };
    esp_vfs_spiffs_conf_t b = { .base_path = "/sb", .partition_label = "b", .max_files = 2 };
    esp_vfs_spiffs_conf_t c = { .base_path = "/sc", .partition_label = "c", .max_files = 2 };
    esp_vfs_spiffs_conf_t e = { .base_path = "/se", .partition_label = "e", .max_files = 2 };
    CHECK_EQ_INT(esp_vfs_spiffs_register(&a), ESP_OK);
    CHECK_EQ_INT(esp_vfs_spiffs_register(&b), ESP_OK);
    CHECK_EQ_INT(esp_vfs_spiffs_register(&c), ESP_OK);
    CHECK_EQ_INT(esp_vfs_spiffs_register(&e), ESP_ERR_INVALID_STATE);
    CHECK(!host_exists("/se"));                        /* a refused mount makes no folder */
    CHECK(esp_spiffs_mounted("b") && !esp_spiffs_mounted(NULL));
    CHECK_EQ_INT(esp_vfs_spiffs_unregister("a"), ESP_OK);
    CHECK_EQ_INT(esp_vfs_spiffs_unregister("b"), ESP_OK);
    CHECK_EQ_INT(esp_vfs_unregister("/sc"), ESP_OK);
    CHECK(!esp_spiffs_mounted("c"));
}

static void test_fat(void)
{
    esp_vfs_fat_mount_config_t cfg = VFS_FAT_MOUNT_DEFAULT_CONFIG();
    wl_handle_t wl = WL_INVALID_HANDLE, wl2;
    CHECK_EQ_INT(esp_vfs_fat_spiflash_mount_rw_wl("/fat", "storage", &cfg, &wl), ESP_OK);
    CHECK(wl != WL_INVALID_HANDLE);
    CHECK_EQ_INT(esp_vfs_fat_spiflash_mount_rw_wl("/fat", "storage", &cfg, &wl2), ESP_ERR_INVALID_STATE);
    CHECK_EQ_INT(esp_vfs_fat_spiflash_mount_rw_wl("/fat", "storage", NULL, &wl2), ESP_ERR_INVALID_ARG);

    /* FAT has directories */
    CHECK_EQ_INT(mkdir("/fat/dir", 0755), 0);
    CHECK(host_exists("/fat/dir"));
    FILE *f = fopen("/fat/dir/f.txt", "w");
    CHECK(f != NULL);
    if (f) {
        fputs("fat", f);
        fclose(f);
    }
    CHECK(host_exists("/fat/dir/f.txt"));
    CHECK(fopen("/fat/nodir/f.txt", "w") == NULL);              /* no parent: as on FAT */
    CHECK_EQ_INT(unlink("/fat/dir/f.txt"), 0);
    CHECK_EQ_INT(rmdir("/fat/dir"), 0);
    CHECK(!host_exists("/fat/dir"));
    uint64_t total = 0, free_bytes = 0;
    CHECK_EQ_INT(esp_vfs_fat_info("/fat", &total, &free_bytes), ESP_OK);
    CHECK(total > 0 && free_bytes <= total);
    CHECK_EQ_INT(esp_vfs_fat_info("/nofat", &total, &free_bytes), ESP_ERR_INVALID_STATE);
    CHECK_EQ_INT(esp_vfs_fat_spiflash_unmount_rw_wl("/fat", wl + 100), ESP_ERR_INVALID_STATE);
    CHECK_EQ_INT(esp_vfs_fat_spiflash_unmount_rw_wl("/fat", wl), ESP_OK);
    CHECK_EQ_INT(esp_vfs_fat_spiflash_unmount_rw_wl("/fat", wl), ESP_ERR_INVALID_STATE);

    /* read-only: reads work, writes fail with EROFS */
    char dirp[512];
    host_path(dirp, sizeof dirp, "/ro");
    mkdir(dirp, 0755);
    CHECK_EQ_INT(write_host_file("/ro/present.txt", "ro"), 0);
    CHECK_EQ_INT(esp_vfs_fat_spiflash_mount_ro("/ro", "ro", &cfg), ESP_OK);
    f = fopen("/ro/present.txt", "r");
    CHECK(f != NULL);
    if (f) {
        fclose(f);
    }
    CHECK(fopen("/ro/new.txt", "w") == NULL);
    CHECK_EQ_INT(errno, EROFS);
    CHECK(fopen("/ro/present.txt", "r+") == NULL);
    CHECK_EQ_INT(open("/ro/new.txt", O_CREAT | O_WRONLY, 0644), -1);
    CHECK_EQ_INT(errno, EROFS);
    CHECK_EQ_INT(unlink("/ro/present.txt"), -1);
    CHECK_EQ_INT(errno, EROFS);
    CHECK(!host_exists("/ro/new.txt"));
    CHECK(host_exists("/ro/present.txt"));
    CHECK_EQ_INT(esp_vfs_fat_spiflash_unmount_ro("/ro", "other"), ESP_ERR_INVALID_STATE);
    CHECK_EQ_INT(esp_vfs_fat_spiflash_unmount_ro("/ro", "ro"), ESP_OK);
}

static void test_sdcard(void)
{
    sdmmc_host_t host = SDSPI_HOST_DEFAULT();
    spi_bus_config_t bus = { .mosi_io_num = 23, .miso_io_num = 19, .sclk_io_num = 18,
                             .quadwp_io_num = -1, .quadhd_io_num = -1, .max_transfer_sz = 4000 };
    CHECK_EQ_INT(spi_bus_initialize(host.slot, &bus, SDSPI_DEFAULT_DMA), ESP_OK);
    CHECK_EQ_INT(spi_bus_initialize(host.slot, &bus, SDSPI_DEFAULT_DMA), ESP_ERR_INVALID_STATE);
    sdspi_device_config_t slot = SDSPI_DEVICE_CONFIG_DEFAULT();
    slot.host_id = host.slot;
    esp_vfs_fat_sdmmc_mount_config_t cfg = { .format_if_mount_failed = false, .max_files = 5,
                                             .allocation_unit_size = 16 * 1024 };
    sdmmc_card_t *card = NULL;
    CHECK_EQ_INT(esp_vfs_fat_sdspi_mount("/sdcard", &host, &slot, &cfg, &card), ESP_OK);
    CHECK(card != NULL);
    sdmmc_card_t *card2 = NULL;
    CHECK_EQ_INT(esp_vfs_fat_sdspi_mount("/sdcard", &host, &slot, &cfg, &card2), ESP_ERR_INVALID_STATE);
    CHECK(card2 == NULL);
    char info[512] = "";
    FILE *mem = fmemopen(info, sizeof info - 1, "w");
    CHECK(mem != NULL);
    if (mem) {
        sdmmc_card_print_info(mem, card);
        fclose(mem);
    }
    CHECK(strstr(info, "Name: HOSTFS") != NULL);
    FILE *f = fopen("/sdcard/card.txt", "w");
    CHECK(f != NULL);
    if (f) {
        fclose(f);
    }
    CHECK(host_exists("/sdcard/card.txt"));
    uint64_t total = 0, free_bytes = 0;
    CHECK_EQ_INT(esp_vfs_fat_info("/sdcard", &total, &free_bytes), ESP_OK);
    CHECK_EQ_INT(esp_vfs_fat_sdcard_format("/sdcard", card), ESP_OK);
    CHECK(!host_exists("/sdcard/card.txt"));
    CHECK_EQ_INT(esp_vfs_fat_sdcard_unmount("/sdcard", NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_vfs_fat_sdcard_unmount("/sdcard", card), ESP_OK);
    CHECK(fopen("/sdcard/card.txt", "w") == NULL);
    CHECK_EQ_INT(spi_bus_free(host.slot), ESP_OK);
    CHECK_EQ_INT(spi_bus_free(host.slot), ESP_ERR_INVALID_STATE);

    /* SDMMC, as the restful_server example mounts it */
    sdmmc_host_t mmc = SDMMC_HOST_DEFAULT();
    sdmmc_slot_config_t mslot = SDMMC_SLOT_CONFIG_DEFAULT();
    mslot.width = 4;
    mslot.flags |= SDMMC_SLOT_FLAG_INTERNAL_PULLUP;
    CHECK_EQ_INT(gpio_set_pull_mode(GPIO_NUM_15, GPIO_PULLUP_ONLY), ESP_OK);
    CHECK_EQ_INT(gpio_set_pull_mode(GPIO_NUM_MAX, GPIO_PULLUP_ONLY), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_vfs_fat_sdmmc_mount("/sdcard", &mmc, &mslot, &cfg, NULL), ESP_OK);   /* out_card optional */
    CHECK_EQ_INT(esp_vfs_unregister("/sdcard"), ESP_OK);
    CHECK_EQ_INT(esp_vfs_fat_sdmmc_mount("/sdcard", &mmc, NULL, &cfg, &card), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_vfs_fat_sdmmc_mount("/sdcard", &mmc, &mslot, &cfg, &card), ESP_OK);
    CHECK(card != NULL && card->csd.capacity > 0);
    CHECK_EQ_INT(esp_vfs_fat_sdcard_unmount("/sdcard", card), ESP_OK);
}

static void test_littlefs_and_semihost(void)
{
    esp_vfs_littlefs_conf_t conf = { .base_path = "/www", .partition_label = "www",
                                     .format_if_mount_failed = true };
    CHECK_EQ_INT(esp_vfs_littlefs_register(&conf), ESP_OK);
    CHECK_EQ_INT(esp_vfs_littlefs_register(&conf), ESP_ERR_INVALID_STATE);
    CHECK(esp_littlefs_mounted("www"));
    CHECK_EQ_INT(mkdir("/www/assets", 0755), 0);
    int fd = open("/www/assets/app.js", O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_EQ_INT(write(fd, "js", 2), 2);
        close(fd);
    }
    CHECK(host_exists("/www/assets/app.js"));
    size_t total = 0, used = 0;
    CHECK(esp_littlefs_info("www", &total, &used) == ESP_OK && used == 2);
    CHECK_EQ_INT(esp_vfs_littlefs_unregister("www"), ESP_OK);
    CHECK_EQ_INT(esp_vfs_littlefs_unregister("www"), ESP_ERR_INVALID_STATE);

    CHECK_EQ_INT(esp_vfs_semihost_register("/host"), ESP_OK);
    CHECK_EQ_INT(esp_vfs_semihost_register("/host"), ESP_ERR_INVALID_ARG);
    FILE *f = fopen("/host/semi.txt", "w");
    CHECK(f != NULL);
    if (f) {
        fclose(f);
    }
    CHECK(host_exists("/host/semi.txt"));
    CHECK_EQ_INT(esp_vfs_semihost_unregister("/host"), ESP_OK);
    CHECK_EQ_INT(esp_vfs_semihost_unregister("/host"), ESP_ERR_INVALID_ARG);
}

/* Without ESP_IDF_HOST_FS_ROOT the folders lie in ./idf_host_fs, made
 * absolute at mount time (a later chdir() does not move them). */
static void test_default_root(void)
{
    char cwd[512];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    unsetenv("ESP_IDF_HOST_FS_ROOT");
    CHECK_EQ_INT(chdir(root), 0);
    CHECK_EQ_INT(esp_vfs_semihost_register("/rel"), ESP_OK);
    CHECK(host_exists("/idf_host_fs/rel"));
    CHECK_EQ_INT(chdir("/"), 0);
    FILE *f = fopen("/rel/x.txt", "w");
    CHECK(f != NULL);
    if (f) {
        fclose(f);
    }
    CHECK(host_exists("/idf_host_fs/rel/x.txt"));
    CHECK_EQ_INT(esp_vfs_semihost_unregister("/rel"), ESP_OK);
    CHECK_EQ_INT(chdir(cwd), 0);
    setenv("ESP_IDF_HOST_FS_ROOT", root, 1);
}

/* ---- threads: file calls under one mount while another mounts and unmounts ---- */
typedef struct {
    int id;
    int errors;
} io_worker_t;

static void *io_worker(void *arg)
{
    io_worker_t *w = arg;
    char path[32];
    snprintf(path, sizeof path, "/tdata/t%d.txt", w->id);
    for (int i = 0; i < 200; i++) {
        FILE *f = fopen(path, "w");
        if (!f) {
            w->errors++;
            continue;
        }
        fprintf(f, "%d", i);
        fclose(f);
        struct stat st;
        if (stat(path, &st) != 0 || st.st_size < 1) {
            w->errors++;
        }
    }
    return NULL;
}

static void test_threads(void)
{
    esp_vfs_littlefs_conf_t conf = { .base_path = "/tdata", .partition_label = "t" };
    CHECK_EQ_INT(esp_vfs_littlefs_register(&conf), ESP_OK);
    pthread_t th[3];
    io_worker_t w[3];
    for (int i = 0; i < 3; i++) {
        w[i] = (io_worker_t){ .id = i, .errors = 0 };
        CHECK_EQ_INT(pthread_create(&th[i], NULL, io_worker, &w[i]), 0);
    }
    esp_vfs_fat_mount_config_t cfg = VFS_FAT_MOUNT_DEFAULT_CONFIG();
    int churn_errors = 0;
    for (int i = 0; i < 100; i++) {
        wl_handle_t wl;
        churn_errors += esp_vfs_fat_spiflash_mount_rw_wl("/churn", NULL, &cfg, &wl) != ESP_OK;
        churn_errors += esp_vfs_fat_spiflash_unmount_rw_wl("/churn", wl) != ESP_OK;
    }
    CHECK_EQ_INT(churn_errors, 0);
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(w[i].errors, 0);
    }
    CHECK(host_exists("/tdata/t2.txt"));
    CHECK_EQ_INT(esp_vfs_littlefs_unregister("t"), ESP_OK);
}

int main(void)
{
    const char *tmpdir = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/test_vfs_XXXXXX", tmpdir && *tmpdir ? tmpdir : P_tmpdir);
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    setenv("ESP_IDF_HOST_FS_ROOT", root, 1);

    test_arguments();
    test_spiffs();
    test_fat();
    test_sdcard();
    test_littlefs_and_semihost();
    test_default_root();
    esp_log_level_set("vfs", ESP_LOG_WARN);           /* the churn below logs 200 lines otherwise */
    test_threads();

    CHECK_EQ_INT(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
    CHECK(access(root, F_OK) != 0);
    return check_summary();
}
