/* SPDX-License-Identifier: Apache-2.0 */
/*
 * form: the firmware that tests/pytest/test_addon_form.py drives to test the add-on
 * modules httpd_form.h, httpd_multipart.h and httpd_path.h.
 *
 * Usage:
 *   form --port N [--form-max N] [--work N] [--recv-timeout S]
 *
 * --form-max: the buffer of POST /form and POST /api/led/{id} (default 256 bytes, so a
 * body of at most 255 bytes fits); --work: the receive buffer of POST /upload (default
 * 512 bytes). uri_match_fn is httpd_uri_match_path. Prints "READY <port>" once serving;
 * SIGTERM / SIGINT stop the server, print "FINAL uploads=U upload_bytes=B" and exit 0.
 *
 *   GET  /                 an HTML page with two forms: id "up" (multipart: text "note",
 *                          file "file", to /upload) and id "f" (urlencoded: "msg", to /form)
 *   GET  /query            one line per query pair, "key=value\n" (decoded), or
 *                          "!<esp_err_to_name>\n" for a pair that does not decode or fit
 *                          (keys and values up to 63 bytes); "n=<int>\n" last when the
 *                          query has an integer n (httpd_query_get_int)
 *   POST /form             httpd_form_recv(), then the same lines for the body's pairs
 *   POST /upload           httpd_multipart_recv(); per part
 *                            "part=<i> name=<n> filename=<f|-> type=<t|-> size=<n> fnv=<8 hex>\n"
 *                          (FNV-1a 32 of the data), then "parts=<n> bytes=<total>\n".
 *                          A part named "reject" makes on_part_begin fail: the handler
 *                          answers "422 Unprocessable Content" itself and closes.
 *   GET  /api/status       "status\n"                          (exact)
 *   GET  /api/led/all      "all leds\n"                        (exact, before the template)
 *   GET  /api/led/{id}     "led id=<id>\n" (id up to 15 bytes; longer: 400 "too long")
 *   POST /api/led/{id}     form body "state=<0|1>": "led <id> state=<n>\n"
 *   GET  /api/{group}/items/{n}   "group=<g> n=<int>\n" (n not an integer: 400)
 *   GET  /files/ + "*"     "file=<rest, decoded>\n"          (wildcard)
 *   GET  /opt/x?           "optional\n"                       (wildcard "?": /opt/ and /opt/x)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "httpd_form.h"
#include "httpd_multipart.h"
#include "httpd_path.h"
#include "../server/fw_common.h"

static const char *TAG = "form";

static size_t s_form_max = 256;
static size_t s_work = 512;
static atomic_uint s_uploads;
static atomic_ullong s_upload_bytes;

#define OUT_MAX 4096

/* ---- Text accumulation ---------------------------------------------------------------- */

typedef struct {
    char   buf[OUT_MAX];
    size_t len;
} out_t;

static void out_printf(out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_printf(out_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, sizeof o->buf - o->len, fmt, ap);
    va_end(ap);
    if (n > 0) {
        o->len += (size_t)n < sizeof o->buf - o->len ? (size_t)n : sizeof o->buf - o->len - 1;
    }
}

static esp_err_t send_out(httpd_req_t *req, const out_t *o)
{
    httpd_resp_set_type(req, "text/plain; charset=utf-8");
    return httpd_resp_send(req, o->buf, (ssize_t)o->len);
}

/* One line per pair of form[0..len). */
static void list_pairs(out_t *o, const char *form, size_t len)
{
    httpd_form_iter_t it;
    char k[64], v[64];
    httpd_form_iter_init(&it, form, len);
    for (int i = 0; i < 100; i++) {
        esp_err_t err = httpd_form_next(&it, k, sizeof k, v, sizeof v);
        if (err == ESP_ERR_NOT_FOUND) {
            break;
        }
        if (err == ESP_OK) {
            out_printf(o, "%s=%s\n", k, v);
        } else {
            out_printf(o, "!%s\n", esp_err_to_name(err));
        }
    }
}

/* ---- Forms ---------------------------------------------------------------------------- */

static esp_err_t query_handler(httpd_req_t *req)
{
    out_t *o = calloc(1, sizeof *o);
    if (!o) {
        return httpd_resp_send_500(req);
    }
    const char *q = strchr(req->uri, '?');
    if (q) {
        list_pairs(o, q + 1, strcspn(q + 1, "#"));
    }
    int32_t n;
    if (httpd_query_get_int(req, "n", &n) == ESP_OK) {
        out_printf(o, "n=%" PRId32 "\n", n);
    }
    esp_err_t err = send_out(req, o);
    free(o);
    return err;
}

