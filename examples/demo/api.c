/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device's REST API and its live event stream:
 *
 *   GET  /api/v1/status     name, uptime, sensors, LED, relay, storage use
 *   POST /api/v1/led        {"on": true|false}  ->  {"led": bool}
 *   POST /api/v1/relay      {"on": true|false}  ->  {"relay": bool}
 *   GET  /api/v1/settings   {"name", "interval_ms", "unit"}
 *   POST /api/v1/settings   a form (name, interval_ms, unit; each optional) -> the settings
 *   GET  /api/v1/events     Server-Sent Events: "sample" every interval, "state" on a change
 *
 * JSON bodies go through httpd_json (cJSON), forms through httpd_form, the event
 * stream through httpd_sse. Errors are {"error": "..."} with their status.
 */
#include <stdio.h>
#include <string.h>

#include "demo.h"
#include "esp_log.h"
#include "httpd_form.h"
#include "httpd_json.h"
#include "httpd_sse.h"

static const char *TAG = "api";

#define JSON_BODY_MAX  256     /* {"on": true} needs far less */
#define FORM_BODY_MAX  512     /* three short fields, percent-encoded */
#define SAMPLE_JSON_MAX 160

#define ST_400 "400 Bad Request"

/* ---- helpers ---------------------------------------------------------------- */

/* Sends json (which it then frees), or a 500 when building it ran out of memory:
 * cJSON_Add*() return NULL then, and one check at the end covers them all. */
static esp_err_t send_json(httpd_req_t *req, const char *status, cJSON *json, bool complete)
{
    esp_err_t err;
    if (json == NULL || !complete) {
        err = httpd_json_send_error(req, "500 Internal Server Error", "out of memory");
    } else {
        err = httpd_json_send_status(req, status, json);
    }
    cJSON_Delete(json);
    return err;
}

