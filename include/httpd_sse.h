/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpd_sse.h: Server-Sent Events (the text/event-stream format of the WHATWG
 * HTML standard) for esp_http_server, part of esp_http_addons.
 *
 * httpd_sse_register() adds a GET route whose requests become subscribers: the
 * connection stays open, answered "200 OK" with Content-Type: text/event-stream,
 * and the application sends events to one subscriber (httpd_sse_send) or to all
 * of the route (httpd_sse_broadcast), from any thread.
 *
 * Each route has a writer thread of its own. Sending only copies the event into
 * the subscriber's bounded queue and wakes that thread, so neither the caller nor
 * the server thread ever waits for a client; the writer thread writes only what
 * a socket takes at once, so one stalled client never delays the others. A
 * subscriber whose queue would overflow is dropped: its connection is closed
 * (an EventSource then reconnects, sending Last-Event-ID).
 *
 * Threading: every function may be called from any thread, handlers included,
 * except httpd_sse_delete() (not from a handler or a work function).
 */
#ifndef HTTPD_SSE_H
#define HTTPD_SSE_H

#include <stddef.h>
#include <stdint.h>

#include "esp_http_server.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest Last-Event-ID value passed to on_subscribe (longer values are ignored). */
#define HTTPD_SSE_LAST_ID_MAX 128

/** A Server-Sent Events route (opaque). */
typedef struct httpd_sse_route httpd_sse_route_t;

/** Runs on the server thread when a client subscribes, before any event reaches it.
 *  req is the subscribing request (headers and query readable), fd its socket,
 *  last_event_id the Last-Event-ID header's value or NULL. Events sent to fd from
 *  here (httpd_sse_send) are the first the client gets, e.g. the ones it missed.
 *  Return ESP_OK to accept; ESP_ERR_NOT_FOUND answers 404, anything else 403
 *  (an EventSource does not reconnect after either). */
typedef esp_err_t (*httpd_sse_subscribe_cb_t)(httpd_sse_route_t *route, httpd_req_t *req, int fd,
                                              const char *last_event_id, void *user_ctx);

/** Runs first on the server thread for every request to the route, before
 *  anything is sent: return ESP_OK to go on; anything else means the function
 *  has answered the request itself and the stream does not start. For example a
 *  login: `return httpd_auth_check(req, &auth, NULL, 0);` (its 401 challenge is
 *  the answer), without the SSE module linking the authentication one. */
typedef esp_err_t (*httpd_sse_check_cb_t)(httpd_req_t *req, void *user_ctx);

/** Runs on the route's writer thread when a subscriber is gone (client closed,
 *  dropped, httpd_sse_close, route deleted). No event can reach fd any more. */
typedef void (*httpd_sse_unsubscribe_cb_t)(httpd_sse_route_t *route, int fd, void *user_ctx);

/** Route configuration. Initialise with HTTPD_SSE_DEFAULT_CONFIG(). */
typedef struct {
    size_t   queue_size;         /*!< Bytes that may wait per subscriber (0: 8192); more drops the subscriber */
    uint16_t max_subscribers;    /*!< Subscribers at once (0: 8); more are answered 503 */
    uint32_t keepalive_ms;       /*!< Interval of ": ping" comments (0: none); also finds dead peers */
    uint32_t retry_ms;           /*!< Reconnection time sent to each new subscriber ("retry:"), 0: none */
    size_t   stack_size;         /*!< Writer thread stack in bytes (0: the platform's default) */
    httpd_sse_subscribe_cb_t   on_subscribe;    /*!< NULL: everyone is accepted */
    httpd_sse_unsubscribe_cb_t on_unsubscribe;  /*!< NULL: not told */
    httpd_sse_check_cb_t       check;           /*!< NULL: no check (e.g. a login) before subscribing */
    void    *user_ctx;           /*!< Passed to the callbacks */
} httpd_sse_config_t;

#define HTTPD_SSE_DEFAULT_CONFIG() { .queue_size = 8192, .max_subscribers = 8, .keepalive_ms = 15000, \
                                     .retry_ms = 0, .stack_size = 0, .on_subscribe = NULL,            \
                                     .on_unsubscribe = NULL, .check = NULL, .user_ctx = NULL }

/** Registers uri (GET) on server as an event stream and starts its writer thread.
 *  cfg may be NULL (defaults). @return ESP_OK; ESP_ERR_INVALID_ARG; ESP_ERR_NO_MEM;
 *  ESP_FAIL (no thread or wake-up socket); the errors of httpd_register_uri_handler(). */
esp_err_t httpd_sse_register(httpd_handle_t server, const char *uri, const httpd_sse_config_t *cfg,
                             httpd_sse_route_t **out);

/** Unregisters the route, closes its subscribers, ends its thread and frees it.
 *  Call it from an application thread, either while the server runs or after
 *  httpd_stop() (httpd_stop() with subscribers attached is fine: they are closed).
 *  @return ESP_OK; ESP_ERR_INVALID_ARG (NULL). */
esp_err_t httpd_sse_delete(httpd_sse_route_t *route);

/** Formats one event into buf: "event: <event>\n" (when event is not NULL nor empty),
 *  "id: <id>\n" (when id is not NULL; empty resets the client's last event ID),
 *  one "data: <line>\n" per line of data (lines end at CRLF, CR or LF; NULL is ""),
 *  and the blank line that dispatches it. *len: size of buf in, length written out
 *  (without the NUL that follows it).
 *  @return ESP_OK; ESP_ERR_INVALID_ARG (len NULL, buf NULL with *len > 0, CR or LF in
 *  event or id); ESP_ERR_INVALID_SIZE (buf too small or NULL: *len is the size needed,
 *  NUL included). */
esp_err_t httpd_sse_format(char *buf, size_t *len, const char *event, const char *data, const char *id);

/** Queues an event for the subscriber on socket fd (formatted as httpd_sse_format()).
 *  @return ESP_OK; ESP_ERR_INVALID_ARG (NULL route, CR/LF in event or id);
 *  ESP_ERR_NOT_FOUND (fd is no subscriber of route); ESP_ERR_NO_MEM;
 *  ESP_ERR_INVALID_SIZE (its queue is full: the subscriber is dropped). */
esp_err_t httpd_sse_send(httpd_sse_route_t *route, int fd, const char *event, const char *data, const char *id);

/** Queues an event for every subscriber of route. *queued (may be NULL): how many
 *  took it (subscribers whose queue is full are dropped and not counted).
 *  @return ESP_OK (also with no subscribers); ESP_ERR_INVALID_ARG; ESP_ERR_NO_MEM. */
esp_err_t httpd_sse_broadcast(httpd_sse_route_t *route, const char *event, const char *data, const char *id,
                              size_t *queued);

/** Queues a comment line (": <text>\n\n", ignored by clients) for fd, or for every
 *  subscriber when fd is -1. text must hold no CR or LF (NULL: empty).
 *  @return as httpd_sse_send(). */
esp_err_t httpd_sse_comment(httpd_sse_route_t *route, int fd, const char *text);

/** Ends a subscription: what is queued is still sent, then the connection closes.
 *  @return ESP_OK; ESP_ERR_INVALID_ARG; ESP_ERR_NOT_FOUND. */
esp_err_t httpd_sse_close(httpd_sse_route_t *route, int fd);

/** Subscribers of route now (0 for NULL). */
size_t httpd_sse_subscriber_count(httpd_sse_route_t *route);

#ifdef __cplusplus
}
#endif

#endif /* HTTPD_SSE_H */
