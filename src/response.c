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
#include <string.h>
#include <strings.h>

static const char *TAG = "httpd_resp";

/* A path shared by several callers that a size-optimised build keeps out of
 * line (a fast build lets the compiler inline it). */
#if HTTPD_SPEED
#define SHARED
#else
#define SHARED __attribute__((noinline))
#endif

/* Status line and default body of each httpd_err_code_t (upstream's texts),
 * "status\0message\0" ... */
#define E500 "500 Internal Server Error\0" "Server has encountered an unexpected error\0"
#define E501 "501 Method Not Implemented\0" "Server does not support this method\0"
#define E505 "505 Version Not Supported\0" "HTTP version not supported by server\0"
#define E400 "400 Bad Request\0" "Bad request syntax\0"
#define E401 "401 Unauthorized\0" "No permission -- see authorization schemes\0"
#define E403 "403 Forbidden\0" "Request forbidden -- authorization will not help\0"
#define E404 "404 Not Found\0" "Nothing matches the given URI\0"
#define E405 "405 Method Not Allowed\0" "Specified method is invalid for this resource\0"
#define E408 "408 Request Timeout\0" "Server closed this connection\0"
#define E411 "411 Length Required\0" "Client must specify Content-Length\0"
#define E413 "413 Content Too Large\0" "Content is too large\0"
#define E414 "414 URI Too Long\0" "URI is too long\0"
#define E431 "431 Request Header Fields Too Large\0" "Header fields are too long"

/* ... one after another in the enum's order: no table of pointers. */
static const char ERRORS[] = E500 E501 E505 E400 E401 E403 E404 E405 E408 E411 E413 E414 E431;

#if HTTPD_SPEED
/* A fast build steps over whole codes instead of walking string by string. */
#define E_SIZE(texts) (sizeof(texts) - 1)
static const uint8_t ERR_SIZE[HTTPD_ERR_CODE_MAX - 1] = {
    E_SIZE(E500), E_SIZE(E501), E_SIZE(E505), E_SIZE(E400), E_SIZE(E401), E_SIZE(E403),
    E_SIZE(E404), E_SIZE(E405), E_SIZE(E408), E_SIZE(E411), E_SIZE(E413), E_SIZE(E414),
};
#endif

