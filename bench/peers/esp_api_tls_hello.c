/* SPDX-License-Identifier: Apache-2.0 */
/* HTTPS hello server written only against the public esp_https_server.h API: the
 * TLS rows of make bench (bench/tls_bench.py).
 *
 *   esp_api_tls_hello PORT CERT KEY [MAX_SOCKETS]
 *
 * GET /hello -> "Hello, World!". TLS 1.2 with ECDHE-ECDSA-AES128-GCM-SHA256 (the
 * suite nginx is given in the same run), no session tickets: every new connection
 * is a full handshake. */
#include <esp_https_server.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static esp_err_t hello_get(httpd_req_t *req)
{
    httpd_resp_set_type(req, "text/plain");
    return httpd_resp_send(req, "Hello, World!", 13);
}

static uint8_t *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    static uint8_t bufs[2][16384];
    static int next;
    uint8_t *buf = bufs[next++ & 1];
    size_t n = fread(buf, 1, sizeof bufs[0] - 1, f);
    fclose(f);
    buf[n] = 0;
    *len = n + 1;   /* PEM: the NUL is counted */
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: esp_api_tls_hello PORT CERT KEY [MAX_SOCKETS]\n");
        return 2;
    }
    static const int suites[] = {0xC02B, 0};   /* TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
    httpd_ssl_config_t c = HTTPD_SSL_CONFIG_DEFAULT();
    c.port_secure = (uint16_t)atoi(argv[1]);
    c.servercert = load(argv[2], &c.servercert_len);
    c.prvtkey_pem = load(argv[3], &c.prvtkey_len);
    c.httpd.max_open_sockets = argc > 4 ? atoi(argv[4]) : 1000;
    c.httpd.backlog_conn = 128;
    c.tls_version = ESP_TLS_VER_TLS_1_2;
    c.ciphersuites_list = suites;
    if (!c.servercert || !c.prvtkey_pem) {
        fprintf(stderr, "cannot read the certificate or key\n");
        return 1;
    }
    httpd_handle_t h = NULL;
    esp_err_t e = httpd_ssl_start(&h, &c);
    if (e != ESP_OK) {
        fprintf(stderr, "httpd_ssl_start failed: %s\n", esp_err_to_name(e));
        return 1;
    }
    httpd_uri_t u = {.uri = "/hello", .method = HTTP_GET, .handler = hello_get};
    httpd_register_uri_handler(h, &u);
    fprintf(stderr, "esp_https_server hello on %d (max_open_sockets=%d)\n", c.port_secure, c.httpd.max_open_sockets);
    for (;;) {
        pause();
    }
}
