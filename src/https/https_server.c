/* SPDX-License-Identifier: Apache-2.0 */
/*
 * https_server.c: esp_https_server on mbedTLS, through the HTTP server's
 * public hooks only (as upstream's component does).
 *
 * - The server's TLS state (configuration, certificate, key, client CA,
 *   random generator, ticket keys) is the global transport context; the
 *   server frees it at stop through global_transport_ctx_free_fn.
 * - open_fn sets up a TLS session per connection as its transport context,
 *   with the send/recv/pending overrides. It does not wait for the handshake:
 *   that advances inside the overrides each time the server reads (the
 *   client's bytes arrived) or writes, so a client that is slow or silent
 *   holds up nobody. The application's own open_fn and the user
 *   callback (SESS_CREATE) run once the handshake has finished.
 * - The pending override reports decrypted bytes (and whole records not yet
 *   decrypted) that the socket no longer signals, so pipelined requests and
 *   WebSocket frames that arrived in one TLS record are served.
 *
 * Time-outs: a handshake that has not finished tls_handshake_timeout_ms
 * (default 10 s) after it began fails the next time the client's bytes
 * arrive; a client that stops sending is closed by the server's idle
 * time-out like any silent connection.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/error.h"
#include "mbedtls/net_sockets.h"
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/version.h"
#include "mbedtls/x509_crt.h"
#if defined(MBEDTLS_SSL_TICKET_C)
#include "mbedtls/ssl_ticket.h"
#endif

#include "esp_https_server.h"
#include "esp_log.h"
#include "https/tls_net.h"

static const char *TAG = "esp_https_server";

#define DEFAULT_HANDSHAKE_MS 10000u
/* Bytes read ahead from the socket per session: mbedTLS asks for a record's
 * 5-byte header, then for its body; one read of this size takes a whole small
 * record (a request, a WebSocket frame) in one system call instead of two. */
#define READ_AHEAD 512u

/* The server's TLS state: the global transport context. */
struct tls_server {
    mbedtls_ssl_config conf;
    mbedtls_x509_crt cert;
    mbedtls_x509_crt ca;
    mbedtls_pk_context key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
#if defined(MBEDTLS_SSL_TICKET_C)
    mbedtls_ssl_ticket_context tickets;
#endif
    httpd_open_func_t open_fn;          /* the application's: after the handshake */
    esp_https_server_user_cb *user_cb;
    void *userdata;
    uint32_t handshake_s;               /* handshake limit, whole seconds (rounded up) */
};

/* One connection's TLS session: the session's transport context. */
struct esp_tls {
    mbedtls_ssl_context ssl;
    struct tls_server *srv;
    time_t started;                     /* when the handshake began */
    int fd;                             /* the socket */
    bool open;                          /* the handshake finished */
    uint16_t ra_pos, ra_len;            /* unread bytes of ra: [ra_pos, ra_len) */
    unsigned char ra[READ_AHEAD];
};

/* ---- esp_tls.h ----------------------------------------------------------------------- */

esp_err_t esp_tls_get_conn_sockfd(esp_tls_t *tls, int *sockfd)
{
    if (!tls || !sockfd) {
        return ESP_ERR_INVALID_ARG;
    }
    *sockfd = tls->fd;
    return ESP_OK;
}

void *esp_tls_get_ssl_context(esp_tls_t *tls)
{
    return tls ? &tls->ssl : NULL;
}

ssize_t esp_tls_get_bytes_avail(esp_tls_t *tls)
{
    return tls ? (ssize_t)mbedtls_ssl_get_bytes_avail(&tls->ssl) : -1;
}

/* ---- Sessions ---------------------------------------------------------------------------- */

static void user_cb(esp_tls_t *t, httpd_ssl_user_cb_state_t state)
{
    if (t->srv->user_cb) {
        esp_https_server_user_cb_arg_t arg = {.user_cb_state = state, .tls = t};
        t->srv->user_cb(&arg);
    }
}

static void log_tls_error(const char *what, int fd, int err)
{
#if defined(MBEDTLS_ERROR_C)
    char text[96];
    mbedtls_strerror(err, text, sizeof text);
    ESP_LOGD(TAG, "fd %d: %s: -0x%04x %s", fd, what, (unsigned)-err, text);
#else
    ESP_LOGD(TAG, "fd %d: %s: -0x%04x", fd, what, (unsigned)-err);
#endif
    (void)what;
    (void)fd;
    (void)err;
}

