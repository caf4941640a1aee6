/* SPDX-License-Identifier: Apache-2.0 */
/* test_route_wrap: the shared route wrapping of the auth and CORS add-ons (nesting,
 * undoing the outer layer only, argument checks) and the CORS argument checks. */
#include <string.h>

#include "../unit/check.h"
#include "httpd_auth.h"
#include "httpd_cors.h"

static esp_err_t dummy(httpd_req_t *req)
{
    (void)req;
    return ESP_OK;
}

int main(void)
{
    static const char *const origins[] = { "http://a.example" };
    static const char *const null_origin[] = { NULL };
    static const httpd_auth_user_t users[] = { { "u", "p" } };
    const httpd_cors_config_t cors = { .origins = origins, .origin_count = 1 };
    const httpd_auth_config_t auth = { .type = HTTPD_AUTH_BASIC, .realm = "r", .users = users, .user_count = 1 };
    int ctx = 0;
    httpd_uri_t uri = { .uri = "/", .method = HTTP_GET, .handler = dummy, .user_ctx = &ctx };

    /* CORS arguments */
    httpd_cors_config_t bad = cors;
    CHECK_EQ_INT(httpd_cors_wrap(NULL, &cors), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_cors_wrap(&uri, NULL), ESP_ERR_INVALID_ARG);
    bad.origin_count = 0;
    CHECK_EQ_INT(httpd_cors_wrap(&uri, &bad), ESP_ERR_INVALID_ARG);
    bad = cors;
    bad.origins = null_origin;
    CHECK_EQ_INT(httpd_cors_wrap(&uri, &bad), ESP_ERR_INVALID_ARG);
    bad = cors;
    bad.methods = "GET\r\nX-Evil: 1";
    CHECK_EQ_INT(httpd_cors_wrap(&uri, &bad), ESP_ERR_INVALID_ARG);
    bad = cors;
    bad.expose_headers = "A\n";
    CHECK_EQ_INT(httpd_cors_wrap(&uri, &bad), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_cors_register(NULL, "/", &cors), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_cors_register((httpd_handle_t)&ctx, NULL, &cors), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_cors_register((httpd_handle_t)&ctx, "/", &bad), ESP_ERR_INVALID_ARG);
    httpd_uri_t no_handler = { .uri = "/", .method = HTTP_GET };
    CHECK_EQ_INT(httpd_cors_wrap(&no_handler, &cors), ESP_ERR_INVALID_ARG);
    CHECK(uri.handler == dummy && uri.user_ctx == &ctx);
    CHECK_EQ_INT(httpd_cors_unwrap(NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_cors_unwrap(&uri), ESP_ERR_NOT_FOUND);

    /* auth inside CORS: undone from the outside in, each by its own kind only */
    CHECK_EQ_INT(httpd_auth_protect(&uri, &auth), ESP_OK);
    httpd_uri_t after_auth = uri;
    CHECK_EQ_INT(httpd_cors_wrap(&uri, &cors), ESP_OK);
    CHECK(uri.user_ctx != after_auth.user_ctx);
    CHECK_EQ_INT(httpd_auth_unprotect(&uri), ESP_ERR_NOT_FOUND);   /* the outer one is CORS */
    CHECK_EQ_INT(httpd_cors_unwrap(&uri), ESP_OK);
    CHECK(uri.handler == after_auth.handler && uri.user_ctx == after_auth.user_ctx);
    CHECK_EQ_INT(httpd_cors_unwrap(&uri), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(httpd_auth_unprotect(&uri), ESP_OK);
    CHECK(uri.handler == dummy && uri.user_ctx == &ctx);

#if CONFIG_HTTPD_WS_SUPPORT
    httpd_uri_t ws = { .uri = "/ws", .method = HTTP_GET, .handler = dummy, .is_websocket = true };
    CHECK_EQ_INT(httpd_cors_wrap(&ws, &cors), ESP_ERR_NOT_SUPPORTED);
    CHECK_EQ_INT(httpd_auth_protect(&ws, &auth), ESP_ERR_NOT_SUPPORTED);
    CHECK(ws.handler == dummy);
#endif
    return check_summary();
}
