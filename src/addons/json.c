/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON bodies and responses through cJSON (httpd_json.h), on the public API only.
 */
#include "httpd_json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addon_util.h"
#include "esp_log.h"

static const char *TAG = "httpd_json";

#define ST_400 "400 Bad Request"
#define ST_408 "408 Request Timeout"
#define ST_413 "413 Content Too Large"
#define ST_415 "415 Unsupported Media Type"
#define ST_500 "500 Internal Server Error"

/* application/json or application/<name>+json, parameters allowed after ';'. */
static bool json_type(httpd_req_t *req)
{
    const char *v;
    size_t len = 0;
    if (httpd_req_get_hdr_value_str_ptr(req, "Content-Type", &v, &len) != ESP_OK) {
        return false;
    }
    size_t n = 0;
    while (n < len && v[n] != ';' && v[n] != ' ' && v[n] != '\t') {
        n++;
    }
    static const char app[] = "application/";
    const size_t al = sizeof app - 1;
    if (n <= al || !httpd__addon_token_eq(v, al, app)) {
        return false;
    }
    return httpd__addon_token_eq(v + al, n - al, "json") ||
           (n - al > 5 && httpd__addon_token_eq(v + n - 5, 5, "+json"));
}

/* false when arrays and objects nest deeper than HTTPD_JSON_MAX_DEPTH (strings skipped). */
static bool depth_ok(const char *p, size_t len)
{
    unsigned depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                in_str = false;
            }
        } else if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > HTTPD_JSON_MAX_DEPTH) {
                return false;
            }
        } else if ((c == ']' || c == '}') && depth) {
            depth--;
        }
    }
    return true;
}

/* Sends the error and returns code. */
static esp_err_t fail(httpd_req_t *req, const char *status, const char *msg, esp_err_t code)
{
    ESP_LOGD(TAG, "%s: %s", status, msg);
    httpd_json_send_error(req, status, msg);
    return code;
}

/* Reads the whole body (at most max_len bytes) into a NUL-terminated malloc'd *out. */
static esp_err_t read_body(httpd_req_t *req, size_t max_len, char **out, size_t *out_len)
{
    /* Content-Length known: exactly that; chunked: grow, one byte past the limit to see an excess. */
    size_t cap = req->content_len ? req->content_len : (max_len < 256 ? max_len : 256);
    size_t limit = req->content_len ? req->content_len : max_len + 1;
    char *buf = malloc(cap + 1);
    size_t got = 0;
    for (;;) {
        if (!buf) {
            return fail(req, ST_500, "out of memory", ESP_ERR_NO_MEM);
        }
        if (got == cap) {
            if (cap == limit) {
                break;
            }
            cap = cap * 2 < limit ? cap * 2 : limit;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
            }
            buf = nb;
            continue;
        }
        int n = httpd_req_recv(req, buf + got, cap - got);
        if (n == 0) {
            break;
        }
        if (n < 0) {
            free(buf);
            if (n == HTTPD_SOCK_ERR_TIMEOUT) {
                return fail(req, ST_408, "request body timed out", ESP_ERR_TIMEOUT);
            }
            return ESP_FAIL;
        }
        got += (size_t)n;
    }
    if (got > max_len) {
        free(buf);
        return fail(req, ST_413, "body too large", ESP_ERR_INVALID_SIZE);
    }
    buf[got] = '\0';
    *out = buf;
    *out_len = got;
    return ESP_OK;
}

esp_err_t httpd_json_recv(httpd_req_t *req, size_t max_len, cJSON **out)
{
    if (out) {
        *out = NULL;
    }
    if (!req || !out || max_len == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!json_type(req)) {
        return fail(req, ST_415, "Content-Type must be application/json", ESP_ERR_NOT_SUPPORTED);
    }
    if (req->content_len > max_len) {
        return fail(req, ST_413, "body too large", ESP_ERR_INVALID_SIZE);
    }
    char *body = NULL;
    size_t len = 0;
    esp_err_t err = read_body(req, max_len, &body, &len);
    if (err != ESP_OK) {
        return err;
    }
    if (!depth_ok(body, len)) {
        free(body);
        return fail(req, ST_400, "JSON nested too deeply", ESP_ERR_INVALID_STATE);
    }
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(body, len, &end, false);
    size_t at = end ? (size_t)(end - body) : 0;
    while (json && at < len && (body[at] == ' ' || body[at] == '\t' || body[at] == '\r' || body[at] == '\n')) {
        at++;
    }
    if (json && at != len) {
        cJSON_Delete(json);   /* something follows the value */
        json = NULL;
    }
    if (!json) {
        if (!end) {
            const char *e = cJSON_GetErrorPtr();
            at = e && e >= body && e <= body + len ? (size_t)(e - body) : 0;
        }
        free(body);
        char msg[48];
        snprintf(msg, sizeof msg, "invalid JSON at byte %zu", at);
        return fail(req, ST_400, msg, ESP_ERR_INVALID_STATE);
    }
    free(body);
    *out = json;
    return ESP_OK;
}

esp_err_t httpd_json_send_status(httpd_req_t *req, const char *status, const cJSON *json)
{
    if (!req || !status || !json) {
        return ESP_ERR_INVALID_ARG;
    }
    char *text = cJSON_PrintUnformatted(json);
    if (!text) {
        httpd_resp_send_500(req);
        return ESP_ERR_NO_MEM;
    }
    esp_err_t err = httpd_resp_set_status(req, status);
    if (err == ESP_OK) {
        httpd_resp_set_type(req, HTTPD_TYPE_JSON);
        err = httpd_resp_send(req, text, (ssize_t)strlen(text));
    }
    cJSON_free(text);
    return err;
}

esp_err_t httpd_json_send(httpd_req_t *req, const cJSON *json)
{
    return httpd_json_send_status(req, HTTPD_200, json);
}

esp_err_t httpd_json_send_error(httpd_req_t *req, const char *status, const char *message)
{
    if (!req || !status || !message) {
        return ESP_ERR_INVALID_ARG;
    }
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "error", message)) {
        cJSON_Delete(o);
        httpd_resp_send_500(req);
        return ESP_ERR_NO_MEM;
    }
    esp_err_t err = httpd_json_send_status(req, status, o);
    cJSON_Delete(o);
    return err;
}
