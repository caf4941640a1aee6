/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Static files example (add-on library esp_http_addons, httpd_static.h):
 *
 *   /app/...   a small page built into the program (a table such as
 *              scripts/embed-assets.py writes), cached for a year: its URLs would
 *              carry a content hash in a real project
 *   /...       the files of a folder: argv[1], default "." (on the chip a VFS
 *              mount such as "/spiffs"), with index.html, ".gz" variants, ETag,
 *              Last-Modified, Range
 *
 * Port: $PORT, default 8001. SIGINT / SIGTERM stop the server; exit status 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "httpd_static.h"

static const char *TAG = "example_static";

static const uint8_t INDEX_HTML[] =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>app</title>"
    "<link rel=\"stylesheet\" href=\"app.css\"></head>"
    "<body><h1>Built-in page</h1></body></html>\n";
static const uint8_t APP_CSS[] = "h1 { color: teal; }\n";

static const httpd_static_asset_t APP[] = {
    /* path, data, length, gzip data, gzip length, MIME type (NULL: by extension), ETag */
    { "/index.html", INDEX_HTML, sizeof INDEX_HTML - 1, NULL, 0, NULL, "v1-index" },
    { "/app.css", APP_CSS, sizeof APP_CSS - 1, NULL, 0, NULL, "v1-css" },
};

int main(int argc, char **argv)
{
    const char *folder = argc > 1 ? argv[1] : ".";
    const char *p = getenv("PORT");
    long port = p ? strtol(p, NULL, 10) : 8001;
    if (port < 1 || port > 65535) {
        fprintf(stderr, "invalid PORT\n");
        return 1;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);   /* before the server thread exists */

    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    config.server_port = (uint16_t)port;
    config.uri_match_fn = httpd_uri_match_wildcard;   /* the module's templates need it */
    httpd_handle_t server = NULL;
    esp_err_t err = httpd_start(&server, &config);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_start: %s", esp_err_to_name(err));
        return 1;
    }

    httpd_static_config_t app = HTTPD_STATIC_CONFIG_DEFAULT();
    app.uri_prefix = "/app";
    app.assets = APP;
    app.asset_count = sizeof APP / sizeof APP[0];
    app.cache_control = "max-age=31536000, immutable";
    httpd_static_config_t files = HTTPD_STATIC_CONFIG_DEFAULT();
    files.uri_prefix = "/";            /* registered last: "/app" wins for its URLs */
    files.base_path = folder;
    if ((err = httpd_static_register(server, &app)) != ESP_OK ||
        (err = httpd_static_register(server, &files)) != ESP_OK) {
        ESP_LOGE(TAG, "httpd_static_register: %s", esp_err_to_name(err));
        httpd_static_unregister(server, NULL);
        httpd_stop(server);
        return 1;
    }
    printf("serving %s on http://127.0.0.1:%ld/ and the built-in page on /app/\n", folder, port);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    httpd_static_unregister(server, NULL);   /* frees the registrations */
    httpd_stop(server);
    return 0;
}
