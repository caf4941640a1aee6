/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: NVS (nvs.h, nvs_flash.h) kept in one file.
 *
 * Every partition's namespaces and values live in memory while at least one
 * partition is initialized, loaded from the file named by ESP_IDF_HOST_NVS
 * (default "nvs.bin") at the first nvs_flash_init...(), and written back whole
 * (temporary file, fsync, rename) at nvs_commit() and nvs_flash_deinit...()
 * when something changed. One mutex guards everything.
 *
 * File format (little-endian): the 8 bytes "IDFHNVS1", a u32 record count,
 * then per record: u8 kind (1 namespace, 2 value), u8 partition-name length
 * and name, u8 namespace length and name, u8 key length and key (empty for a
 * namespace), u8 nvs_type_t, u32 data length and data; then the 4 bytes
 * "END!". Strings are stored with their NUL. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esp_log.h"
#include "nvs.h"
#include "nvs_flash.h"

static const char *TAG = "nvs";

#define NVS_MAGIC        "IDFHNVS1"
#define NVS_END          "END!"
#define NVS_KIND_NS      1
#define NVS_KIND_VALUE   2
#define NVS_KEY_MAX      (NVS_KEY_NAME_MAX_SIZE - 1)
/* A simulated 24 KiB partition: 6 pages of 126 entries of 32 bytes, one page
 * kept free for garbage collection, as the chip's default "nvs" partition. */
#define NVS_PAGES        6u
#define NVS_PAGE_ENTRIES 126u
#define NVS_ENTRY_SIZE   32u
#define NVS_CHUNK_MAX    (NVS_ENTRY_SIZE * (NVS_PAGE_ENTRIES - 1u))   /* 4000 */
#define NVS_BLOB_MAX     (NVS_CHUNK_MAX * (NVS_PAGES - 1u))           /* 20000 */
#define NVS_MAX_NS       254u

typedef struct nvs_rec {
    struct nvs_rec *next;
    uint8_t kind;
    uint8_t type;
    char part[NVS_PART_NAME_MAX_SIZE + 1];
    char ns[NVS_NS_NAME_MAX_SIZE];
    char key[NVS_KEY_NAME_MAX_SIZE];
    size_t len;
    uint8_t *data;
} nvs_rec_t;

typedef struct nvs_part {
    struct nvs_part *next;
    char name[NVS_PART_NAME_MAX_SIZE + 1];
} nvs_part_t;

typedef struct nvs_hnd {
    struct nvs_hnd *next;
    nvs_handle_t id;
    bool readonly;
    char part[NVS_PART_NAME_MAX_SIZE + 1];
    char ns[NVS_NS_NAME_MAX_SIZE];
} nvs_hnd_t;

struct nvs_opaque_iterator_t {
    size_t count;
    size_t pos;
    nvs_entry_info_t entries[];
};

static pthread_mutex_t nvs_lock = PTHREAD_MUTEX_INITIALIZER;
static nvs_rec_t *nvs_recs;          /* loaded contents, every partition */
static bool nvs_loaded;
static bool nvs_dirty;
static nvs_part_t *nvs_parts;        /* initialized partitions */
static nvs_hnd_t *nvs_handles;
static nvs_handle_t nvs_next_id = 1;

/* ---- file ------------------------------------------------------------------------ */
static const char *nvs_path(void)
{
    const char *p = getenv("ESP_IDF_HOST_NVS");
    return (p && *p) ? p : "nvs.bin";
}

static void nvs_free_all(void)
{
    while (nvs_recs) {
        nvs_rec_t *r = nvs_recs;
        nvs_recs = r->next;
        free(r->data);
        free(r);
    }
    nvs_loaded = false;
    nvs_dirty = false;
}

static nvs_rec_t **nvs_tail(void)
{
    nvs_rec_t **pp = &nvs_recs;
    while (*pp) {
        pp = &(*pp)->next;
    }
    return pp;
}

static int nvs_read_exact(FILE *f, void *buf, size_t n)
{
    return n == 0 || fread(buf, 1, n, f) == n ? 0 : -1;
}

static int nvs_read_u32(FILE *f, uint32_t *v)
{
    uint8_t b[4];
    if (nvs_read_exact(f, b, 4) != 0) {
        return -1;
    }
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 0;
}

