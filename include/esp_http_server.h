/* SPDX-License-Identifier: Apache-2.0 */
/*
 * esp_http_server: the ESP-IDF HTTP server API, for Linux and lwIP targets.
 *
 * Source-compatible with ESP-IDF's esp_http_server.h (names, types, values,
 * HTTPD_DEFAULT_CONFIG() defaults, return codes). Where this implementation
 * behaves differently from upstream, docs/compat.md says how and why.
 *
 * Threading: handlers, error handlers and work-queue functions run one at a
 * time on the server's own thread. httpd_queue_work(), httpd_stop(),
 * httpd_sess_trigger_close() and httpd_register/unregister_* may be called
 * from any thread; the httpd_req_* / httpd_resp_* calls belong to the handler
 * that owns the request.
 */
#ifndef ESP_HTTP_SERVER_H
#define ESP_HTTP_SERVER_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <limits.h>
#include <string.h>
#include <sys/types.h>
#include <net/if.h>

#include "sdkconfig.h"                /* CONFIG_HTTPD_* (on the host: those this library was built with) */
#include "http_parser.h"
#include "esp_err.h"
#ifdef ESP_PLATFORM
/* On the chip the names HTTPD_DEFAULT_CONFIG() uses come from their owners, as upstream's header has them. */
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "esp_heap_caps.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- FreeRTOS / heap_caps names that HTTPD_DEFAULT_CONFIG() uses ---------------- */
#ifndef ESP_HTTPD_HOST_RTOS_TYPES
#define ESP_HTTPD_HOST_RTOS_TYPES
#ifndef INC_FREERTOS_H
typedef int BaseType_t;
#endif
#ifndef tskIDLE_PRIORITY
#define tskIDLE_PRIORITY    ((unsigned)0)
#endif
#ifndef tskNO_AFFINITY
#define tskNO_AFFINITY      ((BaseType_t)0x7FFFFFFF)
#endif
#ifndef MALLOC_CAP_8BIT
#define MALLOC_CAP_8BIT     (1 << 2)
#endif
#ifndef MALLOC_CAP_INTERNAL
#define MALLOC_CAP_INTERNAL (1 << 11)
#endif
#endif

/* ---- Constants ----------------------------------------------------------------- */

/** Default control port. Kept for source compatibility: this implementation
 *  uses a private pipe per instance, so ctrl_port is never bound. */
#define ESP_HTTPD_DEF_CTRL_PORT (32768)

/** Removed upstream in v5.4; kept so older firmware still compiles. */
#define HTTPD_MAX_REQ_HDR_LEN   CONFIG_HTTPD_MAX_REQ_HDR_LEN
#define HTTPD_MAX_URI_LEN       CONFIG_HTTPD_MAX_URI_LEN

/** Pass as buf_len to use strlen(buf). */
#define HTTPD_RESP_USE_STRLEN   -1

/** Method wildcard for httpd_uri_t.method: the handler takes every method. */
#define HTTP_ANY                INT_MAX

/* Error codes */
#define ESP_ERR_HTTPD_BASE              (0xb000)
#define ESP_ERR_HTTPD_HANDLERS_FULL     (ESP_ERR_HTTPD_BASE + 1) /*!< All slots for registering URI handlers have been consumed */
#define ESP_ERR_HTTPD_HANDLER_EXISTS    (ESP_ERR_HTTPD_BASE + 2) /*!< URI handler with same method and target URI already registered */
#define ESP_ERR_HTTPD_INVALID_REQ       (ESP_ERR_HTTPD_BASE + 3) /*!< Invalid request pointer */
#define ESP_ERR_HTTPD_RESULT_TRUNC      (ESP_ERR_HTTPD_BASE + 4) /*!< Result string truncated */
#define ESP_ERR_HTTPD_RESP_HDR          (ESP_ERR_HTTPD_BASE + 5) /*!< Response header field larger than supported */
#define ESP_ERR_HTTPD_RESP_SEND         (ESP_ERR_HTTPD_BASE + 6) /*!< Error occured while sending response packet */
#define ESP_ERR_HTTPD_ALLOC_MEM         (ESP_ERR_HTTPD_BASE + 7) /*!< Failed to dynamically allocate memory for resource */
#define ESP_ERR_HTTPD_TASK              (ESP_ERR_HTTPD_BASE + 8) /*!< Failed to launch server task/thread */

