/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Forms example (add-on httpd_form.h): a settings page posted as
 * application/x-www-form-urlencoded, and a search taking its terms from the query.
 *
 *   GET  /          an HTML form (device name and brightness)
 *   POST /settings  reads the whole form body (httpd_form_recv), validates it, answers
 *                   "saved name=<name> brightness=<n>"; 413 / 415 / 400 come from the add-on
 *   GET  /search    "?q=<terms>&page=<n>": echoes the decoded terms and page (default 1)
 *
 * Port: $PORT, default 8080. SIGINT / SIGTERM stop the server; exit status 0.
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
#include "httpd_form.h"

static const char *TAG = "forms";

static const char PAGE[] =
    "<!DOCTYPE html><html><body><form method=\"post\" action=\"/settings\">"
    "<input name=\"name\" value=\"my device\"> <input name=\"brightness\" type=\"number\" value=\"50\">"
    " <button>Save</button></form></body></html>";

static esp_err_t page_handler(httpd_req_t *req)
{
    return httpd_resp_send(req, PAGE, HTTPD_RESP_USE_STRLEN);
}

static esp_err_t settings_handler(httpd_req_t *req)
{
    char body[256], name[33], reply[96];
    size_t len;
    esp_err_t err = httpd_form_recv(req, body, sizeof body, &len);
    if (err != ESP_OK) {
        return err;   /* 413, 415, 400 or 408 already sent; returning the error closes */
    }
    int32_t brightness;
    if (httpd_form_get(body, len, "name", name, sizeof name) != ESP_OK || name[0] == '\0' ||
        httpd_form_get_int(body, len, "brightness", &brightness) != ESP_OK ||
        brightness < 0 || brightness > 100) {
        /* the body was read whole: the connection may go on */
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "name (1..32 bytes) and brightness (0..100) expected");
    }
    ESP_LOGI(TAG, "settings: name=\"%s\" brightness=%d", name, (int)brightness);
    snprintf(reply, sizeof reply, "saved name=%s brightness=%d\n", name, (int)brightness);
    httpd_resp_set_type(req, "text/plain; charset=utf-8");
    return httpd_resp_sendstr(req, reply);
}

static esp_err_t search_handler(httpd_req_t *req)
{
    char q[64], reply[128];
    int32_t page = 1;
    esp_err_t err = httpd_query_get(req, "q", q, sizeof q);
    if (err == ESP_ERR_NOT_FOUND) {
        q[0] = '\0';
    } else if (err != ESP_OK) {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "bad q");
    }
    err = httpd_query_get_int(req, "page", &page);
    if (err != ESP_OK && err != ESP_ERR_NOT_FOUND) {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "bad page");
    }
    snprintf(reply, sizeof reply, "search q=\"%s\" page=%d\n", q, (int)page);
    httpd_resp_set_type(req, "text/plain; charset=utf-8");
    return httpd_resp_sendstr(req, reply);
}

int main(void)
{
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    const char *port = getenv("PORT");
    config.server_port = (uint16_t)(port ? atoi(port) : 8080);

    sigset_t stop;   /* blocked before the server's threads exist: only sigwait() sees them */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    static const httpd_uri_t uris[] = {
        { .uri = "/", .method = HTTP_GET, .handler = page_handler },
        { .uri = "/settings", .method = HTTP_POST, .handler = settings_handler },
        { .uri = "/search", .method = HTTP_GET, .handler = search_handler },
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