static int nvs_read_name(FILE *f, char *out, size_t cap)
{
    uint8_t n;
    if (nvs_read_exact(f, &n, 1) != 0 || n >= cap || nvs_read_exact(f, out, n) != 0) {
        return -1;
    }
    out[n] = '\0';
    return memchr(out, '\0', n) ? -1 : 0;
}

static esp_err_t nvs_load(void)
{
    FILE *f = fopen(nvs_path(), "rb");
    if (!f) {
        if (errno == ENOENT) {
            nvs_loaded = true;
            return ESP_OK;
        }
        ESP_LOGE(TAG, "cannot open %s: %s", nvs_path(), strerror(errno));
        return ESP_FAIL;
    }
    char magic[8];
    uint32_t count = 0;
    int bad = nvs_read_exact(f, magic, sizeof magic) != 0 || memcmp(magic, NVS_MAGIC, 8) != 0
              || nvs_read_u32(f, &count) != 0;
    nvs_rec_t **tail = &nvs_recs;
    for (uint32_t i = 0; !bad && i < count; i++) {
        nvs_rec_t *r = calloc(1, sizeof *r);
        uint32_t len = 0;
        if (!r) {
            bad = 1;
            break;
        }
        if (nvs_read_exact(f, &r->kind, 1) != 0 || (r->kind != NVS_KIND_NS && r->kind != NVS_KIND_VALUE)
                || nvs_read_name(f, r->part, sizeof r->part) != 0
                || nvs_read_name(f, r->ns, sizeof r->ns) != 0
                || nvs_read_name(f, r->key, sizeof r->key) != 0
                || nvs_read_exact(f, &r->type, 1) != 0 || nvs_read_u32(f, &len) != 0
                || len > NVS_BLOB_MAX) {
            free(r);
            bad = 1;
            break;
        }
        r->len = len;
        r->data = malloc(len ? len : 1);
        if (!r->data || nvs_read_exact(f, r->data, len) != 0) {
            free(r->data);
            free(r);
            bad = 1;
            break;
        }
        *tail = r;
        tail = &r->next;
    }
    char end[4];
    if (!bad && (nvs_read_exact(f, end, 4) != 0 || memcmp(end, NVS_END, 4) != 0)) {
        bad = 1;
    }
    fclose(f);
    if (bad) {
        nvs_free_all();
        ESP_LOGE(TAG, "%s is not a storage file of this library (erase it with nvs_flash_erase())",
                 nvs_path());
        return ESP_ERR_NVS_NO_FREE_PAGES;
    }
    nvs_loaded = true;
    return ESP_OK;
}

static int nvs_write_u32(FILE *f, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    return fwrite(b, 1, 4, f) == 4 ? 0 : -1;
}

static int nvs_write_name(FILE *f, const char *s)
{
    uint8_t n = (uint8_t)strlen(s);
    return fwrite(&n, 1, 1, f) == 1 && (n == 0 || fwrite(s, 1, n, f) == n) ? 0 : -1;
}

