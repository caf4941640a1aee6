/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Path parameters example (add-on httpd_path.h): a small REST API for LEDs with
 * templated routes beside exact and wildcard ones, all through one matcher.
 *
 *   GET /api/leds                 "[0,1,0,0]": every LED (exact route)
 *   GET /api/leds/{id}            "1": one LED; 404 for an id out of range
 *   PUT /api/leds/{id}/{state}    sets LED id to state 0 or 1
 *   GET /doc/ + "*"               "doc <rest of the path>" (wildcard)
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
#include "httpd_path.h"

static const char *TAG = "leds";

#define LED_COUNT 4
static int s_leds[LED_COUNT];   /* the server runs one handler at a time */

/* The templates, shared by the registrations and the handlers. */
#define LED_URI   "/api/leds/{id}"
#define STATE_URI "/api/leds/{id}/{state}"
#define DOC_URI   "/doc/*"

static esp_err_t list_handler(httpd_req_t *req)
{
    char out[8 + 2 * LED_COUNT] = "[";
    for (int i = 0; i < LED_COUNT; i++) {
        strcat(out, s_leds[i] ? "1," : "0,");
    }
    out[strlen(out) - 1] = ']';
    httpd_resp_set_type(req, HTTPD_TYPE_JSON);
    return httpd_resp_sendstr(req, out);
}

/* The LED of the request's {id}, or -1 after answering 400 / 404. */
static int led_of(httpd_req_t *req, const char *tmpl)
{
    int32_t id;
    esp_err_t err = httpd_path_param_int(req, tmpl, "id", &id);
    if (err != ESP_OK) {
        httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "id must be a number");
        return -1;
    }
    if (id < 0 || id >= LED_COUNT) {
        httpd_resp_send_404(req);
        return -1;
    }
    return (int)id;
}

static esp_err_t led_get_handler(httpd_req_t *req)
{
    int led = led_of(req, LED_URI);
    if (led < 0) {
        return ESP_OK;   /* answered; keep the connection */
    }
    httpd_resp_set_type(req, HTTPD_TYPE_JSON);
    return httpd_resp_sendstr(req, s_leds[led] ? "1" : "0");
}

static esp_err_t led_put_handler(httpd_req_t *req)
{
    int led = led_of(req, STATE_URI);
    if (led < 0) {
        return ESP_OK;
    }
    int32_t state;
    if (httpd_path_param_int(req, STATE_URI, "state", &state) != ESP_OK || (state != 0 && state != 1)) {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "state must be 0 or 1");
    }
    s_leds[led] = (int)state;
    ESP_LOGI(TAG, "LED %d -> %d", led, (int)state);
    return httpd_resp_sendstr(req, "ok\n");
}

static esp_err_t doc_handler(httpd_req_t *req)
{
    char rest[64], out[80];
    if (httpd_path_param(req, DOC_URI, "*", rest, sizeof rest) != ESP_OK) {
        return httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "bad path");
    }
    snprintf(out, sizeof out, "doc %s\n", rest);
    return httpd_resp_sendstr(req, out);
}

int main(void)
{
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    const char *port = getenv("PORT");
    config.server_port = (uint16_t)(port ? atoi(port) : 8080);
    config.uri_match_fn = httpd_uri_match_path;   /* templates, wildcards and exact URIs */

    sigset_t stop;   /* blocked before the server's threads exist: only sigwait() sees them */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    /* Specific routes first: registering a template makes a later route that it
     * matches (same method) a duplicate. */
    static const httpd_uri_t uris[] = {
        { .uri = "/api/leds", .method = HTTP_GET, .handler = list_handler },
        { .uri = LED_URI, .method = HTTP_GET, .handler = led_get_handler },
        { .uri = STATE_URI, .method = HTTP_PUT, .handler = led_put_handler },
        { .uri = DOC_URI, .method = HTTP_GET, .handler = doc_handler },
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
