/* SPDX-License-Identifier: Apache-2.0 */
/*
 * multipart.c: streaming multipart/form-data parser (see include/httpd_multipart.h).
 *
 * The delimiter "\r\n--" boundary is searched byte by byte. Its first byte, CR, occurs
 * nowhere else in it (a boundary holds no CR), so a failed partial match can restart at
 * the failing byte, and the bytes held back while a match is under way are always
 * delim[0..match): nothing of the body needs to be copied, even when a delimiter
 * straddles two feeds. The start of the body counts as if a CRLF preceded it, so the
 * first delimiter may open the body without one.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "httpd_multipart.h"
#include "addon_util.h"

static const char *TAG = "httpd_multipart";

enum {
    ST_PREAMBLE,    /* before the first delimiter */
    ST_DELIM_END,   /* a delimiter was matched: "--", LWSP or CRLF follows */
    ST_DASH,        /* "-" seen after a delimiter */
    ST_LWSP,        /* transport padding after a delimiter */
    ST_LF,          /* CR seen after a delimiter */
    ST_HEADERS,     /* a part's header block */
    ST_DATA,        /* a part's data */
    ST_EPILOGUE,    /* after the closing delimiter */
};

#define NO_START SIZE_MAX   /* a match began in an earlier feed */

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

/* Records err (from a callback when cb) and returns it. */
static esp_err_t set_err(httpd_multipart_parser_t *p, esp_err_t err, bool cb)
{
    if (err != ESP_OK && p->err == ESP_OK) {
        p->err = err;
        p->cb_failed = cb;
        if (!cb) {
            ESP_LOGD(TAG, "malformed body (%s)", esp_err_to_name(err));
        }
    }
    return p->err;
}

static esp_err_t emit(httpd_multipart_parser_t *p, const char *data, size_t len)
{
    if (len == 0 || !p->cb->on_part_data) {
        return ESP_OK;
    }
    return set_err(p, p->cb->on_part_data(p->ctx, data, len), true);
}

/* Reads a parameter value at s[*i] (quoted-string with backslash escapes, or a token
 * ending at ';' or white space) into out (out_size bytes, which may be s + *i: the
 * value never grows), without a terminating NUL; *i moves past it. Returns its length,
 * or -1 (unterminated quote, longer than out_size - 1). */
static int param_value(const char *s, size_t *i, char *out, size_t out_size)
{
    size_t r = *i, w = 0;
    bool quoted = s[r] == '"';
    r += quoted;
    for (;; r++) {
        char c = s[r];
        if (c == '\0') {
            if (quoted) {
                return -1;
            }
            break;
        }
        if (quoted && c == '"') {
            r++;
            break;
        }
        if (!quoted && (c == ';' || is_ws(c))) {
            break;
        }
        if (quoted && c == '\\' && s[r + 1] != '\0') {
            c = s[++r];
        }
        if (w + 1 >= out_size) {
            return -1;
        }
        out[w++] = c;
    }
    *i = r;
    return (int)w;
}

/* Parses the parameters of a Content-Disposition value s (from just after the type) in
 * place (values end up unquoted and NUL-terminated inside s) and points *name and
 * *filename at theirs. Returns false on a malformed parameter. */
static bool disposition_params(char *s, const char **name, const char **filename)
{
    size_t i = 0;
    for (;;) {
        while (s[i] == ';' || is_ws(s[i])) {
            i++;
        }
        if (s[i] == '\0') {
            return true;
        }
        size_t k = i;
        while (s[i] != '\0' && s[i] != '=' && s[i] != ';' && !is_ws(s[i])) {
            i++;
        }
        size_t klen = i - k;
        while (is_ws(s[i])) {
            i++;
        }
        if (s[i] != '=') {
            continue;   /* a parameter without value: ignored */
        }
        i++;
        while (is_ws(s[i])) {
            i++;
        }
        char *v = s + i;
        int n = param_value(s, &i, v, (size_t)-1 / 2);
        if (n < 0) {
            return false;
        }
        char sep = s[i];   /* read before the NUL may land on it (unquoted token) */
        v[n] = '\0';
        if (httpd__addon_token_eq(s + k, klen, "name")) {
            *name = v;
        } else if (httpd__addon_token_eq(s + k, klen, "filename")) {
            *filename = v;
        }
        if (sep == '\0') {
            return true;
        }
        if (sep != ';' && !is_ws(sep)) {
            return false;   /* e.g. name="a"b */
        }
        i++;
    }
}