/* mbedTLS's receive callback: from the read-ahead, else from the socket (a
 * short request refills the read-ahead, a long one reads straight through). */
static int net_recv(void *ctx, unsigned char *buf, size_t len)
{
    esp_tls_t *t = ctx;
    if (t->ra_pos == t->ra_len) {
        if (len >= READ_AHEAD) {
            return httpd_tls__net_recv(&t->fd, buf, len);
        }
        int n = httpd_tls__net_recv(&t->fd, t->ra, READ_AHEAD);
        if (n <= 0) {
            return n;
        }
        t->ra_pos = 0;
        t->ra_len = (uint16_t)n;
    }
    size_t n = t->ra_len - t->ra_pos;
    if (n > len) {
        n = len;
    }
    memcpy(buf, t->ra + t->ra_pos, n);
    t->ra_pos = (uint16_t)(t->ra_pos + n);
    return (int)n;
}

static int net_send(void *ctx, const unsigned char *buf, size_t len)
{
    return httpd_tls__net_send(&((esp_tls_t *)ctx)->fd, buf, len);
}

/* An mbedTLS result as the server's transport functions return it. */
static int io_result(esp_tls_t *t, int n, const char *what)
{
    if (n >= 0) {
        return n;
    }
    switch (n) {
    case MBEDTLS_ERR_SSL_WANT_READ:
    case MBEDTLS_ERR_SSL_WANT_WRITE:
        return HTTPD_SOCK_ERR_TIMEOUT;   /* not ready: the server waits and calls again */
    case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
    case MBEDTLS_ERR_SSL_CONN_EOF:
        return 0;                        /* the peer closed */
    default:
        log_tls_error(what, t->fd, n);
        return HTTPD_SOCK_ERR_FAIL;
    }
}

/* Advances the handshake with what the socket has. 0 once it has finished,
 * HTTPD_SOCK_ERR_TIMEOUT while it waits for the client, HTTPD_SOCK_ERR_FAIL
 * when it failed or took too long (the connection closes). */
static int handshake(httpd_handle_t hd, esp_tls_t *t)
{
    int r = mbedtls_ssl_handshake(&t->ssl);
    if (r == 0) {
        t->open = true;
        ESP_LOGD(TAG, "fd %d: handshake done (%s, %s)", t->fd, mbedtls_ssl_get_version(&t->ssl),
                 mbedtls_ssl_get_ciphersuite(&t->ssl));
        if (t->srv->open_fn && t->srv->open_fn(hd, t->fd) != ESP_OK) {
            return HTTPD_SOCK_ERR_FAIL;   /* the application refused it */
        }
        user_cb(t, HTTPD_SSL_USER_CB_SESS_CREATE);
        return 0;
    }
    if ((r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) &&
        time(NULL) - t->started <= (time_t)t->srv->handshake_s) {
        return HTTPD_SOCK_ERR_TIMEOUT;
    }
    if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
        ESP_LOGD(TAG, "fd %d: handshake took too long", t->fd);
    } else {
        log_tls_error("handshake failed", t->fd, r);
    }
    user_cb(t, HTTPD_SSL_USER_CB_SESS_ERROR);
    return HTTPD_SOCK_ERR_FAIL;
}

static esp_tls_t *session(httpd_handle_t hd, int fd)
{
    return httpd_sess_get_transport_ctx(hd, fd);
}

/* The session's read or write: the handshake first, while it has not
 * finished (a step with what has arrived), then the data. A record the socket
 * did not take whole stays in mbedTLS: the server calls again with the same
 * bytes once the socket is writable. */
static int tls_io(httpd_handle_t hd, int fd, char *buf, size_t len, bool write)
{
    esp_tls_t *t = session(hd, fd);
    if (!t) {
        return HTTPD_SOCK_ERR_INVALID;
    }
    if (!t->open) {
        int r = handshake(hd, t);
        if (r != 0) {
            return r;
        }
    }
    if (len == 0) {
        return 0;
    }
    return write ? io_result(t, mbedtls_ssl_write(&t->ssl, (const unsigned char *)buf, len), "write failed")
                 : io_result(t, mbedtls_ssl_read(&t->ssl, (unsigned char *)buf, len), "read failed");
}

static int tls_recv(httpd_handle_t hd, int fd, char *buf, size_t len, int flags)
{
    (void)flags;
    return tls_io(hd, fd, buf, len, false);
}

static int tls_send(httpd_handle_t hd, int fd, const char *buf, size_t len, int flags)
{
    (void)flags;
    return tls_io(hd, fd, (char *)buf, len, true);   /* (buf is only read when writing) */
}