/* Socket-level return codes of httpd_req_recv(), httpd_send() and the
 * send/recv functions (and their overrides). */
#define HTTPD_SOCK_ERR_FAIL      -1
#define HTTPD_SOCK_ERR_INVALID   -2
#define HTTPD_SOCK_ERR_TIMEOUT   -3

/* Status lines for httpd_resp_set_status() */
#define HTTPD_200      "200 OK"
#define HTTPD_204      "204 No Content"
#define HTTPD_207      "207 Multi-Status"
#define HTTPD_400      "400 Bad Request"
#define HTTPD_404      "404 Not Found"
#define HTTPD_408      "408 Request Timeout"
#define HTTPD_500      "500 Internal Server Error"

/* Content types for httpd_resp_set_type() */
#define HTTPD_TYPE_JSON   "application/json"
#define HTTPD_TYPE_TEXT   "text/html"
#define HTTPD_TYPE_OCTET  "application/octet-stream"

/* ---- Types --------------------------------------------------------------------- */

/** Server instance handle. */
typedef void *httpd_handle_t;

/** HTTP method (enum http_method numbering, so .method = HTTP_GET compiles). */
typedef enum http_method httpd_method_t;

/** Frees a context (session, transport or global). */
typedef void (*httpd_free_ctx_fn_t)(void *ctx);

/** Runs after a socket is accepted, before anything is read from it.
 *  A result other than ESP_OK closes the socket. */
typedef esp_err_t (*httpd_open_func_t)(httpd_handle_t hd, int sockfd);

/** Runs once when a session ends. When set, the server does not close the
 *  socket itself: the function must call close(sockfd). */
typedef void (*httpd_close_func_t)(httpd_handle_t hd, int sockfd);

/** URI matcher: true when uri_to_match (first match_upto bytes) matches reference_uri. */
typedef bool (*httpd_uri_match_func_t)(const char *reference_uri,
                                       const char *uri_to_match,
                                       size_t match_upto);

/** Server configuration. Initialise with HTTPD_DEFAULT_CONFIG(). */
typedef struct httpd_config {
    unsigned    task_priority;      /*!< Priority of the server task (unused on Linux) */
    size_t      stack_size;         /*!< Stack of the server task; on Linux at least the default thread stack is used */
    BaseType_t  core_id;            /*!< Core affinity (unused on Linux) */
    uint32_t    task_caps;          /*!< Memory capabilities of the task stack (unused on Linux) */

    size_t      max_req_hdr_len;    /*!< Limit of the request header block, blank line included (0: CONFIG_HTTPD_MAX_REQ_HDR_LEN) -> 431 */
    size_t      max_uri_len;        /*!< Limit of the request line, CRLF included (0: CONFIG_HTTPD_MAX_URI_LEN) -> 414 */

    uint16_t    server_port;        /*!< TCP port (IPv6 dual-stack where available) */
    uint16_t    ctrl_port;          /*!< Kept for compatibility; not used (each server has a private wake-up channel) */
    uint16_t    max_open_sockets;   /*!< Maximum number of client sessions */
    uint16_t    max_uri_handlers;   /*!< Maximum number of URI handlers */
    uint16_t    max_resp_headers;   /*!< Maximum httpd_resp_set_hdr() calls per response */
    uint16_t    backlog_conn;       /*!< listen() backlog */
    bool        lru_purge_enable;   /*!< When full, close the least recently used session to take a new one */
    uint16_t    recv_wait_timeout;  /*!< Seconds: receive timeout, and the time a request head may take to arrive */
    uint16_t    send_wait_timeout;  /*!< Seconds: send timeout */

    void                *global_user_ctx;              /*!< Freed on stop with global_user_ctx_free_fn, or free() */
    httpd_free_ctx_fn_t  global_user_ctx_free_fn;
    void                *global_transport_ctx;         /*!< Freed on stop with global_transport_ctx_free_fn, or free() */
    httpd_free_ctx_fn_t  global_transport_ctx_free_fn;

    bool        enable_so_linger;   /*!< Set SO_LINGER before closing a session */
    int         linger_timeout;     /*!< SO_LINGER time-out, seconds */
    bool        keep_alive_enable;  /*!< TCP keep-alive on client sockets */
    int         keep_alive_idle;    /*!< Seconds idle before probes (0: 5) */
    int         keep_alive_interval;/*!< Seconds between probes (0: 5) */
    int         keep_alive_count;   /*!< Probes before the peer is declared dead (0: 3) */
    struct ifreq *if_name;          /*!< Bind to this interface (SO_BINDTODEVICE) when set and ifr_name is not empty; read only during httpd_start() */

    httpd_open_func_t open_fn;      /*!< Called after accept(), before any read */
    httpd_close_func_t close_fn;    /*!< Called when a session ends; must close the socket itself */
    httpd_uri_match_func_t uri_match_fn; /*!< URI matcher; NULL means exact match */
} httpd_config_t;