/* Writes every record to "<path>.tmp", then renames it over the file. */
static esp_err_t nvs_store(void)
{
    const char *path = nvs_path();
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 5);
    if (!tmp) {
        return ESP_ERR_NO_MEM;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        ESP_LOGE(TAG, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return ESP_FAIL;
    }
    uint32_t count = 0;
    for (nvs_rec_t *r = nvs_recs; r; r = r->next) {
        count++;
    }
    int bad = fwrite(NVS_MAGIC, 1, 8, f) != 8 || nvs_write_u32(f, count) != 0;
    for (nvs_rec_t *r = nvs_recs; r && !bad; r = r->next) {
        bad = fwrite(&r->kind, 1, 1, f) != 1 || nvs_write_name(f, r->part) != 0
              || nvs_write_name(f, r->ns) != 0 || nvs_write_name(f, r->key) != 0
              || fwrite(&r->type, 1, 1, f) != 1 || nvs_write_u32(f, (uint32_t)r->len) != 0
              || (r->len && fwrite(r->data, 1, r->len, f) != r->len);
    }
    bad = bad || fwrite(NVS_END, 1, 4, f) != 4 || fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad = (fclose(f) != 0) || bad;
    if (bad || rename(tmp, path) != 0) {
        ESP_LOGE(TAG, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return ESP_FAIL;
    }
    free(tmp);
    nvs_dirty = false;
    return ESP_OK;
}

/* ---- lookups (under nvs_lock) --------------------------------------------------- */
static nvs_part_t *nvs_find_part(const char *name)
{
    for (nvs_part_t *p = nvs_parts; p; p = p->next) {
        if (strcmp(p->name, name) == 0) {
            return p;
        }
    }
    return NULL;
}

static nvs_hnd_t *nvs_find_handle(nvs_handle_t id)
{
    for (nvs_hnd_t *h = nvs_handles; h; h = h->next) {
        if (h->id == id) {
            return h;
        }
    }
    return NULL;
}

static nvs_rec_t **nvs_find_rec(const char *part, const char *ns, uint8_t kind, const char *key)
{
    for (nvs_rec_t **pp = &nvs_recs; *pp; pp = &(*pp)->next) {
        nvs_rec_t *r = *pp;
        if (r->kind == kind && strcmp(r->part, part) == 0 && strcmp(r->ns, ns) == 0
                && strcmp(r->key, key) == 0) {
            return pp;
        }
    }
    return NULL;
}

/* Entries a record takes on the chip: one per namespace or number, a header
 * plus the 32-byte data entries for a string, plus a blob index for a blob. */
static size_t nvs_rec_entries(uint8_t kind, uint8_t type, size_t len)
{
    if (kind == NVS_KIND_NS) {
        return 1;
    }
    size_t data = (len + NVS_ENTRY_SIZE - 1) / NVS_ENTRY_SIZE;
    if (type == NVS_TYPE_STR) {
        return 1 + data;
    }
    if (type == NVS_TYPE_BLOB) {
        size_t chunks = len ? (len + NVS_CHUNK_MAX - 1) / NVS_CHUNK_MAX : 1;
        return 1 + chunks + data;
    }
    return 1;
}

static void nvs_part_stats(const char *part, size_t *used, size_t *ns_count)
{
    *used = 0;
    *ns_count = 0;
    for (nvs_rec_t *r = nvs_recs; r; r = r->next) {
        if (strcmp(r->part, part) == 0) {
            *used += nvs_rec_entries(r->kind, r->type, r->len);
            *ns_count += r->kind == NVS_KIND_NS;
        }
    }
}

static esp_err_t nvs_check_key(const char *key)
{
    if (!key || !*key) {
        return ESP_ERR_NVS_INVALID_NAME;
    }
    return strlen(key) > NVS_KEY_MAX ? ESP_ERR_NVS_KEY_TOO_LONG : ESP_OK;
}

static esp_err_t nvs_check_label(const char *label)
{
    return (!label || !*label || strlen(label) > NVS_PART_NAME_MAX_SIZE) ? ESP_ERR_INVALID_ARG : ESP_OK;
}

/* Adds or replaces a record, keeping the simulated partition's space. */
static esp_err_t nvs_put(const char *part, const char *ns, uint8_t kind, const char *key,
                         uint8_t type, const void *data, size_t len)
{
    nvs_rec_t **old = nvs_find_rec(part, ns, kind, key);
    size_t used, ns_count;
    nvs_part_stats(part, &used, &ns_count);
    if (kind == NVS_KIND_NS && ns_count >= NVS_MAX_NS) {
        return ESP_ERR_NVS_NOT_ENOUGH_SPACE;
    }
    /* As on the chip, a write needs a free entry even when it replaces a value. */
    size_t available = (NVS_PAGES - 1u) * NVS_PAGE_ENTRIES;
    size_t after = used - (old ? nvs_rec_entries((*old)->kind, (*old)->type, (*old)->len) : 0)
                   + nvs_rec_entries(kind, type, len);
    if (used >= available || after > available) {
        return ESP_ERR_NVS_NOT_ENOUGH_SPACE;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        return ESP_ERR_NO_MEM;
    }
    if (len) {
        memcpy(copy, data, len);
    }
    if (old) {
        nvs_rec_t *r = *old;
        *old = r->next;            /* a rewritten value moves to the end, as on flash */
        free(r->data);
        r->next = NULL;
        r->type = type;
        r->data = copy;
        r->len = len;
        *nvs_tail() = r;
    } else {
        nvs_rec_t *r = calloc(1, sizeof *r);
        if (!r) {
            free(copy);
            return ESP_ERR_NO_MEM;
        }
        r->kind = kind;
        r->type = type;
        snprintf(r->part, sizeof r->part, "%s", part);
        snprintf(r->ns, sizeof r->ns, "%s", ns);
        snprintf(r->key, sizeof r->key, "%s", key);
        r->data = copy;
        r->len = len;
        *nvs_tail() = r;
    }
    nvs_dirty = true;
    return ESP_OK;
}

static void nvs_remove_where(const char *part, const char *ns, bool values_only)
{
    nvs_rec_t **pp = &nvs_recs;
    while (*pp) {
        nvs_rec_t *r = *pp;
        if (strcmp(r->part, part) == 0 && (!ns || strcmp(r->ns, ns) == 0)
                && (!values_only || r->kind == NVS_KIND_VALUE)) {
            *pp = r->next;
            free(r->data);
            free(r);
            nvs_dirty = true;
        } else {
            pp = &r->next;
        }
    }
}

/* ---- nvs_flash.h ----------------------------------------------------------------- */
esp_err_t nvs_flash_init_partition(const char *partition_label)
{
    if (nvs_check_label(partition_label) != ESP_OK) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&nvs_lock);
    esp_err_t err = ESP_OK;
    if (!nvs_find_part(partition_label)) {
        if (!nvs_loaded) {
            err = nvs_load();
        }
        if (err == ESP_OK) {
            nvs_part_t *p = calloc(1, sizeof *p);
            if (!p) {
                err = ESP_ERR_NO_MEM;
            } else {
                snprintf(p->name, sizeof p->name, "%s", partition_label);
                p->next = nvs_parts;
                nvs_parts = p;
                ESP_LOGD(TAG, "partition \"%s\" initialized from %s", partition_label, nvs_path());
            }
        }
        if (err != ESP_OK && !nvs_parts) {
            nvs_free_all();
        }
    }
    pthread_mutex_unlock(&nvs_lock);
    return err;
}

