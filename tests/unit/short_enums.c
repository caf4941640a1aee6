/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The library and this test built with -fshort-enums, as bare-metal ARM
 * toolchains build by default: an enum takes one byte, so HTTP_ANY (INT_MAX)
 * stored in httpd_uri_t.method keeps only its low byte. A handler registered
 * for HTTP_ANY must still serve every method. (Not a test_*.c file: CMake
 * builds it with its own copy of the library, compiled the same way.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "loopback.h"

static esp_err_t any_handler(httpd_req_t *req)
{
    char body[32];
    snprintf(body, sizeof body, "any %d", req->method);
    return httpd_resp_sendstr(req, body);
}

/* One request on a new connection; the status code, or -1. */
static int status_of(uint16_t port, const char *method)
{
    int c = lb_client(port, 3);
    if (c < 0) {
        return -1;
    }
    char req[128];
    int n = snprintf(req, sizeof req, "%s /thing HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", method);
    int status = -1;
    char resp[512];
    if (send(c, req, (size_t)n, 0) == n) {
        ssize_t got = recv(c, resp, sizeof resp - 1, 0);
        if (got > 12) {
            resp[got] = '\0';
            status = atoi(resp + 9);
        }
    }
    close(c);
    return status;
}

int main(void)
{
    CHECK_EQ_INT(sizeof(httpd_method_t), 1);   /* the flag took effect: else this test proves nothing */
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    httpd_handle_t h = lb_start(&cfg);
    CHECK(h != NULL);
    if (!h) {
        return check_summary();
    }
    httpd_uri_t any = { .uri = "/thing", .method = HTTP_ANY, .handler = any_handler };
    CHECK_EQ_INT(httpd_register_uri_handler(h, &any), ESP_OK);
    CHECK_EQ_INT(status_of(cfg.server_port, "GET"), 200);
    CHECK_EQ_INT(status_of(cfg.server_port, "POST"), 200);
    CHECK_EQ_INT(status_of(cfg.server_port, "DELETE"), 200);
    /* the same registration again is a duplicate; unregistering HTTP_ANY removes it */
    CHECK_EQ_INT(httpd_register_uri_handler(h, &any), ESP_ERR_HTTPD_HANDLER_EXISTS);
    CHECK_EQ_INT(httpd_unregister_uri_handler(h, "/thing", HTTP_ANY), ESP_OK);
    CHECK_EQ_INT(status_of(cfg.server_port, "GET"), 404);
    CHECK_EQ_INT(httpd_stop(h), ESP_OK);
    return check_summary();
}