/** Default configuration (same values as ESP-IDF). */
#define HTTPD_DEFAULT_CONFIG() {                        \
        .task_priority      = tskIDLE_PRIORITY+5,       \
        .stack_size         = 4096,                     \
        .core_id            = tskNO_AFFINITY,           \
        .task_caps          = (MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT), \
        .max_req_hdr_len    = CONFIG_HTTPD_MAX_REQ_HDR_LEN, \
        .max_uri_len        = CONFIG_HTTPD_MAX_URI_LEN, \
        .server_port        = 80,                       \
        .ctrl_port          = ESP_HTTPD_DEF_CTRL_PORT,  \
        .max_open_sockets   = 7,                        \
        .max_uri_handlers   = 8,                        \
        .max_resp_headers   = 8,                        \
        .backlog_conn       = 5,                        \
        .lru_purge_enable   = false,                    \
        .recv_wait_timeout  = 5,                        \
        .send_wait_timeout  = 5,                        \
        .global_user_ctx = NULL,                        \
        .global_user_ctx_free_fn = NULL,                \
        .global_transport_ctx = NULL,                   \
        .global_transport_ctx_free_fn = NULL,           \
        .enable_so_linger = false,                      \
        .linger_timeout = 0,                            \
        .keep_alive_enable = false,                     \
        .keep_alive_idle = 0,                           \
        .keep_alive_interval = 0,                       \
        .keep_alive_count = 0,                          \
        .if_name = NULL,                                \
        .open_fn = NULL,                                \
        .close_fn = NULL,                               \
        .uri_match_fn = NULL                            \
}

/** A request, as a handler sees it. */
typedef struct httpd_req {
    httpd_handle_t  handle;                     /*!< Server instance */
    int             method;                     /*!< enum http_method of the request */
    const char      uri[CONFIG_HTTPD_MAX_URI_LEN + 1]; /*!< Request target, query included, NUL-terminated */
    size_t          content_len;                /*!< Content-Length of the body; 0 when absent and for chunked bodies */
    void           *aux;                        /*!< Internal */
    void           *user_ctx;                   /*!< httpd_uri_t.user_ctx of the matched handler */
    void           *sess_ctx;                   /*!< Session context: persists across requests on one connection */
    httpd_free_ctx_fn_t free_ctx;               /*!< Frees sess_ctx (NULL: free()) */
    bool            ignore_sess_ctx_changes;    /*!< When true, replacing sess_ctx does not free the old one */
} httpd_req_t;