esp_err_t nvs_flash_init(void)
{
    return nvs_flash_init_partition(NVS_DEFAULT_PART_NAME);
}

esp_err_t nvs_flash_secure_init_partition(const char *partition_label, nvs_sec_cfg_t *cfg)
{
    if (cfg) {
        ESP_LOGE(TAG, "NVS encryption is not supported on the host");
        return ESP_ERR_NVS_ENCR_NOT_SUPPORTED;
    }
    return nvs_flash_init_partition(partition_label);
}

esp_err_t nvs_flash_secure_init(nvs_sec_cfg_t *cfg)
{
    return nvs_flash_secure_init_partition(NVS_DEFAULT_PART_NAME, cfg);
}

/* Under nvs_lock: closes the partition's handles, forgets it; writes the file
 * if anything changed; frees the contents when no partition is left. */
static esp_err_t nvs_deinit_locked(const char *label)
{
    nvs_part_t **pp = &nvs_parts;
    while (*pp && strcmp((*pp)->name, label) != 0) {
        pp = &(*pp)->next;
    }
    if (!*pp) {
        return ESP_ERR_NVS_NOT_INITIALIZED;
    }
    nvs_part_t *p = *pp;
    *pp = p->next;
    free(p);
    for (nvs_hnd_t **hp = &nvs_handles; *hp;) {
        nvs_hnd_t *h = *hp;
        if (strcmp(h->part, label) == 0) {
            *hp = h->next;
            free(h);
        } else {
            hp = &h->next;
        }
    }
    esp_err_t err = nvs_dirty ? nvs_store() : ESP_OK;
    if (!nvs_parts) {
        nvs_free_all();
    }
    return err;
}

esp_err_t nvs_flash_deinit_partition(const char *partition_label)
{
    if (nvs_check_label(partition_label) != ESP_OK) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&nvs_lock);
    esp_err_t err = nvs_deinit_locked(partition_label);
    pthread_mutex_unlock(&nvs_lock);
    return err;
}

esp_err_t nvs_flash_deinit(void)
{
    return nvs_flash_deinit_partition(NVS_DEFAULT_PART_NAME);
}

esp_err_t nvs_flash_erase_partition(const char *part_name)
{
    if (nvs_check_label(part_name) != ESP_OK) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&nvs_lock);
    esp_err_t err = ESP_OK;
    if (nvs_find_part(part_name)) {
        err = nvs_deinit_locked(part_name);
    }
    bool temporary = !nvs_loaded;
    if (err == ESP_OK && temporary) {
        err = nvs_load();
        if (err == ESP_ERR_NVS_NO_FREE_PAGES) {
            err = ESP_OK;           /* an unreadable file is replaced by an empty one */
            nvs_loaded = true;
        }
    }
    if (err == ESP_OK) {
        nvs_remove_where(part_name, NULL, false);
        err = nvs_store();
    }
    if (temporary) {
        nvs_free_all();
    }
    pthread_mutex_unlock(&nvs_lock);
    return err;
}

