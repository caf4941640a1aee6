/* SPDX-License-Identifier: Apache-2.0 */
/*
 * route_wrap.h: wraps a route's handler in a "layer" (authentication, CORS) without
 * touching the handler. Private to the add-on library.
 *
 * httpd__addon_wrap() replaces uri->handler by a trampoline and uri->user_ctx by a small
 * heap record {layer, cfg, original handler, original user_ctx}. At request time the
 * trampoline calls layer(req, cfg, w); the layer answers itself, or calls
 * httpd__addon_wrap_next(req, w), which runs the original handler with req->user_ctx set
 * to the original user_ctx (and puts the record back afterwards). Layers nest: wrapping
 * an already wrapped uri makes the new layer the outer one.
 */
#ifndef HTTPD_ADDON_ROUTE_WRAP_H
#define HTTPD_ADDON_ROUTE_WRAP_H

#include "esp_http_server.h"

typedef struct httpd__addon_wrap httpd__addon_wrap_t;

/* A layer: runs for each request of the wrapped route. */
typedef esp_err_t (*httpd__addon_layer_fn)(httpd_req_t *req, const void *cfg, const httpd__addon_wrap_t *w);

struct httpd__addon_wrap {
    httpd__addon_layer_fn layer;
    const void *cfg;
    esp_err_t (*handler)(httpd_req_t *req);   /* the wrapped handler and its context */
    void *user_ctx;
};

/* Wraps uri (before it is registered) in layer with cfg.
 * ESP_OK; ESP_ERR_INVALID_ARG (NULL uri, handler, layer or cfg); ESP_ERR_NOT_SUPPORTED
 * (a WebSocket endpoint: its frames reach the handler without request headers);
 * ESP_ERR_NO_MEM. */
esp_err_t httpd__addon_wrap(httpd_uri_t *uri, httpd__addon_layer_fn layer, const void *cfg);

/* Undoes the outermost wrapping of uri when it is a layer of this kind: uri gets back
 * its handler and user_ctx, the record is freed. ESP_OK; ESP_ERR_INVALID_ARG (NULL);
 * ESP_ERR_NOT_FOUND (the outermost layer of uri is not one of layer's). */
esp_err_t httpd__addon_unwrap(httpd_uri_t *uri, httpd__addon_layer_fn layer);

/* Runs the wrapped handler of w for req (inside a layer); returns its result. */
esp_err_t httpd__addon_wrap_next(httpd_req_t *req, const httpd__addon_wrap_t *w);

#endif /* HTTPD_ADDON_ROUTE_WRAP_H */