static esp_err_t form_handler(httpd_req_t *req)
{
    char *buf = malloc(s_form_max);
    out_t *o = calloc(1, sizeof *o);
    esp_err_t err = ESP_ERR_NO_MEM;
    if (buf && o) {
        size_t len = 0;
        err = httpd_form_recv(req, buf, s_form_max, &len);
        if (err == ESP_OK) {
            if (strlen(buf) != len) {
                out_printf(o, "!length mismatch\n");
            }
            list_pairs(o, buf, len);
            err = send_out(req, o);
        }
    } else {
        httpd_resp_send_500(req);
    }
    free(buf);
    free(o);
    return err;
}

/* ---- Uploads -------------------------------------------------------------------------- */

typedef struct {
    out_t    out;
    unsigned parts;
    uint64_t total;
    uint64_t size;
    uint32_t fnv;
} upload_t;

static esp_err_t up_begin(void *ctx, const httpd_multipart_part_t *part)
{
    upload_t *u = ctx;
    if (strcmp(part->name, "reject") == 0) {
        return ESP_ERR_NOT_ALLOWED;
    }
    out_printf(&u->out, "part=%u name=%s filename=%s type=%s", part->index, part->name,
               part->filename ? part->filename : "-", part->content_type ? part->content_type : "-");
    u->size = 0;
    u->fnv = 2166136261u;
    return ESP_OK;
}

static esp_err_t up_data(void *ctx, const char *data, size_t len)
{
    upload_t *u = ctx;
    for (size_t i = 0; i < len; i++) {
        u->fnv = (u->fnv ^ (uint8_t)data[i]) * 16777619u;
    }
    u->size += len;
    return ESP_OK;
}

static esp_err_t up_end(void *ctx)
{
    upload_t *u = ctx;
    out_printf(&u->out, " size=%" PRIu64 " fnv=%08" PRIx32 "\n", u->size, u->fnv);
    u->parts++;
    u->total += u->size;
    return ESP_OK;
}

static const httpd_multipart_callbacks_t UPLOAD_CB = { up_begin, up_data, up_end };

static esp_err_t upload_handler(httpd_req_t *req)
{
    upload_t *u = calloc(1, sizeof *u);
    char *work = malloc(s_work);
    esp_err_t err = ESP_ERR_NO_MEM;
    if (!u || !work) {
        httpd_resp_send_500(req);
    } else {
        err = httpd_multipart_recv(req, &UPLOAD_CB, u, work, s_work);
        if (err == ESP_OK) {
            out_printf(&u->out, "parts=%u bytes=%" PRIu64 "\n", u->parts, u->total);
            atomic_fetch_add(&s_uploads, 1);
            atomic_fetch_add(&s_upload_bytes, u->total);
            err = send_out(req, &u->out);
        } else if (err == ESP_ERR_NOT_ALLOWED) {   /* our callback refused: we answer */
            httpd_resp_set_hdr(req, "Connection", "close");
            httpd_resp_send_custom_err(req, "422 Unprocessable Content", "Rejected field");
        }
    }
    free(work);
    free(u);
    return err;
}

/* ---- The page of the browser test ----------------------------------------------------- */

static const char PAGE[] =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>form test</title></head><body>"
    "<form id=\"up\" method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\">"
    "<input id=\"note\" name=\"note\"><input id=\"file\" type=\"file\" name=\"file\">"
    "<button id=\"up-send\">Upload</button></form>"
    "<form id=\"f\" method=\"post\" action=\"/form\">"
    "<input id=\"msg\" name=\"msg\"><button id=\"f-send\">Send</button></form>"
    "</body></html>";

static esp_err_t page_handler(httpd_req_t *req)
{
    return httpd_resp_send(req, PAGE, HTTPD_RESP_USE_STRLEN);
}

/* ---- Paths ---------------------------------------------------------------------------- */

static esp_err_t text(httpd_req_t *req, const char *s)
{
    httpd_resp_set_type(req, "text/plain");
    return httpd_resp_sendstr(req, s);
}

static esp_err_t status_handler(httpd_req_t *req)
{
    return text(req, "status\n");
}

static esp_err_t all_leds_handler(httpd_req_t *req)
{
    return text(req, "all leds\n");
}

/* Sends 400 for a parameter error; ESP_OK when err is ESP_OK. */
static esp_err_t param_error(httpd_req_t *req, esp_err_t err)
{
    if (err == ESP_OK) {
        return ESP_OK;
    }
    httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, err == ESP_ERR_HTTPD_RESULT_TRUNC ? "too long" : "bad parameter");
    return ESP_FAIL;
}

static esp_err_t led_get_handler(httpd_req_t *req)
{
    char id[16], line[64];
    esp_err_t err = param_error(req, httpd_path_param(req, "/api/led/{id}", "id", id, sizeof id));
    if (err != ESP_OK) {
        return err;
    }
    snprintf(line, sizeof line, "led id=%s\n", id);
    return text(req, line);
}