esp_err_t nvs_flash_erase(void)
{
    return nvs_flash_erase_partition(NVS_DEFAULT_PART_NAME);
}

/* ---- nvs.h: handles -------------------------------------------------------------- */
esp_err_t nvs_open_from_partition(const char *part_name, const char *namespace_name,
                                  nvs_open_mode_t open_mode, nvs_handle_t *out_handle)
{
    if (!out_handle || !part_name
            || (open_mode != NVS_READONLY && open_mode != NVS_READWRITE && open_mode != NVS_READWRITE_PURGE)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!namespace_name || !*namespace_name) {
        return ESP_ERR_NVS_INVALID_NAME;
    }
    pthread_mutex_lock(&nvs_lock);
    esp_err_t err = ESP_OK;
    if (!nvs_parts) {
        err = ESP_ERR_NVS_NOT_INITIALIZED;
    } else if (!nvs_find_part(part_name)) {
        err = ESP_ERR_NVS_PART_NOT_FOUND;
    } else if (strlen(namespace_name) > NVS_KEY_MAX) {
        err = open_mode == NVS_READONLY ? ESP_ERR_NVS_NOT_FOUND : ESP_ERR_NVS_KEY_TOO_LONG;
    } else if (!nvs_find_rec(part_name, namespace_name, NVS_KIND_NS, "")) {
        err = open_mode == NVS_READONLY ? ESP_ERR_NVS_NOT_FOUND
              : nvs_put(part_name, namespace_name, NVS_KIND_NS, "", 0, NULL, 0);
    }
    if (err == ESP_OK) {
        nvs_hnd_t *h = calloc(1, sizeof *h);
        if (!h) {
            err = ESP_ERR_NO_MEM;
        } else {
            h->id = nvs_next_id++;
            if (nvs_next_id == 0) {
                nvs_next_id = 1;
            }
            h->readonly = open_mode == NVS_READONLY;
            snprintf(h->part, sizeof h->part, "%s", part_name);
            snprintf(h->ns, sizeof h->ns, "%s", namespace_name);
            h->next = nvs_handles;
            nvs_handles = h;
            *out_handle = h->id;
        }
    }
    pthread_mutex_unlock(&nvs_lock);
    return err;
}

esp_err_t nvs_open(const char *namespace_name, nvs_open_mode_t open_mode, nvs_handle_t *out_handle)
{
    return nvs_open_from_partition(NVS_DEFAULT_PART_NAME, namespace_name, open_mode, out_handle);
}

void nvs_close(nvs_handle_t handle)
{
    pthread_mutex_lock(&nvs_lock);
    for (nvs_hnd_t **hp = &nvs_handles; *hp; hp = &(*hp)->next) {
        if ((*hp)->id == handle) {
            nvs_hnd_t *h = *hp;
            *hp = h->next;
            free(h);
            break;
        }
    }
    pthread_mutex_unlock(&nvs_lock);
}

esp_err_t nvs_commit(nvs_handle_t handle)
{
    pthread_mutex_lock(&nvs_lock);
    esp_err_t err = ESP_ERR_NVS_INVALID_HANDLE;
    if (nvs_find_handle(handle)) {
        err = nvs_dirty ? nvs_store() : ESP_OK;
    }
    pthread_mutex_unlock(&nvs_lock);
    return err;
}

/* ---- nvs.h: values --------------------------------------------------------------- */
/* Takes nvs_lock and finds the handle, refusing a read-only one when write.
 * On ESP_OK it returns with nvs_lock held (the caller releases it) and *out the
 * handle; on an error, without the lock. */
static esp_err_t nvs_lock_handle(nvs_handle_t handle, bool write, nvs_hnd_t **out)
{
    pthread_mutex_lock(&nvs_lock);
    nvs_hnd_t *h = nvs_find_handle(handle);
    esp_err_t err = !h ? ESP_ERR_NVS_INVALID_HANDLE : (write && h->readonly) ? ESP_ERR_NVS_READ_ONLY : ESP_OK;
    if (err == ESP_OK) {
        *out = h;
    } else {
        pthread_mutex_unlock(&nvs_lock);
    }
    return err;
}