/** A URI handler registration. */
typedef struct httpd_uri {
    const char       *uri;       /*!< URI (template); copied at registration */
    httpd_method_t    method;    /*!< Method, or HTTP_ANY */
    esp_err_t (*handler)(httpd_req_t *r); /*!< ESP_OK keeps the connection; anything else closes it */
    void             *user_ctx;  /*!< Passed as req->user_ctx */
#if CONFIG_HTTPD_WS_SUPPORT
    bool is_websocket;              /*!< WebSocket endpoint */
    bool handle_ws_control_frames;  /*!< Pass PING/PONG/CLOSE to the handler */
    const char *supported_subprotocol; /*!< Subprotocol to accept */
#if CONFIG_HTTPD_WS_PRE_HANDSHAKE_CB_SUPPORT
    esp_err_t (*ws_pre_handshake_cb)(httpd_req_t *req);
#endif
#if CONFIG_HTTPD_WS_POST_HANDSHAKE_CB_SUPPORT
    esp_err_t (*ws_post_handshake_cb)(httpd_req_t *req);
#endif
#endif
} httpd_uri_t;

/** Error codes for httpd_resp_send_err() and error handlers (positional values). */
typedef enum {
    HTTPD_500_INTERNAL_SERVER_ERROR = 0,
    HTTPD_501_METHOD_NOT_IMPLEMENTED,
    HTTPD_505_VERSION_NOT_SUPPORTED,
    HTTPD_400_BAD_REQUEST,
    HTTPD_401_UNAUTHORIZED,
    HTTPD_403_FORBIDDEN,
    HTTPD_404_NOT_FOUND,
    HTTPD_405_METHOD_NOT_ALLOWED,
    HTTPD_408_REQ_TIMEOUT,
    HTTPD_411_LENGTH_REQUIRED,
    HTTPD_413_CONTENT_TOO_LARGE,
    HTTPD_414_URI_TOO_LONG,
    HTTPD_431_REQ_HDR_FIELDS_TOO_LARGE,
    HTTPD_ERR_CODE_MAX
} httpd_err_code_t;

/** Custom error handler: ESP_OK keeps the connection (where the stream can
 *  be resynchronised), anything else closes it. */
typedef esp_err_t (*httpd_err_handler_func_t)(httpd_req_t *req, httpd_err_code_t error);

typedef int (*httpd_send_func_t)(httpd_handle_t hd, int sockfd, const char *buf, size_t buf_len, int flags);
typedef int (*httpd_recv_func_t)(httpd_handle_t hd, int sockfd, char *buf, size_t buf_len, int flags);
typedef int (*httpd_pending_func_t)(httpd_handle_t hd, int sockfd);
typedef void (*httpd_work_fn_t)(void *arg);

/** Server state, as returned by httpd_get_server_state() (same values as the
 *  upstream event ids; events themselves are not posted on the host). */
typedef enum {
    HTTP_SERVER_EVENT_ERROR = 0,
    HTTP_SERVER_EVENT_START,
    HTTP_SERVER_EVENT_ON_CONNECTED,
    HTTP_SERVER_EVENT_ON_HEADER,
    HTTP_SERVER_EVENT_HEADERS_SENT,
    HTTP_SERVER_EVENT_ON_DATA,
    HTTP_SERVER_EVENT_SENT_DATA,
    HTTP_SERVER_EVENT_DISCONNECTED,
    HTTP_SERVER_EVENT_STOP,
} esp_http_server_event_id_t;

/** Event data of ON_DATA / SENT_DATA (upstream layout). */
typedef struct {
    int fd;
    int data_len;
} esp_http_server_event_data;

/* ---- Lifecycle ----------------------------------------------------------------- */

/** Starts a server: binds server_port, starts the server thread.
 *  @return ESP_OK; ESP_ERR_INVALID_ARG (NULL argument or invalid config);
 *          ESP_ERR_HTTPD_ALLOC_MEM; ESP_ERR_HTTPD_TASK (thread); ESP_FAIL (socket,
 *          bind or listen failed, e.g. the port is taken). *handle is written only on success. */
esp_err_t httpd_start(httpd_handle_t *handle, const httpd_config_t *config);

/** Stops a server: closes every session (close_fn and context frees run once
 *  each), frees handlers and global contexts, and returns when the server thread has ended.
 *  @return ESP_OK; ESP_ERR_INVALID_ARG (NULL or unknown handle);
 *          ESP_ERR_INVALID_STATE when called from the server's own thread. */
esp_err_t httpd_stop(httpd_handle_t handle);

/** The server's last state: START while running, STOP after stop, ERROR for NULL. */
esp_http_server_event_id_t httpd_get_server_state(httpd_handle_t handle);

