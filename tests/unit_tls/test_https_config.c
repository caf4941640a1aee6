/* SPDX-License-Identifier: Apache-2.0 */
/*
 * esp_https_server's configuration: HTTPD_SSL_CONFIG_DEFAULT() has upstream's
 * values; httpd_ssl_start() checks its arguments and returns the documented
 * codes (a missing or broken certificate or key, a key of another
 * certificate, chip-only fields, what this mbedTLS lacks); a start changes
 * the configuration as upstream's does; the insecure mode starts a plain
 * server on port_insecure; a failed start leaks nothing (AddressSanitizer).
 * The certificate and keys are made here with mbedTLS (P-256, self-signed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esp_https_server.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/ecp.h"
#include "mbedtls/entropy.h"
#include "mbedtls/pk.h"
#include "mbedtls/x509_crt.h"

#include "../unit/check.h"
#include "../unit/loopback.h"

static mbedtls_entropy_context s_entropy;
static mbedtls_ctr_drbg_context s_drbg;

/* A new P-256 key in PEM (NUL-terminated) into pem; key set up in *pk. */
static int make_key(mbedtls_pk_context *pk, unsigned char *pem, size_t size)
{
    mbedtls_pk_init(pk);
    if (mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
        mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk), mbedtls_ctr_drbg_random, &s_drbg) != 0) {
        return -1;
    }
    return mbedtls_pk_write_key_pem(pk, pem, size);
}

/* A self-signed certificate for localhost of key, in PEM, into pem. */
static int make_cert(mbedtls_pk_context *key, unsigned char *pem, size_t size)
{
    mbedtls_x509write_cert crt;
    mbedtls_x509write_crt_init(&crt);
    mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&crt, key);
    mbedtls_x509write_crt_set_issuer_key(&crt, key);
    int r = mbedtls_x509write_crt_set_subject_name(&crt, "CN=localhost");
    if (r == 0) {
        r = mbedtls_x509write_crt_set_issuer_name(&crt, "CN=localhost");
    }
#if MBEDTLS_VERSION_MAJOR >= 3
    static const unsigned char serial[] = {1};
    if (r == 0) {
        r = mbedtls_x509write_crt_set_serial_raw(&crt, (unsigned char *)serial, sizeof serial);
    }
#else
    mbedtls_mpi serial;
    mbedtls_mpi_init(&serial);
    if (r == 0) {
        r = mbedtls_mpi_lset(&serial, 1);
    }
    if (r == 0) {
        r = mbedtls_x509write_crt_set_serial(&crt, &serial);
    }
    mbedtls_mpi_free(&serial);
#endif
    if (r == 0) {
        r = mbedtls_x509write_crt_set_validity(&crt, "20240101000000", "20400101000000");
    }
    if (r == 0) {
        r = mbedtls_x509write_crt_pem(&crt, pem, size, mbedtls_ctr_drbg_random, &s_drbg);
    }
    mbedtls_x509write_crt_free(&crt);
    return r;
}

static esp_err_t count_open(httpd_handle_t hd, int fd)
{
    (void)hd;
    (void)fd;
    return ESP_OK;
}

static void test_defaults(void)
{
    httpd_ssl_config_t c = HTTPD_SSL_CONFIG_DEFAULT();
    httpd_config_t h = HTTPD_DEFAULT_CONFIG();
    CHECK_EQ_INT(c.httpd.stack_size, 10240);
    CHECK_EQ_INT(c.httpd.server_port, 0);
    CHECK_EQ_INT(c.httpd.ctrl_port, 32769);
    CHECK_EQ_INT(c.httpd.max_open_sockets, 4);
    CHECK(c.httpd.lru_purge_enable);
    CHECK_EQ_INT(c.httpd.task_priority, h.task_priority);
    CHECK_EQ_INT(c.httpd.max_uri_handlers, h.max_uri_handlers);
    CHECK_EQ_INT(c.httpd.max_resp_headers, h.max_resp_headers);
    CHECK_EQ_INT(c.httpd.backlog_conn, h.backlog_conn);
    CHECK_EQ_INT(c.httpd.recv_wait_timeout, h.recv_wait_timeout);
    CHECK_EQ_INT(c.httpd.send_wait_timeout, h.send_wait_timeout);
    CHECK_EQ_INT(c.httpd.max_req_hdr_len, h.max_req_hdr_len);
    CHECK_EQ_INT(c.httpd.max_uri_len, h.max_uri_len);
    CHECK(c.httpd.open_fn == NULL && c.httpd.close_fn == NULL && c.httpd.uri_match_fn == NULL);
    CHECK(c.servercert == NULL && c.servercert_len == 0 && c.cacert_pem == NULL && c.cacert_len == 0);
    CHECK(c.prvtkey_pem == NULL && c.prvtkey_len == 0 && c.server_key == NULL);
    CHECK(!c.use_ecdsa_peripheral && c.ecdsa_key_efuse_blk == 0 && c.ecdsa_key_efuse_blk_high == 0);
    CHECK_EQ_INT(c.ecdsa_curve, ESP_TLS_ECDSA_CURVE_SECP256R1);
    CHECK_EQ_INT(c.transport_mode, HTTPD_SSL_TRANSPORT_SECURE);
    CHECK_EQ_INT(c.port_secure, 443);
    CHECK_EQ_INT(c.port_insecure, 80);
    CHECK(!c.session_tickets && !c.use_secure_element);
    CHECK(c.user_cb == NULL && c.ssl_userdata == NULL && c.cert_select_cb == NULL && c.alpn_protos == NULL);
    CHECK_EQ_INT(c.tls_handshake_timeout_ms, 0);
    CHECK_EQ_INT(c.tls_version, ESP_TLS_VER_ANY);
    CHECK(c.ciphersuites_list == NULL);
    /* upstream's enum values */
    CHECK_EQ_INT(HTTPS_SERVER_EVENT_ERROR, 0);
    CHECK_EQ_INT(HTTPS_SERVER_EVENT_STOP, 6);
    CHECK_EQ_INT(HTTPD_SSL_USER_CB_SESS_ERROR, 2);
    CHECK_EQ_INT(ESP_TLS_VER_TLS_1_2, 1);
    CHECK_EQ_INT(ESP_TLS_VER_TLS_1_3, 2);
}