/* Checks key, then as nvs_lock_handle(); on ESP_OK, *hp is the handle and *rp
 * the link of the key's value in the handle's namespace, or NULL. */
static esp_err_t nvs_lock_key(nvs_handle_t handle, const char *key, bool write, nvs_hnd_t **hp,
                              nvs_rec_t ***rp)
{
    esp_err_t err = nvs_check_key(key);
    if (err == ESP_OK) {
        err = nvs_lock_handle(handle, write, hp);
    }
    if (err == ESP_OK) {
        *rp = nvs_find_rec((*hp)->part, (*hp)->ns, NVS_KIND_VALUE, key);
    }
    return err;
}

/* As nvs_lock_key(), where a key without a value is ESP_ERR_NVS_NOT_FOUND (and
 * the lock is released): on ESP_OK, *rp is the value's link. */
static esp_err_t nvs_lock_value(nvs_handle_t handle, const char *key, bool write, nvs_rec_t ***rp)
{
    nvs_hnd_t *h = NULL;
    esp_err_t err = nvs_lock_key(handle, key, write, &h, rp);
    if (err == ESP_OK && !*rp) {
        pthread_mutex_unlock(&nvs_lock);
        err = ESP_ERR_NVS_NOT_FOUND;
    }
    return err;
}

static esp_err_t nvs_set(nvs_handle_t handle, const char *key, nvs_type_t type, const void *data, size_t len)
{
    nvs_hnd_t *h = NULL;
    nvs_rec_t **old = NULL;
    esp_err_t err = nvs_lock_key(handle, key, true, &h, &old);
    if (err != ESP_OK) {
        return err;
    }
    /* The chip keeps one value per key: a write of another type replaces it. */
    if (old && (*old)->type == type && (*old)->len == len && memcmp((*old)->data, data, len) == 0) {
        err = ESP_OK;           /* same value: the chip writes nothing either */
    } else {
        err = nvs_put(h->part, h->ns, NVS_KIND_VALUE, key, (uint8_t)type, data, len);
    }
    pthread_mutex_unlock(&nvs_lock);
    return err;
}

/* Copies the value of key into out (want bytes) if its type is type. */
static esp_err_t nvs_get_fixed(nvs_handle_t handle, const char *key, nvs_type_t type, void *out, size_t want)
{
    if (!out) {
        esp_err_t err = nvs_check_key(key);     /* a bad key is reported first */
        return err != ESP_OK ? err : ESP_ERR_INVALID_ARG;
    }
    nvs_rec_t **r = NULL;
    esp_err_t err = nvs_lock_value(handle, key, false, &r);
    if (err != ESP_OK) {
        return err;
    }
    if ((*r)->type != type || (*r)->len != want) {
        err = ESP_ERR_NVS_TYPE_MISMATCH;
    } else {
        memcpy(out, (*r)->data, want);
    }
    pthread_mutex_unlock(&nvs_lock);
    return err;
}

#define NVS_NUMBER(name, ctype, tag)                                                        \
    esp_err_t nvs_set_##name(nvs_handle_t handle, const char *key, ctype value)             \
    {                                                                                       \
        return nvs_set(handle, key, tag, &value, sizeof value);                             \
    }                                                                                       \
    esp_err_t nvs_get_##name(nvs_handle_t handle, const char *key, ctype *out_value)        \
    {                                                                                       \
        return nvs_get_fixed(handle, key, tag, out_value, sizeof *out_value);               \
    }

NVS_NUMBER(i8, int8_t, NVS_TYPE_I8)
NVS_NUMBER(u8, uint8_t, NVS_TYPE_U8)
NVS_NUMBER(i16, int16_t, NVS_TYPE_I16)
NVS_NUMBER(u16, uint16_t, NVS_TYPE_U16)
NVS_NUMBER(i32, int32_t, NVS_TYPE_I32)
NVS_NUMBER(u32, uint32_t, NVS_TYPE_U32)
NVS_NUMBER(i64, int64_t, NVS_TYPE_I64)
NVS_NUMBER(u64, uint64_t, NVS_TYPE_U64)
NVS_NUMBER(float, float, NVS_TYPE_FLOAT)
NVS_NUMBER(double, double, NVS_TYPE_DOUBLE)

