/* SPDX-License-Identifier: Apache-2.0 */
/* A program outside the tree, built against the installed HTTPS library: the
 * defaults are upstream's, a start without a certificate is refused, and the
 * insecure mode serves plain HTTP. */
#include <esp_https_server.h>
#include <stdio.h>

int main(void)
{
    httpd_ssl_config_t conf = HTTPD_SSL_CONFIG_DEFAULT();
    if (conf.port_secure != 443 || conf.httpd.max_open_sockets != 4) {
        fprintf(stderr, "unexpected defaults\n");
        return 1;
    }
    httpd_handle_t h = NULL;
    if (httpd_ssl_start(&h, &conf) != ESP_ERR_INVALID_ARG) {
        fprintf(stderr, "a start without a certificate was not refused\n");
        return 1;
    }
    conf.transport_mode = HTTPD_SSL_TRANSPORT_INSECURE;
    conf.port_insecure = 0;   /* any free port */
    if (httpd_ssl_start(&h, &conf) != ESP_OK || httpd_ssl_stop(h) != ESP_OK) {
        fprintf(stderr, "insecure start/stop failed\n");
        return 1;
    }
    printf("https consumer ok\n");
    return 0;
}
