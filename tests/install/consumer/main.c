/* SPDX-License-Identifier: Apache-2.0 */
/* A program outside the tree, built against the installed package: it must see
 * the library's CONFIG_HTTPD_* values and link and run. */
#include <esp_http_server.h>
#include <sdkconfig.h>
#include <esp_log.h>
#include <stdio.h>

static esp_err_t hello(httpd_req_t *req)
{
    return httpd_resp_sendstr(req, "hi");
}

int main(void)
{
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.server_port = 0;   /* any free port */
    httpd_handle_t h = NULL;
    if (httpd_start(&h, &cfg) != ESP_OK) {
        fprintf(stderr, "httpd_start failed\n");
        return 1;
    }
    httpd_uri_t u = { .uri = "/", .method = HTTP_GET, .handler = hello, .user_ctx = NULL };
    esp_err_t err = httpd_register_uri_handler(h, &u);
    printf("register: %s\n", esp_err_to_name(err));
    printf("CONFIG_HTTPD_MAX_URI_LEN=%d CONFIG_HTTPD_MAX_REQ_HDR_LEN=%d sizeof(req.uri)=%zu\n",
           CONFIG_HTTPD_MAX_URI_LEN, CONFIG_HTTPD_MAX_REQ_HDR_LEN, sizeof(((httpd_req_t *)0)->uri));
#ifdef CONFIG_HTTPD_WS_SUPPORT
    printf("ws=1\n");
#else
    printf("ws=0\n");
#endif
    if (httpd_stop(h) != ESP_OK || err != ESP_OK) {
        return 1;
    }
    return sizeof(((httpd_req_t *)0)->uri) == CONFIG_HTTPD_MAX_URI_LEN + 1 ? 0 : 1;
}