esp_err_t nvs_set_str(nvs_handle_t handle, const char *key, const char *value)
{
    if (!value) {
        return ESP_ERR_INVALID_ARG;
    }
    size_t len = strlen(value) + 1;
    if (len > NVS_CHUNK_MAX) {
        return ESP_ERR_NVS_VALUE_TOO_LONG;
    }
    return nvs_set(handle, key, NVS_TYPE_STR, value, len);
}

esp_err_t nvs_set_blob(nvs_handle_t handle, const char *key, const void *value, size_t length)
{
    if (!value && length) {
        return ESP_ERR_INVALID_ARG;
    }
    if (length > NVS_BLOB_MAX) {
        return ESP_ERR_NVS_VALUE_TOO_LONG;
    }
    return nvs_set(handle, key, NVS_TYPE_BLOB, value ? value : "", length);
}

static esp_err_t nvs_get_var(nvs_handle_t handle, const char *key, nvs_type_t type, void *out, size_t *length)
{
    nvs_rec_t **r = NULL;
    esp_err_t err = nvs_lock_value(handle, key, false, &r);
    if (err != ESP_OK) {
        return err;
    }
    if ((*r)->type != type) {
        err = ESP_ERR_NVS_TYPE_MISMATCH;
    } else if (!length) {
        err = ESP_ERR_NVS_INVALID_LENGTH;
    } else if (!out) {
        *length = (*r)->len;
    } else if (*length < (*r)->len) {
        *length = (*r)->len;
        err = ESP_ERR_NVS_INVALID_LENGTH;
    } else {
        memcpy(out, (*r)->data, (*r)->len);
        *length = (*r)->len;
    }
    pthread_mutex_unlock(&nvs_lock);
    return err;
}

esp_err_t nvs_get_str(nvs_handle_t handle, const char *key, char *out_value, size_t *length)
{
    return nvs_get_var(handle, key, NVS_TYPE_STR, out_value, length);
}

esp_err_t nvs_get_blob(nvs_handle_t handle, const char *key, void *out_value, size_t *length)
{
    return nvs_get_var(handle, key, NVS_TYPE_BLOB, out_value, length);
}

esp_err_t nvs_find_key(nvs_handle_t handle, const char *key, nvs_type_t *out_type)
{
    nvs_rec_t **r = NULL;
    esp_err_t err = nvs_lock_value(handle, key, false, &r);
    if (err == ESP_OK) {
        if (out_type) {
            *out_type = (nvs_type_t)(*r)->type;
        }
        pthread_mutex_unlock(&nvs_lock);
    }
    return err;
}

esp_err_t nvs_erase_key(nvs_handle_t handle, const char *key)
{
    nvs_rec_t **r = NULL;
    esp_err_t err = nvs_lock_value(handle, key, true, &r);
    if (err == ESP_OK) {
        nvs_rec_t *gone = *r;
        *r = gone->next;
        free(gone->data);
        free(gone);
        nvs_dirty = true;
        pthread_mutex_unlock(&nvs_lock);
    }
    return err;
}

esp_err_t nvs_erase_all(nvs_handle_t handle)
{
    nvs_hnd_t *h = NULL;
    esp_err_t err = nvs_lock_handle(handle, true, &h);
    if (err == ESP_OK) {
        nvs_remove_where(h->part, h->ns, true);
        pthread_mutex_unlock(&nvs_lock);
    }
    return err;
}

esp_err_t nvs_purge_all(nvs_handle_t handle)
{
    return nvs_erase_all(handle);
}

/* ---- statistics and iteration ---------------------------------------------------- */
esp_err_t nvs_get_stats(const char *part_name, nvs_stats_t *nvs_stats)
{
    if (!nvs_stats) {
        return ESP_ERR_INVALID_ARG;
    }
    memset(nvs_stats, 0, sizeof *nvs_stats);
    const char *part = part_name ? part_name : NVS_DEFAULT_PART_NAME;
    pthread_mutex_lock(&nvs_lock);
    esp_err_t err = ESP_OK;
    if (!nvs_find_part(part)) {
        err = ESP_ERR_NVS_NOT_INITIALIZED;
    } else {
        size_t used, ns_count;
        nvs_part_stats(part, &used, &ns_count);
        nvs_stats->total_entries = NVS_PAGES * NVS_PAGE_ENTRIES;
        nvs_stats->used_entries = used;
        nvs_stats->free_entries = nvs_stats->total_entries - used;
        nvs_stats->available_entries = (NVS_PAGES - 1u) * NVS_PAGE_ENTRIES - used;
        nvs_stats->namespace_count = ns_count;
    }
    pthread_mutex_unlock(&nvs_lock);
    return err;
}