/* Bytes the server can read without the socket signalling them: decrypted
 * data, a record already in mbedTLS's buffer, or bytes read ahead. */
static int tls_pending(httpd_handle_t hd, int fd)
{
    esp_tls_t *t = session(hd, fd);
    if (!t) {
        return 0;
    }
    if (t->ra_pos != t->ra_len) {
        return t->ra_len - t->ra_pos;   /* (during the handshake too: its next step reads them) */
    }
    if (!t->open) {
        return 0;
    }
    size_t n = mbedtls_ssl_get_bytes_avail(&t->ssl);
    if (n > 0) {
        return n > INT32_MAX ? INT32_MAX : (int)n;
    }
    return mbedtls_ssl_check_pending(&t->ssl) ? 1 : 0;
}

/* The session's transport context goes with the connection (after its socket
 * is closed: no close_notify is sent, as upstream sends none). */
static void tls_free(void *ctx)
{
    esp_tls_t *t = ctx;
    if (t->open) {
        user_cb(t, HTTPD_SSL_USER_CB_SESS_CLOSE);
    }
    mbedtls_ssl_free(&t->ssl);
    free(t);
}

static esp_err_t tls_open(httpd_handle_t hd, int fd)
{
    struct tls_server *srv = httpd_get_global_transport_ctx(hd);
    if (!srv) {
        return ESP_FAIL;
    }
    esp_tls_t *t = calloc(1, sizeof *t);
    if (!t) {
        ESP_LOGW(TAG, "fd %d: no memory for a TLS session", fd);
        return ESP_ERR_NO_MEM;
    }
    t->srv = srv;
    t->fd = fd;
    t->started = time(NULL);
    mbedtls_ssl_init(&t->ssl);
    int r = mbedtls_ssl_setup(&t->ssl, &srv->conf);
    if (r != 0) {
        log_tls_error("session setup failed", fd, r);
        mbedtls_ssl_free(&t->ssl);
        free(t);
        return r == MBEDTLS_ERR_SSL_ALLOC_FAILED ? ESP_ERR_NO_MEM : ESP_FAIL;
    }
#if MBEDTLS_VERSION_MAJOR >= 3
    if (srv->userdata) {
        mbedtls_ssl_set_user_data_p(&t->ssl, srv->userdata);
    }
#endif
    mbedtls_ssl_set_bio(&t->ssl, t, net_send, net_recv, NULL);
    httpd_sess_set_transport_ctx(hd, fd, t, tls_free);
    if (httpd_sess_set_recv_override(hd, fd, tls_recv) != ESP_OK ||
        httpd_sess_set_send_override(hd, fd, tls_send) != ESP_OK ||
        httpd_sess_set_pending_override(hd, fd, tls_pending) != ESP_OK) {
        return ESP_FAIL;   /* (the transport context goes with the session) */
    }
    /* The handshake starts when the client's hello is readable: the server
     * reads (tls_recv) as soon as the socket says so, which it does at once
     * when the hello is already there. Not here: a handshake that finished in
     * open_fn (a resumed session's can, with a quick client) would leave the
     * bytes after it, read ahead, with no event to have them served. */
    return ESP_OK;
}

/* ---- Server ------------------------------------------------------------------------------ */

static void server_free(void *ctx)
{
    struct tls_server *srv = ctx;
    if (!srv) {
        return;
    }
#if defined(MBEDTLS_SSL_TICKET_C)
    mbedtls_ssl_ticket_free(&srv->tickets);
#endif
    mbedtls_ssl_config_free(&srv->conf);
    mbedtls_x509_crt_free(&srv->cert);
    mbedtls_x509_crt_free(&srv->ca);
    mbedtls_pk_free(&srv->key);
    mbedtls_ctr_drbg_free(&srv->drbg);
    mbedtls_entropy_free(&srv->entropy);
    free(srv);
}

/* mbedTLS's status as an esp_err_t, for the start. */
static esp_err_t start_error(int r)
{
    return r == MBEDTLS_ERR_SSL_ALLOC_FAILED || r == MBEDTLS_ERR_X509_ALLOC_FAILED ||
                   r == MBEDTLS_ERR_PK_ALLOC_FAILED
               ? ESP_ERR_NO_MEM
               : ESP_ERR_INVALID_ARG;
}

