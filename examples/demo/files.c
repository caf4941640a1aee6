/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device's storage folder (DEMO_STORAGE; on a chip, a VFS mount such as /spiffs):
 *
 *   GET    /api/v1/files          {"files": [{"name", "size", "mtime"}], "used", "total", "max_upload"}
 *   POST   /api/v1/files          multipart/form-data, part "file": streamed to disk -> 201
 *   DELETE /api/v1/files/{name}   204; 404 when missing; 400 for a bad name
 *   GET    /files/{name}          the file, by httpd_static (ETag, Range, conditional requests)
 *
 * An upload is written to a hidden temporary file and renamed when complete, so a
 * failed or refused upload leaves nothing behind and never clobbers a file.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "demo.h"
#include "esp_log.h"
#include "httpd_json.h"
#include "httpd_multipart.h"
#include "httpd_path.h"
#include "httpd_static.h"

static const char *TAG = "files";

#define FILE_NAME_MAX  64      /* stored names: [A-Za-z0-9._-], not starting with '.' */
#define LIST_MAX       256     /* files listed at most (the list's memory is bounded) */
#define PATH_MAX_LEN   512
#define WORK_BUF       2048    /* bytes read from the socket at a time during an upload */

#define ST_400 "400 Bad Request"
#define ST_404 "404 Not Found"
#define ST_413 "413 Content Too Large"
#define ST_500 "500 Internal Server Error"

static const char *s_dir;
static size_t s_max_upload;

/* ---- names and paths ---------------------------------------------------------- */

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

/* A stored name: what the API accepts in a URL, and all a listing shows. */
static bool name_valid(const char *name)
{
    size_t n = 0;
    for (; name[n] != '\0'; n++) {
        if (!name_char(name[n]) || n == FILE_NAME_MAX) {
            return false;
        }
    }
    return n > 0 && name[0] != '.';
}

/* The browser's file name reduced to a stored name: other characters become '_',
 * leading dots go (no hidden files, no "." or ".."), at most FILE_NAME_MAX kept.
 * Returns false when nothing is left. */
static bool name_from_upload(const char *filename, char *out)
{
    const char *base = strrchr(filename, '/');     /* some clients send a path */
    const char *back = strrchr(filename, '\\');
    base = back > base ? back : base;
    filename = base ? base + 1 : filename;
    while (*filename == '.') {
        filename++;
    }
    size_t n = 0;
    for (; filename[n] != '\0' && n < FILE_NAME_MAX; n++) {
        out[n] = name_char(filename[n]) ? filename[n] : '_';
    }
    out[n] = '\0';
    return n > 0;
}

static bool path_of(const char *name, char *path, size_t size)
{
    int n = snprintf(path, size, "%s/%s", s_dir, name);
    return n > 0 && (size_t)n < size;
}

/* The {name} of a route's template, checked. Answers 400 itself when it is bad. */
static bool name_param(httpd_req_t *req, const char *tmpl, char *name, size_t size)
{
    esp_err_t err = httpd_path_param(req, tmpl, "name", name, size);
    if (err == ESP_OK && name_valid(name)) {
        return true;
    }
    httpd_json_send_error(req, ST_400, "bad file name: 1 to 64 of A-Z a-z 0-9 . _ -, not starting with '.'");
    return false;
}

/* ---- the listing ----------------------------------------------------------------- */

typedef struct {
    char     name[FILE_NAME_MAX + 1];
    uint64_t size;
    int64_t  mtime;
} entry_t;

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry_t *)a)->name, ((const entry_t *)b)->name);
}

/* The stored files (regular, well-named), up to max of them into list (may be NULL:
 * counted only); *used: their total size. Returns how many were found, or -1. */
