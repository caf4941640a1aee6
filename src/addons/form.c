/* SPDX-License-Identifier: Apache-2.0 */
/*
 * form.c: decoded getters for query strings and application/x-www-form-urlencoded
 * bodies, and httpd_form_recv() (see include/httpd_form.h). No allocation.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "httpd_form.h"
#include "addon_util.h"

static const char *TAG = "httpd_form";

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)(c | 0x20);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Decodes one character of s[0..len) at *i (advancing *i): its value, or -1 for a bad
 * escape or %00. */
static int decode_char(const char *s, size_t len, size_t *i)
{
    char c = s[*i];
    if (c == '%') {
        if (len - *i < 3) {
            return -1;
        }
        int hi = hex_digit(s[*i + 1]), lo = hex_digit(s[*i + 2]);
        if (hi < 0 || lo < 0 || (hi | lo) == 0) {
            return -1;
        }
        *i += 3;
        return hi << 4 | lo;
    }
    (*i)++;
    return c == '+' ? ' ' : (unsigned char)c;
}

/* Decoded length of s[0..len), or -1 when it does not decode. */
static long decoded_len(const char *s, size_t len)
{
    long n = 0;
    for (size_t i = 0; i < len; n++) {
        if (decode_char(s, len, &i) < 0) {
            return -1;
        }
    }
    return n;
}

/* Decodes s[0..len) into out (out_size bytes): ESP_OK, ESP_ERR_INVALID_ARG (bad
 * encoding), ESP_ERR_HTTPD_RESULT_TRUNC. out is "" on failure. */
static esp_err_t decode_into(const char *s, size_t len, char *out, size_t out_size)
{
    long n = decoded_len(s, len);
    out[0] = '\0';
    if (n < 0) {
        return ESP_ERR_INVALID_ARG;
    }
    if ((size_t)n >= out_size) {
        return ESP_ERR_HTTPD_RESULT_TRUNC;
    }
    return httpd__addon_url_decode(out, out_size, s, len, true) == n ? ESP_OK : ESP_ERR_INVALID_ARG;
}

/* Whether s[0..len) decodes to exactly the NUL-terminated lit. */
static bool decoded_equals(const char *s, size_t len, const char *lit)
{
    size_t i = 0, j = 0;
    while (i < len) {
        int c = decode_char(s, len, &i);
        if (c < 0 || lit[j] == '\0' || (unsigned char)lit[j] != (unsigned)c) {
            return false;
        }
        j++;
    }
    return lit[j] == '\0';
}

void httpd_form_iter_init(httpd_form_iter_t *it, const char *form, size_t len)
{
    if (it) {
        it->pos = form;
        it->left = form ? len : 0;
    }
}

/* The next non-empty piece of it: key [k, k + klen), value [v, v + vlen). */
static bool next_piece(httpd_form_iter_t *it, const char **k, size_t *klen, const char **v, size_t *vlen)
{
    while (it->left > 0) {
        const char *p = it->pos;
        const char *amp = memchr(p, '&', it->left);
        size_t n = amp ? (size_t)(amp - p) : it->left;
        it->pos += n + (amp != NULL);
        it->left -= n + (amp != NULL);
        if (n == 0) {
            continue;
        }
        const char *eq = memchr(p, '=', n);
        *k = p;
        *klen = eq ? (size_t)(eq - p) : n;
        *v = eq ? eq + 1 : p + n;
        *vlen = eq ? n - *klen - 1 : 0;
        return true;
    }
    return false;
}

esp_err_t httpd_form_next(httpd_form_iter_t *it, char *key, size_t key_size, char *val, size_t val_size)
{
    if (!it || !key || !val || key_size == 0 || val_size == 0 || (!it->pos && it->left)) {
        return ESP_ERR_INVALID_ARG;
    }
    const char *k, *v;
    size_t klen, vlen;
    if (!next_piece(it, &k, &klen, &v, &vlen)) {
        key[0] = val[0] = '\0';
        return ESP_ERR_NOT_FOUND;
    }
    esp_err_t err = decode_into(k, klen, key, key_size);
    if (err == ESP_OK) {
        err = decode_into(v, vlen, val, val_size);
    }
    if (err != ESP_OK) {
        key[0] = val[0] = '\0';
    }
    return err;
}