/* A configuration with the certificate and key, on a free port. */
static httpd_ssl_config_t good(const unsigned char *cert, const unsigned char *key)
{
    httpd_ssl_config_t c = HTTPD_SSL_CONFIG_DEFAULT();
    c.servercert = cert;
    c.servercert_len = strlen((const char *)cert) + 1;
    c.prvtkey_pem = key;
    c.prvtkey_len = strlen((const char *)key) + 1;
    c.port_secure = lb_free_port();
    return c;
}

static esp_err_t start_stop(httpd_ssl_config_t *c)
{
    httpd_handle_t h = NULL;
    esp_err_t e = httpd_ssl_start(&h, c);
    if (e == ESP_OK) {
        CHECK(h != NULL);
        CHECK_EQ_INT(httpd_ssl_stop(h), ESP_OK);
    }
    return e;
}

static void test_start_errors(const unsigned char *cert, const unsigned char *key, const unsigned char *key2)
{
    httpd_handle_t h = NULL;
    httpd_ssl_config_t c = good(cert, key);
    CHECK_EQ_INT(httpd_ssl_start(NULL, &c), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_ssl_start(&h, NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_ssl_stop(NULL), ESP_ERR_INVALID_ARG);

    c = good(cert, key);
    c.servercert = NULL;
    CHECK_EQ_INT(start_stop(&c), ESP_ERR_INVALID_ARG);
    c = good(cert, key);
    c.prvtkey_len = 0;
    CHECK_EQ_INT(start_stop(&c), ESP_ERR_INVALID_ARG);
    c = good(cert, key);
    c.servercert = (const uint8_t *)"-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n";
    c.servercert_len = strlen((const char *)c.servercert) + 1;
    CHECK_EQ_INT(start_stop(&c), ESP_ERR_INVALID_ARG);
    c = good(cert, key);
    c.prvtkey_pem = (const uint8_t *)"garbage";
    c.prvtkey_len = 8;
    CHECK_EQ_INT(start_stop(&c), ESP_ERR_INVALID_ARG);
    c = good(cert, key2);   /* a key that is not the certificate's */
    CHECK_EQ_INT(start_stop(&c), ESP_ERR_INVALID_ARG);
    c = good(cert, key);
    c.cacert_pem = (const uint8_t *)"nonsense";
    c.cacert_len = 9;
    CHECK_EQ_INT(start_stop(&c), ESP_ERR_INVALID_ARG);
    c = good(cert, key);
    c.transport_mode = (httpd_ssl_transport_mode_t)7;
    CHECK_EQ_INT(start_stop(&c), ESP_ERR_INVALID_ARG);

    /* chip-only fields */
    c = good(cert, key);
    c.use_secure_element = true;
    CHECK_EQ_INT(start_stop(&c), ESP_ERR_NOT_SUPPORTED);
    c = good(cert, key);
    c.use_ecdsa_peripheral = true;
    CHECK_EQ_INT(start_stop(&c), ESP_ERR_NOT_SUPPORTED);
    c = good(cert, key);
    c.server_key = (const esp_key_config_t *)&c;   /* any non-NULL pointer: never read */
    CHECK_EQ_INT(start_stop(&c), ESP_ERR_NOT_SUPPORTED);

    /* what this mbedTLS may lack */
    c = good(cert, key);
    c.tls_version = ESP_TLS_VER_TLS_1_3;
#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
    CHECK_EQ_INT(start_stop(&c), ESP_OK);
#else
    CHECK_EQ_INT(start_stop(&c), ESP_ERR_NOT_SUPPORTED);
#endif
    c = good(cert, key);
    c.tls_version = ESP_TLS_VER_TLS_1_2;
    CHECK_EQ_INT(start_stop(&c), ESP_OK);

    /* the port is taken: httpd_start's error, nothing leaked */
    httpd_ssl_config_t first = good(cert, key);
    CHECK_EQ_INT(httpd_ssl_start(&h, &first), ESP_OK);
    c = good(cert, key);
    c.port_secure = first.port_secure;
    CHECK(start_stop(&c) != ESP_OK);
    CHECK(c.httpd.global_transport_ctx == NULL);
    CHECK_EQ_INT(httpd_ssl_stop(h), ESP_OK);
}

static void test_start_changes_the_config(const unsigned char *cert, const unsigned char *key)
{
    httpd_ssl_config_t c = good(cert, key);
    c.httpd.open_fn = count_open;
    c.session_tickets = true;
    static const char *alpn[] = {"http/1.1", NULL};
    c.alpn_protos = alpn;
    httpd_handle_t h = NULL;
    CHECK_EQ_INT(httpd_ssl_start(&h, &c), ESP_OK);
    CHECK_EQ_INT(c.httpd.server_port, c.port_secure);
    CHECK(c.httpd.open_fn != NULL && c.httpd.open_fn != count_open);   /* the TLS one; the app's is kept */
    CHECK(c.httpd.global_transport_ctx != NULL && c.httpd.global_transport_ctx_free_fn != NULL);
    CHECK(httpd_get_global_transport_ctx(h) != NULL);
    /* a plain client gets no HTTP answer from the TLS port */
    int s = lb_client(c.port_secure, 5);
    CHECK(s >= 0);
    if (s >= 0) {
        static const char req[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        CHECK_EQ_INT(write(s, req, sizeof req - 1), (long)sizeof req - 1);
        char buf[64] = {0};
        ssize_t n = read(s, buf, sizeof buf - 1);
        CHECK(n <= 0 || strncmp(buf, "HTTP/", 5) != 0);
        close(s);
    }
    CHECK_EQ_INT(httpd_ssl_stop(h), ESP_OK);
}

static void test_insecure_mode(void)
{
    httpd_ssl_config_t c = HTTPD_SSL_CONFIG_DEFAULT();   /* no certificate needed */
    c.transport_mode = HTTPD_SSL_TRANSPORT_INSECURE;
    c.port_insecure = lb_free_port();
    httpd_handle_t h = NULL;
    CHECK_EQ_INT(httpd_ssl_start(&h, &c), ESP_OK);
    CHECK_EQ_INT(c.httpd.server_port, c.port_insecure);
    CHECK(c.httpd.open_fn == NULL && c.httpd.global_transport_ctx == NULL);
    int s = lb_client(c.port_insecure, 5);
    CHECK(s >= 0);
    if (s >= 0) {
        static const char req[] = "GET /nothing HTTP/1.1\r\nHost: a\r\n\r\n";
        CHECK_EQ_INT(write(s, req, sizeof req - 1), (long)sizeof req - 1);
        char buf[64] = {0};
        CHECK(read(s, buf, sizeof buf - 1) > 0);
        CHECK(strncmp(buf, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
        close(s);
    }
    CHECK_EQ_INT(httpd_ssl_stop(h), ESP_OK);
}

int main(void)
{
    mbedtls_entropy_init(&s_entropy);
    mbedtls_ctr_drbg_init(&s_drbg);
    static unsigned char key[1024], key2[1024], cert[2048];
    mbedtls_pk_context pk, pk2;
    if (mbedtls_ctr_drbg_seed(&s_drbg, mbedtls_entropy_func, &s_entropy, NULL, 0) != 0 ||
        make_key(&pk, key, sizeof key) != 0 || make_key(&pk2, key2, sizeof key2) != 0 ||
        make_cert(&pk, cert, sizeof cert) != 0) {
        fprintf(stderr, "cannot make the test certificate\n");
        return 1;
    }
    test_defaults();
    test_start_errors(cert, key, key2);
    test_start_changes_the_config(cert, key);
    test_insecure_mode();
    mbedtls_pk_free(&pk);
    mbedtls_pk_free(&pk2);
    mbedtls_ctr_drbg_free(&s_drbg);
    mbedtls_entropy_free(&s_entropy);
    return check_summary();
}
