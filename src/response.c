/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Responses: the head is built in one buffer and leaves with the body in a
 * single sendmsg (one writev-style call per response or chunk), the error
 * table, error handlers and raw sends.
 */
#include "httpd_priv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

static const char *TAG = "httpd_resp";

/* Status line and default body of each httpd_err_code_t (upstream's texts). */
static const struct {
    const char *status;
    const char *message;
} ERRORS[HTTPD_ERR_CODE_MAX] = {
    [HTTPD_500_INTERNAL_SERVER_ERROR]    = { "500 Internal Server Error", "Server has encountered an unexpected error" },
    [HTTPD_501_METHOD_NOT_IMPLEMENTED]   = { "501 Method Not Implemented", "Server does not support this method" },
    [HTTPD_505_VERSION_NOT_SUPPORTED]    = { "505 Version Not Supported", "HTTP version not supported by server" },
    [HTTPD_400_BAD_REQUEST]              = { "400 Bad Request", "Bad request syntax" },
    [HTTPD_401_UNAUTHORIZED]             = { "401 Unauthorized", "No permission -- see authorization schemes" },
    [HTTPD_403_FORBIDDEN]                = { "403 Forbidden", "Request forbidden -- authorization will not help" },
    [HTTPD_404_NOT_FOUND]                = { "404 Not Found", "Nothing matches the given URI" },
    [HTTPD_405_METHOD_NOT_ALLOWED]       = { "405 Method Not Allowed", "Specified method is invalid for this resource" },
    [HTTPD_408_REQ_TIMEOUT]              = { "408 Request Timeout", "Server closed this connection" },
    [HTTPD_411_LENGTH_REQUIRED]          = { "411 Length Required", "Client must specify Content-Length" },
    [HTTPD_413_CONTENT_TOO_LARGE]        = { "413 Content Too Large", "Content is too large" },
    [HTTPD_414_URI_TOO_LONG]             = { "414 URI Too Long", "URI is too long" },
    [HTTPD_431_REQ_HDR_FIELDS_TOO_LARGE] = { "431 Request Header Fields Too Large", "Header fields are too long" },
};