/* The header block hdr[0..hdr_len) is complete: parse it and begin the part. */
static esp_err_t begin_part(httpd_multipart_parser_t *p)
{
    httpd_multipart_part_t part = { .name = NULL, .filename = NULL, .content_type = NULL, .index = p->parts++ };
    char *s = p->hdr, *end = p->hdr + p->hdr_len - 2;   /* the last CRLF ends the block */
    *end = '\0';
    while (s < end) {
        char *eol = strstr(s, "\r\n");
        char *next = eol ? eol + 2 : end;
        if (!eol) {
            eol = end;
        }
        *eol = '\0';
        if (memchr(s, '\r', (size_t)(eol - s)) || memchr(s, '\n', (size_t)(eol - s))) {
            return set_err(p, ESP_FAIL, false);   /* a bare CR or LF */
        }
        if (*s != '\0') {
            char *colon = strchr(s, ':');
            if (!colon || colon == s || is_ws(s[0])) {
                return set_err(p, ESP_FAIL, false);
            }
            size_t nlen = (size_t)(colon - s);
            char *v = colon + 1;
            while (is_ws(*v)) {
                v++;
            }
            char *ve = eol;
            while (ve > v && is_ws(ve[-1])) {
                *--ve = '\0';
            }
            if (httpd__addon_token_eq(s, nlen, "Content-Type")) {
                part.content_type = v;
            } else if (httpd__addon_token_eq(s, nlen, "Content-Disposition")) {
                size_t t = strcspn(v, "; \t");
                if (t == 0 || !disposition_params(v + t, &part.name, &part.filename)) {
                    return set_err(p, ESP_FAIL, false);
                }
            }
        }
        s = next;
    }
    if (!part.name) {
        part.name = "";
    }
    p->state = ST_DATA;
    p->match = 0;
    if (p->cb->on_part_begin) {
        return set_err(p, p->cb->on_part_begin(p->ctx, &part), true);
    }
    return ESP_OK;
}

/* Delimiter search from data[*i]: in the preamble (data_state false) bytes are dropped,
 * in a part (data_state true) they go to on_part_data. Returns with *i past the delimiter once one is found
 * (state ST_DELIM_END), or at len. */
static esp_err_t scan(httpd_multipart_parser_t *p, const char *data, size_t len, size_t *i, bool data_state)
{
    size_t run = *i;                           /* pending data bytes from here */
    size_t mstart = p->match ? NO_START : 0;   /* where the current match began */
    size_t k = *i;
    while (k < len) {
        if (p->match == 0) {
            const char *cr = memchr(data + k, '\r', len - k);
            if (!cr) {
                k = len;
                break;
            }
            k = (size_t)(cr - data);
            p->match = 1;
            mstart = k++;
            continue;
        }
        if (data[k] == p->delim[p->match]) {
            k++;
            if (++p->match == p->dlen) {   /* a whole delimiter */
                if (data_state && mstart != NO_START && emit(p, data + run, mstart - run) != ESP_OK) {
                    return p->err;
                }
                if (data_state && p->cb->on_part_end && set_err(p, p->cb->on_part_end(p->ctx), true) != ESP_OK) {
                    return p->err;
                }
                p->match = 0;
                p->state = ST_DELIM_END;
                *i = k;
                return ESP_OK;
            }
            continue;
        }
        /* a failed match: what it held is data; retry this byte as a new start */
        if (data_state && mstart == NO_START && emit(p, p->delim, p->match) != ESP_OK) {
            return p->err;
        }
        if (mstart == NO_START) {
            run = k;
        }
        p->match = 0;
    }
    if (data_state) {
        size_t stop = p->match == 0 ? len : mstart;
        if (stop != NO_START && emit(p, data + run, stop - run) != ESP_OK) {
            return p->err;
        }
    }
    *i = len;
    return ESP_OK;
}

esp_err_t httpd_multipart_parser_feed(httpd_multipart_parser_t *p, const char *data, size_t len)
{
    if (!p || (!data && len)) {
        return ESP_ERR_INVALID_ARG;
    }
    size_t i = 0;
    while (p->err == ESP_OK && i < len) {
        char c = data[i];
        switch (p->state) {
        case ST_PREAMBLE:
        case ST_DATA:
            scan(p, data, len, &i, p->state == ST_DATA);
            break;
        case ST_DELIM_END:
            p->state = c == '-' ? ST_DASH : is_ws(c) ? ST_LWSP : c == '\r' ? ST_LF : 0xff;
            i++;
            break;
        case ST_LWSP:
            p->state = is_ws(c) ? ST_LWSP : c == '\r' ? ST_LF : 0xff;
            i++;
            break;
        case ST_DASH:
            p->state = c == '-' ? ST_EPILOGUE : 0xff;
            i++;
            break;
        case ST_LF:
            p->state = c == '\n' ? ST_HEADERS : 0xff;
            p->hdr_len = 0;
            i++;
            break;
        case ST_HEADERS:
            if (p->hdr_len >= HTTPD_MULTIPART_HDR_MAX) {
                return set_err(p, ESP_ERR_INVALID_SIZE, false);
            }
            p->hdr[p->hdr_len++] = c;
            i++;
            if (c == '\n' && p->hdr_len >= 2 && p->hdr[p->hdr_len - 2] == '\r' &&
                (p->hdr_len == 2 || (p->hdr_len >= 4 && p->hdr[p->hdr_len - 3] == '\n' &&
                                     p->hdr[p->hdr_len - 4] == '\r'))) {
                begin_part(p);
            }
            break;
        case ST_EPILOGUE:
            return ESP_OK;
        default:
            return set_err(p, ESP_FAIL, false);
        }
        if (p->state == 0xff) {
            return set_err(p, ESP_FAIL, false);
        }
    }
    return p->err;
}

