/* SPDX-License-Identifier: Apache-2.0 */
/* NVS of the ESP-IDF host environment (host/idf/nvs.c) behaves as on the
 * chip: every type round-trips, string/blob length queries, the documented
 * errors (not initialized, missing namespace read-only, read-only handle,
 * type mismatch, key and namespace length, closed handle, too long, full),
 * values survive deinit + init and a new process (this program run again
 * as a child), commit replaces the file without leaving its temporary file,
 * partitions are separate, concurrent use from threads is safe. The storage
 * file lies in a temporary folder (ESP_IDF_HOST_NVS), removed at the end. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nvs.h"
#include "nvs_flash.h"

#include "../unit/check.h"

static char dir[200];
static char nvs_file[256];
static char tmp_file[264];

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* ---- the child process: reads what the parent committed, writes one value ---- */
static int child_main(void)
{
    int bad = 0;
    nvs_handle_t h;
    int32_t v = 0;
    char s[16];
    size_t n = sizeof s;
    bad |= nvs_flash_init() != ESP_OK;
    bad |= nvs_open("storage", NVS_READWRITE, &h) != ESP_OK;
    bad |= nvs_get_i32(h, "i32", &v) != ESP_OK || v != INT32_MIN;
    bad |= nvs_get_str(h, "str", s, &n) != ESP_OK || strcmp(s, "hello") != 0;
    bad |= nvs_set_u16(h, "from_child", 4242) != ESP_OK;
    bad |= nvs_commit(h) != ESP_OK;
    nvs_close(h);
    bad |= nvs_flash_deinit() != ESP_OK;
    return bad ? 3 : 0;
}