/* ---- URI handlers -------------------------------------------------------------- */

/** @return ESP_OK, ESP_ERR_INVALID_ARG, ESP_ERR_HTTPD_HANDLERS_FULL,
 *          ESP_ERR_HTTPD_HANDLER_EXISTS, ESP_ERR_HTTPD_ALLOC_MEM. Callable from handlers. */
esp_err_t httpd_register_uri_handler(httpd_handle_t handle, const httpd_uri_t *uri_handler);
/** @return ESP_OK, ESP_ERR_INVALID_ARG, ESP_ERR_NOT_FOUND. */
esp_err_t httpd_unregister_uri_handler(httpd_handle_t handle, const char *uri, httpd_method_t method);
/** Removes every method registered for uri. @return ESP_OK, ESP_ERR_INVALID_ARG, ESP_ERR_NOT_FOUND. */
esp_err_t httpd_unregister_uri(httpd_handle_t handle, const char *uri);

/** Wildcard matcher: the template may end in "*" (anything follows), "?" (the
 *  previous character is optional) or "?*" / "*?" (both). "?" and "*"
 *  elsewhere are literal. Compares the first match_upto bytes of uri_to_match. */
bool httpd_uri_match_wildcard(const char *uri_template, const char *uri_to_match, size_t match_upto);

/* ---- Error handling ------------------------------------------------------------ */

/** Installs (or, with NULL, removes) a custom handler for one error.
 *  @return ESP_OK, ESP_ERR_INVALID_ARG. */
esp_err_t httpd_register_err_handler(httpd_handle_t handle, httpd_err_code_t error,
                                     httpd_err_handler_func_t handler_fn);

/** Runs the error handler for error (custom or default).
 *  @return ESP_OK when a custom handler returned ESP_OK (keep the connection),
 *          ESP_FAIL otherwise (the connection will close); always ESP_FAIL for 500. */
esp_err_t httpd_req_handle_err(httpd_req_t *req, httpd_err_code_t error);

/* ---- Transport overrides and sessions ------------------------------------------ */

esp_err_t httpd_sess_set_recv_override(httpd_handle_t hd, int sockfd, httpd_recv_func_t recv_func);
esp_err_t httpd_sess_set_send_override(httpd_handle_t hd, int sockfd, httpd_send_func_t send_func);
esp_err_t httpd_sess_set_pending_override(httpd_handle_t hd, int sockfd, httpd_pending_func_t pending_func);

/** Session context of sockfd (inside a handler of that session: req->sess_ctx), or NULL. */
void *httpd_sess_get_ctx(httpd_handle_t handle, int sockfd);
/** Sets the session context; frees the previous one (if different) with its free function. */
void httpd_sess_set_ctx(httpd_handle_t handle, int sockfd, void *ctx, httpd_free_ctx_fn_t free_fn);
void *httpd_sess_get_transport_ctx(httpd_handle_t handle, int sockfd);
void httpd_sess_set_transport_ctx(httpd_handle_t handle, int sockfd, void *ctx, httpd_free_ctx_fn_t free_fn);
void *httpd_get_global_user_ctx(httpd_handle_t handle);
void *httpd_get_global_transport_ctx(httpd_handle_t handle);

/** Closes a session from any thread (queued to the server thread).
 *  @return ESP_OK, ESP_FAIL (queue full), ESP_ERR_NOT_FOUND, ESP_ERR_INVALID_ARG. */
esp_err_t httpd_sess_trigger_close(httpd_handle_t handle, int sockfd);
/** Marks the session as just used (protects it from LRU purge).
 *  @return ESP_OK, ESP_ERR_NOT_FOUND, ESP_ERR_INVALID_ARG. */
esp_err_t httpd_sess_update_lru_counter(httpd_handle_t handle, int sockfd);
/** Lists open client sockets. *fds: capacity in, count out.
 *  @return ESP_OK; ESP_ERR_INVALID_ARG (NULL, *fds == 0, or more sessions than capacity). */
esp_err_t httpd_get_client_list(httpd_handle_t handle, size_t *fds, int *client_fds);