static bool has_crlf(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

/* ---- Response state --------------------------------------------------------------- */

void httpd__resp_reset(struct slot *slot, bool close_after)
{
    slot->resp = (struct slot_resp){ .status = HTTPD_200, .content_type = HTTPD_TYPE_TEXT, .close_after = close_after };
}

/* ---- Head setters ---------------------------------------------------------------- */

/* The setters' checks: a request, strings without a line break, a live request. */
static esp_err_t head_args(httpd_req_t *r, const char *a, const char *b)
{
    if (!r || !a || !b || has_crlf(a) || (b != a && has_crlf(b))) {
        return ESP_ERR_INVALID_ARG;
    }
    return r->aux ? ESP_OK : ESP_ERR_HTTPD_INVALID_REQ;
}

/* Sets the status line (type false) or the content type (true). */
SHARED static esp_err_t set_head_text(httpd_req_t *r, const char *text, bool type)
{
    esp_err_t err = head_args(r, text, text);
    if (err == ESP_OK) {
        struct slot_resp *resp = &SLOT(r)->resp;
        *(type ? &resp->content_type : &resp->status) = text;
    }
    return err;
}

esp_err_t httpd_resp_set_status(httpd_req_t *r, const char *status)
{
    return set_head_text(r, status, false);
}

esp_err_t httpd_resp_set_type(httpd_req_t *r, const char *type)
{
    return set_head_text(r, type, true);
}

/* True when a Connection header value lists the "close" token. */
static bool lists_close(const char *v)
{
    for (size_t n; *v; v += n ? n : 1) {
        n = strcspn(v, ", \t");
        if (n == 5 && strncasecmp(v, "close", 5) == 0) {
            return true;
        }
    }
    return false;
}

esp_err_t httpd_resp_set_hdr(httpd_req_t *r, const char *field, const char *value)
{
    esp_err_t err = head_args(r, field, value);
    if (err != ESP_OK) {
        return err;
    }
    struct slot *slot = SLOT(r);
    struct slot_resp *resp = &slot->resp;
    struct httpd_data *hd = HTTPD_DATA(r->handle);
    if (resp->n_hdrs >= hd->config.max_resp_headers) {
        ESP_LOGW(TAG, "more than max_resp_headers (%u) headers", (unsigned)hd->config.max_resp_headers);
        return ESP_ERR_HTTPD_RESP_HDR;
    }
    struct resp_hdr *h = &SLOT_RESP_HDRS(slot)[resp->n_hdrs++];
    h->field = field;
    h->value = value;
    if (strcasecmp(field, "Connection") == 0) {
        resp->user_conn_hdr = true;
        if (lists_close(value)) {
            resp->close_after = true;   /* the application asked for it: do it */
        }
    }
    return ESP_OK;
}

/* Writes v in base 10 or 16 (lowercase digits) so that it ends just before
 * end; returns its first character. snprintf costs hundreds of instructions
 * per call on the hot path. */
SHARED static char *fmt_uint(char *end, size_t v, unsigned base)
{
    do {
        *--end = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    return end;
}

/* ---- Head building ---------------------------------------------------------------- */

#define HEAD_STACK 512

struct head {
    char  stack[HEAD_STACK];
    char *buf;
    size_t len;
};

/* An append cursor: copies what fits and counts every byte, so a pass that
 * does not fit still measures the whole head. */
struct out {
    char  *buf;
    size_t cap;
    size_t len;
};

static inline void out_put(struct out *o, const char *s, size_t n)
{
    if (o->len + n <= o->cap) {
        memcpy(o->buf + o->len, s, n);
    }
    o->len += n;
}

static void out_str(struct out *o, const char *s)
{
    out_put(o, s, strlen(s));
}

#define OUT_LIT(o, lit) out_put((o), (lit), sizeof(lit) - 1)

/* The end of a head: its last line break and blank line, after the
 * Connection header the server adds, if any. */
static const char END_CLOSE[] = "\r\nConnection: close\r\n\r\n";
static const char END_KEEP[] = "\r\nConnection: keep-alive\r\n\r\n";

/* Writes the head into dst[0..cap) and returns its full length: when that is
 * more than cap, nothing useful was written and the caller retries bigger.
 * Each line after the status line goes out as "\r\n" + the line, the blank
 * line's "\r\n\r\n" at the end. framing: "\r\nContent-Length: N" /
 * "\r\nTransfer-Encoding: chunked", or "". */
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
    out_put(&o, framing, framing_len);
    for (unsigned i = 0; i < resp->n_hdrs; i++) {
        OUT_LIT(&o, "\r\n");
        out_str(&o, hdrs[i].field);
        OUT_LIT(&o, ": ");
        out_str(&o, hdrs[i].value);
    }
    const char *end = END_KEEP + sizeof END_KEEP - 5;   /* "\r\n\r\n" */
    size_t end_len = 4;
    if (!resp->user_conn_hdr) {
        if (resp->close_after) {
            end = END_CLOSE;
            end_len = sizeof END_CLOSE - 1;
        } else if (slot->rq.version_minor == 0) {
            end = END_KEEP;
            end_len = sizeof END_KEEP - 1;
        }
    }
    out_put(&o, end, end_len);
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
    /* Counted as before framing lines began with their "\r\n": without it. */
    if (status_len + type_len + framing_len + 33 - (framing_len ? 2 : 0) > hd->max_hdr) {
        return ESP_ERR_HTTPD_RESP_HDR;
    }
    size_t cap = HEAD_STACK;
    for (;;) {   /* a second pass, into a buffer of its size, when the head is larger */
        h->len = head_write(h->buf, cap, slot, status_len, type_len, framing, framing_len);
        if (h->len <= cap) {
            return ESP_OK;
        }
        h->buf = malloc(cap = h->len);
        if (!h->buf) {
            return ESP_ERR_HTTPD_ALLOC_MEM;
        }
    }
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

/* Sends iov[1..n), after a head (with head_build()'s framing) unless framing
 * is NULL; iov[0] is the head's. The errors of head_build() mean that nothing
 * went out. */
static esp_err_t send_parts(struct slot *slot, const char *framing, size_t framing_len, struct iovec *iov, int n)
{
    struct head h;
    h.buf = h.stack;
    if (framing) {
        esp_err_t err = head_build(&h, slot, framing, framing_len);
        if (err != ESP_OK) {
            return err;
        }
        iov[0].iov_base = h.buf;
        iov[0].iov_len = h.len;
        if (HTTPD_SPEED && n == 2 && h.buf == h.stack && iov[1].iov_len <= HEAD_STACK - h.len) {
            /* A small body joins the head: one buffer is a cheaper send(2) than
             * a two-part sendmsg(2) in the kernel. */
            if (iov[1].iov_len) {
                memcpy(h.stack + h.len, iov[1].iov_base, iov[1].iov_len);
            }
            iov[0].iov_len += iov[1].iov_len;
            n = 1;
        }
    } else {
        iov++;
        n--;
    }
    esp_err_t err = n ? send_iov(slot, iov, n) : ESP_OK;
    if (h.buf != h.stack) {
        free(h.buf);
    }
    return err;
}

esp_err_t httpd_resp_send(httpd_req_t *r, const char *buf, ssize_t buf_len)
{
    esp_err_t err = resp_args(r, buf, &buf_len);
    if (err != ESP_OK) {
        return err;
    }
    char line[40];
    char *end = line + sizeof line;
    char *framing = fmt_uint(end, (size_t)buf_len, 10) - 18;
    memcpy(framing, "\r\nContent-Length: ", 18);
    struct iovec iov[2];
    iov[1].iov_base = (void *)buf;
    iov[1].iov_len = r->method == HTTP_HEAD ? 0 : (size_t)buf_len;
    return send_parts(SLOT(r), framing, (size_t)(end - framing), iov, 2);
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
    struct iovec iov[4];   /* [0]: the head, when it goes too */
    int n = 1;
    char size_line[20];   /* "<hex>\r\n": the last chunk's is "0\r\n" */
    if (r->method != HTTP_HEAD) {
        if (framed) {
            char *end = size_line + sizeof size_line;
            end[-2] = '\r';
            end[-1] = '\n';
            char *p = fmt_uint(end - 2, (size_t)buf_len, 16);
            iov[n++] = (struct iovec){ .iov_base = p, .iov_len = (size_t)(end - p) };
        }
        if (buf_len) {
            iov[n++] = (struct iovec){ .iov_base = (void *)buf, .iov_len = (size_t)buf_len };
        }
        if (framed) {
            iov[n++] = (struct iovec){ .iov_base = (void *)"\r\n", .iov_len = 2 };
        }
    }
    const char *framing = NULL;   /* no head: it went out with the first chunk */
    if (!resp->chunk_head_sent) {
        framing = "\r\nTransfer-Encoding: chunked";
    }
    err = send_parts(slot, framing, framed ? 28 : 0, iov, n);
    if (err != ESP_OK && err != ESP_ERR_HTTPD_RESP_SEND) {
        return err;   /* no head could be built: nothing went out */
    }
    resp->chunk_head_sent = true;
    if (buf_len == 0) {
        resp->chunk_term_sent = true;
    }
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
    const char *status = ERRORS;
#if HTTPD_SPEED
    for (unsigned i = 0; i < (unsigned)error; i++) {
        status += ERR_SIZE[i];
    }
    const char *text = status + strlen(status) + 1;
#else
    const char *text = ERRORS;
    for (unsigned i = 2u * (unsigned)error + 1; i; i--) {   /* to the code's message */
        status = text;
        text += strlen(text) + 1;
    }
#endif
    return httpd_resp_send_custom_err(req, status, msg ? msg : text);
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
