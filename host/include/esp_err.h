/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host shim for ESP-IDF's esp_err.h: the error type, the standard codes and
 * esp_err_to_name(). Values are ESP-IDF's, so firmware comparing codes keeps working.
 */
#ifndef ESP_ERR_H
#define ESP_ERR_H

#include <stdio.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int esp_err_t;

#define ESP_OK                  0
#define ESP_FAIL                -1

#define ESP_ERR_NO_MEM          0x101
#define ESP_ERR_INVALID_ARG     0x102
#define ESP_ERR_INVALID_STATE   0x103
#define ESP_ERR_INVALID_SIZE    0x104
#define ESP_ERR_NOT_FOUND       0x105
#define ESP_ERR_NOT_SUPPORTED   0x106
#define ESP_ERR_TIMEOUT         0x107
#define ESP_ERR_INVALID_RESPONSE 0x108
#define ESP_ERR_INVALID_CRC     0x109
#define ESP_ERR_INVALID_VERSION 0x10A
#define ESP_ERR_INVALID_MAC     0x10B
#define ESP_ERR_NOT_FINISHED    0x10C
#define ESP_ERR_NOT_ALLOWED     0x10D

#define ESP_ERR_WIFI_BASE       0x3000
#define ESP_ERR_MESH_BASE       0x4000
#define ESP_ERR_FLASH_BASE      0x6000
#define ESP_ERR_HW_CRYPTO_BASE  0xc000
#define ESP_ERR_MEMPROT_BASE    0xd000

/** Name of an error code ("ESP_ERR_NO_MEM", "ESP_ERR_HTTPD_HANDLERS_FULL", ...);
 *  "UNKNOWN ERROR" for codes it does not know. Never NULL. */
const char *esp_err_to_name(esp_err_t code);

/** Like esp_err_to_name(), writing into buf (always NUL-terminated); returns buf. */
const char *esp_err_to_name_r(esp_err_t code, char *buf, size_t buflen);

/** Aborts with a message when x is not ESP_OK, as on the target. */
#define ESP_ERROR_CHECK(x) do {                                                   \
        esp_err_t err_rc_ = (x);                                                  \
        if (err_rc_ != ESP_OK) {                                                  \
            fprintf(stderr, "ESP_ERROR_CHECK failed: esp_err_t 0x%x (%s) at %s:%d\n" \
                    "expression: %s\n", (unsigned)err_rc_,                        \
                    esp_err_to_name(err_rc_), __FILE__, __LINE__, #x);            \
            abort();                                                              \
        }                                                                         \
    } while (0)

/** Logs and continues when x is not ESP_OK; evaluates to the code. */
#define ESP_ERROR_CHECK_WITHOUT_ABORT(x) ({                                       \
        esp_err_t err_rc_ = (x);                                                  \
        if (err_rc_ != ESP_OK) {                                                  \
            fprintf(stderr, "ESP_ERROR_CHECK_WITHOUT_ABORT failed: esp_err_t 0x%x (%s) at %s:%d\n", \
                    (unsigned)err_rc_, esp_err_to_name(err_rc_), __FILE__, __LINE__); \
        }                                                                         \
        err_rc_;                                                                  \
    })

#ifdef __cplusplus
}
#endif

#endif /* ESP_ERR_H */