static bool has_crlf(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

/* ---- Response state --------------------------------------------------------------- */

void httpd__resp_reset(struct slot *slot, bool close_after)
{
    struct slot_resp *resp = &slot->resp;
    resp->status = HTTPD_200;
    resp->content_type = HTTPD_TYPE_TEXT;
    resp->n_hdrs = 0;
    resp->user_conn_hdr = resp->chunk_head_sent = resp->chunk_term_sent = false;
    resp->close_after = close_after;
    resp->broken = false;
}

/* ---- Head setters ---------------------------------------------------------------- */

esp_err_t httpd_resp_set_status(httpd_req_t *r, const char *status)
{
    if (!r || !status || has_crlf(status)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!r->aux) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    SLOT(r)->resp.status = status;
    return ESP_OK;
}

esp_err_t httpd_resp_set_type(httpd_req_t *r, const char *type)
{
    if (!r || !type || has_crlf(type)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!r->aux) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    SLOT(r)->resp.content_type = type;
    return ESP_OK;
}

/* True when a Connection header value lists the "close" token. */
static bool lists_close(const char *v)
{
    for (const char *p = v; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        const char *t = p;
        while (*p && *p != ',' && *p != ' ' && *p != '\t') {
            p++;
        }
        if (p - t == 5 && strncasecmp(t, "close", 5) == 0) {
            return true;
        }
    }
    return false;
}

esp_err_t httpd_resp_set_hdr(httpd_req_t *r, const char *field, const char *value)
{
    if (!r || !field || !value || has_crlf(field) || has_crlf(value)) {
        return ESP_ERR_INVALID_ARG;
    }
    struct slot *slot = SLOT(r);
    if (!slot) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    struct slot_resp *resp = &slot->resp;
    struct httpd_data *hd = HTTPD_DATA(r->handle);
    if (resp->n_hdrs >= hd->config.max_resp_headers) {
        ESP_LOGW(TAG, "more than max_resp_headers (%u) headers", (unsigned)hd->config.max_resp_headers);
        return ESP_ERR_HTTPD_RESP_HDR;
    }
    SLOT_RESP_HDRS(slot)[resp->n_hdrs].field = field;
    SLOT_RESP_HDRS(slot)[resp->n_hdrs].value = value;
    resp->n_hdrs++;
    if (strcasecmp(field, "Connection") == 0) {
        resp->user_conn_hdr = true;
        if (lists_close(value)) {
            resp->close_after = true;   /* the application asked for it: do it */
        }
    }
    return ESP_OK;
}

/* Digits of v in base (10 or 16, lowercase) into out (room for 20); returns
 * their count. snprintf costs hundreds of instructions per call on the hot path. */
static size_t fmt_uint(char *out, size_t v, unsigned base)
{
    char tmp[20];
    char *e = tmp + sizeof tmp, *d = e;
    if (base == 10) {
        do {
            *--d = (char)('0' + v % 10u);
            v /= 10u;
        } while (v);
    } else {
        do {
            *--d = "0123456789abcdef"[v & 15u];
            v >>= 4;
        } while (v);
    }
    memcpy(out, d, (size_t)(e - d));
    return (size_t)(e - d);
}

/* ---- Head building ---------------------------------------------------------------- */

#define HEAD_STACK 512

struct head;
static void head_release(struct head *h);

struct head {
    char  stack[HEAD_STACK];
    char *buf;
    size_t len;
};

/* An append cursor: copies while there is room and counts every byte, so a
 * pass that does not fit still measures the whole head. */
struct out {
    char  *p;
    size_t left;
    size_t len;
};

static inline void out_put(struct out *o, const char *s, size_t n)
{
    if (n <= o->left) {
        memcpy(o->p, s, n);
        o->p += n;
        o->left -= n;
    } else {
        o->left = 0;
    }
    o->len += n;
}

#define OUT_LIT(o, lit) out_put((o), (lit), sizeof(lit) - 1)

/* Writes the head into dst[0..cap) and returns its full length: when that is
 * more than cap, nothing useful was written and the caller retries bigger.
 * framing: "Content-Length: N" / "Transfer-Encoding: chunked" line body, or NULL. */
static size_t head_write(char *dst, size_t cap, const struct slot *slot, size_t status_len,
                         size_t type_len, const char *framing, size_t framing_len)
{
    const struct slot_resp *resp = &slot->resp;
    const struct resp_hdr *hdrs = SLOT_RESP_HDRS(slot);
    struct out o = { dst, cap, 0 };
    if (HTTPD_SPEED && status_len == 6 && memcmp(resp->status, "200 OK", 6) == 0) {
        OUT_LIT(&o, "HTTP/1.1 200 OK\r\nContent-Type: ");
    } else {
        OUT_LIT(&o, "HTTP/1.1 ");
        out_put(&o, resp->status, status_len);
        OUT_LIT(&o, "\r\nContent-Type: ");
    }
    out_put(&o, resp->content_type, type_len);
    OUT_LIT(&o, "\r\n");
    if (framing) {
        out_put(&o, framing, framing_len);
        OUT_LIT(&o, "\r\n");
    }
    for (unsigned i = 0; i < resp->n_hdrs; i++) {
        out_put(&o, hdrs[i].field, strlen(hdrs[i].field));
        OUT_LIT(&o, ": ");
        out_put(&o, hdrs[i].value, strlen(hdrs[i].value));
        OUT_LIT(&o, "\r\n");
    }
    if (!resp->user_conn_hdr) {
        if (resp->close_after) {
            OUT_LIT(&o, "Connection: close\r\n");
        } else if (slot->rq.version_minor == 0) {
            OUT_LIT(&o, "Connection: keep-alive\r\n");
        }
    }
    OUT_LIT(&o, "\r\n");
    return o.len;
}

/* Builds the head, in one pass into the stack buffer when it fits (always,
 * in practice). ESP_ERR_HTTPD_RESP_HDR when the status line and content type
 * exceed max_req_hdr_len (upstream's rule), ESP_ERR_HTTPD_ALLOC_MEM when an
 * unusually large head cannot get a buffer. */
static esp_err_t head_build(struct head *h, struct slot *slot, const char *framing, size_t framing_len)
{
    struct httpd_data *hd = HTTPD_DATA(slot->rq.req.handle);
    /* The request ends here if the client is waiting to be told to send its body. */
    if (slot->rq.expect_continue && !slot->rq.continue_sent && !httpd__req_body_complete(slot)) {
        slot->resp.close_after = true;
    }
    size_t status_len = strlen(slot->resp.status);
    size_t type_len = strlen(slot->resp.content_type);
    if (status_len + type_len + framing_len + 32 + 1 > hd->max_hdr) {
        h->buf = NULL;
        return ESP_ERR_HTTPD_RESP_HDR;
    }
    h->buf = h->stack;
    h->len = head_write(h->stack, HEAD_STACK, slot, status_len, type_len, framing, framing_len);
    if (h->len > HEAD_STACK) {
        h->buf = malloc(h->len);
        if (!h->buf) {
            return ESP_ERR_HTTPD_ALLOC_MEM;
        }
        head_write(h->buf, h->len, slot, status_len, type_len, framing, framing_len);
    }
    return ESP_OK;
}

static void head_release(struct head *h)
{
    if (h->buf && h->buf != h->stack) {
        free(h->buf);
    }
    h->buf = NULL;
}

/* Common argument checks; resolves HTTPD_RESP_USE_STRLEN. */
static esp_err_t resp_args(httpd_req_t *r, const char *buf, ssize_t *buf_len)
{
    if (!r || *buf_len < HTTPD_RESP_USE_STRLEN || (!buf && *buf_len > 0)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!r->aux || !SLOT(r)->sess) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    if (*buf_len == HTTPD_RESP_USE_STRLEN) {
        *buf_len = buf ? (ssize_t)strlen(buf) : 0;
    }
    return ESP_OK;
}

static esp_err_t send_iov(struct slot *slot, struct iovec *iov, int n)
{
    int rc = httpd__sess_sendv_all(HTTPD_DATA(slot->rq.req.handle), slot->sess, iov, n);
    if (rc != 0) {
        ESP_LOGD(TAG, "send failed (%d)", rc);
        slot->resp.broken = true;
        return ESP_ERR_HTTPD_RESP_SEND;
    }
    return ESP_OK;
}

esp_err_t httpd_resp_send(httpd_req_t *r, const char *buf, ssize_t buf_len)
{
    esp_err_t err = resp_args(r, buf, &buf_len);
    if (err != ESP_OK) {
        return err;
    }
    struct slot *slot = SLOT(r);
    char framing[40];
    memcpy(framing, "Content-Length: ", 16);
    size_t framing_len = 16 + fmt_uint(framing + 16, (size_t)buf_len, 10);
    struct head h;
    err = head_build(&h, slot, framing, framing_len);
    if (err != ESP_OK) {
        return err;
    }
    size_t body_len = r->method == HTTP_HEAD ? 0 : (size_t)buf_len;
    struct iovec iov[2] = {
        { .iov_base = h.buf, .iov_len = h.len },
        { .iov_base = (void *)buf, .iov_len = body_len },
    };
    int n = 2;
    if (HTTPD_SPEED && h.buf == h.stack && body_len <= HEAD_STACK - h.len) {
        /* A small body joins the head: one buffer is a cheaper send(2) than
         * a two-part sendmsg(2) in the kernel. */
        if (body_len) {
            memcpy(h.stack + h.len, buf, body_len);
        }
        iov[0].iov_len += body_len;
        n = 1;
    }
    err = send_iov(slot, iov, n);
    head_release(&h);
    return err;
}

esp_err_t httpd_resp_send_chunk(httpd_req_t *r, const char *buf, ssize_t buf_len)
{
    esp_err_t err = resp_args(r, buf, &buf_len);
    if (err != ESP_OK) {
        return err;
    }
    struct slot *slot = SLOT(r);
    struct slot_resp *resp = &slot->resp;
    /* HTTP/1.0 has no chunked coding: the body goes unframed and the close ends it. */
    bool framed = slot->rq.version_minor != 0;
    if (!framed) {
        resp->close_after = true;
    }
    struct iovec iov[4];
    int n = 0;
    struct head h = { .buf = NULL };
    if (!resp->chunk_head_sent) {
        err = head_build(&h, slot, framed ? "Transfer-Encoding: chunked" : NULL, framed ? 26 : 0);
        if (err != ESP_OK) {
            return err;
        }
        iov[n++] = (struct iovec){ .iov_base = h.buf, .iov_len = h.len };
        resp->chunk_head_sent = true;
        resp->chunk_term_sent = false;
    }
    char size_line[24];
    bool body = r->method != HTTP_HEAD;
    if (buf_len > 0 && body) {
        if (framed) {
            size_t sl = fmt_uint(size_line, (size_t)buf_len, 16);
            size_line[sl++] = '\r';
            size_line[sl++] = '\n';
            iov[n++] = (struct iovec){ .iov_base = size_line, .iov_len = sl };
        }
        iov[n++] = (struct iovec){ .iov_base = (void *)buf, .iov_len = (size_t)buf_len };
        if (framed) {
            iov[n++] = (struct iovec){ .iov_base = (void *)"\r\n", .iov_len = 2 };
        }
    } else if (buf_len == 0) {
        if (framed && body) {
            iov[n++] = (struct iovec){ .iov_base = (void *)"0\r\n\r\n", .iov_len = 5 };
        }
        resp->chunk_term_sent = true;
    }
    err = n ? send_iov(slot, iov, n) : ESP_OK;
    head_release(&h);
    return err;
}

int httpd_send(httpd_req_t *r, const char *buf, size_t buf_len)
{
    if (!r || (!buf && buf_len)) {
        return HTTPD_SOCK_ERR_INVALID;
    }
    struct slot *slot = SLOT(r);
    if (!slot || !slot->sess) {
        return HTTPD_SOCK_ERR_INVALID;
    }
    int n = httpd__sess_send_wait(HTTPD_DATA(r->handle), slot->sess, buf, buf_len, 0);
    if (n < 0 && n != HTTPD_SOCK_ERR_TIMEOUT) {
        slot->resp.broken = true;
    }
    return n;
}

/* ---- Errors ----------------------------------------------------------------------- */

esp_err_t httpd_resp_send_custom_err(httpd_req_t *req, const char *status, const char *msg)
{
    esp_err_t err = httpd_resp_set_status(req, status);
    if (err != ESP_OK) {
        return err;
    }
    httpd_resp_set_type(req, HTTPD_TYPE_TEXT);
    return httpd_resp_send(req, msg ? msg : "", HTTPD_RESP_USE_STRLEN);
}

esp_err_t httpd_resp_send_err(httpd_req_t *req, httpd_err_code_t error, const char *msg)
{
    if (!req || (unsigned)error >= HTTPD_ERR_CODE_MAX) {
        return ESP_ERR_INVALID_ARG;
    }
    return httpd_resp_send_custom_err(req, ERRORS[error].status, msg ? msg : ERRORS[error].message);
}

esp_err_t httpd_register_err_handler(httpd_handle_t handle, httpd_err_code_t error,
                                     httpd_err_handler_func_t handler_fn)
{
    if (!handle || (unsigned)error >= HTTPD_ERR_CODE_MAX) {
        return ESP_ERR_INVALID_ARG;
    }
    HTTPD_DATA(handle)->err_handlers[error] = handler_fn;
    return ESP_OK;
}

esp_err_t httpd_req_handle_err(httpd_req_t *req, httpd_err_code_t error)
{
    if (!req || !req->aux || (unsigned)error >= HTTPD_ERR_CODE_MAX) {
        return ESP_FAIL;
    }
    httpd_err_handler_func_t fn = HTTPD_DATA(req->handle)->err_handlers[error];
    if (fn) {
        esp_err_t ret = fn(req, error);
        return (ret == ESP_OK && error != HTTPD_500_INTERNAL_SERVER_ERROR) ? ESP_OK : ESP_FAIL;
    }
    SLOT(req)->resp.close_after = true;   /* the default response is followed by a close */
    httpd_resp_send_err(req, error, NULL);
    return ESP_FAIL;
}
