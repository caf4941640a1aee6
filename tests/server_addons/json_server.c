/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_server: test firmware for the JSON add-on (httpd_json.h), driven by
 * tests/pytest/test_addon_json.py. Built only where cJSON is available.
 *
 *   json_server --port N
 *
 * Routes:
 *   POST /echo      httpd_json_recv (limit 1024 bytes), answers the value back
 *                   with httpd_json_send.
 *   POST /small     the same with a limit of 16 bytes.
 *   POST /create    answers 201 with {"created": <the value's "name">} or, without
 *                   a string "name", 422 {"error": "name required"}.
 *   GET  /status    {"ok": true, "uptime": 1, "list": [1, 2, 3]}
 */
#include <getopt.h>

#include "../server/fw_common.h"
#include "httpd_json.h"

static httpd_handle_t s_server;

static esp_err_t echo_limit(httpd_req_t *req, size_t limit)
{
    cJSON *json = NULL;
    esp_err_t err = httpd_json_recv(req, limit, &json);
    if (err != ESP_OK) {
        return err;   /* answered already; the connection closes */
    }
    err = httpd_json_send(req, json);
    cJSON_Delete(json);
    return err;
}

static esp_err_t echo_handler(httpd_req_t *req)
{
    return echo_limit(req, 1024);
}

static esp_err_t small_handler(httpd_req_t *req)
{
    return echo_limit(req, 16);
}

static esp_err_t create_handler(httpd_req_t *req)
{
    cJSON *json = NULL;
    esp_err_t err = httpd_json_recv(req, 1024, &json);
    if (err != ESP_OK) {
        return err;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(json, "name");
    if (!cJSON_IsString(name)) {
        cJSON_Delete(json);
        return httpd_json_send_error(req, "422 Unprocessable Content", "name required");
    }
    cJSON *out = cJSON_CreateObject();
    if (out) {
        cJSON_AddStringToObject(out, "created", name->valuestring);
    }
    cJSON_Delete(json);
    err = out ? httpd_json_send_status(req, "201 Created", out) : httpd_resp_send_500(req);
    cJSON_Delete(out);
    return err;
}

static esp_err_t status_handler(httpd_req_t *req)
{
    cJSON *o = cJSON_CreateObject();
    const int list[] = { 1, 2, 3 };
    if (!o || !cJSON_AddTrueToObject(o, "ok") || !cJSON_AddNumberToObject(o, "uptime", 1) ||
        !cJSON_AddItemToObject(o, "list", cJSON_CreateIntArray(list, 3))) {
        cJSON_Delete(o);
        return httpd_resp_send_500(req);
    }
    esp_err_t err = httpd_json_send(req, o);
    cJSON_Delete(o);
    return err;
}

static const httpd_uri_t s_uris[] = {
    { .uri = "/echo", .method = HTTP_POST, .handler = echo_handler },
    { .uri = "/small", .method = HTTP_POST, .handler = small_handler },
    { .uri = "/create", .method = HTTP_POST, .handler = create_handler },
    { .uri = "/status", .method = HTTP_GET, .handler = status_handler },
};

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "port", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    bool have_port = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'p' || !(have_port = fw_parse_u16(optarg, 1, 65535, &config.server_port))) {
            fprintf(stderr, "usage: json_server --port N\n");
            return 64;
        }
    }
    if (!have_port || optind != argc) {
        fprintf(stderr, "usage: json_server --port N\n");
        return 64;
    }
    sigset_t stop_set;
    if (!fw_block_stop_signals(&stop_set)) {
        return 1;
    }
    if (fw_start(&s_server, &config, s_uris, sizeof s_uris / sizeof s_uris[0]) != ESP_OK) {
        return 2;
    }
    fw_print_ready(config.server_port);
    fw_wait_stop_signal(&stop_set);
    return fw_stop(s_server) == ESP_OK ? 0 : 1;
}