/* ---- Work queue and async requests --------------------------------------------- */

/** Runs work(arg) later on the server thread, in FIFO order. Callable from any thread.
 *  @return ESP_OK; ESP_FAIL (queue full or server stopping); ESP_ERR_INVALID_ARG. */
esp_err_t httpd_queue_work(httpd_handle_t handle, httpd_work_fn_t work, void *arg);

/** Copies the request so another thread can finish it. @return ESP_OK,
 *  ESP_ERR_INVALID_ARG, ESP_ERR_NO_MEM. */
esp_err_t httpd_req_async_handler_begin(httpd_req_t *r, httpd_req_t **out);
/** Releases a copy made by httpd_req_async_handler_begin(). @return ESP_OK,
 *  ESP_ERR_INVALID_ARG, ESP_FAIL. */
esp_err_t httpd_req_async_handler_complete(httpd_req_t *r);

/* ---- Requests ------------------------------------------------------------------ */

/** Socket of the request's session, or -1. */
int httpd_req_to_sockfd(httpd_req_t *r);

/** Reads up to buf_len body bytes (Content-Length or chunked, decoded).
 *  @return bytes read (> 0); 0 at the end of the body or when buf_len is 0;
 *          HTTPD_SOCK_ERR_TIMEOUT after recv_wait_timeout without data;
 *          HTTPD_SOCK_ERR_INVALID (bad arguments); HTTPD_SOCK_ERR_FAIL (socket
 *          error, peer closed early, or malformed chunked framing). */
int httpd_req_recv(httpd_req_t *r, char *buf, size_t buf_len);

/** Length of a request header's value (leading and trailing whitespace
 *  excluded), 0 when absent. Request headers stay readable until the handler returns. */
size_t httpd_req_get_hdr_value_len(httpd_req_t *r, const char *field);
/** @return ESP_OK, ESP_ERR_NOT_FOUND, ESP_ERR_INVALID_ARG, ESP_ERR_HTTPD_INVALID_REQ,
 *          ESP_ERR_HTTPD_RESULT_TRUNC (val holds the truncated, NUL-terminated value). */
esp_err_t httpd_req_get_hdr_value_str(httpd_req_t *r, const char *field, char *val, size_t val_size);
/** Pointer to the value inside the request buffer (NUL-terminated), valid until the handler returns.
 *  @return ESP_OK, ESP_ERR_NOT_FOUND, ESP_ERR_INVALID_ARG, ESP_ERR_HTTPD_INVALID_REQ. */
esp_err_t httpd_req_get_hdr_value_str_ptr(httpd_req_t *r, const char *field, const char **val, size_t *val_len);

/** Length of the query string (without '?'), 0 when none. */
size_t httpd_req_get_url_query_len(httpd_req_t *r);
/** @return ESP_OK, ESP_FAIL (empty URI), ESP_ERR_NOT_FOUND, ESP_ERR_INVALID_ARG,
 *          ESP_ERR_HTTPD_INVALID_REQ, ESP_ERR_HTTPD_RESULT_TRUNC (buf not written). */
esp_err_t httpd_req_get_url_query_str(httpd_req_t *r, char *buf, size_t buf_len);
/** Pointer to the query inside req->uri and its length.
 *  @return ESP_OK, ESP_FAIL, ESP_ERR_NOT_FOUND, ESP_ERR_INVALID_ARG, ESP_ERR_HTTPD_INVALID_REQ. */
esp_err_t httpd_req_get_url_query_str_ptr(httpd_req_t *r, const char **buf, size_t *buf_len);

/** Value of key in a query string ("a=1&b=2"); keys compare case-insensitively,
 *  no URL decoding. @return ESP_OK, ESP_ERR_NOT_FOUND, ESP_ERR_INVALID_ARG,
 *  ESP_ERR_HTTPD_RESULT_TRUNC (val not written). */
esp_err_t httpd_query_key_value(const char *qry, const char *key, char *val, size_t val_size);

