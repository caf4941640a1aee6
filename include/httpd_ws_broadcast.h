/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpd_ws_broadcast.h: WebSocket broadcast, groups and client enumeration for
 * esp_http_server, part of esp_http_addons.
 *
 * httpd_ws_broadcast() sends one message to every WebSocket client of a server,
 * or to the members of a group (e.g. the clients of one route: the API does not
 * say which URI a WebSocket session came from, so a handler joins its clients
 * to a group on the handshake call). It may be called from any thread and never
 * waits: the payload is copied once, and the server thread queues the frame on
 * each session (the server's per-session WebSocket send queue), so a client that
 * does not read delays nobody. A client whose send queue is full misses the
 * message and is closed.
 *
 * Requires CONFIG_HTTPD_WS_SUPPORT.
 */
#ifndef HTTPD_WS_BROADCAST_H
#define HTTPD_WS_BROADCAST_H

#include <stddef.h>

#include "esp_http_server.h"

#ifdef __cplusplus
extern "C" {
#endif

#if CONFIG_HTTPD_WS_SUPPORT

/** A set of WebSocket sessions of one server (opaque). */
typedef struct httpd_ws_group httpd_ws_group_t;

/** Told, on the server thread (or in httpd_stop() when the server stopped first),
 *  how a broadcast went: sent to how many clients, and how many failed. */
typedef void (*httpd_ws_broadcast_done_t)(size_t sent, size_t failed, void *arg);

/** Creates an empty group for server; max_members 0: 16.
 *  @return ESP_OK, ESP_ERR_INVALID_ARG, ESP_ERR_NO_MEM. */
esp_err_t httpd_ws_group_create(httpd_handle_t server, size_t max_members, httpd_ws_group_t **out);

/** Frees a group. Broadcasts still on their way finish first (the memory goes
 *  with the last). @return ESP_OK, ESP_ERR_INVALID_ARG. */
esp_err_t httpd_ws_group_delete(httpd_ws_group_t *group);

/** Adds the session of req (a WebSocket handler's request, typically the
 *  handshake call, req->method == HTTP_GET) to group. The session is forgotten
 *  when it closes: joining takes its session context slot (req->sess_ctx) when
 *  that is free; a handler that keeps its own session context must call
 *  httpd_ws_group_leave() when the session ends (e.g. from its free_ctx).
 *  Joining twice is harmless. @return ESP_OK; ESP_ERR_INVALID_ARG;
 *  ESP_ERR_NO_MEM (group full, or no memory). */
esp_err_t httpd_ws_group_join(httpd_ws_group_t *group, httpd_req_t *req);

/** Removes fd from group. @return ESP_OK, ESP_ERR_INVALID_ARG, ESP_ERR_NOT_FOUND. */
esp_err_t httpd_ws_group_leave(httpd_ws_group_t *group, int fd);

/** Members of group now (0 for NULL). */
size_t httpd_ws_group_count(httpd_ws_group_t *group);

/** Sends one message (type TEXT or BINARY, or PING) to every member of group, or
 *  to every WebSocket client of server when group is NULL. data is copied.
 *  @return ESP_OK (queued; also when nobody is there); ESP_ERR_INVALID_ARG
 *  (NULL server, bad type, data NULL with len > 0, group of another server);
 *  ESP_ERR_NO_MEM; ESP_FAIL (the server's work queue is full, or it stopped). */
esp_err_t httpd_ws_broadcast(httpd_handle_t server, httpd_ws_group_t *group, httpd_ws_type_t type,
                             const void *data, size_t len);

/** httpd_ws_broadcast() with a completion callback (done may be NULL). done runs
 *  exactly once when ESP_OK is returned, never otherwise. */
esp_err_t httpd_ws_broadcast_ex(httpd_handle_t server, httpd_ws_group_t *group, httpd_ws_type_t type,
                                const void *data, size_t len, httpd_ws_broadcast_done_t done, void *arg);

/** The sockets of server's sessions in the WebSocket state (httpd_ws_get_fd_info()).
 *  *count: capacity of fds in, number written out.
 *  @return ESP_OK; ESP_ERR_INVALID_ARG; ESP_ERR_INVALID_SIZE (more WebSocket clients
 *  than capacity: fds holds the first *count); ESP_ERR_NO_MEM. */
esp_err_t httpd_ws_client_list(httpd_handle_t server, int *fds, size_t *count);

#endif /* CONFIG_HTTPD_WS_SUPPORT */

#ifdef __cplusplus
}
#endif

#endif /* HTTPD_WS_BROADCAST_H */