esp_err_t httpd_form_get(const char *form, size_t len, const char *key, char *val, size_t val_size)
{
    if (!form || !key || !val || val_size == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    httpd_form_iter_t it;
    httpd_form_iter_init(&it, form, len);
    const char *k, *v;
    size_t klen, vlen;
    while (next_piece(&it, &k, &klen, &v, &vlen)) {
        if (decoded_equals(k, klen, key)) {
            return decode_into(v, vlen, val, val_size);
        }
    }
    val[0] = '\0';
    return ESP_ERR_NOT_FOUND;
}

/* The query of req->uri: after '?', up to '#'. */
static esp_err_t query_of(httpd_req_t *req, const char **q, size_t *len)
{
    const char *s = strchr(req->uri, '?');
    if (!s) {
        return ESP_ERR_NOT_FOUND;
    }
    *q = s + 1;
    *len = strcspn(*q, "#");
    return ESP_OK;
}

esp_err_t httpd_query_get(httpd_req_t *req, const char *key, char *val, size_t val_size)
{
    if (!req || !key || !val || val_size == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    const char *q;
    size_t len;
    if (query_of(req, &q, &len) != ESP_OK) {
        val[0] = '\0';
        return ESP_ERR_NOT_FOUND;
    }
    return httpd_form_get(q, len, key, val, val_size);
}

esp_err_t httpd_form_get_int(const char *form, size_t len, const char *key, int32_t *out)
{
    if (!out) {
        return ESP_ERR_INVALID_ARG;
    }
    char buf[16];   /* "-2147483648" and a little more */
    esp_err_t err = httpd_form_get(form, len, key, buf, sizeof buf);
    if (err == ESP_ERR_HTTPD_RESULT_TRUNC) {
        return ESP_ERR_INVALID_ARG;   /* too long to be an int32_t */
    }
    if (err != ESP_OK) {
        return err;
    }
    return httpd__addon_parse_i32(buf, out);
}

esp_err_t httpd_query_get_int(httpd_req_t *req, const char *key, int32_t *out)
{
    if (!req || !key || !out) {
        return ESP_ERR_INVALID_ARG;
    }
    const char *q;
    size_t len;
    if (query_of(req, &q, &len) != ESP_OK) {
        return ESP_ERR_NOT_FOUND;
    }
    return httpd_form_get_int(q, len, key, out);
}

/* Answers status (custom status line) with msg and "Connection: close"; returns err. */
static esp_err_t fail(httpd_req_t *req, const char *status, const char *msg, esp_err_t err)
{
    ESP_LOGD(TAG, "%s: %s", status, msg);
    httpd_resp_set_hdr(req, "Connection", "close");
    httpd_resp_send_custom_err(req, status, msg);
    return err;
}

esp_err_t httpd_form_recv(httpd_req_t *req, char *buf, size_t buf_size, size_t *len)
{
    if (!req || !buf || buf_size == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    buf[0] = '\0';
    if (len) {
        *len = 0;
    }
    const char *ct;
    size_t ct_len;
    if (httpd_req_get_hdr_value_str_ptr(req, "Content-Type", &ct, &ct_len) != ESP_OK) {
        ct_len = 0;
    }
    size_t mt = 0;   /* the media type, before parameters and spaces */
    while (mt < ct_len && ct[mt] != ';' && ct[mt] != ' ' && ct[mt] != '\t') {
        mt++;
    }
    if (!httpd__addon_token_eq(ct, mt, "application/x-www-form-urlencoded")) {
        return fail(req, "415 Unsupported Media Type", "Expected application/x-www-form-urlencoded",
                    ESP_ERR_NOT_SUPPORTED);
    }
    bool chunked = httpd_req_get_hdr_value_len(req, "Transfer-Encoding") > 0;
    size_t want = chunked ? buf_size : req->content_len;
    if (!chunked && want >= buf_size) {
        return fail(req, "413 Content Too Large", "Form too large", ESP_ERR_INVALID_SIZE);
    }
    size_t got = 0;
    int n = 0;
    for (;;) {
        size_t room = (chunked ? buf_size - 1 : want) - got;
        if (room == 0) {
            if (!chunked) {
                break;
            }
            char extra;   /* full: the chunked body must end here */
            n = httpd_req_recv(req, &extra, 1);
            if (n == 0) {
                break;
            }
            if (n > 0) {
                buf[0] = '\0';
                return fail(req, "413 Content Too Large", "Form too large", ESP_ERR_INVALID_SIZE);
            }
        } else {
            n = httpd_req_recv(req, buf + got, room);
            if (n == 0 && chunked) {
                break;
            }
        }
        if (n <= 0) {
            buf[0] = '\0';
            return n == HTTPD_SOCK_ERR_TIMEOUT ? fail(req, "408 Request Timeout", "Body timed out", ESP_ERR_TIMEOUT)
                   : fail(req, "400 Bad Request", "Body ended early", ESP_FAIL);
        }
        got += (size_t)n;
    }
    buf[got] = '\0';
    if (len) {
        *len = got;
    }
    return ESP_OK;
}
