/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth_server: test firmware of the auth and CORS add-ons (tests/pytest/test_addon_auth.py).
 *
 *   auth_server --port N [--nonce-lifetime S] [--origin O]
 *
 * Users: alice / wonderland, bob / "pass:with:colons" (table); carol / "carolpw" through a
 * credentials callback that hands out her HA1 only. Realm "test realm".
 *   GET  /basic          Basic only (wrapped)             -> "basic ok <ctx>"
 *   GET  /digest         Digest SHA-256 only (wrapped)    -> "digest ok <ctx>"
 *   ANY  /both           Digest and Basic (wrapped)       -> "both ok <ctx> <method>"
 *   GET  /check          httpd_auth_check() in the handler -> "user <name>"
 *   GET  /ha1            Digest and Basic, credentials callback (HA1) -> "ha1 ok"
 *   GET  /cors           CORS (origins http://allowed.example and --origin), expose X-Count;
 *                        ?err sends 404 through httpd_resp_send_err
 *   OPTIONS /cors        preflight: methods GET, PUT; headers Content-Type, X-Token; max-age 600
 *   GET  /cors-cred      CORS with credentials, same origins; preflight registered
 *   GET  /cors-any       CORS "*" without credentials
 *   GET  /cors-auth      Digest and Basic inside CORS with credentials; preflight registered
 * <ctx> is the route's own user_ctx string: the handlers see their own context.
 */
#include <getopt.h>

#include "../server/fw_common.h"
#include "esp_log.h"
#include "httpd_auth.h"
#include "httpd_cors.h"

static const char *TAG = "auth_server";

static const httpd_auth_user_t s_users[] = {
    { "alice", "wonderland" },
    { "bob", "pass:with:colons" },
};

static esp_err_t get_credential(const char *user, void *ctx, char *secret, size_t size, httpd_auth_secret_t *kind)
{
    const char *realm = ctx;
    if (strcmp(user, "carol") != 0) {
        return ESP_ERR_NOT_FOUND;
    }
    *kind = HTTPD_AUTH_SECRET_HA1;
    return httpd_auth_digest_ha1("carol", realm, "carolpw", secret, size);
}

static httpd_auth_config_t s_basic = { .type = HTTPD_AUTH_BASIC, .realm = "test realm", .users = s_users, .user_count = 2 };
static httpd_auth_config_t s_digest = { .type = HTTPD_AUTH_DIGEST, .realm = "test realm", .users = s_users, .user_count = 2 };
static httpd_auth_config_t s_both = { .type = HTTPD_AUTH_ANY, .realm = "test realm", .users = s_users, .user_count = 2 };
static httpd_auth_config_t s_ha1 = { .type = HTTPD_AUTH_ANY, .realm = "test realm",
                                     .get_credential = get_credential, .credential_ctx = (void *)"test realm" };

static const char *s_origins[2] = { "http://allowed.example", "http://allowed.example" };
static const char *const s_any[] = { "*" };
static httpd_cors_config_t s_cors = {
    .origins = s_origins, .origin_count = 2, .methods = "GET, PUT", .allow_headers = "Content-Type, X-Token",
    .expose_headers = "X-Count", .max_age_s = 600,
};
static httpd_cors_config_t s_cors_cred = {
    .origins = s_origins, .origin_count = 2, .methods = "GET", .allow_headers = "Authorization",
    .allow_credentials = true,
};
static httpd_cors_config_t s_cors_any = { .origins = s_any, .origin_count = 1 };

static esp_err_t ok_handler(httpd_req_t *req)
{
    char body[96];
    snprintf(body, sizeof body, "%s %s", (const char *)req->user_ctx, http_method_str((enum http_method)req->method));
    return httpd_resp_sendstr(req, body);
}

static esp_err_t check_handler(httpd_req_t *req)
{
    char user[HTTPD_AUTH_USER_MAX + 1], body[100];
    if (httpd_auth_check(req, req->user_ctx, user, sizeof user) != ESP_OK) {
        return ESP_OK;
    }
    snprintf(body, sizeof body, "user %s", user);
    return httpd_resp_sendstr(req, body);
}

static esp_err_t cors_handler(httpd_req_t *req)
{
    if (httpd_req_get_url_query_len(req) > 0) {
        return httpd_resp_send_err(req, HTTPD_404_NOT_FOUND, "no such thing");
    }
    httpd_resp_set_hdr(req, "X-Count", "3");
    return httpd_resp_sendstr(req, req->user_ctx);
}

static httpd_uri_t s_uris[] = {
    { .uri = "/basic", .method = HTTP_GET, .handler = ok_handler, .user_ctx = "basic ok" },
    { .uri = "/digest", .method = HTTP_GET, .handler = ok_handler, .user_ctx = "digest ok" },
    { .uri = "/both", .method = HTTP_ANY, .handler = ok_handler, .user_ctx = "both ok" },
    { .uri = "/check", .method = HTTP_GET, .handler = check_handler, .user_ctx = &s_both },
    { .uri = "/ha1", .method = HTTP_GET, .handler = ok_handler, .user_ctx = "ha1 ok" },
    { .uri = "/cors", .method = HTTP_GET, .handler = cors_handler, .user_ctx = "cors ok" },
    { .uri = "/cors-cred", .method = HTTP_GET, .handler = cors_handler, .user_ctx = "cors-cred ok" },
    { .uri = "/cors-any", .method = HTTP_GET, .handler = cors_handler, .user_ctx = "cors-any ok" },
    { .uri = "/cors-auth", .method = HTTP_GET, .handler = cors_handler, .user_ctx = "cors-auth ok" },
};
#define N_URIS (sizeof s_uris / sizeof s_uris[0])

static esp_err_t wrap_all(void)
{
    esp_err_t err = ESP_OK;
    err |= httpd_auth_protect(&s_uris[0], &s_basic);
    err |= httpd_auth_protect(&s_uris[1], &s_digest);
    err |= httpd_auth_protect(&s_uris[2], &s_both);
    err |= httpd_auth_protect(&s_uris[4], &s_ha1);
    err |= httpd_cors_wrap(&s_uris[5], &s_cors);
    err |= httpd_cors_wrap(&s_uris[6], &s_cors_cred);
    err |= httpd_cors_wrap(&s_uris[7], &s_cors_any);
    err |= httpd_auth_protect(&s_uris[8], &s_both);       /* auth inside ... */
    err |= httpd_cors_wrap(&s_uris[8], &s_cors_cred);     /* ... CORS outside */
    return err;
}

static void unwrap_all(void)
{
    httpd_cors_unwrap(&s_uris[8]);
    for (size_t i = 0; i < N_URIS; i++) {
        while (httpd_cors_unwrap(&s_uris[i]) == ESP_OK || httpd_auth_unprotect(&s_uris[i]) == ESP_OK) {
        }
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: auth_server --port N [--nonce-lifetime S] [--origin O]\n");
}

int main(int argc, char **argv)
{
    enum { OPT_PORT = 1, OPT_LIFETIME, OPT_ORIGIN };
    static const struct option opts[] = {
        { "port", required_argument, NULL, OPT_PORT },
        { "nonce-lifetime", required_argument, NULL, OPT_LIFETIME },
        { "origin", required_argument, NULL, OPT_ORIGIN },
        { NULL, 0, NULL, 0 },
    };
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    config.max_uri_handlers = 24;
    bool have_port = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        unsigned long v = 0;
        bool ok = true;
        switch (c) {
        case OPT_PORT:
            ok = have_port = fw_parse_u16(optarg, 1, 65535, &config.server_port);
            break;
        case OPT_LIFETIME:
            ok = fw_parse_num(optarg, 1, 86400, &v);
            s_digest.nonce_lifetime_s = s_both.nonce_lifetime_s = s_ha1.nonce_lifetime_s = (uint32_t)v;
            break;
        case OPT_ORIGIN:
            s_origins[1] = optarg;
            break;
        default:
            ok = false;
            break;
        }
        if (!ok) {
            usage();
            return 64;
        }
    }
    if (!have_port || optind != argc) {
        usage();
        return 64;
    }
    if (wrap_all() != ESP_OK) {
        fprintf(stderr, "wrapping the routes failed\n");
        unwrap_all();
        return 1;
    }
    sigset_t stop_set;
    if (!fw_block_stop_signals(&stop_set)) {
        unwrap_all();
        return 1;
    }
    httpd_handle_t server = NULL;
    esp_err_t err = fw_start(&server, &config, s_uris, N_URIS);
    if (err == ESP_OK) {
        err = httpd_cors_register(server, "/cors", &s_cors);
        err = err != ESP_OK ? err : httpd_cors_register(server, "/cors-cred", &s_cors_cred);
        err = err != ESP_OK ? err : httpd_cors_register(server, "/cors-auth", &s_cors_cred);
        if (err != ESP_OK) {
            fw_print_start_failed(err);
            fw_stop(server);
        }
    }
    if (err != ESP_OK) {
        unwrap_all();
        return 2;
    }
    fw_print_ready(config.server_port);
    int sig = fw_wait_stop_signal(&stop_set);
    ESP_LOGI(TAG, "signal %d: stopping the server", sig);
    err = fw_stop(server);
    unwrap_all();
    return err == ESP_OK ? 0 : 1;
}
