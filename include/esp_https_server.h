/* SPDX-License-Identifier: Apache-2.0 */
/*
 * esp_https_server: ESP-IDF's HTTPS server API on mbedTLS.
 *
 * An esp_http_server instance whose connections speak TLS. Names, fields,
 * values and HTTPD_SSL_CONFIG_DEFAULT() are upstream's. TLS is set up only
 * through the server's public hooks (open_fn, the session send/recv/pending
 * overrides, the session and global transport contexts), so an application
 * using this header must leave those to it, as upstream says.
 *
 * Differences from upstream (docs/compat.md): the handshake never blocks the
 * server (it advances as the client's bytes arrive); the fields that exist
 * only on the chip (server_key, use_ecdsa_peripheral, use_secure_element)
 * make httpd_ssl_start() fail with ESP_ERR_NOT_SUPPORTED; the server events
 * are posted only where ESP-IDF's event loop exists.
 */
#ifndef ESP_HTTPD_ESP_HTTPS_SERVER_H
#define ESP_HTTPD_ESP_HTTPS_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "esp_err.h"
#include "esp_http_server.h"
#include "esp_tls.h"

#if defined(ESP_PLATFORM) && CONFIG_ESP_HTTPS_SERVER_EVENTS
#include "esp_event.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ESP_PLATFORM) && CONFIG_ESP_HTTPS_SERVER_EVENTS
ESP_EVENT_DECLARE_BASE(ESP_HTTPS_SERVER_EVENT);
#endif

/** Events of the server (posted to ESP-IDF's default event loop where it exists). */
typedef enum {
    HTTPS_SERVER_EVENT_ERROR = 0,    /*!< An error (event data: esp_https_server_last_error_t) */
    HTTPS_SERVER_EVENT_START,        /*!< The server started */
    HTTPS_SERVER_EVENT_ON_CONNECTED, /*!< A client finished its handshake */
    HTTPS_SERVER_EVENT_ON_DATA,      /*!< Data received (event data: int, the bytes) */
    HTTPS_SERVER_EVENT_SENT_DATA,    /*!< Data sent */
    HTTPS_SERVER_EVENT_DISCONNECTED, /*!< A connection closed */
    HTTPS_SERVER_EVENT_STOP,         /*!< The server stopped */
} esp_https_server_event_id_t;

/** TLS on (the default) or plain HTTP. */
typedef enum {
    HTTPD_SSL_TRANSPORT_SECURE,   /*!< TLS, on port_secure */
    HTTPD_SSL_TRANSPORT_INSECURE  /*!< Plain HTTP, on port_insecure */
} httpd_ssl_transport_mode_t;

/** When the user callback runs. */
typedef enum {
    HTTPD_SSL_USER_CB_SESS_CREATE, /*!< A handshake finished: the session is open */
    HTTPD_SSL_USER_CB_SESS_CLOSE,  /*!< A TLS session is about to be freed */
    HTTPD_SSL_USER_CB_SESS_ERROR   /*!< A handshake failed: the connection closes */
} httpd_ssl_user_cb_state_t;

/** Certificate selection callback (used with mbedTLS 3; see esp_tls.h). */
typedef esp_tls_handshake_callback esp_https_server_cert_select_cb;

/** What the user callback gets. */
typedef struct esp_https_server_user_cb_arg {
    httpd_ssl_user_cb_state_t user_cb_state; /*!< Why it is called */
    esp_tls_t *tls;                          /*!< The connection (esp_tls_get_ssl_context() gives its mbedTLS context) */
} esp_https_server_user_cb_arg_t;

/** Event data of HTTPS_SERVER_EVENT_ERROR. */
typedef esp_tls_last_error_t esp_https_server_last_error_t;

/** The user callback (called on the server's thread). */
typedef void esp_https_server_user_cb(esp_https_server_user_cb_arg_t *user_cb);

/** HTTPS server configuration: HTTPD_SSL_CONFIG_DEFAULT(), then set the certificate and key. */
struct httpd_ssl_config {
    httpd_config_t httpd;               /*!< The HTTP server's configuration (open_fn, server_port and the
                                             global transport context are set by httpd_ssl_start()) */
    const uint8_t *servercert;          /*!< Server certificate chain, PEM (NUL included in the length) or DER */
    size_t servercert_len;              /*!< Its length in bytes */
    const uint8_t *cacert_pem;          /*!< CA that signs client certificates: set, clients must present one
                                             (mutual TLS) */
    size_t cacert_len;                  /*!< Its length in bytes */
#ifdef CONFIG_ESP_TLS_SERVER_MIN_AUTH_MODE_OPTIONAL
    bool client_cert_authmode_optional; /*!< A client certificate is checked when sent, not required */
#endif
    const uint8_t *prvtkey_pem;         /*!< Private key of the server certificate, PEM or DER */
    size_t prvtkey_len;                 /*!< Its length in bytes */
    const esp_key_config_t *server_key; /*!< Chip only (unified key config): set, the start fails */
    bool use_ecdsa_peripheral;          /*!< Chip only (ECDSA peripheral): true, the start fails */
    uint8_t ecdsa_key_efuse_blk;        /*!< Chip only: efuse block of the ECDSA key */
    uint8_t ecdsa_key_efuse_blk_high;   /*!< Chip only: high efuse block of a P-384 key */
    esp_tls_ecdsa_curve_t ecdsa_curve;  /*!< Chip only: curve of the ECDSA peripheral's key */
    httpd_ssl_transport_mode_t transport_mode; /*!< TLS (default) or plain HTTP */
    uint16_t port_secure;               /*!< Port with TLS (default 443) */
    uint16_t port_insecure;             /*!< Port without (default 80) */
    bool session_tickets;               /*!< Offer session tickets (RFC 5077) for quick resumption */
    bool use_secure_element;            /*!< Deprecated, chip only: true, the start fails */
    esp_https_server_user_cb *user_cb;  /*!< Called when a session opens, closes or fails its handshake */
    void *ssl_userdata;                 /*!< User data given to each TLS session (mbedTLS 3) */
    esp_https_server_cert_select_cb cert_select_cb; /*!< Certificate selection during the handshake (mbedTLS 3) */
    const char **alpn_protos;           /*!< NULL-terminated ALPN list, most preferred first (must outlive the server) */
    uint32_t tls_handshake_timeout_ms;  /*!< Longest handshake (0: 10 s) */
    esp_tls_proto_ver_t tls_version;    /*!< Limit to one TLS version (default: any) */
    const int *ciphersuites_list;       /*!< 0-terminated IANA ciphersuite ids (default: the library's) */
};