/** Value of a cookie from the Cookie header. *val_size: buffer size in; value
 *  length + 1 out on ESP_OK, required size on ESP_ERR_HTTPD_RESULT_TRUNC (val not written).
 *  @return ESP_OK, ESP_ERR_NOT_FOUND, ESP_ERR_INVALID_ARG, ESP_ERR_HTTPD_RESULT_TRUNC, ESP_ERR_NO_MEM. */
esp_err_t httpd_req_get_cookie_val(httpd_req_t *req, const char *cookie_name, char *val, size_t *val_size);

/** Extension (not in upstream): decodes %XX escapes (and, when plus_is_space, '+'
 *  to ' ') from src[0..src_len) into dest (dest_size bytes, NUL-terminated).
 *  Invalid escapes are copied as they are.
 *  @return ESP_OK, ESP_ERR_INVALID_ARG, ESP_ERR_HTTPD_RESULT_TRUNC (dest holds the
 *  truncated, NUL-terminated prefix). */
esp_err_t httpd_url_decode(char *dest, size_t dest_size, const char *src, size_t src_len, bool plus_is_space);

/** Raw bytes of the request head held by the server, and their count. */
size_t httpd_get_raw_req_data_len(httpd_req_t *req);
esp_err_t httpd_get_raw_req_data(httpd_req_t *req, char *buf, size_t buf_len);

/* ---- Responses ----------------------------------------------------------------- */

/** Sends a whole response: status line, Content-Type, Content-Length, custom
 *  headers and body. buf_len may be HTTPD_RESP_USE_STRLEN.
 *  @return ESP_OK, ESP_ERR_INVALID_ARG, ESP_ERR_HTTPD_RESP_HDR, ESP_ERR_HTTPD_RESP_SEND,
 *          ESP_ERR_HTTPD_INVALID_REQ. */
esp_err_t httpd_resp_send(httpd_req_t *r, const char *buf, ssize_t buf_len);

/** Sends one chunk of a chunked response (the first call sends the head);
 *  buf_len 0 sends the terminating chunk. Same return codes as httpd_resp_send(). */
esp_err_t httpd_resp_send_chunk(httpd_req_t *r, const char *buf, ssize_t buf_len);

static inline esp_err_t httpd_resp_sendstr(httpd_req_t *r, const char *str)
{
    return httpd_resp_send(r, str, (str == NULL) ? 0 : HTTPD_RESP_USE_STRLEN);
}

static inline esp_err_t httpd_resp_sendstr_chunk(httpd_req_t *r, const char *str)
{
    return httpd_resp_send_chunk(r, str, (str == NULL) ? 0 : HTTPD_RESP_USE_STRLEN);
}

/** Sets the status line text ("404 Not Found"); the string is not copied.
 *  @return ESP_OK, ESP_ERR_INVALID_ARG (NULL, CR or LF), ESP_ERR_HTTPD_INVALID_REQ. */
esp_err_t httpd_resp_set_status(httpd_req_t *r, const char *status);
/** Sets Content-Type; the string is not copied. Same codes as httpd_resp_set_status(). */
esp_err_t httpd_resp_set_type(httpd_req_t *r, const char *type);
/** Adds a response header; strings are not copied.
 *  @return ESP_OK, ESP_ERR_INVALID_ARG (NULL, CR or LF), ESP_ERR_HTTPD_RESP_HDR (more than
 *          max_resp_headers), ESP_ERR_HTTPD_INVALID_REQ. */
esp_err_t httpd_resp_set_hdr(httpd_req_t *r, const char *field, const char *value);

/** Sends an error response (status for error, text/html, msg or the default text).
 *  Does not close the connection by itself. */
esp_err_t httpd_resp_send_err(httpd_req_t *req, httpd_err_code_t error, const char *msg);
/** Sends an error response with any status line ("418 I'm a teapot"). */
esp_err_t httpd_resp_send_custom_err(httpd_req_t *req, const char *status, const char *msg);

static inline esp_err_t httpd_resp_send_404(httpd_req_t *r)
{
    return httpd_resp_send_err(r, HTTPD_404_NOT_FOUND, NULL);
}