static cJSON *settings_json(void)
{
    device_settings_t s;
    device_get_settings(&s);
    char unit[2] = { s.unit, '\0' };
    cJSON *o = cJSON_CreateObject();
    if (o && (!cJSON_AddStringToObject(o, "name", s.name) ||
              !cJSON_AddNumberToObject(o, "interval_ms", s.interval_ms) ||
              !cJSON_AddStringToObject(o, "unit", unit))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* ---- GET /api/v1/status --------------------------------------------------------- */

static esp_err_t status_get(httpd_req_t *req)
{
    device_sample_t s;
    device_settings_t set;
    uint64_t used = 0, total = 0;
    device_read(&s);
    device_get_settings(&set);
    files_usage(&used, &total);

    cJSON *o = cJSON_CreateObject(), *sensors = NULL, *storage = NULL;
    bool ok = o &&
              cJSON_AddStringToObject(o, "name", set.name) &&
              cJSON_AddNumberToObject(o, "uptime_s", (double)(s.t_ms / 1000)) &&
              (sensors = cJSON_AddObjectToObject(o, "sensors")) != NULL &&
              cJSON_AddNumberToObject(sensors, "temperature", s.temperature) &&
              cJSON_AddNumberToObject(sensors, "humidity", s.humidity) &&
              cJSON_AddNumberToObject(sensors, "light", s.light) &&
              cJSON_AddBoolToObject(o, "led", s.led) &&
              cJSON_AddBoolToObject(o, "relay", s.relay) &&
              (storage = cJSON_AddObjectToObject(o, "storage")) != NULL &&
              cJSON_AddNumberToObject(storage, "used", (double)used) &&
              cJSON_AddNumberToObject(storage, "total", (double)total);
    httpd_resp_set_hdr(req, "Cache-Control", "no-store");
    return send_json(req, "200 OK", o, ok);
}

/* ---- POST /api/v1/led, /api/v1/relay ---------------------------------------------- */

/* Reads {"on": true|false}. On failure the client has had its answer and the
 * returned error is the handler's (ESP_OK keeps the connection, others close it). */
static esp_err_t read_on(httpd_req_t *req, bool *on, bool *answered)
{
    cJSON *body = NULL;
    esp_err_t err = httpd_json_recv(req, JSON_BODY_MAX, &body);
    if (err != ESP_OK) {
        *answered = true;            /* 400, 408, 413, 415 or 500 sent by httpd_json */
        return err;
    }
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(body, "on");
    bool valid = cJSON_IsBool(item);
    *on = cJSON_IsTrue(item);
    cJSON_Delete(body);
    if (!valid) {
        *answered = true;
        return httpd_json_send_error(req, ST_400, "body must be {\"on\": true} or {\"on\": false}");
    }
    *answered = false;
    return ESP_OK;
}

static esp_err_t output_post(httpd_req_t *req)
{
    /* user_ctx: which output this route drives ("led" or "relay"). */
    const char *which = req->user_ctx;
    bool on = false, answered = false;
    esp_err_t err = read_on(req, &on, &answered);
    if (answered) {
        return err;
    }
    if (strcmp(which, "led") == 0) {
        device_set_led(on);
    } else {
        device_set_relay(on);
    }
    ESP_LOGI(TAG, "%s %s", which, on ? "on" : "off");
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddBoolToObject(o, which, on);
    return send_json(req, "200 OK", o, ok);
}

/* ---- /api/v1/settings ----------------------------------------------------------- */

static esp_err_t settings_get(httpd_req_t *req)
{
    httpd_resp_set_hdr(req, "Cache-Control", "no-store");
    return send_json(req, "200 OK", settings_json(), true);
}

/* Applies the form's fields to *s; a field that is absent keeps its value.
 * Returns NULL, or the error text that names the bad field. */
static const char *parse_settings(const char *form, size_t len, device_settings_t *s)
{
    char val[DEVICE_NAME_MAX + 1];
    esp_err_t err = httpd_form_get(form, len, "name", val, sizeof val);
    if (err == ESP_OK && device_name_valid(val)) {
        strcpy(s->name, val);
    } else if (err != ESP_ERR_NOT_FOUND) {
        return "name: 1 to 32 printable characters";
    }
    int32_t ms;
    err = httpd_form_get_int(form, len, "interval_ms", &ms);
    if (err == ESP_OK && ms >= DEVICE_INTERVAL_MIN && ms <= DEVICE_INTERVAL_MAX) {
        s->interval_ms = (uint32_t)ms;
    } else if (err != ESP_ERR_NOT_FOUND) {
        return "interval_ms: a whole number from 200 to 10000";
    }
    err = httpd_form_get(form, len, "unit", val, sizeof val);
    if (err == ESP_OK && (strcmp(val, "C") == 0 || strcmp(val, "F") == 0)) {
        s->unit = val[0];
    } else if (err != ESP_ERR_NOT_FOUND) {
        return "unit: C or F";
    }
    return NULL;
}

static esp_err_t settings_post(httpd_req_t *req)
{
    char form[FORM_BODY_MAX];
    size_t len = 0;
    esp_err_t err = httpd_form_recv(req, form, sizeof form, &len);
    if (err != ESP_OK) {
        return err;                  /* 400, 408, 413 or 415 sent by httpd_form */
    }
    device_settings_t s;
    device_get_settings(&s);
    const char *bad = parse_settings(form, len, &s);
    if (bad != NULL) {
        return httpd_json_send_error(req, ST_400, bad);
    }
    if (device_set_settings(&s) != ESP_OK) {   /* cannot happen: parse_settings checked */
        return httpd_json_send_error(req, ST_400, "invalid settings");
    }
    return send_json(req, "200 OK", settings_json(), true);
}

/* ---- GET /api/v1/events (Server-Sent Events) ------------------------------------- */

/* One route per server (HTTP, HTTPS); written at start and stop only. */
static httpd_sse_route_t *s_events[DEMO_MAX_SERVERS];
static size_t s_n_events;

/* Formats a sample on the stack: no allocation per sample here (httpd_sse copies
 * the event into each subscriber's bounded queue). */
static int sample_json(const device_sample_t *s, char *buf, size_t size)
{
    return snprintf(buf, size,
                    "{\"t\":%llu,\"temperature\":%.1f,\"humidity\":%.1f,\"light\":%d,"
                    "\"led\":%s,\"relay\":%s}",
                    (unsigned long long)s->t_ms, s->temperature, s->humidity, s->light,
                    s->led ? "true" : "false", s->relay ? "true" : "false");
}

void api_publish(const char *event, const device_sample_t *sample, void *arg)
{
    (void)arg;
    char data[SAMPLE_JSON_MAX];
    int n = sample_json(sample, data, sizeof data);
    if (n < 0 || (size_t)n >= sizeof data) {
        return;                      /* cannot happen with the ranges of device.c */
    }
    for (size_t i = 0; i < s_n_events; i++) {
        if (httpd_sse_broadcast(s_events[i], event, data, NULL, NULL) != ESP_OK) {
            ESP_LOGW(TAG, "events: %s not sent (out of memory)", event);
        }
    }
}

/* A new subscriber gets the current state at once, before the next sample. */
static esp_err_t on_subscribe(httpd_sse_route_t *route, httpd_req_t *req, int fd, const char *last_id,
                              void *ctx)
{
    (void)req;
    (void)last_id;
    (void)ctx;
    device_sample_t s;
    char data[SAMPLE_JSON_MAX];
    device_read(&s);
    sample_json(&s, data, sizeof data);
    return httpd_sse_send(route, fd, "state", data, NULL);
}

static esp_err_t events_register(httpd_handle_t server)
{
    if (s_n_events == DEMO_MAX_SERVERS) {
        return ESP_ERR_NO_MEM;
    }
    httpd_sse_config_t cfg = HTTPD_SSE_DEFAULT_CONFIG();
    cfg.retry_ms = 2000;             /* a browser reconnects after 2 s */
    cfg.on_subscribe = on_subscribe;
    cfg.check = demo_check_login;    /* the stream needs the login too, when there is one */
    esp_err_t err = httpd_sse_register(server, "/api/v1/events", &cfg, &s_events[s_n_events]);
    if (err == ESP_OK) {
        s_n_events++;
    }
    return err;
}

/* ---- registration ---------------------------------------------------------------- */

static httpd_uri_t s_routes[] = {
    { .uri = "/api/v1/status",   .method = HTTP_GET,  .handler = status_get },
    { .uri = "/api/v1/led",      .method = HTTP_POST, .handler = output_post, .user_ctx = "led" },
    { .uri = "/api/v1/relay",    .method = HTTP_POST, .handler = output_post, .user_ctx = "relay" },
    { .uri = "/api/v1/settings", .method = HTTP_GET,  .handler = settings_get },
    { .uri = "/api/v1/settings", .method = HTTP_POST, .handler = settings_post },
};

demo_routes_t api_routes(void)
{
    return (demo_routes_t){ s_routes, sizeof s_routes / sizeof s_routes[0] };
}

esp_err_t api_register(httpd_handle_t server)
{
    esp_err_t err = demo_register_routes(server, s_routes, sizeof s_routes / sizeof s_routes[0]);
    return err == ESP_OK ? events_register(server) : err;
}

void api_unregister(void)
{
    for (size_t i = 0; i < s_n_events; i++) {
        httpd_sse_delete(s_events[i]);
    }
    s_n_events = 0;
}
