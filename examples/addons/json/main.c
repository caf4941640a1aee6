/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON example (httpd_json.h, on cJSON): a settings object read with
 * GET /api/settings and changed with PUT /api/settings.
 *
 *   PORT=8080 ./example_addon_json
 *   curl http://localhost:8080/api/settings
 *   curl -X PUT --json '{"name": "kitchen", "level": 40}' http://localhost:8080/api/settings
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* sigwait, pthread_sigmask */
#endif
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "httpd_json.h"

static const char *TAG = "json_example";

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static char s_name[32] = "lamp";
static int s_level = 50;

static esp_err_t settings_get(httpd_req_t *req)
{
    cJSON *o = cJSON_CreateObject();
    pthread_mutex_lock(&s_lock);
    bool ok = o && cJSON_AddStringToObject(o, "name", s_name) && cJSON_AddNumberToObject(o, "level", s_level);
    pthread_mutex_unlock(&s_lock);
    esp_err_t err = ok ? httpd_json_send(req, o) : httpd_resp_send_500(req);
    cJSON_Delete(o);
    return err;
}

static esp_err_t settings_put(httpd_req_t *req)
{
    cJSON *in = NULL;
    esp_err_t err = httpd_json_recv(req, 512, &in);
    if (err != ESP_OK) {
        return err;   /* 400/408/413/415/500 already sent; the connection closes */
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(in, "name");
    const cJSON *level = cJSON_GetObjectItemCaseSensitive(in, "level");
    if ((name && (!cJSON_IsString(name) || strlen(name->valuestring) >= sizeof s_name)) ||
        (level && (!cJSON_IsNumber(level) || level->valuedouble < 0 || level->valuedouble > 100))) {
        cJSON_Delete(in);
        return httpd_json_send_error(req, "422 Unprocessable Content",
                                     "name: a string of up to 31 bytes; level: 0 to 100");
    }
    pthread_mutex_lock(&s_lock);
    if (name) {
        strcpy(s_name, name->valuestring);
    }
    if (level) {
        s_level = level->valueint;
    }
    pthread_mutex_unlock(&s_lock);
    cJSON_Delete(in);
    ESP_LOGI(TAG, "settings changed");
    return settings_get(req);
}

int main(void)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    const char *port = getenv("PORT");
    config.server_port = (uint16_t)(port ? atoi(port) : 8080);
    httpd_handle_t server = NULL;
    if (httpd_start(&server, &config) != ESP_OK) {
        return 1;
    }
    static const httpd_uri_t uris[] = {
        { .uri = "/api/settings", .method = HTTP_GET, .handler = settings_get },
        { .uri = "/api/settings", .method = HTTP_PUT, .handler = settings_put },
    };
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
        httpd_register_uri_handler(server, &uris[i]);
    }
    ESP_LOGI(TAG, "serving on port %u", (unsigned)config.server_port);
    int sig;
    sigwait(&stop, &sig);
    httpd_stop(server);
    return 0;
}
