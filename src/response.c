/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Responses: the head is built in one buffer and leaves with the body in a
 * single sendmsg (one writev-style call per response or chunk; small chunks
 * may gather first, see session.c's held output), the error table, error
 * handlers and raw sends.
 */
#include "httpd_priv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TAG "httpd_resp"   /* (a macro: one translation unit may hold every file) */

/* A path shared by several callers that a size-optimised build keeps out of
 * line (a fast build lets the compiler inline it). */
#if HTTPD_SPEED
#define SHARED
#else
#define SHARED __attribute__((noinline))
#endif

/* Room for each method's name and a ", " after it (every method: 263 bytes), and a NUL. */
#define ALLOW_MAX 264

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

#if HTTPD_SPEED
/* The length of s up to its first CR, LF or NUL. Every byte above '\r' (all
 * printable ones) goes on, four a turn; each byte is read only once the one
 * before it was above '\r', so never past the NUL. For a short string (a
 * content type) this costs less than strcspn()'s call and its setup. */
static size_t line_len(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    for (;; i += 4) {
        if (s[i] <= '\r') {
            break;
        }
        if (s[i + 1] <= '\r') {
            i += 1;
            break;
        }
        if (s[i + 2] <= '\r') {
            i += 2;
            break;
        }
        if (s[i + 3] <= '\r') {
            i += 3;
            break;
        }
    }
    while (s[i] && s[i] != '\r' && s[i] != '\n') {   /* (a tab or another control byte) */
        i++;
    }
    return i;
}
#endif

/* A status without content (RFC 9110 6.4.1): 1xx, 204, 304. Its head carries
 * no Content-Type and no framing (head_build() is given NO_CONTENT, an empty
 * framing of its own address), and no body follows. */
static bool no_content(const char *st)
{
    return st[0] == '1' || ((st[0] | 1) == '3' && st[1] == '0' && st[2] == '4');   /* '2' or '3' */
}

static const char NO_CONTENT[1];

/* ---- Response state --------------------------------------------------------------- */

/* The default status line: a head that still has it takes a shorter path. */
static const char STATUS_200[] = HTTPD_200;

void httpd__resp_reset(struct slot *slot, bool close_after)
{
    slot->resp = (struct slot_resp){ .status = STATUS_200, .content_type = HTTPD_TYPE_TEXT,
#if HTTPD_SPEED
                                     .type_len = sizeof HTTPD_TYPE_TEXT - 1,
#endif
                                     .close_after = close_after };
}

/* ---- Head setters ---------------------------------------------------------------- */

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

enum head_part { HEAD_HDR, HEAD_STATUS, HEAD_TYPE };

/* The setters, one body: sets the status line or the content type (a, which
 * b repeats), or adds the header a: b, after their checks: a request, strings
 * without a line break, a live request. */
SHARED static esp_err_t head_set(httpd_req_t *r, const char *a, const char *b, enum head_part part)
{
    if (!r || !a || !b || has_crlf(a) || (b != a && has_crlf(b))) {
        return ESP_ERR_INVALID_ARG;
    }
    struct slot *slot = SLOT(r);
    if (!slot) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    struct slot_resp *resp = &slot->resp;
    if (part != HEAD_HDR) {
        /* (a fast build sets the type in httpd_resp_set_type(), with its length) */
        *(part == HEAD_TYPE ? &resp->content_type : &resp->status) = a;
        return ESP_OK;
    }
    /* The framing is the server's (RFC 9112 6.3): a handler's Content-Length
     * or Transfer-Encoding would contradict the one the head gets. */
    if (strcasecmp(a, "Content-Length") == 0 || strcasecmp(a, "Transfer-Encoding") == 0) {
        ESP_LOGW(TAG, "%s is set by the server: header dropped", a);
        return ESP_OK;
    }
    struct httpd_data *hd = HTTPD_DATA(r->handle);
    if (resp->n_hdrs >= hd->config.max_resp_headers) {
        ESP_LOGW(TAG, "more than max_resp_headers (%u) headers", (unsigned)hd->config.max_resp_headers);
        return ESP_ERR_HTTPD_RESP_HDR;
    }
    struct resp_hdr *h = &SLOT_RESP_HDRS(slot)[resp->n_hdrs++];
    h->field = a;
    h->value = b;
    if (strcasecmp(a, "Connection") == 0) {
        resp->user_conn_hdr = true;
        /* The application asked for it: do it, unless the head already went
         * out without it (a chunked response under way): then the client was
         * told the connection stays, and it does, as upstream. */
        if (lists_close(b) && !resp->sent) {
            resp->close_after = true;
        }
    }
    return ESP_OK;
}

esp_err_t httpd_resp_set_status(httpd_req_t *r, const char *status)
{
    return head_set(r, status, status, HEAD_STATUS);
}

esp_err_t httpd_resp_set_type(httpd_req_t *r, const char *type)
{
#if HTTPD_SPEED
    /* head_set()'s checks for one string, in a call of its own (nearly every
     * handler makes it) */
    size_t len;
    if (!r || !type || type[len = line_len(type)]) {
        return ESP_ERR_INVALID_ARG;
    }
    struct slot *slot = SLOT(r);
    if (!slot) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    slot->resp.content_type = type;
    slot->resp.type_len = len;
    return ESP_OK;
#else
    return head_set(r, type, type, HEAD_TYPE);
#endif
}

esp_err_t httpd_resp_set_hdr(httpd_req_t *r, const char *field, const char *value)
{
    return head_set(r, field, value, HEAD_HDR);
}

/* Writes v in base 10 or 16 (lowercase digits) so that it ends just before
 * end; returns its first character. snprintf costs hundreds of instructions
 * per call on the hot path. */
static char *fmt_uint(char *end, size_t v, unsigned base)
{
    if (HTTPD_SPEED && base == 16) {   /* (a chunk's size: shifts, not divisions) */
        do {
            *--end = "0123456789abcdef"[v & 15];
            v >>= 4;
        } while (v);
        return end;
    }
    do {
        unsigned d = (unsigned)(v % base);
        *--end = (char)(d < 10 ? '0' + d : 'a' - 10 + d);
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

/* Every piece of a head is a string: one argument less at each of the calls. */
SHARED static void out_str(struct out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->len + n <= o->cap) {
        memcpy(o->buf + o->len, s, n);
    }
    o->len += n;
}

/* Upstream's limit on a head: its status line, content type and framing
 * (len bytes, counted without the "\r\n" a framing line begins with), plus
 * 33, within max_req_hdr_len. */
static bool head_over_limit(size_t len, bool framed, size_t max_hdr)
{
    return len + 8 - (framed ? 2 : 0) > max_hdr;
}

/* The end of a head: its last line break and blank line, after the
 * Connection header the server adds, if any. */
static const char END_CLOSE[] = "\r\nConnection: close\r\n\r\n";
static const char END_KEEP[] = "\r\nConnection: keep-alive\r\n\r\n";

/* Builds the head, in one pass into the stack buffer when it fits (always,
 * in practice; otherwise a second pass, into a buffer of its size). Each line
 * after the status line goes out as "\r\n" + the line, the blank line's
 * "\r\n\r\n" at the end. framing: "\r\nContent-Length: N" /
 * "\r\nTransfer-Encoding: chunked", "", or NO_CONTENT. ESP_ERR_HTTPD_RESP_HDR when the
 * status line and content type exceed max_req_hdr_len (upstream's rule),
 * ESP_ERR_HTTPD_ALLOC_MEM when an unusually large head cannot get a buffer. */
static esp_err_t head_build(struct head *h, struct slot *slot, const char *framing)
{
    struct httpd_data *hd = HTTPD_DATA(slot->rq.req.handle);
    struct slot_resp *resp = &slot->resp;
    const struct resp_hdr *hdrs = SLOT_RESP_HDRS(slot);
    /* The request ends here if the client is waiting to be told to send its body. */
    if (slot->rq.expect_continue && !slot->rq.continue_sent && !httpd__req_body_complete(slot)) {
        resp->close_after = true;
    }
    const char *end = END_KEEP + sizeof END_KEEP - 5;   /* "\r\n\r\n" */
    if (!resp->user_conn_hdr) {
        if (resp->close_after) {
            end = END_CLOSE;
        } else if (slot->rq.version_minor == 0) {
            end = END_KEEP;
        }
    }
    bool typed = framing != NO_CONTENT;
    size_t cap = HEAD_STACK;
    for (;;) {
        struct out o = { h->buf, cap, 0 };
        if (HTTPD_SPEED && resp->status == STATUS_200) {
            out_str(&o, "HTTP/1.1 200 OK\r\nContent-Type: ");
        } else {
            out_str(&o, "HTTP/1.1 ");
            out_str(&o, resp->status);
            if (typed) {
                out_str(&o, "\r\nContent-Type: ");
            }
        }
        if (typed) {
            out_str(&o, resp->content_type);
        }
        out_str(&o, framing);
        if (head_over_limit(o.len, *framing != '\0', hd->max_hdr)) {
            return ESP_ERR_HTTPD_RESP_HDR;   /* (only ever on the first pass) */
        }
        for (unsigned i = 0; i < resp->n_hdrs; i++) {
            out_str(&o, "\r\n");
            out_str(&o, hdrs[i].field);
            out_str(&o, ": ");
            out_str(&o, hdrs[i].value);
        }
        out_str(&o, end);
        h->len = o.len;
        if (o.len <= cap) {
            return ESP_OK;
        }
        h->buf = malloc(cap = o.len);
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

/* A chunk that is not the last may gather with the next ones (session.c's
 * held output: CONFIG_HTTPD_CHUNK_HOLD_LEN); without it the argument is not
 * even passed, so a build that gathers nothing carries no trace of it. */
#if CONFIG_HTTPD_CHUNK_HOLD_LEN > 0
#define GATHER_PARAM , bool gather
#define GATHER(x)    , x
#else
#define GATHER_PARAM
#define GATHER(x)
#endif

static esp_err_t send_iov(struct slot *slot, struct iovec *iov, int n GATHER_PARAM)
{
    slot->resp.sent = true;
    struct httpd_data *hd = HTTPD_DATA(slot->rq.req.handle);
    int rc;
#if CONFIG_HTTPD_CHUNK_HOLD_LEN > 0
    if (gather) {
        rc = httpd__sess_sendv_chunk(hd, slot, iov, n);
    } else
#endif
#if HTTPD_SPEED
    if (n == 1) {
        rc = httpd__sess_send_all(hd, slot->sess, iov->iov_base, iov->iov_len);   /* (one buffer: one send) */
    } else
#endif
    {
        rc = httpd__sess_sendv_all(hd, slot->sess, iov, n);
    }
    if (rc != 0) {
        ESP_LOGD(TAG, "send failed (%d)", rc);
        slot->resp.broken = true;
        return ESP_ERR_HTTPD_RESP_SEND;
    }
    return ESP_OK;
}

/* Sends iov[1..n), after a head (with head_build()'s framing) unless framing
 * is NULL; iov[0] is the head's. The errors of head_build() mean that nothing
 * went out. (One caller, but kept out of line all the same: inlined, it makes
 * that caller larger than the two together.) */
SHARED static esp_err_t send_parts(struct slot *slot, const char *framing, struct iovec *iov, int n GATHER_PARAM)
{
    struct head h;
    h.buf = h.stack;
    if (framing) {
        esp_err_t err = head_build(&h, slot, framing);
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
    esp_err_t err = n ? send_iov(slot, iov, n GATHER(gather)) : ESP_OK;
    if (h.buf != h.stack) {
        free(h.buf);
    }
    return err;
}

/* Sends a whole response (chunk false), or one chunk of a chunked response
 * (buf_len 0: its last), with the head when it has not gone out yet. */
static esp_err_t resp_emit(httpd_req_t *r, const char *buf, size_t len, bool chunk)
{
    esp_err_t err;
    struct slot *slot = SLOT(r);
    struct slot_resp *resp = &slot->resp;
    /* 1xx, 204, 304: no framing, no body (RFC 9110 8.6, 15.3.5, 15.4.5) */
    bool bare = no_content(resp->status);
    if (bare && len) {
        ESP_LOGW(TAG, "%.3s response: its %u body bytes are not sent", resp->status, (unsigned)len);
    }
    bool body = r->method != HTTP_HEAD && !bare;
    struct iovec iov[4], *v = iov + 1;   /* iov[0]: the head, when it goes too */
    char line[40];   /* "\r\nContent-Length: N", or a chunk's "<hex>\r\n" */
    char *end = line + sizeof line - 2;   /* the NUL of the value, or the "\r\n" of a chunk */
    end[0] = chunk ? '\r' : '\0';
    end[1] = '\n';
    char *digits = fmt_uint(end, len, chunk ? 16 : 10);
    memcpy(digits - 18, "\r\nContent-Length: ", 18);   /* (a chunk leaves it unused) */
    const char *framing = digits - 18;
    /* A chunk's data goes between its size line and "\r\n"; HTTP/1.0 has no
     * chunked coding: there the body goes unframed and the close ends it. */
    bool framed = chunk && slot->rq.version_minor != 0;
    if (chunk) {
        if (!framed && !bare) {
            resp->close_after = true;
        }
        framing = NULL;   /* no head: it went out with the first chunk */
        if (!resp->chunk_head_sent) {
            framing = framed ? "\r\nTransfer-Encoding: chunked" : "";
        }
    }
    if (bare && framing) {
        framing = NO_CONTENT;   /* a status without content has no framing */
    }
    if (body) {
        if (framed) {
            v->iov_base = digits;
            v->iov_len = (size_t)(end + 2 - digits);
            v++;
        }
        if (len) {
            v->iov_base = (void *)buf;
            v->iov_len = len;
            v++;
        }
        if (framed) {
            v->iov_base = end;
            v->iov_len = 2;
            v++;
        }
    }
    /* (a chunk with data may gather; the last one takes what is held along) */
    err = send_parts(slot, framing, iov, (int)(v - iov) GATHER(chunk && len));
    if (chunk) {
        if (err != ESP_OK && err != ESP_ERR_HTTPD_RESP_SEND) {
            return err;   /* no head could be built: nothing went out */
        }
        resp->chunk_head_sent = true;
        if (len == 0) {
            resp->chunk_term_sent = true;
        }
    }
    return err;
}

/* resp_emit() after the argument checks. */
static esp_err_t resp_out(httpd_req_t *r, const char *buf, ssize_t buf_len, bool chunk)
{
    esp_err_t err = resp_args(r, buf, &buf_len);
    return err != ESP_OK ? err : resp_emit(r, buf, (size_t)buf_len, chunk);
}

#if HTTPD_SPEED
/* The usual whole response, in a fast build: the default status line, no
 * header added, an HTTP/1.1 connection that stays open, a body (not HEAD).
 * Its head is "HTTP/1.1 200 OK", Content-Type, Content-Length and the blank
 * line, as head_build() makes it, written here without the general path's
 * cases; a body that fits goes in the same buffer, one send. Returns false,
 * having done nothing, for any other response. */
#if defined(PORT_TIGHT_STACK) && PORT_TIGHT_STACK
__attribute__((noinline))   /* its head buffer is off the stack before the general path runs */
#else
__attribute__((always_inline)) inline   /* in its one caller: no call, no second frame */
#endif
static bool resp_send_plain(struct slot *slot, const char *buf, size_t len, esp_err_t *err)
{
    static const char LINE1[] = "HTTP/1.1 200 OK\r\nContent-Type: ";
    static const char CL[] = "\r\nContent-Length: ";
    const struct slot_resp *resp = &slot->resp;
    if (resp->status != STATUS_200 || resp->n_hdrs || resp->user_conn_hdr || resp->close_after ||
        resp->chunk_head_sent || slot->rq.req.method == HTTP_HEAD || slot->rq.version_minor == 0 ||
        slot->rq.expect_continue) {
        return false;
    }
    size_t tlen = resp->type_len;
    /* the length's digits and the blank line, to be copied as 24 bytes
     * (constant: no call), of which the first dlen + 4 count */
    char tail[48] = { 0 };
    memcpy(tail + 24, "\r\n\r\n", 4);
    char *d = fmt_uint(tail + 24, len, 10);
    size_t dlen = (size_t)(tail + 24 - d);
    size_t framed = sizeof LINE1 - 1 + tlen + sizeof CL - 1 + dlen;   /* as head_build() counts it */
    if (framed + 24 > HEAD_STACK || head_over_limit(framed, true, HTTPD_DATA(slot->rq.req.handle)->max_hdr)) {
        return false;   /* (the general path answers it, or refuses it) */
    }
    char head[HEAD_STACK];
    char *p = head;
    memcpy(p, LINE1, sizeof LINE1 - 1);
    p += sizeof LINE1 - 1;
    httpd__copy(p, resp->content_type, tlen);
    p += tlen;
    memcpy(p, CL, sizeof CL - 1);
    p += sizeof CL - 1;
    memcpy(p, d, 24);   /* (d is at least 4 bytes into tail: 24 are there) */
    p += dlen + 4;
    struct iovec iov[2] = { { head, (size_t)(p - head) }, { (void *)buf, len } };
    int n = 2;
    if (len <= (size_t)(head + sizeof head - p)) {   /* a small body joins the head: one buffer */
        if (len) {
            httpd__copy(p, buf, len);
        }
        iov[0].iov_len += len;
        n = 1;
    }
    *err = send_iov(slot, iov, n GATHER(false));
    return true;
}
#endif

esp_err_t httpd_resp_send(httpd_req_t *r, const char *buf, ssize_t buf_len)
{
#if HTTPD_SPEED
    esp_err_t err = resp_args(r, buf, &buf_len);
    if (err != ESP_OK) {
        return err;
    }
    if (resp_send_plain(SLOT(r), buf, (size_t)buf_len, &err)) {
        return err;
    }
    return resp_emit(r, buf, (size_t)buf_len, false);   /* (the arguments are checked) */
#else
    return resp_out(r, buf, buf_len, false);
#endif
}

#if HTTPD_SPEED && CONFIG_HTTPD_CHUNK_HOLD_LEN > 0
/* A data chunk of a chunked HTTP/1.1 response under way, in a fast build:
 * straight behind the held output when it fits there, which is what
 * resp_emit() comes to, without its general steps. False, having done
 * nothing, otherwise. */
static bool chunk_hold(struct slot *slot, const char *buf, size_t len)
{
    const struct slot_resp *resp = &slot->resp;
    if (!slot->sess || !resp->chunk_head_sent || resp->chunk_term_sent || slot->rq.version_minor == 0 ||
        slot->rq.req.method == HTTP_HEAD || no_content(resp->status)) {
        return false;
    }
    char line[24];   /* "<hex>\r\n", then the "\r\n" after the data */
    char *end = line + sizeof line - 2;
    end[0] = '\r';
    end[1] = '\n';
    char *digits = fmt_uint(end, len, 16);
    struct iovec iov[3] = {
        { .iov_base = digits, .iov_len = (size_t)(end + 2 - digits) },
        { .iov_base = (void *)buf, .iov_len = len },
        { .iov_base = end, .iov_len = 2 },
    };
    return httpd__sess_hold_chunk(slot, iov, 3);
}
#endif

esp_err_t httpd_resp_send_chunk(httpd_req_t *r, const char *buf, ssize_t buf_len)
{
#if HTTPD_SPEED && CONFIG_HTTPD_CHUNK_HOLD_LEN > 0
    if (r && buf && buf_len > 0 && r->aux && chunk_hold(SLOT(r), buf, (size_t)buf_len)) {
        return ESP_OK;
    }
#endif
    return resp_out(r, buf, buf_len, true);
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
    slot->resp.sent = true;   /* raw bytes: the handler writes its own response */
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
    return httpd_resp_send(req, msg, HTTPD_RESP_USE_STRLEN);   /* NULL: an empty body */
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
    /* a running server only: httpd_stop() cannot free it meanwhile */
    if ((unsigned)error >= HTTPD_ERR_CODE_MAX || !httpd__workq_registry_lock_valid(handle)) {
        return ESP_ERR_INVALID_ARG;
    }
    atomic_store_explicit(&HTTPD_DATA(handle)->err_handlers[error], handler_fn, memory_order_relaxed);
    httpd__workq_registry_unlock();
    return ESP_OK;
}

/* The default 405. RFC 9110 15.5.6: it lists the methods the target has
 * handlers for (routing found them), in enum order. Every method's name fits
 * the buffer, which stays on the stack only for this answer (out of line: the
 * other errors' sends go without it). */
__attribute__((noinline)) static void send_405(httpd_req_t *req)
{
    const struct slot_resp *resp = &SLOT(req)->resp;
    char allow[ALLOW_MAX], *w = allow;   /* "GET, POST, ": the last ", " is cut */
    for (unsigned i = 0; i <= HTTP_UNLINK; i++) {
        if ((resp->allow[i / 32] >> (i % 32)) & 1u) {
            w = stpcpy(w, httpd__method_name((int)i));
            memcpy(w, ", ", 2);
            w += 2;
        }
    }
    if (w != allow) {
        w[-2] = '\0';
        httpd_resp_set_hdr(req, "Allow", allow);
    }
    httpd_resp_send_err(req, HTTPD_405_METHOD_NOT_ALLOWED, NULL);
}

esp_err_t httpd_req_handle_err(httpd_req_t *req, httpd_err_code_t error)
{
    if (!req || !req->aux || (unsigned)error >= HTTPD_ERR_CODE_MAX) {
        return ESP_FAIL;
    }
    httpd_err_handler_func_t fn = atomic_load_explicit(&HTTPD_DATA(req->handle)->err_handlers[error], memory_order_relaxed);
    if (fn) {
        esp_err_t ret = fn(req, error);
        return (ret == ESP_OK && error != HTTPD_500_INTERNAL_SERVER_ERROR) ? ESP_OK : ESP_FAIL;
    }
    SLOT(req)->resp.close_after = true;   /* the default response is followed by a close */
    if (error == HTTPD_405_METHOD_NOT_ALLOWED) {
        send_405(req);
    } else {
        httpd_resp_send_err(req, error, NULL);
    }
    return ESP_FAIL;
}