esp_err_t httpd_multipart_parser_finish(httpd_multipart_parser_t *p)
{
    if (!p) {
        return ESP_ERR_INVALID_ARG;
    }
    if (p->err == ESP_OK && p->state != ST_EPILOGUE) {
        set_err(p, ESP_FAIL, false);   /* ended before the closing delimiter */
    }
    return p->err;
}

bool httpd_multipart_parser_cb_failed(const httpd_multipart_parser_t *p)
{
    return p && p->err != ESP_OK && p->cb_failed;
}

esp_err_t httpd_multipart_parser_init(httpd_multipart_parser_t *p, const char *content_type,
                                      const httpd_multipart_callbacks_t *cb, void *ctx)
{
    if (!p || !content_type || !cb) {
        return ESP_ERR_INVALID_ARG;
    }
    memset(p, 0, offsetof(httpd_multipart_parser_t, hdr));
    p->cb = cb;
    p->ctx = ctx;
    p->state = ST_PREAMBLE;
    const char *s = content_type;
    while (is_ws(*s)) {
        s++;
    }
    size_t t = strcspn(s, "; \t");
    if (!httpd__addon_token_eq(s, t, "multipart/form-data")) {
        return ESP_ERR_NOT_SUPPORTED;
    }
    s += t;
    for (;;) {   /* the parameters: find boundary= */
        while (*s == ';' || is_ws(*s)) {
            s++;
        }
        if (*s == '\0') {
            return ESP_ERR_INVALID_ARG;
        }
        size_t k = strcspn(s, "=; \t");
        bool is_boundary = httpd__addon_token_eq(s, k, "boundary");
        s += k;
        while (is_ws(*s)) {
            s++;
        }
        if (*s != '=') {
            continue;
        }
        s++;
        while (is_ws(*s)) {
            s++;
        }
        size_t i = 0;
        char *b = p->delim + 4;
        int n = param_value(s, &i, b, HTTPD_MULTIPART_BOUNDARY_MAX + 1);
        if (is_boundary) {
            if (n < 1) {
                return ESP_ERR_INVALID_ARG;
            }
            for (int j = 0; j < n; j++) {
                if (b[j] < 0x20 || b[j] > 0x7e) {
                    return ESP_ERR_INVALID_ARG;
                }
            }
            memcpy(p->delim, "\r\n--", 4);
            p->dlen = (uint8_t)(n + 4);
            p->match = 2;   /* the body starts as if after a CRLF */
            return ESP_OK;
        }
        if (n < 0) {   /* another parameter: skip it whatever its length */
            while (*s != '\0' && *s != ';') {
                s++;
            }
        } else {
            s += i;
        }
    }
}

/* Sends status with "Connection: close"; returns err. */
static esp_err_t fail(httpd_req_t *req, const char *status, const char *msg, esp_err_t err)
{
    httpd_resp_set_hdr(req, "Connection", "close");
    httpd_resp_send_custom_err(req, status, msg);
    return err;
}

esp_err_t httpd_multipart_recv(httpd_req_t *req, const httpd_multipart_callbacks_t *cb, void *ctx,
                               char *work_buf, size_t work_len)
{
    if (!req || !cb || !work_buf || work_len == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    const char *ct = NULL;
    size_t ct_len = 0;
    httpd_multipart_parser_t p;
    esp_err_t err = httpd_req_get_hdr_value_str_ptr(req, "Content-Type", &ct, &ct_len);
    err = err == ESP_OK ? httpd_multipart_parser_init(&p, ct, cb, ctx) : ESP_ERR_NOT_SUPPORTED;
    if (err == ESP_ERR_NOT_SUPPORTED) {
        return fail(req, "415 Unsupported Media Type", "Expected multipart/form-data", err);
    }
    if (err != ESP_OK) {
        return fail(req, "400 Bad Request", "Bad multipart boundary", ESP_FAIL);
    }
    bool chunked = httpd_req_get_hdr_value_len(req, "Transfer-Encoding") > 0;
    size_t left = req->content_len;
    while (chunked || left > 0) {
        int n = httpd_req_recv(req, work_buf, chunked || left > work_len ? work_len : left);
        if (n == 0 && chunked) {
            break;
        }
        if (n <= 0) {
            return n == HTTPD_SOCK_ERR_TIMEOUT ? fail(req, "408 Request Timeout", "Body timed out", ESP_ERR_TIMEOUT)
                   : fail(req, "400 Bad Request", "Body ended early", ESP_FAIL);
        }
        left -= chunked ? 0 : (size_t)n;
        err = httpd_multipart_parser_feed(&p, work_buf, (size_t)n);
        if (err != ESP_OK) {
            break;
        }
    }
    err = httpd_multipart_parser_finish(&p);
    if (err == ESP_OK || p.cb_failed) {
        return err;
    }
    ESP_LOGD(TAG, "bad multipart body: %s", esp_err_to_name(err));
    return fail(req, "400 Bad Request", err == ESP_ERR_INVALID_SIZE ? "Part header too large"
                : "Malformed multipart body", err);
}
