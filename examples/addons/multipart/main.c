/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Multipart example (add-on httpd_multipart.h): file uploads of any size through a
 * 1 KiB buffer, as a browser sends them from <form enctype="multipart/form-data">.
 *
 *   GET  /        an HTML upload form
 *   POST /upload  streams every part: file parts go to $UPLOAD_DIR/<filename> when
 *                 UPLOAD_DIR is set (the name reduced to [A-Za-z0-9._-], at most 64
 *                 bytes), else are only counted; answers one line per part and a total
 *
 * Port: $PORT, default 8080. SIGINT / SIGTERM stop the server; exit status 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* sigwait, pthread_sigmask */
#endif

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "httpd_multipart.h"

static const char *TAG = "upload";

static const char PAGE[] =
    "<!DOCTYPE html><html><body><form method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\">"
    "<input name=\"note\" value=\"hello\"> <input type=\"file\" name=\"file\" multiple>"
    " <button>Upload</button></form></body></html>";

/* What our callbacks return when storage fails (the add-on's own errors differ). */
#define ERR_STORAGE ESP_ERR_INVALID_STATE

typedef struct {
    int    fd;           /* the file being written, or -1 */
    char   path[256];    /* its name */
    size_t size;         /* bytes of the current part */
    size_t total;
    char   report[512];  /* the answer, one line per part */
    size_t report_len;
} upload_t;

static esp_err_t on_begin(void *ctx, const httpd_multipart_part_t *part)
{
    upload_t *u = ctx;
    const char *dir = getenv("UPLOAD_DIR");
    u->size = 0;
    if (dir && part->filename && part->filename[0] != '\0') {
        char safe[65];
        size_t n = 0;
        for (const char *s = part->filename; *s != '\0' && n < sizeof safe - 1; s++, n++) {
            char c = *s;
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || (c == '.' && n > 0);   /* no ".", "..", hidden names */
            safe[n] = ok ? c : '_';
        }
        safe[n] = '\0';
        snprintf(u->path, sizeof u->path, "%s/%s", dir, safe);
        u->fd = open(u->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (u->fd < 0) {
            ESP_LOGE(TAG, "cannot create %s", u->path);
            return ERR_STORAGE;
        }
    }
    int n = snprintf(u->report + u->report_len, sizeof u->report - u->report_len, "%s%s%s",
                     part->name, part->filename ? " file " : "", part->filename ? part->filename : "");
    if (n > 0 && (size_t)n < sizeof u->report - u->report_len) {
        u->report_len += (size_t)n;
    }
    return ESP_OK;
}

static esp_err_t on_data(void *ctx, const char *data, size_t len)
{
    upload_t *u = ctx;
    if (u->fd >= 0 && write(u->fd, data, len) != (ssize_t)len) {
        return ERR_STORAGE;
    }
    u->size += len;
    return ESP_OK;
}

static esp_err_t on_end(void *ctx)
{
    upload_t *u = ctx;
    if (u->fd >= 0) {
        close(u->fd);
        u->fd = -1;
    }
    u->total += u->size;
    int n = snprintf(u->report + u->report_len, sizeof u->report - u->report_len, ": %zu bytes\n", u->size);
    if (n > 0 && (size_t)n < sizeof u->report - u->report_len) {
        u->report_len += (size_t)n;
    }
    return ESP_OK;
}

static esp_err_t page_handler(httpd_req_t *req)
{
    return httpd_resp_send(req, PAGE, HTTPD_RESP_USE_STRLEN);
}

static esp_err_t upload_handler(httpd_req_t *req)
{
    static const httpd_multipart_callbacks_t cb = { on_begin, on_data, on_end };
    upload_t u = { .fd = -1 };
    char work[1024];
    esp_err_t err = httpd_multipart_recv(req, &cb, &u, work, sizeof work);
    if (u.fd >= 0) {   /* the body broke off, or storage failed, inside a file */
        close(u.fd);
        unlink(u.path);
    }
    if (err == ERR_STORAGE) {   /* our callback: nothing has been sent yet */
        httpd_resp_send_err(req, HTTPD_500_INTERNAL_SERVER_ERROR, "Cannot store the file");
        return ESP_FAIL;        /* closes: the rest of the body is not read */
    }
    if (err != ESP_OK) {
        return err;             /* the add-on has answered 400 / 408 / 415 */
    }
    snprintf(u.report + u.report_len, sizeof u.report - u.report_len, "total %zu bytes\n", u.total);
    httpd_resp_set_type(req, "text/plain; charset=utf-8");
    return httpd_resp_sendstr(req, u.report);
}

int main(void)
{
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    const char *port = getenv("PORT");
    config.server_port = (uint16_t)(port ? atoi(port) : 8080);
    config.stack_size = 8192;   /* the handler holds a 1 KiB buffer and the 1.1 KiB parser */

    sigset_t stop;   /* blocked before the server's threads exist: only sigwait() sees them */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    static const httpd_uri_t uris[] = {
        { .uri = "/", .method = HTTP_GET, .handler = page_handler },
        { .uri = "/upload", .method = HTTP_POST, .handler = upload_handler },
    };
    httpd_handle_t server = NULL;
    esp_err_t err = httpd_start(&server, &config);
    for (size_t i = 0; err == ESP_OK && i < sizeof uris / sizeof uris[0]; i++) {
        err = httpd_register_uri_handler(server, &uris[i]);
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "start: %s", esp_err_to_name(err));
        if (server) {
            httpd_stop(server);
        }
        return 1;
    }
    ESP_LOGI(TAG, "serving on port %u", (unsigned)config.server_port);
    int sig;
    sigwait(&stop, &sig);
    return httpd_stop(server) == ESP_OK ? 0 : 1;
}
