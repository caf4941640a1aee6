/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpd_json.h: JSON request bodies and responses through cJSON, part of
 * esp_http_addons (built only where cJSON is available; HTTPD_ADDONS_JSON is 1
 * then).
 *
 * httpd_json_recv() checks the Content-Type, reads the body within a limit and
 * parses it; on any failure it has already answered the client (400, 408, 413,
 * 415 or 500, with a short {"error": "..."} body), so the handler only returns.
 * httpd_json_send() answers with the unformatted JSON in one send.
 */
#ifndef HTTPD_JSON_H
#define HTTPD_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "esp_http_server.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Deepest nesting of arrays and objects httpd_json_recv() accepts (deeper: 400).
 *  cJSON parses recursively, so this bounds the handler's stack use. */
#define HTTPD_JSON_MAX_DEPTH 32

/** Reads the request body as JSON into *out (free it with cJSON_Delete()).
 *  The Content-Type must be application/json or application/<name>+json
 *  (parameters such as charset=utf-8 allowed, any case); the body at most max_len
 *  bytes (Content-Length or chunked), one JSON value, nested at most
 *  HTTPD_JSON_MAX_DEPTH deep.
 *  @return ESP_OK (*out set); otherwise the response is sent (except where said),
 *  *out is NULL, and the handler returns the code it got (the connection closes):
 *  ESP_ERR_INVALID_ARG (NULL argument or max_len 0: nothing sent),
 *  ESP_ERR_NOT_SUPPORTED (415), ESP_ERR_INVALID_SIZE (413), ESP_ERR_INVALID_STATE
 *  (400: not JSON), ESP_ERR_TIMEOUT (408), ESP_FAIL (the connection failed),
 *  ESP_ERR_NO_MEM (500). */
esp_err_t httpd_json_recv(httpd_req_t *req, size_t max_len, cJSON **out);

/** Sends json as a 200 response, application/json, unformatted.
 *  @return ESP_OK; ESP_ERR_INVALID_ARG; ESP_ERR_NO_MEM (500 sent instead);
 *  the errors of httpd_resp_send(). */
esp_err_t httpd_json_send(httpd_req_t *req, const cJSON *json);

/** As httpd_json_send() with a status line ("201 Created"; not copied: a literal). */
esp_err_t httpd_json_send_status(httpd_req_t *req, const char *status, const cJSON *json);

/** Sends {"error": message} with status ("404 Not Found"; a literal).
 *  @return as httpd_json_send(). */
esp_err_t httpd_json_send_error(httpd_req_t *req, const char *status, const char *message);

#ifdef __cplusplus
}
#endif

#endif /* HTTPD_JSON_H */
