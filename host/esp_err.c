/* SPDX-License-Identifier: Apache-2.0 */
/*
 * esp_err_to_name() / esp_err_to_name_r() of the esp_err.h shim: names of the
 * standard ESP-IDF codes and of the esp_http_server codes.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "esp_err.h"
#include "esp_http_server.h"

#define ESP_ERR_UNKNOWN_MSG "UNKNOWN ERROR"

typedef struct {
    esp_err_t code;
    const char *name;
} esp_err_msg_t;

/* The name is the macro's own spelling: # does not expand its operand. */
#define ERR_ENTRY(code) { (code), #code }

static const esp_err_msg_t s_err_names[] = {
    ERR_ENTRY(ESP_OK),
    ERR_ENTRY(ESP_FAIL),
    ERR_ENTRY(ESP_ERR_NO_MEM),
    ERR_ENTRY(ESP_ERR_INVALID_ARG),
    ERR_ENTRY(ESP_ERR_INVALID_STATE),
    ERR_ENTRY(ESP_ERR_INVALID_SIZE),
    ERR_ENTRY(ESP_ERR_NOT_FOUND),
    ERR_ENTRY(ESP_ERR_NOT_SUPPORTED),
    ERR_ENTRY(ESP_ERR_TIMEOUT),
    ERR_ENTRY(ESP_ERR_INVALID_RESPONSE),
    ERR_ENTRY(ESP_ERR_INVALID_CRC),
    ERR_ENTRY(ESP_ERR_INVALID_VERSION),
    ERR_ENTRY(ESP_ERR_INVALID_MAC),
    ERR_ENTRY(ESP_ERR_NOT_FINISHED),
    ERR_ENTRY(ESP_ERR_NOT_ALLOWED),
    ERR_ENTRY(ESP_ERR_WIFI_BASE),
    ERR_ENTRY(ESP_ERR_MESH_BASE),
    ERR_ENTRY(ESP_ERR_FLASH_BASE),
    ERR_ENTRY(ESP_ERR_HW_CRYPTO_BASE),
    ERR_ENTRY(ESP_ERR_MEMPROT_BASE),
    ERR_ENTRY(ESP_ERR_HTTPD_BASE),
    ERR_ENTRY(ESP_ERR_HTTPD_HANDLERS_FULL),
    ERR_ENTRY(ESP_ERR_HTTPD_HANDLER_EXISTS),
    ERR_ENTRY(ESP_ERR_HTTPD_INVALID_REQ),
    ERR_ENTRY(ESP_ERR_HTTPD_RESULT_TRUNC),
    ERR_ENTRY(ESP_ERR_HTTPD_RESP_HDR),
    ERR_ENTRY(ESP_ERR_HTTPD_RESP_SEND),
    ERR_ENTRY(ESP_ERR_HTTPD_ALLOC_MEM),
    ERR_ENTRY(ESP_ERR_HTTPD_TASK),
};

static const char *lookup(esp_err_t code)
{
    for (size_t i = 0; i < sizeof s_err_names / sizeof s_err_names[0]; i++) {
        if (s_err_names[i].code == code) {
            return s_err_names[i].name;
        }
    }
    return NULL;
}

const char *esp_err_to_name(esp_err_t code)
{
    const char *name = lookup(code);
    return name != NULL ? name : ESP_ERR_UNKNOWN_MSG;
}

const char *esp_err_to_name_r(esp_err_t code, char *buf, size_t buflen)
{
    if (buf == NULL || buflen == 0) {
        return buf;
    }
    const char *name = lookup(code);
    if (name != NULL) {
        snprintf(buf, buflen, "%s", name);
    } else {
        snprintf(buf, buflen, ESP_ERR_UNKNOWN_MSG " 0x%x(%d)", (unsigned)code, code);
    }
    return buf;
}