esp_err_t nvs_get_used_entry_count(nvs_handle_t handle, size_t *used_entries)
{
    if (!used_entries) {
        return ESP_ERR_INVALID_ARG;
    }
    *used_entries = 0;
    nvs_hnd_t *h = NULL;
    esp_err_t err = nvs_lock_handle(handle, false, &h);
    if (err == ESP_OK) {
        for (nvs_rec_t *r = nvs_recs; r; r = r->next) {
            if (r->kind == NVS_KIND_VALUE && strcmp(r->part, h->part) == 0 && strcmp(r->ns, h->ns) == 0) {
                *used_entries += nvs_rec_entries(r->kind, r->type, r->len);
            }
        }
        pthread_mutex_unlock(&nvs_lock);
    }
    return err;
}

/* Under nvs_lock: a snapshot of the matching values, or NULL (*err set). */
static nvs_iterator_t nvs_snapshot(const char *part, const char *ns, nvs_type_t type, esp_err_t *err)
{
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        nvs_iterator_t it = NULL;
        if (pass == 1) {
            if (n == 0) {
                *err = ESP_ERR_NVS_NOT_FOUND;
                return NULL;
            }
            it = calloc(1, sizeof *it + n * sizeof it->entries[0]);
            if (!it) {
                *err = ESP_ERR_NO_MEM;
                return NULL;
            }
            it->count = n;
        }
        size_t i = 0;
        for (nvs_rec_t *r = nvs_recs; r; r = r->next) {
            if (r->kind != NVS_KIND_VALUE || strcmp(r->part, part) != 0 || (ns && strcmp(r->ns, ns) != 0)
                    || (type != NVS_TYPE_ANY && r->type != (uint8_t)type)) {
                continue;
            }
            if (it) {
                snprintf(it->entries[i].namespace_name, sizeof it->entries[i].namespace_name, "%s", r->ns);
                snprintf(it->entries[i].key, sizeof it->entries[i].key, "%s", r->key);
                it->entries[i].type = (nvs_type_t)r->type;
            }
            i++;
        }
        if (it) {
            *err = ESP_OK;
            return it;
        }
        n = i;
    }
    return NULL;
}

esp_err_t nvs_entry_find(const char *part_name, const char *namespace_name, nvs_type_t type,
                         nvs_iterator_t *output_iterator)
{
    if (!part_name || !output_iterator) {
        return ESP_ERR_INVALID_ARG;
    }
    *output_iterator = NULL;
    pthread_mutex_lock(&nvs_lock);
    esp_err_t err = ESP_ERR_NVS_NOT_INITIALIZED;
    if (nvs_find_part(part_name)) {
        *output_iterator = nvs_snapshot(part_name, namespace_name, type, &err);
    }
    pthread_mutex_unlock(&nvs_lock);
    return err;
}

esp_err_t nvs_entry_find_in_handle(nvs_handle_t handle, nvs_type_t type, nvs_iterator_t *output_iterator)
{
    if (!output_iterator) {
        return ESP_ERR_INVALID_ARG;
    }
    *output_iterator = NULL;
    nvs_hnd_t *h = NULL;
    esp_err_t err = nvs_lock_handle(handle, false, &h);
    if (err == ESP_OK) {
        *output_iterator = nvs_snapshot(h->part, h->ns, type, &err);
        pthread_mutex_unlock(&nvs_lock);
    }
    return err;
}

esp_err_t nvs_entry_next(nvs_iterator_t *iterator)
{
    if (!iterator || !*iterator) {
        return ESP_ERR_INVALID_ARG;
    }
    if (++(*iterator)->pos >= (*iterator)->count) {
        free(*iterator);
        *iterator = NULL;
        return ESP_ERR_NVS_NOT_FOUND;
    }
    return ESP_OK;
}

esp_err_t nvs_entry_info(const nvs_iterator_t iterator, nvs_entry_info_t *out_info)
{
    if (!iterator || !out_info || iterator->pos >= iterator->count) {
        return ESP_ERR_INVALID_ARG;
    }
    *out_info = iterator->entries[iterator->pos];
    return ESP_OK;
}

void nvs_release_iterator(nvs_iterator_t iterator)
{
    free(iterator);
}
