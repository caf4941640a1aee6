/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpd_static.h: static files for esp_http_server (add-on library esp_http_addons).
 *
 * Serves the files of a folder (a host directory, or on the chip a VFS mount such as
 * "/spiffs") or a table of assets built into the program, under a URI prefix:
 * MIME type by extension, precompressed ".gz" variants chosen by Accept-Encoding,
 * ETag / If-None-Match, Last-Modified / If-Modified-Since, single byte ranges
 * (Range / If-Range), Cache-Control, index files, HEAD, and no path traversal.
 *
 * The server must match URIs with wildcards:
 *     config.uri_match_fn = httpd_uri_match_wildcard;
 * (without it the registered templates "<prefix>/?*" match nothing and every
 * request gets 404). See docs/addons/static.md.
 */
#ifndef HTTPD_STATIC_H
#define HTTPD_STATIC_H

#include <stddef.h>
#include <stdint.h>

#include "esp_http_server.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One file built into the program (scripts/embed-assets.py writes such tables). */
typedef struct {
    const char    *path;      /*!< URL path below the prefix, from '/': "/index.html" */
    const uint8_t *data;      /*!< content (may be in flash) */
    size_t         len;       /*!< bytes of data */
    const uint8_t *gz_data;   /*!< gzip-compressed content, or NULL */
    size_t         gz_len;    /*!< bytes of gz_data */
    const char    *mime;      /*!< Content-Type, or NULL: by the path's extension */
    const char    *etag;      /*!< opaque tag without quotes (e.g. a content hash), or
                                   NULL: a 64-bit FNV-1a hash of data, computed per request */
} httpd_static_asset_t;

/** Flags of httpd_static_config_t. */
#define HTTPD_STATIC_NO_GZIP   (1u << 0)   /*!< never look for / serve ".gz" variants */
#define HTTPD_STATIC_NO_DIR_REDIRECT (1u << 1) /*!< a directory URL without '/': 404 instead of 301 */

/** One registration. Strings are copied by httpd_static_register(); the assets
 *  table itself is not and must outlive the registration. */
typedef struct {
    const char *uri_prefix;      /*!< "/" or "/static" (no trailing '/', except "/") */
    const char *base_path;       /*!< folder to serve, e.g. "/spiffs/www"; or NULL when assets */
    const httpd_static_asset_t *assets;   /*!< table to serve when base_path is NULL */
    size_t      asset_count;     /*!< entries of assets */
    const char *index_name;      /*!< served for a URL ending in '/'; NULL: "index.html", "": none */
    const char *cache_control;   /*!< Cache-Control value; NULL: "no-cache", "": no header */
    size_t      chunk_size;      /*!< bytes read and sent at a time; 0: 4096 (at least 256) */
    uint32_t    flags;           /*!< HTTPD_STATIC_* */
} httpd_static_config_t;

#define HTTPD_STATIC_CONFIG_DEFAULT() { .uri_prefix = "/", .base_path = NULL, .assets = NULL, \
    .asset_count = 0, .index_name = NULL, .cache_control = NULL, .chunk_size = 0, .flags = 0 }

/** Registers GET and HEAD handlers for "<uri_prefix>/?*" (the prefix itself, and
 *  everything below it). Handlers registered earlier win over later ones: register
 *  "/static" before "/".
 *  @return ESP_OK; ESP_ERR_INVALID_ARG (NULL argument, prefix not starting with '/'
 *          or ending with '/', neither or both of base_path and assets, a too long
 *          path); ESP_ERR_NO_MEM; the error of httpd_register_uri_handler()
 *          (ESP_ERR_HTTPD_HANDLERS_FULL, ESP_ERR_HTTPD_HANDLER_EXISTS, ...). */
esp_err_t httpd_static_register(httpd_handle_t server, const httpd_static_config_t *cfg);

/** Unregisters the handlers of uri_prefix (NULL: every registration of this module
 *  on server) and frees their memory. Call it before httpd_stop(), while no request
 *  of the prefix is being served; registrations of a stopped server are otherwise
 *  freed by the next httpd_static_register().
 *  @return ESP_OK; ESP_ERR_INVALID_ARG (NULL server); ESP_ERR_NOT_FOUND. */
esp_err_t httpd_static_unregister(httpd_handle_t server, const char *uri_prefix);

/** Sends the file at path (a file system path chosen by the handler: no traversal
 *  check is made) with the module's defaults: MIME type, ".gz" variant, ETag,
 *  Last-Modified, conditional requests, Range, "Cache-Control: no-cache".
 *  The response is complete when it returns ESP_OK (a 404 is sent for a missing file).
 *  @return ESP_OK; ESP_ERR_INVALID_ARG; ESP_ERR_NOT_FOUND (404 sent); ESP_ERR_NO_MEM
 *          (500 sent); ESP_FAIL (the file or the connection failed mid-way: return
 *          ESP_FAIL from the handler so that the connection closes). */
esp_err_t httpd_static_send_file(httpd_req_t *req, const char *path);

/** Sends one asset (same defaults and return values as httpd_static_send_file()). */
esp_err_t httpd_static_send_asset(httpd_req_t *req, const httpd_static_asset_t *asset);

/** Content-Type for path's extension (case-insensitive); text types carry
 *  "; charset=utf-8"; "application/octet-stream" when unknown or path is NULL. */
const char *httpd_static_mime_type(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* HTTPD_STATIC_H */