/* Runs this program as "--child"; its exit status, or -1 (killed after 10 s). */
static int run_child(const char *self)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl(self, self, "--child", (char *)NULL);
        _exit(127);
    }
    if (pid < 0) {
        return -1;
    }
    int status = 0;
    for (int i = 0; i < 1000; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        struct timespec ts = { 0, 10 * 1000000L };
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* ---- threads ---------------------------------------------------------------------- */
typedef struct {
    nvs_handle_t h;
    int id;
    int errors;
} worker_t;

static void *worker(void *arg)
{
    worker_t *w = arg;
    char key[16];
    snprintf(key, sizeof key, "w%d", w->id);
    for (uint32_t i = 0; i < 300; i++) {
        uint32_t got = 0;
        if (nvs_set_u32(w->h, key, i) != ESP_OK || nvs_get_u32(w->h, key, &got) != ESP_OK || got != i) {
            w->errors++;
        }
    }
    return NULL;
}

static void test_before_init(void)
{
    nvs_handle_t h;
    nvs_stats_t st;
    CHECK_EQ_INT(nvs_open("storage", NVS_READWRITE, &h), ESP_ERR_NVS_NOT_INITIALIZED);
    CHECK_EQ_INT(nvs_get_stats(NULL, &st), ESP_ERR_NVS_NOT_INITIALIZED);
    CHECK_EQ_INT(nvs_flash_deinit(), ESP_ERR_NVS_NOT_INITIALIZED);
    CHECK_EQ_INT(nvs_flash_init_partition(NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(nvs_flash_init_partition("seventeen_chars__"), ESP_ERR_INVALID_ARG);
}

static void test_open(void)
{
    nvs_handle_t h;
    CHECK_EQ_INT(nvs_flash_init(), ESP_OK);
    CHECK_EQ_INT(nvs_flash_init(), ESP_OK);            /* already: ESP_OK */
    CHECK_EQ_INT(nvs_open("storage", NVS_READONLY, &h), ESP_ERR_NVS_NOT_FOUND);
    CHECK_EQ_INT(nvs_open("storage", NVS_READWRITE, NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(nvs_open("", NVS_READWRITE, &h), ESP_ERR_NVS_INVALID_NAME);
    CHECK_EQ_INT(nvs_open(NULL, NVS_READWRITE, &h), ESP_ERR_NVS_INVALID_NAME);
    CHECK_EQ_INT(nvs_open("sixteen_chars_ns", NVS_READWRITE, &h), ESP_ERR_NVS_KEY_TOO_LONG);
    CHECK_EQ_INT(nvs_open("fifteen_chars_n", NVS_READWRITE, &h), ESP_OK);
    nvs_close(h);
    CHECK_EQ_INT(nvs_open("fifteen_chars_n", NVS_READONLY, &h), ESP_OK);   /* created above */
    nvs_close(h);
    CHECK_EQ_INT(nvs_open_from_partition("nope", "storage", NVS_READWRITE, &h), ESP_ERR_NVS_PART_NOT_FOUND);
}

static void test_types(nvs_handle_t h)
{
    CHECK_EQ_INT(nvs_set_i8(h, "i8", INT8_MIN), ESP_OK);
    CHECK_EQ_INT(nvs_set_u8(h, "u8", UINT8_MAX), ESP_OK);
    CHECK_EQ_INT(nvs_set_i16(h, "i16", INT16_MIN), ESP_OK);
    CHECK_EQ_INT(nvs_set_u16(h, "u16", UINT16_MAX), ESP_OK);
    CHECK_EQ_INT(nvs_set_i32(h, "i32", INT32_MIN), ESP_OK);
    CHECK_EQ_INT(nvs_set_u32(h, "u32", UINT32_MAX), ESP_OK);
    CHECK_EQ_INT(nvs_set_i64(h, "i64", INT64_MIN), ESP_OK);
    CHECK_EQ_INT(nvs_set_u64(h, "u64", UINT64_MAX), ESP_OK);
    CHECK_EQ_INT(nvs_set_float(h, "flt", 1.5f), ESP_OK);
    CHECK_EQ_INT(nvs_set_double(h, "dbl", -2.25), ESP_OK);
    CHECK_EQ_INT(nvs_set_str(h, "str", "hello"), ESP_OK);
    CHECK_EQ_INT(nvs_set_blob(h, "blob", "\x01\x00\x02", 3), ESP_OK);
    CHECK_EQ_INT(nvs_set_blob(h, "empty", NULL, 0), ESP_OK);
    CHECK_EQ_INT(nvs_set_i8(h, "fifteen_chars_k", 7), ESP_OK);
    CHECK_EQ_INT(nvs_set_i8(h, "sixteen_chars_ke", 7), ESP_ERR_NVS_KEY_TOO_LONG);
    CHECK_EQ_INT(nvs_set_i8(h, "", 7), ESP_ERR_NVS_INVALID_NAME);
    CHECK_EQ_INT(nvs_set_i8(h, NULL, 7), ESP_ERR_NVS_INVALID_NAME);
    CHECK_EQ_INT(nvs_set_str(h, "s", NULL), ESP_ERR_INVALID_ARG);

    int8_t i8 = 0; uint8_t u8 = 0; int16_t i16 = 0; uint16_t u16 = 0;
    int32_t i32 = 0; uint32_t u32 = 0; int64_t i64 = 0; uint64_t u64 = 0;
    float f = 0; double d = 0;
    CHECK(nvs_get_i8(h, "i8", &i8) == ESP_OK && i8 == INT8_MIN);
    CHECK(nvs_get_u8(h, "u8", &u8) == ESP_OK && u8 == UINT8_MAX);
    CHECK(nvs_get_i16(h, "i16", &i16) == ESP_OK && i16 == INT16_MIN);
    CHECK(nvs_get_u16(h, "u16", &u16) == ESP_OK && u16 == UINT16_MAX);
    CHECK(nvs_get_i32(h, "i32", &i32) == ESP_OK && i32 == INT32_MIN);
    CHECK(nvs_get_u32(h, "u32", &u32) == ESP_OK && u32 == UINT32_MAX);
    CHECK(nvs_get_i64(h, "i64", &i64) == ESP_OK && i64 == INT64_MIN);
    CHECK(nvs_get_u64(h, "u64", &u64) == ESP_OK && u64 == UINT64_MAX);
    CHECK(nvs_get_float(h, "flt", &f) == ESP_OK && f == 1.5f);
    CHECK(nvs_get_double(h, "dbl", &d) == ESP_OK && d == -2.25);
    CHECK(nvs_get_i8(h, "fifteen_chars_k", &i8) == ESP_OK && i8 == 7);
    CHECK_EQ_INT(nvs_get_i8(h, "i8", NULL), ESP_ERR_INVALID_ARG);

    /* type mismatch leaves the output alone; a missing key too */
    u8 = 99;
    CHECK_EQ_INT(nvs_get_u8(h, "i8", &u8), ESP_ERR_NVS_TYPE_MISMATCH);
    CHECK_EQ_INT(nvs_get_i32(h, "u32", &i32), ESP_ERR_NVS_TYPE_MISMATCH);
    CHECK_EQ_INT(nvs_get_u8(h, "nokey", &u8), ESP_ERR_NVS_NOT_FOUND);
    CHECK_EQ_INT(u8, 99);
    size_t n = 10;
    char sbuf[10];
    CHECK_EQ_INT(nvs_get_str(h, "blob", sbuf, &n), ESP_ERR_NVS_TYPE_MISMATCH);
    CHECK_EQ_INT(nvs_get_blob(h, "str", sbuf, &n), ESP_ERR_NVS_TYPE_MISMATCH);

    /* length queries */
    n = 0;
    CHECK_EQ_INT(nvs_get_str(h, "str", NULL, &n), ESP_OK);
    CHECK_EQ_INT(n, 6);
    n = 5;
    CHECK_EQ_INT(nvs_get_str(h, "str", sbuf, &n), ESP_ERR_NVS_INVALID_LENGTH);
    CHECK_EQ_INT(n, 6);
    CHECK_EQ_INT(nvs_get_str(h, "str", sbuf, NULL), ESP_ERR_NVS_INVALID_LENGTH);
    n = sizeof sbuf;
    CHECK_EQ_INT(nvs_get_str(h, "str", sbuf, &n), ESP_OK);
    CHECK_EQ_INT(n, 6);
    CHECK_EQ_STR(sbuf, "hello");
    n = 0;
    CHECK_EQ_INT(nvs_get_blob(h, "blob", NULL, &n), ESP_OK);
    CHECK_EQ_INT(n, 3);
    n = 2;
    CHECK_EQ_INT(nvs_get_blob(h, "blob", sbuf, &n), ESP_ERR_NVS_INVALID_LENGTH);
    CHECK_EQ_INT(n, 3);
    n = 3;
    CHECK(nvs_get_blob(h, "blob", sbuf, &n) == ESP_OK && n == 3 && memcmp(sbuf, "\x01\x00\x02", 3) == 0);
    n = 5;
    CHECK(nvs_get_blob(h, "empty", sbuf, &n) == ESP_OK && n == 0);

    /* a value set again with another type replaces it */
    CHECK_EQ_INT(nvs_set_u8(h, "retype", 1), ESP_OK);
    CHECK_EQ_INT(nvs_set_str(h, "retype", "x"), ESP_OK);
    nvs_type_t t = NVS_TYPE_ANY;
    CHECK(nvs_find_key(h, "retype", &t) == ESP_OK && t == NVS_TYPE_STR);
    CHECK_EQ_INT(nvs_get_u8(h, "retype", &u8), ESP_ERR_NVS_TYPE_MISMATCH);
    CHECK(nvs_find_key(h, "u64", &t) == ESP_OK && t == NVS_TYPE_U64);
    CHECK(nvs_find_key(h, "blob", &t) == ESP_OK && t == NVS_TYPE_BLOB);
    CHECK_EQ_INT(nvs_find_key(h, "i8", NULL), ESP_OK);
    CHECK_EQ_INT(nvs_find_key(h, "nokey", &t), ESP_ERR_NVS_NOT_FOUND);
    CHECK_EQ_INT(nvs_erase_key(h, "retype"), ESP_OK);
    CHECK_EQ_INT(nvs_erase_key(h, "retype"), ESP_ERR_NVS_NOT_FOUND);
    CHECK_EQ_INT(nvs_find_key(h, "retype", &t), ESP_ERR_NVS_NOT_FOUND);

    /* sizes */
    char big[4002];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_EQ_INT(nvs_set_str(h, "big", big), ESP_ERR_NVS_VALUE_TOO_LONG);   /* 4002 with the NUL */
    big[3999] = '\0';
    CHECK_EQ_INT(nvs_set_str(h, "big", big), ESP_OK);                      /* 4000 */
    CHECK_EQ_INT(nvs_erase_key(h, "big"), ESP_OK);
    static char huge[20001];
    CHECK_EQ_INT(nvs_set_blob(h, "huge", huge, sizeof huge), ESP_ERR_NVS_VALUE_TOO_LONG);
}

static void test_readonly_and_closed(void)
{
    nvs_handle_t ro, rw;
    CHECK_EQ_INT(nvs_open("storage", NVS_READONLY, &ro), ESP_OK);
    int32_t v = 0;
    CHECK(nvs_get_i32(ro, "i32", &v) == ESP_OK && v == INT32_MIN);
    CHECK_EQ_INT(nvs_set_i32(ro, "i32", 1), ESP_ERR_NVS_READ_ONLY);
    CHECK_EQ_INT(nvs_set_str(ro, "s", "x"), ESP_ERR_NVS_READ_ONLY);
    CHECK_EQ_INT(nvs_erase_key(ro, "i32"), ESP_ERR_NVS_READ_ONLY);
    CHECK_EQ_INT(nvs_erase_all(ro), ESP_ERR_NVS_READ_ONLY);
    nvs_close(ro);
    CHECK_EQ_INT(nvs_get_i32(ro, "i32", &v), ESP_ERR_NVS_INVALID_HANDLE);
    CHECK_EQ_INT(nvs_set_i32(ro, "i32", 1), ESP_ERR_NVS_INVALID_HANDLE);
    CHECK_EQ_INT(nvs_commit(ro), ESP_ERR_NVS_INVALID_HANDLE);
    CHECK_EQ_INT(nvs_commit(0), ESP_ERR_NVS_INVALID_HANDLE);
    nvs_close(ro);                                     /* twice: nothing happens */

    /* erase_all clears one namespace only */
    CHECK_EQ_INT(nvs_open("other_ns", NVS_READWRITE, &rw), ESP_OK);
    CHECK_EQ_INT(nvs_set_u8(rw, "a", 1), ESP_OK);
    CHECK_EQ_INT(nvs_set_u8(rw, "b", 2), ESP_OK);
    size_t used = 0;
    CHECK(nvs_get_used_entry_count(rw, &used) == ESP_OK && used == 2);
    CHECK_EQ_INT(nvs_erase_all(rw), ESP_OK);
    uint8_t u8;
    CHECK_EQ_INT(nvs_get_u8(rw, "a", &u8), ESP_ERR_NVS_NOT_FOUND);
    CHECK(nvs_get_used_entry_count(rw, &used) == ESP_OK && used == 0);
    nvs_close(rw);
    CHECK_EQ_INT(nvs_open("storage", NVS_READONLY, &ro), ESP_OK);
    CHECK(nvs_get_i32(ro, "i32", &v) == ESP_OK && v == INT32_MIN);
    nvs_close(ro);
}

static void test_stats_and_iteration(void)
{
    nvs_stats_t st;
    CHECK_EQ_INT(nvs_get_stats(NULL, NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(nvs_get_stats(NULL, &st), ESP_OK);
    CHECK_EQ_INT(st.total_entries, 756);
    CHECK_EQ_INT(st.namespace_count, 3);               /* fifteen_chars_n, storage, other_ns */
    CHECK(st.used_entries > 15);
    CHECK_EQ_INT(st.used_entries + st.free_entries, st.total_entries);
    CHECK_EQ_INT(st.used_entries + st.available_entries, 630);

    nvs_iterator_t it = NULL;
    int count = 0, i32s = 0;
    esp_err_t err = nvs_entry_find(NVS_DEFAULT_PART_NAME, "storage", NVS_TYPE_ANY, &it);
    while (err == ESP_OK && count < 100) {
        nvs_entry_info_t info;
        CHECK_EQ_INT(nvs_entry_info(it, &info), ESP_OK);
        CHECK_EQ_STR(info.namespace_name, "storage");
        i32s += info.type == NVS_TYPE_I32 && strcmp(info.key, "i32") == 0;
        count++;
        err = nvs_entry_next(&it);
    }
    CHECK_EQ_INT(err, ESP_ERR_NVS_NOT_FOUND);
    CHECK(it == NULL);
    CHECK_EQ_INT(count, 14);                           /* the values test_types() left */
    CHECK_EQ_INT(i32s, 1);
    CHECK_EQ_INT(nvs_entry_find(NVS_DEFAULT_PART_NAME, "storage", NVS_TYPE_BLOB, &it), ESP_OK);
    count = 0;
    while (it && count < 100) {
        count++;
        nvs_entry_next(&it);
    }
    CHECK_EQ_INT(count, 2);
    CHECK_EQ_INT(nvs_entry_find(NVS_DEFAULT_PART_NAME, "no_such_ns", NVS_TYPE_ANY, &it), ESP_ERR_NVS_NOT_FOUND);
    CHECK(it == NULL);
    nvs_release_iterator(NULL);
}

static void test_full(void)
{
    nvs_handle_t h;
    CHECK_EQ_INT(nvs_open("filler", NVS_READWRITE, &h), ESP_OK);
    static char chunk[3000];
    esp_err_t err = ESP_OK;
    int i;
    for (i = 0; i < 50 && err == ESP_OK; i++) {
        char key[16];
        snprintf(key, sizeof key, "b%d", i);
        err = nvs_set_blob(h, key, chunk, sizeof chunk);
    }
    CHECK_EQ_INT(err, ESP_ERR_NVS_NOT_ENOUGH_SPACE);
    CHECK(i > 3 && i < 10);                           /* ~19 KiB fit in 630 entries */
    CHECK_EQ_INT(nvs_erase_all(h), ESP_OK);
    CHECK_EQ_INT(nvs_set_blob(h, "b0", chunk, sizeof chunk), ESP_OK);
    CHECK_EQ_INT(nvs_erase_all(h), ESP_OK);
    nvs_close(h);
}

static void test_threads(void)
{
    nvs_handle_t h;
    CHECK_EQ_INT(nvs_open("threads", NVS_READWRITE, &h), ESP_OK);
    pthread_t th[4];
    worker_t w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker_t){ .h = h, .id = i, .errors = 0 };
        CHECK_EQ_INT(pthread_create(&th[i], NULL, worker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(w[i].errors, 0);
    }
    uint32_t v = 0;
    CHECK(nvs_get_u32(h, "w3", &v) == ESP_OK && v == 299);
    nvs_close(h);
}

static void test_persistence(const char *self)
{
    nvs_handle_t h;
    CHECK(!file_exists(nvs_file));                     /* nothing committed yet */
    CHECK_EQ_INT(nvs_open("storage", NVS_READWRITE, &h), ESP_OK);
    CHECK_EQ_INT(nvs_commit(h), ESP_OK);
    CHECK(file_exists(nvs_file));
    CHECK(!file_exists(tmp_file));                     /* renamed into place */
    /* a commit replaces the file (a new inode), never rewrites it in place */
    struct stat st1, st2;
    CHECK_EQ_INT(stat(nvs_file, &st1), 0);
    CHECK_EQ_INT(nvs_set_u8(h, "late", 4), ESP_OK);
    CHECK_EQ_INT(nvs_commit(h), ESP_OK);
    CHECK_EQ_INT(stat(nvs_file, &st2), 0);
    CHECK(st1.st_ino != st2.st_ino);
    CHECK(st2.st_size > st1.st_size);
    CHECK(!file_exists(tmp_file));
    CHECK_EQ_INT(nvs_commit(h), ESP_OK);               /* nothing changed: not rewritten */
    CHECK_EQ_INT(stat(nvs_file, &st1), 0);
    CHECK(st1.st_ino == st2.st_ino);
    CHECK_EQ_INT(nvs_set_u8(h, "late", 5), ESP_OK);    /* not committed: written at deinit */
    CHECK_EQ_INT(nvs_flash_deinit(), ESP_OK);
    CHECK_EQ_INT(nvs_commit(h), ESP_ERR_NVS_INVALID_HANDLE);     /* deinit closed it */
    CHECK_EQ_INT(nvs_open("storage", NVS_READWRITE, &h), ESP_ERR_NVS_NOT_INITIALIZED);

    CHECK_EQ_INT(nvs_flash_init(), ESP_OK);
    CHECK_EQ_INT(nvs_open("storage", NVS_READONLY, &h), ESP_OK);
    int64_t i64 = 0;
    uint8_t u8 = 0;
    char s[8];
    size_t n = sizeof s;
    CHECK(nvs_get_i64(h, "i64", &i64) == ESP_OK && i64 == INT64_MIN);
    CHECK(nvs_get_str(h, "str", s, &n) == ESP_OK && strcmp(s, "hello") == 0);
    CHECK(nvs_get_u8(h, "late", &u8) == ESP_OK && u8 == 5);
    nvs_close(h);
    CHECK_EQ_INT(nvs_flash_deinit(), ESP_OK);

    /* another process reads the file and adds a value */
    CHECK_EQ_INT(run_child(self), 0);
    CHECK(!file_exists(tmp_file));
    CHECK_EQ_INT(nvs_flash_init(), ESP_OK);
    CHECK_EQ_INT(nvs_open("storage", NVS_READONLY, &h), ESP_OK);
    uint16_t u16 = 0;
    CHECK(nvs_get_u16(h, "from_child", &u16) == ESP_OK && u16 == 4242);
    nvs_close(h);
}

static void test_partitions_and_erase(void)
{
    nvs_handle_t h, o;
    CHECK_EQ_INT(nvs_flash_init_partition("other"), ESP_OK);
    CHECK_EQ_INT(nvs_open_from_partition("other", "storage", NVS_READONLY, &o), ESP_ERR_NVS_NOT_FOUND);
    CHECK_EQ_INT(nvs_open_from_partition("other", "storage", NVS_READWRITE, &o), ESP_OK);
    CHECK_EQ_INT(nvs_set_str(o, "str", "other"), ESP_OK);
    CHECK_EQ_INT(nvs_commit(o), ESP_OK);
    CHECK_EQ_INT(nvs_open("storage", NVS_READWRITE, &h), ESP_OK);
    char s[8];
    size_t n = sizeof s;
    CHECK(nvs_get_str(h, "str", s, &n) == ESP_OK && strcmp(s, "hello") == 0);
    n = sizeof s;
    CHECK(nvs_get_str(o, "str", s, &n) == ESP_OK && strcmp(s, "other") == 0);

    /* erasing "other" deinitializes it and keeps "nvs" */
    CHECK_EQ_INT(nvs_flash_erase_partition("other"), ESP_OK);
    CHECK_EQ_INT(nvs_commit(o), ESP_ERR_NVS_INVALID_HANDLE);
    CHECK_EQ_INT(nvs_flash_init_partition("other"), ESP_OK);
    CHECK_EQ_INT(nvs_open_from_partition("other", "storage", NVS_READONLY, &o), ESP_ERR_NVS_NOT_FOUND);
    n = sizeof s;
    CHECK(nvs_get_str(h, "str", s, &n) == ESP_OK && strcmp(s, "hello") == 0);
    CHECK_EQ_INT(nvs_flash_deinit_partition("other"), ESP_OK);
    CHECK_EQ_INT(nvs_flash_deinit(), ESP_OK);

    /* a file that is not ours: ESP_ERR_NVS_NO_FREE_PAGES, then erase + init as firmware does */
    FILE *f = fopen(nvs_file, "wb");
    CHECK(f != NULL);
    if (f) {
        fputs("garbage", f);
        fclose(f);
    }
    CHECK_EQ_INT(nvs_flash_init(), ESP_ERR_NVS_NO_FREE_PAGES);
    CHECK_EQ_INT(nvs_flash_erase(), ESP_OK);
    CHECK_EQ_INT(nvs_flash_init(), ESP_OK);
    CHECK_EQ_INT(nvs_open("storage", NVS_READONLY, &h), ESP_ERR_NVS_NOT_FOUND);
    CHECK_EQ_INT(nvs_flash_secure_init(NULL), ESP_OK);
    nvs_sec_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    CHECK_EQ_INT(nvs_flash_secure_init(&cfg), ESP_ERR_NVS_ENCR_NOT_SUPPORTED);
    CHECK_EQ_INT(nvs_flash_deinit(), ESP_OK);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--child") == 0) {
        return child_main();
    }
    const char *tmpdir = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/test_nvs_XXXXXX", tmpdir && *tmpdir ? tmpdir : P_tmpdir);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(nvs_file, sizeof nvs_file, "%s/nvs.bin", dir);
    snprintf(tmp_file, sizeof tmp_file, "%s.tmp", nvs_file);
    setenv("ESP_IDF_HOST_NVS", nvs_file, 1);

    test_before_init();
    test_open();
    nvs_handle_t h;
    CHECK_EQ_INT(nvs_open("storage", NVS_READWRITE, &h), ESP_OK);
    test_types(h);
    nvs_close(h);
    test_readonly_and_closed();
    test_stats_and_iteration();
    test_full();
    test_threads();
    test_persistence("/proc/self/exe");
    test_partitions_and_erase();

    unlink(tmp_file);
    unlink(nvs_file);
    CHECK_EQ_INT(rmdir(dir), 0);                       /* nothing else was left */
    return check_summary();
}
