/* SPDX-License-Identifier: Apache-2.0 */
/*
 * esp_tls.h: the part of ESP-IDF's ESP-TLS API that esp_https_server's
 * public header and its users need, on mbedTLS.
 *
 * On the chip ESP-IDF's own esp_tls.h is used instead. Here a connection
 * handle (esp_tls_t) is opaque, as upstream's is: applications reach the
 * mbedTLS context through esp_tls_get_ssl_context() and the socket through
 * esp_tls_get_conn_sockfd(). The types below keep upstream's names and values.
 */
#ifndef ESP_HTTPD_ESP_TLS_H
#define ESP_HTTPD_ESP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "esp_err.h"
#include "mbedtls/version.h"
#include "mbedtls/ssl.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One TLS connection (opaque). */
typedef struct esp_tls esp_tls_t;

/** TLS protocol versions a server may be limited to. */
typedef enum {
    ESP_TLS_VER_ANY = 0,       /*!< No preference: every version the TLS library offers */
    ESP_TLS_VER_TLS_1_2 = 0x1, /*!< TLS 1.2 only */
    ESP_TLS_VER_TLS_1_3 = 0x2, /*!< TLS 1.3 only (needs mbedTLS 3 built with TLS 1.3) */
    ESP_TLS_VER_TLS_MAX,       /*!< (the number of values) */
} esp_tls_proto_ver_t;

/** Curves of the chip's ECDSA peripheral (accepted for source compatibility). */
typedef enum {
    ESP_TLS_ECDSA_CURVE_SECP256R1 = 0, /*!< P-256 */
    ESP_TLS_ECDSA_CURVE_SECP384R1,     /*!< P-384 */
    ESP_TLS_ECDSA_CURVE_MAX,           /*!< (the number of values) */
} esp_tls_ecdsa_curve_t;

/** The chip's unified key configuration (secure element, PSA, efuse keys).
 * Only its name exists here: a server given one fails to start with
 * ESP_ERR_NOT_SUPPORTED. */
typedef struct esp_key_config esp_key_config_t;

#if MBEDTLS_VERSION_MAJOR >= 3
/** Certificate selection callback, called during the handshake (mbedTLS 3). */
typedef mbedtls_ssl_hs_cb_t esp_tls_handshake_callback;
#else
/** mbedTLS 2 has no certificate selection hook: kept for source compatibility. */
typedef void *esp_tls_handshake_callback;
#endif

/** The last error of a TLS connection, as upstream reports it. */
typedef struct esp_tls_last_error {
    esp_err_t last_error;   /*!< ESP_ERR_ESP_TLS_* style code (here: ESP_FAIL or ESP_ERR_NO_MEM) */
    int esp_tls_error_code; /*!< The mbedTLS error code (negative) */
    int esp_tls_flags;      /*!< Certificate verification flags of the last handshake */
} esp_tls_last_error_t;

/**
 * @brief The socket of a TLS connection.
 * @return ESP_OK, or ESP_ERR_INVALID_ARG when tls or sockfd is NULL.
 */
esp_err_t esp_tls_get_conn_sockfd(esp_tls_t *tls, int *sockfd);

/**
 * @brief The mbedTLS context (mbedtls_ssl_context *) of a TLS connection, NULL for NULL.
 */
void *esp_tls_get_ssl_context(esp_tls_t *tls);

/**
 * @brief Decrypted bytes waiting to be read, or -1 for NULL.
 */
ssize_t esp_tls_get_bytes_avail(esp_tls_t *tls);

#ifdef __cplusplus
}
#endif

#endif /* ESP_HTTPD_ESP_TLS_H */
