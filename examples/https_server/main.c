/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTPS server example: the Linux counterpart of ESP-IDF's
 * examples/protocols/https_server/simple, plus a wss:// echo
 * (examples/protocols/https_server/wss_server).
 *
 *   GET /     a short page ("Hello Secure World!") that opens wss://.../ws
 *   GET /ws   WebSocket over TLS: each text frame comes back as it is
 *
 * The certificate and key come from files in PEM (or DER):
 *   TLS_CERT (default cert.pem) and TLS_KEY (default key.pem);
 *   CLIENT_CA, when set, makes client certificates signed by it required
 *   (mutual TLS). Port: $PORT, default 8443.
 * Make a self-signed pair with the openssl command line tool, e.g.
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
 *       -keyout key.pem -out cert.pem -days 365 -subj /CN=localhost
 * The user callback logs each session's ciphersuite and, with mutual TLS, the
 * client certificate's subject, as upstream's example does.
 * SIGINT / SIGTERM stop the server; exit status 0.
 */
#define _GNU_SOURCE

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_https_server.h"
#include "esp_log.h"
#include "mbedtls/x509_crt.h"

static const char *TAG = "example";

#define DEFAULT_PORT 8443

static const char PAGE[] =
    "<!doctype html><meta charset=utf-8><title>HTTPS example</title>"
    "<h1>Hello Secure World!</h1><p id=ws>WebSocket: connecting...</p>"
    "<script>const s=new WebSocket('wss://'+location.host+'/ws');"
    "s.onopen=()=>s.send('ping over wss');"
    "s.onmessage=e=>document.getElementById('ws').textContent='WebSocket echo: '+e.data;</script>";

static esp_err_t root_get_handler(httpd_req_t *req)
{
    httpd_resp_set_type(req, "text/html");
    return httpd_resp_send(req, PAGE, HTTPD_RESP_USE_STRLEN);
}

static esp_err_t ws_handler(httpd_req_t *req)
{
    if (req->method == HTTP_GET) {
        ESP_LOGI(TAG, "WebSocket over TLS opened on fd %d", httpd_req_to_sockfd(req));
        return ESP_OK;
    }
    uint8_t buf[512];
    httpd_ws_frame_t frame = {.payload = buf};
    esp_err_t err = httpd_ws_recv_frame(req, &frame, sizeof buf);
    if (err != ESP_OK) {
        return err;   /* (a frame over 512 bytes too: this example keeps it small) */
    }
    return frame.type == HTTPD_WS_TYPE_TEXT ? httpd_ws_send_frame(req, &frame) : ESP_OK;
}

static void user_callback(esp_https_server_user_cb_arg_t *arg)
{
    int fd = -1;
    esp_tls_get_conn_sockfd(arg->tls, &fd);
    mbedtls_ssl_context *ssl = esp_tls_get_ssl_context(arg->tls);
    switch (arg->user_cb_state) {
    case HTTPD_SSL_USER_CB_SESS_CREATE: {
        ESP_LOGI(TAG, "fd %d: secure session, %s", fd, mbedtls_ssl_get_ciphersuite(ssl));
        const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(ssl);
        if (peer) {
            char subject[256];
            if (mbedtls_x509_dn_gets(subject, sizeof subject, &peer->subject) > 0) {
                ESP_LOGI(TAG, "fd %d: client certificate %s", fd, subject);
            }
        }
        break;
    }
    case HTTPD_SSL_USER_CB_SESS_CLOSE:
        ESP_LOGI(TAG, "fd %d: secure session closed", fd);
        break;
    case HTTPD_SSL_USER_CB_SESS_ERROR:
        ESP_LOGW(TAG, "fd %d: handshake failed", fd);
        break;
    }
}

static uint8_t *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ESP_LOGE(TAG, "cannot open %s", path);
        return NULL;
    }
    uint8_t *buf = NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1)) != NULL) {
        if (fread(buf, 1, (size_t)size, f) == (size_t)size) {
            buf[size] = '\0';   /* PEM is parsed with its NUL counted; DER without */
            *len = strstr((char *)buf, "-----BEGIN") ? (size_t)size + 1 : (size_t)size;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

int main(void)
{
    const char *port_s = getenv("PORT");
    const char *cert_path = getenv("TLS_CERT") ? getenv("TLS_CERT") : "cert.pem";
    const char *key_path = getenv("TLS_KEY") ? getenv("TLS_KEY") : "key.pem";
    const char *ca_path = getenv("CLIENT_CA");
    long port = port_s ? strtol(port_s, NULL, 10) : DEFAULT_PORT;
    if (port < 1 || port > 65535) {
        fprintf(stderr, "invalid PORT: %s\n", port_s);
        return 2;
    }

    httpd_ssl_config_t conf = HTTPD_SSL_CONFIG_DEFAULT();
    conf.port_secure = (uint16_t)port;
    conf.user_cb = user_callback;
    uint8_t *cert = load(cert_path, &conf.servercert_len);
    uint8_t *key = load(key_path, &conf.prvtkey_len);
    uint8_t *ca = ca_path ? load(ca_path, &conf.cacert_len) : NULL;
    if (!cert || !key || (ca_path && !ca)) {
        fprintf(stderr, "need a certificate and key: TLS_CERT=%s TLS_KEY=%s (see the comment at the top)\n",
                cert_path, key_path);
        return 2;
    }
    conf.servercert = cert;
    conf.prvtkey_pem = key;
    conf.cacert_pem = ca;

    /* The stop signals go to sigwait() only. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    httpd_handle_t server = NULL;
    esp_err_t err = httpd_ssl_start(&server, &conf);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_ssl_start: %s", esp_err_to_name(err));
        return 1;
    }
    static const httpd_uri_t root = {.uri = "/", .method = HTTP_GET, .handler = root_get_handler};
    static const httpd_uri_t ws = {.uri = "/ws", .method = HTTP_GET, .handler = ws_handler, .is_websocket = true};
    httpd_register_uri_handler(server, &root);
    httpd_register_uri_handler(server, &ws);
    ESP_LOGI(TAG, "serving https://127.0.0.1:%ld/%s", port, ca ? " (client certificates required)" : "");

    int sig = 0;
    sigwait(&stop, &sig);
    err = httpd_ssl_stop(server);
    free(cert);
    free(key);
    free(ca);
    return err == ESP_OK ? 0 : 1;
}