static esp_err_t led_post_handler(httpd_req_t *req)
{
    char id[16], body[64], line[64];
    int32_t state;
    esp_err_t err = param_error(req, httpd_path_param(req, "/api/led/{id}", "id", id, sizeof id));
    if (err != ESP_OK) {
        return err;
    }
    size_t len;
    err = httpd_form_recv(req, body, sizeof body, &len);
    if (err != ESP_OK) {
        return err;
    }
    if (httpd_form_get_int(body, len, "state", &state) != ESP_OK) {
        httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "state?");
        return ESP_OK;   /* the body was read: the connection may stay */
    }
    snprintf(line, sizeof line, "led %s state=%" PRId32 "\n", id, state);
    return text(req, line);
}

static esp_err_t items_handler(httpd_req_t *req)
{
    static const char *const T = "/api/{group}/items/{n}";
    char group[32], line[96];
    int32_t n;
    esp_err_t err = param_error(req, httpd_path_param(req, T, "group", group, sizeof group));
    if (err == ESP_OK) {
        err = param_error(req, httpd_path_param_int(req, T, "n", &n));
    }
    if (err != ESP_OK) {
        return err;
    }
    snprintf(line, sizeof line, "group=%s n=%" PRId32 "\n", group, n);
    return text(req, line);
}

static esp_err_t files_handler(httpd_req_t *req)
{
    char rest[128], line[160];
    esp_err_t err = param_error(req, httpd_path_param(req, "/files/*", "*", rest, sizeof rest));
    if (err != ESP_OK) {
        return err;
    }
    snprintf(line, sizeof line, "file=%s\n", rest);
    return text(req, line);
}

static esp_err_t opt_handler(httpd_req_t *req)
{
    return text(req, "optional\n");
}

static const httpd_uri_t s_uris[] = {
    { .uri = "/", .method = HTTP_GET, .handler = page_handler },
    { .uri = "/query", .method = HTTP_GET, .handler = query_handler },
    { .uri = "/form", .method = HTTP_POST, .handler = form_handler },
    { .uri = "/upload", .method = HTTP_POST, .handler = upload_handler },
    { .uri = "/api/status", .method = HTTP_GET, .handler = status_handler },
    { .uri = "/api/led/all", .method = HTTP_GET, .handler = all_leds_handler },
    { .uri = "/api/led/{id}", .method = HTTP_GET, .handler = led_get_handler },
    { .uri = "/api/led/{id}", .method = HTTP_POST, .handler = led_post_handler },
    { .uri = "/api/{group}/items/{n}", .method = HTTP_GET, .handler = items_handler },
    { .uri = "/files/*", .method = HTTP_GET, .handler = files_handler },
    { .uri = "/opt/x?", .method = HTTP_GET, .handler = opt_handler },
};

static void usage(void)
{
    fprintf(stderr, "usage: form --port N [--form-max N] [--work N] [--recv-timeout S]\n");
}

int main(int argc, char **argv)
{
    enum { OPT_PORT = 1, OPT_FORM_MAX, OPT_WORK, OPT_RECV_TIMEOUT };
    static const struct option opts[] = {
        { "port",         required_argument, NULL, OPT_PORT },
        { "form-max",     required_argument, NULL, OPT_FORM_MAX },
        { "work",         required_argument, NULL, OPT_WORK },
        { "recv-timeout", required_argument, NULL, OPT_RECV_TIMEOUT },
        { NULL, 0, NULL, 0 },
    };
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    config.max_uri_handlers = 16;
    config.uri_match_fn = httpd_uri_match_path;
    bool have_port = false;
    unsigned long v = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case OPT_PORT:
            ok = have_port = fw_parse_u16(optarg, 1, 65535, &config.server_port);
            break;
        case OPT_FORM_MAX:
            ok = fw_parse_num(optarg, 1, 1ul << 20, &v);
            s_form_max = v;
            break;
        case OPT_WORK:
            ok = fw_parse_num(optarg, 1, 1ul << 20, &v);
            s_work = v;
            break;
        case OPT_RECV_TIMEOUT:
            ok = fw_parse_u16(optarg, 1, UINT16_MAX, &config.recv_wait_timeout);
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
    sigset_t stop_set;
    if (!fw_block_stop_signals(&stop_set)) {
        return 1;
    }
    httpd_handle_t server = NULL;
    if (fw_start(&server, &config, s_uris, sizeof s_uris / sizeof s_uris[0]) != ESP_OK) {
        return 2;
    }
    fw_print_ready(config.server_port);
    int sig = fw_wait_stop_signal(&stop_set);
    ESP_LOGI(TAG, "signal %d: stopping", sig);
    esp_err_t err = fw_stop(server);
    printf("FINAL uploads=%u upload_bytes=%llu\n", atomic_load(&s_uploads),
           (unsigned long long)atomic_load(&s_upload_bytes));
    fflush(stdout);
    return err == ESP_OK ? 0 : 1;
}