static inline esp_err_t httpd_resp_send_408(httpd_req_t *r)
{
    return httpd_resp_send_err(r, HTTPD_408_REQ_TIMEOUT, NULL);
}

static inline esp_err_t httpd_resp_send_500(httpd_req_t *r)
{
    return httpd_resp_send_err(r, HTTPD_500_INTERNAL_SERVER_ERROR, NULL);
}

/** One call of the session's send function (may send fewer bytes).
 *  @return bytes sent, or HTTPD_SOCK_ERR_*. */
int httpd_send(httpd_req_t *r, const char *buf, size_t buf_len);
/** Send / receive on a session's socket through its (possibly overridden)
 *  functions; usable from work-queue functions. @return bytes, or HTTPD_SOCK_ERR_*
 *  (HTTPD_SOCK_ERR_INVALID when sockfd is not a session). */
int httpd_socket_send(httpd_handle_t hd, int sockfd, const char *buf, size_t buf_len, int flags);
int httpd_socket_recv(httpd_handle_t hd, int sockfd, char *buf, size_t buf_len, int flags);

/* ---- WebSocket (CONFIG_HTTPD_WS_SUPPORT) --------------------------------------- */
#if CONFIG_HTTPD_WS_SUPPORT

typedef enum {
    HTTPD_WS_TYPE_CONTINUE = 0x0,
    HTTPD_WS_TYPE_TEXT     = 0x1,
    HTTPD_WS_TYPE_BINARY   = 0x2,
    HTTPD_WS_TYPE_CLOSE    = 0x8,
    HTTPD_WS_TYPE_PING     = 0x9,
    HTTPD_WS_TYPE_PONG     = 0xA
} httpd_ws_type_t;

typedef enum {
    HTTPD_WS_CLIENT_INVALID   = 0x0,
    HTTPD_WS_CLIENT_HTTP      = 0x1,
    HTTPD_WS_CLIENT_WEBSOCKET = 0x2,
} httpd_ws_client_info_t;

typedef struct httpd_ws_frame {
    bool final;             /*!< FIN bit (rx); used on tx when fragmented */
    bool fragmented;        /*!< tx: take FIN from final */
    httpd_ws_type_t type;   /*!< Frame type */
    uint8_t *payload;       /*!< Payload buffer (caller-owned) */
    size_t len;             /*!< Payload length */
    size_t left_len;        /*!< rx partial reads: bytes still to read */
} httpd_ws_frame_t;

typedef void (*transfer_complete_cb)(esp_err_t err, int socket, void *arg);

esp_err_t httpd_ws_recv_frame(httpd_req_t *req, httpd_ws_frame_t *pkt, size_t max_len);
esp_err_t httpd_ws_recv_frame_part(httpd_req_t *req, httpd_ws_frame_t *pkt, size_t max_len);
/** Extension (not in upstream): reads a whole message. Starting with the frame
 *  the handler was called for, it reads its payload and, while the message is
 *  fragmented, the continuation frames that follow (answering PINGs met on the
 *  way), into pkt->payload (max_len bytes). pkt->type is the message's type,
 *  pkt->len its length, pkt->final true. ESP_ERR_INVALID_SIZE (and close 1009)
 *  when the message is longer than max_len. */
esp_err_t httpd_ws_recv_msg(httpd_req_t *req, httpd_ws_frame_t *pkt, size_t max_len);
esp_err_t httpd_ws_send_frame(httpd_req_t *req, httpd_ws_frame_t *pkt);
esp_err_t httpd_ws_send_frame_async(httpd_handle_t hd, int fd, httpd_ws_frame_t *frame);
httpd_ws_client_info_t httpd_ws_get_fd_info(httpd_handle_t hd, int fd);
esp_err_t httpd_ws_send_data(httpd_handle_t handle, int socket, httpd_ws_frame_t *frame);
esp_err_t httpd_ws_send_data_async(httpd_handle_t handle, int socket, httpd_ws_frame_t *frame,
                                   transfer_complete_cb callback, void *arg);

#endif /* CONFIG_HTTPD_WS_SUPPORT */

#ifdef __cplusplus
}
#endif

#endif /* ESP_HTTP_SERVER_H */
