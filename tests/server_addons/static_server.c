/* SPDX-License-Identifier: Apache-2.0 */
/*
 * static_server: the firmware that tests/pytest/test_addon_static.py drives (the
 * static files add-on, httpd_static.h).
 *
 * Usage:
 *   static_server --port N --root DIR [--no-unregister]
 *
 * Prints "READY <port>" on stdout once the server runs; on failure "START_FAILED
 * <esp_err_to_name>" and exit 2 (bad command line: exit 64). SIGTERM / SIGINT:
 * httpd_static_unregister(server, NULL) (not with --no-unregister: the registrations are
 * then left to the module), httpd_stop(), exit 0. Logs go to stderr.
 *
 *   /assets/...   the table of tests/server_addons/static_assets.inc (made by
 *                 scripts/embed-assets.py from static_assets/), Cache-Control
 *                 "max-age=31536000, immutable"
 *   /files/...    DIR, no index file, 1 KiB pieces, Cache-Control "max-age=60"
 *   /one          httpd_static_send_file() of DIR/hello.txt, whatever the URI
 *   /one-asset    httpd_static_send_asset() of the table's /app.js
 *   /ctl/unregister?prefix=P   httpd_static_unregister(server, P) (no prefix: NULL);
 *                 answers the esp_err_to_name() of its result (text/plain)
 *   /...          DIR with the defaults (index.html, 4 KiB pieces, "no-cache")
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "../server/fw_common.h"
#include "esp_log.h"
#include "httpd_static.h"

#include "static_assets.inc"

static const char *TAG = "static_server";
static char s_hello[PATH_MAX];

static esp_err_t one_handler(httpd_req_t *req)
{
    esp_err_t err = httpd_static_send_file(req, s_hello);
    return err == ESP_FAIL ? ESP_FAIL : ESP_OK;
}

static esp_err_t one_asset_handler(httpd_req_t *req)
{
    for (size_t i = 0; i < test_assets_count; i++) {
        if (strcmp(test_assets[i].path, "/app.js") == 0) {
            return httpd_static_send_asset(req, &test_assets[i]) == ESP_FAIL ? ESP_FAIL : ESP_OK;
        }
    }
    return httpd_resp_send_err(req, HTTPD_500_INTERNAL_SERVER_ERROR, NULL);
}

static esp_err_t unregister_handler(httpd_req_t *req)
{
    char query[128], prefix[64];
    bool have = httpd_req_get_url_query_str(req, query, sizeof query) == ESP_OK &&
                httpd_query_key_value(query, "prefix", prefix, sizeof prefix) == ESP_OK;
    esp_err_t err = httpd_static_unregister(req->handle, have ? prefix : NULL);
    httpd_resp_set_type(req, "text/plain");
    return httpd_resp_send(req, esp_err_to_name(err), HTTPD_RESP_USE_STRLEN);
}

static const httpd_uri_t s_uris[] = {
    { .uri = "/ctl/unregister", .method = HTTP_GET, .handler = unregister_handler },
    { .uri = "/one", .method = HTTP_GET, .handler = one_handler },
    { .uri = "/one", .method = HTTP_HEAD, .handler = one_handler },
    { .uri = "/one-asset", .method = HTTP_GET, .handler = one_asset_handler },
};

static void usage(void)
{
    fprintf(stderr, "usage: static_server --port N --root DIR [--no-unregister]\n");
}

int main(int argc, char **argv)
{
    enum { OPT_PORT = 1, OPT_ROOT, OPT_NO_UNREGISTER };
    static const struct option opts[] = {
        { "port", required_argument, NULL, OPT_PORT },
        { "root", required_argument, NULL, OPT_ROOT },
        { "no-unregister", no_argument, NULL, OPT_NO_UNREGISTER },
        { NULL, 0, NULL, 0 },
    };
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    config.max_uri_handlers = 16;
    config.uri_match_fn = httpd_uri_match_wildcard;
    bool have_port = false;
    const char *root = NULL;
    bool unregister = true;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        bool ok = true;
        if (c == OPT_PORT) {
            ok = have_port = fw_parse_u16(optarg, 1, 65535, &config.server_port);
        } else if (c == OPT_ROOT) {
            root = optarg;
        } else if (c == OPT_NO_UNREGISTER) {
            unregister = false;
        } else {
            ok = false;
        }
        if (!ok) {
            usage();
            return 64;
        }
    }
    if (!have_port || !root || optind != argc ||
        snprintf(s_hello, sizeof s_hello, "%s/hello.txt", root) >= (int)sizeof s_hello) {
        usage();
        return 64;
    }

    sigset_t stop_set;
    if (!fw_block_stop_signals(&stop_set)) {
        return 1;
    }
    httpd_handle_t server = NULL;
    esp_err_t err = fw_start(&server, &config, s_uris, sizeof s_uris / sizeof s_uris[0]);
    if (err != ESP_OK) {
        return 2;
    }
    /* earlier registrations win: the prefixes before "/" */
    httpd_static_config_t assets = HTTPD_STATIC_CONFIG_DEFAULT();
    assets.uri_prefix = "/assets";
    assets.assets = test_assets;
    assets.asset_count = test_assets_count;
    assets.cache_control = "max-age=31536000, immutable";
    httpd_static_config_t files = HTTPD_STATIC_CONFIG_DEFAULT();
    files.uri_prefix = "/files";
    files.base_path = root;
    files.index_name = "";
    files.chunk_size = 1024;
    files.cache_control = "max-age=60";
    httpd_static_config_t top = HTTPD_STATIC_CONFIG_DEFAULT();
    top.base_path = root;
    const httpd_static_config_t *regs[] = { &assets, &files, &top };
    for (size_t i = 0; err == ESP_OK && i < sizeof regs / sizeof regs[0]; i++) {
        err = httpd_static_register(server, regs[i]);
    }
    if (err != ESP_OK) {
        fw_print_start_failed(err);
        httpd_static_unregister(server, NULL);
        fw_stop(server);
        return 2;
    }
    fw_print_ready(config.server_port);

    int sig = fw_wait_stop_signal(&stop_set);
    ESP_LOGI(TAG, "signal %d: stopping the server", sig);
    /* ESP_ERR_NOT_FOUND: /ctl/unregister removed them all already */
    esp_err_t uerr = unregister ? httpd_static_unregister(server, NULL) : ESP_OK;
    uerr = uerr == ESP_ERR_NOT_FOUND ? ESP_OK : uerr;
    err = fw_stop(server);
    return err == ESP_OK && uerr == ESP_OK ? 0 : 1;
}