typedef struct httpd_ssl_config httpd_ssl_config_t;

#ifdef CONFIG_ESP_TLS_SERVER_MIN_AUTH_MODE_OPTIONAL
#define HTTPD_SSL_CONFIG_CLIENT_AUTH_OPTIONAL_INIT .client_cert_authmode_optional = false,
#else
#define HTTPD_SSL_CONFIG_CLIENT_AUTH_OPTIONAL_INIT
#endif

/** Upstream's defaults: the HTTP defaults with a 10 KiB stack, 4 sockets, LRU purge on,
 * control port 32769, and port 443 (server_port is set from port_secure/port_insecure). */
#define HTTPD_SSL_CONFIG_DEFAULT() {                                         \
    .httpd = {                                                               \
        .task_priority      = tskIDLE_PRIORITY+5,                            \
        .stack_size         = 10240,                                         \
        .core_id            = tskNO_AFFINITY,                                \
        .task_caps          = (MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT),       \
        .max_req_hdr_len    = CONFIG_HTTPD_MAX_REQ_HDR_LEN,                  \
        .max_uri_len        = CONFIG_HTTPD_MAX_URI_LEN,                      \
        .server_port        = 0,                                             \
        .ctrl_port          = ESP_HTTPD_DEF_CTRL_PORT+1,                     \
        .max_open_sockets   = 4,                                             \
        .max_uri_handlers   = 8,                                             \
        .max_resp_headers   = 8,                                             \
        .backlog_conn       = 5,                                             \
        .lru_purge_enable   = true,                                          \
        .recv_wait_timeout  = 5,                                             \
        .send_wait_timeout  = 5,                                             \
        .global_user_ctx = NULL,                                             \
        .global_user_ctx_free_fn = NULL,                                     \
        .global_transport_ctx = NULL,                                        \
        .global_transport_ctx_free_fn = NULL,                                \
        .enable_so_linger = false,                                           \
        .linger_timeout = 0,                                                 \
        .keep_alive_enable = false,                                          \
        .keep_alive_idle = 0,                                                \
        .keep_alive_interval = 0,                                            \
        .keep_alive_count = 0,                                               \
        .if_name = NULL,                                                     \
        .open_fn = NULL,                                                     \
        .close_fn = NULL,                                                    \
        .uri_match_fn = NULL                                                 \
    },                                                                       \
    .servercert = NULL,                                                      \
    .servercert_len = 0,                                                     \
    .cacert_pem = NULL,                                                      \
    .cacert_len = 0,                                                         \
    HTTPD_SSL_CONFIG_CLIENT_AUTH_OPTIONAL_INIT                               \
    .prvtkey_pem = NULL,                                                     \
    .prvtkey_len = 0,                                                        \
    .server_key = NULL,                                                      \
    .use_ecdsa_peripheral = false,                                           \
    .ecdsa_key_efuse_blk = 0,                                                \
    .ecdsa_key_efuse_blk_high = 0,                                           \
    .ecdsa_curve = ESP_TLS_ECDSA_CURVE_SECP256R1,                            \
    .transport_mode = HTTPD_SSL_TRANSPORT_SECURE,                            \
    .port_secure = 443,                                                      \
    .port_insecure = 80,                                                     \
    .session_tickets = false,                                                \
    .use_secure_element = false,                                             \
    .user_cb = NULL,                                                         \
    .ssl_userdata = NULL,                                                    \
    .cert_select_cb = NULL,                                                  \
    .alpn_protos = NULL,                                                     \
    .tls_handshake_timeout_ms = 0,                                           \
    .tls_version = ESP_TLS_VER_ANY,                                          \
    .ciphersuites_list = NULL,                                               \
}

/**
 * @brief Start an HTTPS server (or a plain one, by transport_mode).
 *
 * config is modified, as upstream does: httpd.open_fn, httpd.server_port and
 * the global transport context are set; an open_fn set before is kept and
 * called once a client's handshake has finished.
 *
 * @return ESP_OK; ESP_ERR_INVALID_ARG (NULL argument, no certificate or key,
 *         a certificate or key that does not parse, a key that does not match);
 *         ESP_ERR_NOT_SUPPORTED (a chip-only field, or a TLS version or hook the
 *         TLS library lacks); ESP_ERR_NO_MEM; or what httpd_start() returns.
 */
esp_err_t httpd_ssl_start(httpd_handle_t *handle, httpd_ssl_config_t *config);

/**
 * @brief Stop a server started by httpd_ssl_start().
 * @return ESP_OK, ESP_ERR_INVALID_ARG, or ESP_FAIL (as httpd_stop()).
 */
esp_err_t httpd_ssl_stop(httpd_handle_t handle);

#ifdef __cplusplus
}
#endif

#endif /* ESP_HTTPD_ESP_HTTPS_SERVER_H */
