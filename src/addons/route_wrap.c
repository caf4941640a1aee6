/* SPDX-License-Identifier: Apache-2.0 */
/* route_wrap.c: the trampoline handler shared by the auth and CORS layers (see
 * route_wrap.h). */
#include "route_wrap.h"

#include <stdlib.h>

static esp_err_t trampoline(httpd_req_t *req)
{
    const httpd__addon_wrap_t *w = req ? req->user_ctx : NULL;
    if (!w) {
        return ESP_FAIL;
    }
    return w->layer(req, w->cfg, w);
}

esp_err_t httpd__addon_wrap(httpd_uri_t *uri, httpd__addon_layer_fn layer, const void *cfg)
{
    if (!uri || !uri->handler || !layer || !cfg) {
        return ESP_ERR_INVALID_ARG;
    }
#if CONFIG_HTTPD_WS_SUPPORT
    if (uri->is_websocket) {
        return ESP_ERR_NOT_SUPPORTED;
    }
#endif
    httpd__addon_wrap_t *w = malloc(sizeof *w);
    if (!w) {
        return ESP_ERR_NO_MEM;
    }
    w->layer = layer;
    w->cfg = cfg;
    w->handler = uri->handler;
    w->user_ctx = uri->user_ctx;
    uri->handler = trampoline;
    uri->user_ctx = w;
    return ESP_OK;
}

esp_err_t httpd__addon_unwrap(httpd_uri_t *uri, httpd__addon_layer_fn layer)
{
    if (!uri || !layer) {
        return ESP_ERR_INVALID_ARG;
    }
    httpd__addon_wrap_t *w = uri->user_ctx;
    if (uri->handler != trampoline || !w || w->layer != layer) {
        return ESP_ERR_NOT_FOUND;
    }
    uri->handler = w->handler;
    uri->user_ctx = w->user_ctx;
    free(w);
    return ESP_OK;
}

esp_err_t httpd__addon_wrap_next(httpd_req_t *req, const httpd__addon_wrap_t *w)
{
    req->user_ctx = w->user_ctx;   /* the handler sees its own context */
    esp_err_t ret = w->handler(req);
    req->user_ctx = (void *)w;     /* as the server set it, for whatever follows */
    return ret;
}