static esp_err_t server_setup(struct tls_server *srv, const httpd_ssl_config_t *c)
{
    static const char pers[] = "esp_https_server";
    int r = mbedtls_ctr_drbg_seed(&srv->drbg, mbedtls_entropy_func, &srv->entropy, (const unsigned char *)pers,
                                  sizeof pers - 1);
    if (r != 0) {
        log_tls_error("random generator", -1, r);
        return ESP_FAIL;
    }
    r = mbedtls_x509_crt_parse(&srv->cert, c->servercert, c->servercert_len);
    if (r != 0) {
        ESP_LOGE(TAG, "server certificate does not parse (-0x%04x)", (unsigned)-r);
        return start_error(r);
    }
#if MBEDTLS_VERSION_MAJOR >= 3
    r = mbedtls_pk_parse_key(&srv->key, c->prvtkey_pem, c->prvtkey_len, NULL, 0, mbedtls_ctr_drbg_random, &srv->drbg);
#else
    r = mbedtls_pk_parse_key(&srv->key, c->prvtkey_pem, c->prvtkey_len, NULL, 0);
#endif
    if (r != 0) {
        ESP_LOGE(TAG, "private key does not parse (-0x%04x)", (unsigned)-r);
        return start_error(r);
    }
#if MBEDTLS_VERSION_MAJOR >= 3
    r = mbedtls_pk_check_pair(&srv->cert.pk, &srv->key, mbedtls_ctr_drbg_random, &srv->drbg);
#else
    r = mbedtls_pk_check_pair(&srv->cert.pk, &srv->key);
#endif
    if (r != 0) {
        ESP_LOGE(TAG, "the private key is not the certificate's (-0x%04x)", (unsigned)-r);
        return ESP_ERR_INVALID_ARG;
    }
    r = mbedtls_ssl_config_defaults(&srv->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT);
    if (r != 0) {
        return start_error(r);
    }
    mbedtls_ssl_conf_rng(&srv->conf, mbedtls_ctr_drbg_random, &srv->drbg);
    r = mbedtls_ssl_conf_own_cert(&srv->conf, &srv->cert, &srv->key);
    if (r != 0) {
        return start_error(r);
    }
    if (c->cacert_pem) {
        r = mbedtls_x509_crt_parse(&srv->ca, c->cacert_pem, c->cacert_len);
        if (r != 0) {
            ESP_LOGE(TAG, "client CA does not parse (-0x%04x)", (unsigned)-r);
            return start_error(r);
        }
        mbedtls_ssl_conf_ca_chain(&srv->conf, &srv->ca, NULL);
        int mode = MBEDTLS_SSL_VERIFY_REQUIRED;
#ifdef CONFIG_ESP_TLS_SERVER_MIN_AUTH_MODE_OPTIONAL
        if (c->client_cert_authmode_optional) {
            mode = MBEDTLS_SSL_VERIFY_OPTIONAL;
        }
#endif
        mbedtls_ssl_conf_authmode(&srv->conf, mode);
    } else {
        mbedtls_ssl_conf_authmode(&srv->conf, MBEDTLS_SSL_VERIFY_NONE);
    }
    switch (c->tls_version) {
    case ESP_TLS_VER_ANY:
        break;
    case ESP_TLS_VER_TLS_1_2:
#if MBEDTLS_VERSION_MAJOR >= 3
        mbedtls_ssl_conf_min_tls_version(&srv->conf, MBEDTLS_SSL_VERSION_TLS1_2);
        mbedtls_ssl_conf_max_tls_version(&srv->conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
        mbedtls_ssl_conf_min_version(&srv->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
        mbedtls_ssl_conf_max_version(&srv->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
        break;
    case ESP_TLS_VER_TLS_1_3:
#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
        mbedtls_ssl_conf_min_tls_version(&srv->conf, MBEDTLS_SSL_VERSION_TLS1_3);
        mbedtls_ssl_conf_max_tls_version(&srv->conf, MBEDTLS_SSL_VERSION_TLS1_3);
        break;
#else
        ESP_LOGE(TAG, "this mbedTLS (%s) has no TLS 1.3 server", MBEDTLS_VERSION_STRING);
        return ESP_ERR_NOT_SUPPORTED;
#endif
    default:
        return ESP_ERR_INVALID_ARG;
    }
    if (c->ciphersuites_list) {
        mbedtls_ssl_conf_ciphersuites(&srv->conf, c->ciphersuites_list);
    }
    if (c->alpn_protos) {
#if defined(MBEDTLS_SSL_ALPN)
        r = mbedtls_ssl_conf_alpn_protocols(&srv->conf, c->alpn_protos);
        if (r != 0) {
            return ESP_ERR_INVALID_ARG;
        }
#else
        return ESP_ERR_NOT_SUPPORTED;
#endif
    }
    if (c->cert_select_cb) {
#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_SSL_SRV_C)
        mbedtls_ssl_conf_cert_cb(&srv->conf, c->cert_select_cb);
#else
        ESP_LOGE(TAG, "cert_select_cb needs mbedTLS 3 (this is %s)", MBEDTLS_VERSION_STRING);
        return ESP_ERR_NOT_SUPPORTED;
#endif
    }
    if (c->session_tickets) {
#if defined(MBEDTLS_SSL_TICKET_C) && defined(MBEDTLS_GCM_C)
        r = mbedtls_ssl_ticket_setup(&srv->tickets, mbedtls_ctr_drbg_random, &srv->drbg, MBEDTLS_CIPHER_AES_256_GCM,
                                     86400);
        if (r != 0) {
            return start_error(r);
        }
        mbedtls_ssl_conf_session_tickets_cb(&srv->conf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse,
                                            &srv->tickets);
#else
        return ESP_ERR_NOT_SUPPORTED;
#endif
    }
    return ESP_OK;
}

esp_err_t httpd_ssl_start(httpd_handle_t *handle, httpd_ssl_config_t *config)
{
    if (!handle || !config) {
        return ESP_ERR_INVALID_ARG;
    }
    if (config->transport_mode == HTTPD_SSL_TRANSPORT_INSECURE) {
        config->httpd.server_port = config->port_insecure;
        return httpd_start(handle, &config->httpd);
    }
    if (config->transport_mode != HTTPD_SSL_TRANSPORT_SECURE) {
        return ESP_ERR_INVALID_ARG;
    }
    if (config->use_secure_element || config->use_ecdsa_peripheral || config->server_key) {
        ESP_LOGE(TAG, "secure element, ECDSA peripheral and unified key configs exist only on the chip");
        return ESP_ERR_NOT_SUPPORTED;
    }
    if (!config->servercert || !config->servercert_len || !config->prvtkey_pem || !config->prvtkey_len ||
        (config->cacert_pem && !config->cacert_len)) {
        ESP_LOGE(TAG, "a server certificate and its private key are needed");
        return ESP_ERR_INVALID_ARG;
    }
    struct tls_server *srv = calloc(1, sizeof *srv);
    if (!srv) {
        return ESP_ERR_NO_MEM;
    }
    mbedtls_ssl_config_init(&srv->conf);
    mbedtls_x509_crt_init(&srv->cert);
    mbedtls_x509_crt_init(&srv->ca);
    mbedtls_pk_init(&srv->key);
    mbedtls_entropy_init(&srv->entropy);
    mbedtls_ctr_drbg_init(&srv->drbg);
#if defined(MBEDTLS_SSL_TICKET_C)
    mbedtls_ssl_ticket_init(&srv->tickets);
#endif
    esp_err_t err = server_setup(srv, config);
    if (err != ESP_OK) {
        server_free(srv);
        return err;
    }
    uint32_t ms = config->tls_handshake_timeout_ms ? config->tls_handshake_timeout_ms : DEFAULT_HANDSHAKE_MS;
    srv->handshake_s = (ms + 999u) / 1000u;
    srv->user_cb = config->user_cb;
    srv->userdata = config->ssl_userdata;
    /* As upstream: the configuration is changed, and an open_fn set before is
     * kept for when the handshake has finished. (Started twice with one
     * configuration, the second start keeps the first one's.) */
    if (config->httpd.open_fn != tls_open) {
        srv->open_fn = config->httpd.open_fn;
    }
    config->httpd.open_fn = tls_open;
    config->httpd.global_transport_ctx = srv;
    config->httpd.global_transport_ctx_free_fn = server_free;
    config->httpd.server_port = config->port_secure;
    err = httpd_start(handle, &config->httpd);
    if (err != ESP_OK) {
        server_free(srv);   /* httpd_start frees nothing it was given when it fails */
        config->httpd.global_transport_ctx = NULL;
        config->httpd.global_transport_ctx_free_fn = NULL;
        return err;
    }
    ESP_LOGI(TAG, "HTTPS server on port %u (%s)", (unsigned)config->port_secure, MBEDTLS_VERSION_STRING_FULL);
    return ESP_OK;
}

esp_err_t httpd_ssl_stop(httpd_handle_t handle)
{
    return httpd_stop(handle);
}