static int scan(entry_t *list, int max, uint64_t *used)
{
    DIR *d = opendir(s_dir);
    if (d == NULL) {
        return -1;
    }
    int n = 0;
    *used = 0;
    struct dirent *de;
    char path[PATH_MAX_LEN];
    struct stat st;
    while ((de = readdir(d)) != NULL) {
        if (!name_valid(de->d_name) || !path_of(de->d_name, path, sizeof path) ||
            stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        *used += (uint64_t)st.st_size;
        if (list && n < max) {
            strcpy(list[n].name, de->d_name);
            list[n].size = (uint64_t)st.st_size;
            list[n].mtime = (int64_t)st.st_mtime;
        }
        n++;
    }
    closedir(d);
    return n;
}

void files_usage(uint64_t *used, uint64_t *total)
{
    struct statvfs vfs;
    *used = 0;
    scan(NULL, 0, used);
    uint64_t free_bytes = statvfs(s_dir, &vfs) == 0 ? (uint64_t)vfs.f_bavail * vfs.f_frsize : 0;
    *total = *used + free_bytes;
}

static cJSON *list_json(const entry_t *list, int n, uint64_t used)
{
    uint64_t u, total;
    files_usage(&u, &total);
    cJSON *o = cJSON_CreateObject();
    cJSON *files = cJSON_AddArrayToObject(o, "files");
    bool ok = o && files;
    for (int i = 0; ok && i < n; i++) {
        cJSON *f = cJSON_CreateObject();
        ok = f && cJSON_AddItemToArray(files, f) &&
             cJSON_AddStringToObject(f, "name", list[i].name) &&
             cJSON_AddNumberToObject(f, "size", (double)list[i].size) &&
             cJSON_AddNumberToObject(f, "mtime", (double)list[i].mtime);
    }
    ok = ok && cJSON_AddNumberToObject(o, "used", (double)used) &&
         cJSON_AddNumberToObject(o, "total", (double)(total > used ? total : used)) &&
         cJSON_AddNumberToObject(o, "max_upload", (double)s_max_upload);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static esp_err_t list_get(httpd_req_t *req)
{
    entry_t *list = malloc(LIST_MAX * sizeof *list);
    if (list == NULL) {
        return httpd_json_send_error(req, ST_500, "out of memory");
    }
    uint64_t used = 0;
    int n = scan(list, LIST_MAX, &used);
    if (n < 0) {
        free(list);
        return httpd_json_send_error(req, ST_500, "cannot read the storage folder");
    }
    if (n > LIST_MAX) {
        ESP_LOGW(TAG, "%d files: listing the first %d found", n, LIST_MAX);
        n = LIST_MAX;
    }
    qsort(list, (size_t)n, sizeof *list, entry_cmp);
    cJSON *o = list_json(list, n, used);
    free(list);
    esp_err_t err = o ? httpd_json_send(req, o) : httpd_json_send_error(req, ST_500, "out of memory");
    cJSON_Delete(o);
    return err;
}

/* ---- POST /api/v1/files ----------------------------------------------------------- */

/* The upload's state across the multipart callbacks. */
typedef struct {
    char        name[FILE_NAME_MAX + 1];   /* stored name of the "file" part */
    char        tmp[PATH_MAX_LEN];         /* its temporary file while it is written */
    int         fd;                        /* that file, or -1 */
    bool        in_file;                   /* the parser is inside the "file" part */
    bool        done;                      /* the "file" part ended: tmp is complete */
    size_t      size;
    const char *status;                    /* why a callback stopped the upload */
    const char *error;
} upload_t;

/* What the callbacks return to stop the parser; upload_t says why. */
#define UPLOAD_STOP ESP_ERR_INVALID_STATE

static esp_err_t stop(upload_t *u, const char *status, const char *error)
{
    u->status = status;
    u->error = error;
    return UPLOAD_STOP;
}

static esp_err_t on_part_begin(void *ctx, const httpd_multipart_part_t *part)
{
    upload_t *u = ctx;
    if (strcmp(part->name, "file") != 0 || u->fd >= 0 || u->done) {
        return ESP_OK;               /* other fields, and a second file, are skipped */
    }
    if (part->filename == NULL || !name_from_upload(part->filename, u->name)) {
        return stop(u, ST_400, "the file part needs a file name");
    }
    int n = snprintf(u->tmp, sizeof u->tmp, "%s/.upload-XXXXXX", s_dir);
    if (n < 0 || (size_t)n >= sizeof u->tmp || (u->fd = mkstemp(u->tmp)) < 0) {
        ESP_LOGE(TAG, "cannot create a file in %s: %s", s_dir, strerror(errno));
        u->tmp[0] = '\0';
        return stop(u, ST_500, "cannot write to storage");
    }
    u->in_file = true;
    return ESP_OK;
}

static esp_err_t on_part_data(void *ctx, const char *data, size_t len)
{
    upload_t *u = ctx;
    if (!u->in_file) {
        return ESP_OK;
    }
    if (len > s_max_upload - u->size) {
        return stop(u, ST_413, "file too large");
    }
    for (size_t off = 0; off < len;) {
        ssize_t w = write(u->fd, data + off, len - off);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            ESP_LOGE(TAG, "writing %s: %s", u->tmp, strerror(errno));
            return stop(u, errno == ENOSPC ? "507 Insufficient Storage" : ST_500, "cannot write to storage");
        }
        off += (size_t)w;
    }
    u->size += len;
    return ESP_OK;
}

static esp_err_t on_part_end(void *ctx)
{
    upload_t *u = ctx;
    if (u->in_file) {
        u->in_file = false;
        u->done = true;
        if (close(u->fd) != 0) {
            u->fd = -1;
            return stop(u, ST_500, "cannot write to storage");
        }
        u->fd = -1;
    }
    return ESP_OK;
}

/* Moves the complete temporary file to its name. */
static esp_err_t upload_commit(httpd_req_t *req, upload_t *u)
{
    char path[PATH_MAX_LEN];
    if (!path_of(u->name, path, sizeof path) || rename(u->tmp, path) != 0) {
        ESP_LOGE(TAG, "storing %s: %s", u->name, strerror(errno));
        return httpd_json_send_error(req, ST_500, "cannot write to storage");
    }
    u->tmp[0] = '\0';
    ESP_LOGI(TAG, "stored %s (%zu bytes)", u->name, u->size);
    cJSON *o = cJSON_CreateObject();
    esp_err_t err;
    if (o && cJSON_AddStringToObject(o, "name", u->name) && cJSON_AddNumberToObject(o, "size", (double)u->size)) {
        err = httpd_json_send_status(req, "201 Created", o);
    } else {
        err = httpd_json_send_error(req, ST_500, "out of memory");
    }
    cJSON_Delete(o);
    return err;
}

static esp_err_t upload_post(httpd_req_t *req)
{
    if (req->content_len > s_max_upload) {
        httpd_json_send_error(req, ST_413, "file too large");
        return ESP_FAIL;             /* the body is not read: close the connection */
    }
    static const httpd_multipart_callbacks_t cb = { on_part_begin, on_part_data, on_part_end };
    upload_t u = { .fd = -1 };
    char *work = malloc(WORK_BUF);   /* off the server task's stack */
    if (work == NULL) {
        return httpd_json_send_error(req, ST_500, "out of memory");
    }
    esp_err_t err = httpd_multipart_recv(req, &cb, &u, work, WORK_BUF);
    free(work);
    if (err == ESP_OK && u.done) {
        return upload_commit(req, &u);
    }
    /* Failed: nothing of this upload stays on the device. */
    if (u.fd >= 0) {
        close(u.fd);
    }
    if (u.tmp[0] != '\0') {
        unlink(u.tmp);
    }
    if (err == ESP_OK) {
        return httpd_json_send_error(req, ST_400, "no part named \"file\"");
    }
    if (err == UPLOAD_STOP) {
        ESP_LOGW(TAG, "upload refused: %s %s", u.status, u.error);
        httpd_json_send_error(req, u.status, u.error);
        return ESP_FAIL;             /* the rest of the body is not read: close */
    }
    return err;                      /* httpd_multipart answered (400, 408, 415) */
}

/* ---- DELETE /api/v1/files/{name}, GET /files/{name} ------------------------------- */

#define DELETE_URI   "/api/v1/files/{name}"
#define DOWNLOAD_URI "/files/{name}"

static esp_err_t file_delete(httpd_req_t *req)
{
    char name[FILE_NAME_MAX + 2], path[PATH_MAX_LEN];
    if (!name_param(req, DELETE_URI, name, sizeof name)) {
        return ESP_OK;
    }
    if (!path_of(name, path, sizeof path) || unlink(path) != 0) {
        return errno == ENOENT ? httpd_json_send_error(req, ST_404, "no such file")
                               : httpd_json_send_error(req, ST_500, "cannot delete the file");
    }
    ESP_LOGI(TAG, "deleted %s", name);
    httpd_resp_set_status(req, "204 No Content");
    return httpd_resp_send(req, NULL, 0);
}

static esp_err_t file_download(httpd_req_t *req)
{
    char name[FILE_NAME_MAX + 2], path[PATH_MAX_LEN];
    if (!name_param(req, DOWNLOAD_URI, name, sizeof name)) {
        return ESP_OK;
    }
    if (!path_of(name, path, sizeof path)) {
        return httpd_json_send_error(req, ST_404, "no such file");
    }
    /* Offer to save rather than show: these are the device's files, not pages. */
    httpd_resp_set_hdr(req, "Content-Disposition", "attachment");
    esp_err_t err = httpd_static_send_file(req, path);
    return err == ESP_FAIL ? ESP_FAIL : ESP_OK;   /* a 404 or 500 went out: keep the connection */
}

/* ---- registration ---------------------------------------------------------------- */

static httpd_uri_t s_routes[] = {
    { .uri = "/api/v1/files", .method = HTTP_GET,    .handler = list_get },
    { .uri = "/api/v1/files", .method = HTTP_POST,   .handler = upload_post },
    { .uri = DELETE_URI,      .method = HTTP_DELETE, .handler = file_delete },
    { .uri = DOWNLOAD_URI,    .method = HTTP_GET,    .handler = file_download },
    { .uri = DOWNLOAD_URI,    .method = HTTP_HEAD,   .handler = file_download },
};

demo_routes_t files_routes(void)
{
    return (demo_routes_t){ s_routes, sizeof s_routes / sizeof s_routes[0] };
}

esp_err_t files_init(const demo_env_t *env)
{
    if (env == NULL || env->storage == NULL || env->max_upload == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    if (mkdir(env->storage, 0755) != 0 && errno != EEXIST) {
        ESP_LOGE(TAG, "cannot create the storage folder %s: %s", env->storage, strerror(errno));
        return ESP_FAIL;
    }
    struct stat st;
    if (stat(env->storage, &st) != 0 || !S_ISDIR(st.st_mode)) {
        ESP_LOGE(TAG, "%s is not a folder", env->storage);
        return ESP_FAIL;
    }
    s_dir = env->storage;
    s_max_upload = env->max_upload;
    return ESP_OK;
}

esp_err_t files_register(httpd_handle_t server)
{
    return demo_register_routes(server, s_routes, sizeof s_routes / sizeof s_routes[0]);
}
