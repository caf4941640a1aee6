/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request a handler sees: setup from a parsed head, body reading
 * (Content-Length or chunked, decoded in place), draining what the handler
 * left unread, and the httpd_req_* accessors.
 */
#include "httpd_priv.h"
#include "query.h"

#include <string.h>

#define TAG "httpd_req"   /* (a macro: one translation unit may hold every file) */

static const char CONTINUE_100[] = "HTTP/1.1 100 Continue\r\n\r\n";

/* A function with several callers that a size-optimised build keeps out of
 * line (a fast build lets the compiler inline it). */
#if HTTPD_SPEED
#define SHARED
#else
#define SHARED __attribute__((noinline))
#endif

/* parse.c answers a Content-Length above 4294967295 with 413, so the body's
 * arithmetic is done in size_t, also on 32-bit targets. */
_Static_assert(SIZE_MAX >= 4294967295u, "a Content-Length must fit size_t");

/* ---- Head ------------------------------------------------------------------------------ */

void httpd__req_reset(struct slot *slot)
{
    struct slot_req *rq = &slot->rq;
    httpd__parser_init(&rq->parser);
    rq->head_len = rq->dec_rd = rq->dec_wr = 0;
    rq->hdrs_len = 0;
    rq->hdrs_raw = false;
    rq->in_handler = false;
    rq->async = false;
}

/* The request's context fields start as the session's. */
SHARED static void req_init(struct httpd_data *hd, struct slot *slot, int method, void *user_ctx)
{
    httpd_req_t *r = &slot->rq.req;
    struct httpd_sess *s = slot->sess;
    r->handle = hd;
    r->method = method;
    r->aux = slot;
    r->user_ctx = user_ctx;
    r->sess_ctx = s->ctx;
    r->free_ctx = s->free_ctx;
    r->ignore_sess_ctx_changes = s->ignore_sess_ctx_changes;
}

void httpd__req_setup_bare(struct httpd_data *hd, struct slot *slot, int method, const char *uri, void *user_ctx)
{
    struct slot_req *rq = &slot->rq;
    httpd_req_t *r = &rq->req;
    req_init(hd, slot, method, user_ctx);
    r->content_len = 0;
#if HTTPD_SPEED
    /* (Only the URI and its terminator: as after req_setup(), the bytes past
     * it are left as they are, unlike strncpy, which writes them all.) */
    size_t ulen = strnlen(uri, sizeof r->uri - 1);
    memcpy((char *)r->uri, uri, ulen);
    ((char *)r->uri)[ulen] = '\0';
#else
    strncpy((char *)r->uri, uri, sizeof r->uri - 1);   /* the smaller call */
    ((char *)r->uri)[sizeof r->uri - 1] = '\0';
#endif
    rq->head_len = 0;
    rq->hdrs_len = 0;   /* no headers: the parser's fields are not looked at */
    rq->hdrs_raw = false;
    rq->version_minor = 1;
    rq->chunked = rq->framing_bad = false;
    rq->body_left = 0;
    rq->body_done = true;
    rq->expect_continue = rq->continue_sent = false;
    httpd__resp_reset(slot, false);
}

/* Rewrites the header block as "name\0value\0" pairs. Most handlers read no
 * header: a fast build does it on the first lookup, a size-optimised one at
 * setup (one call instead of one per accessor). */
static void hdrs_compact(struct slot *slot)
{
    struct slot_req *rq = &slot->rq;
    if (rq->hdrs_raw) {
        rq->hdrs_len = httpd__headers_compact(slot->rx.buf + rq->parser.hdr_off, rq->hdrs_len, NULL);
        rq->hdrs_raw = false;
    }
}

void httpd__req_setup(struct httpd_data *hd, struct slot *slot)
{
    struct slot_req *rq = &slot->rq;
    const http_parser_t *p = &rq->parser;
    httpd_req_t *r = &rq->req;

    req_init(hd, slot, p->method, NULL);
    httpd__copy((char *)r->uri, slot->rx.buf + p->target_off, p->target_len);   /* parser bounds it */
    ((char *)r->uri)[p->target_len] = '\0';

    rq->hdrs_raw = HTTPD_SPEED;   /* compacted on the first lookup, or here */
    rq->hdrs_len = HTTPD_SPEED ? p->hdr_len : httpd__headers_compact(slot->rx.buf + p->hdr_off, p->hdr_len, NULL);
    rq->head_len = p->head_len;
    httpd__rx_take(slot, p->head_len);
    rq->dec_rd = rq->dec_wr = p->head_len;
    /* In locals: the calls below would have the fields read again. */
    unsigned flags = p->flags;
    bool v10 = p->version_minor == 0;
    bool chunked = (flags & HTTP_F_CHUNKED) != 0;
    rq->version_minor = (uint8_t)p->version_minor;
    rq->chunked = chunked;
    rq->framing_bad = false;
    rq->body_left = r->content_len = (flags & HTTP_F_CONTENT_LENGTH) ? (size_t)p->content_length : 0;
    rq->body_done = !chunked;
    /* RFC 9110 10.1.1: an HTTP/1.0 client's expectation is ignored. */
    rq->expect_continue = (flags & HTTP_F_EXPECT_CONTINUE) && !v10 &&
                          (chunked || r->content_len);   /* a body to come */
    rq->continue_sent = false;
    if (!HTTPD_SPEED || chunked) {   /* a size-optimised build spares the test */
        httpd__chunked_init(&rq->chunk);
    }

    /* RFC 9112 6.1: Transfer-Encoding in an HTTP/1.0 message means its framing
     * cannot be trusted: serve it, then close. */
    httpd__resp_reset(slot, (flags & HTTP_F_CONN_CLOSE) || (v10 && (!(flags & HTTP_F_CONN_KEEP_ALIVE) || chunked)));
}

esp_err_t httpd__req_invoke(struct slot *slot, esp_err_t (*fn)(httpd_req_t *r))
{
    slot->rq.in_handler = true;
    esp_err_t ret = fn(&slot->rq.req);
    slot->rq.in_handler = false;
    const httpd_req_t *r = &slot->rq.req;
    const struct httpd_sess *s = slot->sess;
    /* A fast build skips the call when the handler left the context as it was (the usual case). */
    if (!HTTPD_SPEED || r->sess_ctx != s->ctx || r->free_ctx != s->free_ctx ||
        r->ignore_sess_ctx_changes != s->ignore_sess_ctx_changes) {
        httpd__sess_ctx_commit(slot->sess, &slot->rq.req);
    }
    return ret;
}

/* ---- Body ------------------------------------------------------------------------------ */

/* Runs the chunked decoder over the unread bytes once; decoded data is moved
 * to dec_wr when keep is true, dropped otherwise. 1 progress, 0 needs bytes, -1 bad. */
static int body_chunk_step(struct slot *slot, bool keep)
{
    struct slot_req *rq = &slot->rq;
    if (slot->rx.rd == slot->rx.len) {
        return 0;
    }
    size_t off, dlen;   /* set by every call */
    const char *raw = slot->rx.buf + slot->rx.rd;
    ssize_t used = httpd__chunked_decode(&rq->chunk, raw, slot->rx.len - slot->rx.rd, &off, &dlen);
    if (used < 0) {
        ESP_LOGD(TAG, "malformed chunked body");
        rq->framing_bad = true;   /* answered with 400 if no response has started (conn.c) */
        return -1;
    }
    if (keep) {
        memmove(slot->rx.buf + rq->dec_wr, raw + off, dlen);
        rq->dec_wr += dlen;
    }
    httpd__rx_take(slot, (size_t)used);
    rq->body_done = httpd__chunked_done(&rq->chunk);   /* callers step only while it is false */
    return used > 0 ? 1 : 0;
}

/* A body read failed: the stream is out of step unless it merely timed out. */
static int body_failed(struct slot *slot, int n)
{
    if (n != HTTPD_SOCK_ERR_TIMEOUT) {
        httpd__resp_set_broken(slot);
    }
    return n == 0 ? HTTPD_SOCK_ERR_FAIL : n;
}

int httpd_req_recv(httpd_req_t *r, char *buf, size_t buf_len)
{
    if (!r || !buf) {
        return HTTPD_SOCK_ERR_INVALID;
    }
    struct slot *slot = SLOT(r);
    if (!slot || !slot->sess) {
        return HTTPD_SOCK_ERR_INVALID;
    }
    struct slot_req *rq = &slot->rq;
    if (buf_len == 0 || (httpd__req_body_complete(slot) && rq->dec_rd == rq->dec_wr)) {
        return 0;
    }
    struct httpd_data *hd = HTTPD_DATA(r->handle);
    int n = HTTPD_SOCK_ERR_FAIL;
    if (rq->expect_continue && !rq->continue_sent) {
        struct iovec iov;
        iov.iov_base = (void *)CONTINUE_100;
        iov.iov_len = sizeof CONTINUE_100 - 1;
        rq->continue_sent = true;
        if (httpd__sess_sendv_all(hd, slot->sess, &iov, 1) != 0) {
            goto fail;
        }
    }
    for (;;) {
        /* Bytes ready: the decoded window (chunked), or the received ones of a Content-Length body. */
        size_t off = rq->dec_rd, avail = rq->dec_wr - rq->dec_rd, max = buf_len;
        if (!rq->chunked) {
            off = slot->rx.rd;
            avail = slot->rx.len - slot->rx.rd;
            max = buf_len < rq->body_left ? buf_len : rq->body_left;
        }
        if (avail) {
            size_t k = avail < max ? avail : max;
            memcpy(buf, slot->rx.buf + off, k);
            if (rq->chunked) {
                rq->dec_rd += k;
            } else {
                httpd__rx_take(slot, k);
                rq->body_left -= k;
            }
            return (int)k;
        }
        if (!rq->chunked) {   /* straight into buf */
            n = httpd__sess_recv_wait(hd, slot->sess, buf, max < INT32_MAX ? max : INT32_MAX, 0);
            if (n > 0) {
                rq->body_left -= (size_t)n;
            }
            break;
        }
        rq->dec_rd = rq->dec_wr = rq->head_len;   /* decoded window empty: rewind it */
        if (rq->body_done) {
            return 0;
        }
        int st = body_chunk_step(slot, true);
        if (st < 0) {
            n = HTTPD_SOCK_ERR_FAIL;
            break;
        }
        if (st == 0) {
            /* Need bytes: the undecoded rest slides down to the decoded window's end. */
            n = httpd__rx_recv(hd, slot, rq->dec_wr, 0, true);
            if (n <= 0) {
                break;
            }
        }
    }
    /* n > 0 only for a Content-Length body: otherwise the peer closed before
     * the body ended, an error, or a time-out. */
    if (n > 0) {
        return n;
    }
fail:
    return body_failed(slot, n);
}

int httpd__req_drain(struct httpd_data *hd, struct slot *slot, bool from_socket)
{
    struct slot_req *rq = &slot->rq;
    if (rq->framing_bad) {
        return -1;   /* the handler's reads found it */
    }
    /* The handler is done: the head is no longer needed, the whole buffer is scratch. */
    for (;;) {
        if (rq->chunked) {
            if (rq->body_done) {
                return 1;
            }
            int st = body_chunk_step(slot, false);
            if (st < 0) {
                return -1;
            }
            if (st > 0) {
                continue;
            }
        } else {
            size_t avail = slot->rx.len - slot->rx.rd;
            size_t take = avail < rq->body_left ? avail : rq->body_left;
            httpd__rx_take(slot, take);
            rq->body_left -= take;
            if (rq->body_left == 0) {
                return 1;
            }
        }
        if (!from_socket) {
            return 0;
        }
        rq->head_len = rq->dec_rd = rq->dec_wr = 0;
        /* never read into the next request: at most body_left (0: as many as
         * fit, for a chunked body, whose body_left is always 0) */
        int n = httpd__rx_recv(hd, slot, 0, rq->body_left, false);
        if (n == HTTPD_SOCK_ERR_TIMEOUT) {
            return 0;
        }
        if (n <= 0) {
            return -1;
        }
#if CONFIG_HTTPD_LOG_PURGE_DATA
        ESP_LOGD(TAG, "discarding %d body bytes", n);
#endif
    }
}

/* ---- Headers ----------------------------------------------------------------------------- */

bool httpd__req_find_hdr(struct slot *slot, const char *field, const char **val, size_t *len)
{
    if (!slot || !slot->rq.hdrs_len) {
        return false;
    }
    if (HTTPD_SPEED) {
        hdrs_compact(slot);
    }
    return httpd__header_find(slot->rx.buf + slot->rq.parser.hdr_off, slot->rq.hdrs_len, field, val, len);
}

/* ---- Accessors -------------------------------------------------------------------- */

int httpd_req_to_sockfd(httpd_req_t *r)
{
    if (!r || !r->aux || !SLOT(r)->sess) {
        return -1;
    }
    return SLOT(r)->sess->fd;
}

static bool find_hdr(httpd_req_t *r, const char *field, const char **val, size_t *len)
{
    return httpd__req_find_hdr(SLOT(r), field, val, len);
}

esp_err_t httpd_req_get_hdr_value_str_ptr(httpd_req_t *r, const char *field, const char **val, size_t *val_len)
{
    if (!r || !field || !val || !val_len) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!r->aux) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    return find_hdr(r, field, val, val_len) ? ESP_OK : ESP_ERR_NOT_FOUND;
}

size_t httpd_req_get_hdr_value_len(httpd_req_t *r, const char *field)
{
    const char *v;
    size_t len;
    return httpd_req_get_hdr_value_str_ptr(r, field, &v, &len) == ESP_OK ? len : 0;
}

esp_err_t httpd_req_get_hdr_value_str(httpd_req_t *r, const char *field, char *val, size_t val_size)
{
    if (!val || !val_size) {
        return ESP_ERR_INVALID_ARG;
    }
    const char *v;
    size_t len;
    esp_err_t err = httpd_req_get_hdr_value_str_ptr(r, field, &v, &len);
    if (err != ESP_OK) {
        return err;
    }
    size_t n = len < val_size - 1 ? len : val_size - 1;
    memcpy(val, v, n);
    val[n] = '\0';
    return n < len ? ESP_ERR_HTTPD_RESULT_TRUNC : ESP_OK;
}

esp_err_t httpd_req_get_url_query_str_ptr(httpd_req_t *r, const char **buf, size_t *buf_len)
{
    if (!r || !buf || !buf_len) {
        return ESP_ERR_INVALID_ARG;
    }
    if (r->uri[0] == '\0') {
        return ESP_FAIL;
    }
    /* After '?', up to '#' or the end. */
    const char *q = strchr(r->uri, '?');
    if (!q) {
        return ESP_ERR_NOT_FOUND;
    }
    *buf = ++q;
    *buf_len = strcspn(q, "#");
    return ESP_OK;
}

size_t httpd_req_get_url_query_len(httpd_req_t *r)
{
    const char *q;
    size_t len;
    return httpd_req_get_url_query_str_ptr(r, &q, &len) == ESP_OK ? len : 0;
}

esp_err_t httpd_req_get_url_query_str(httpd_req_t *r, char *buf, size_t buf_len)
{
    if (!buf || !buf_len) {
        return ESP_ERR_INVALID_ARG;
    }
    const char *q;
    size_t len;
    esp_err_t err = httpd_req_get_url_query_str_ptr(r, &q, &len);
    if (err != ESP_OK) {
        return err;
    }
    if (len >= buf_len) {
        return ESP_ERR_HTTPD_RESULT_TRUNC;   /* buf untouched, as upstream */
    }
    memcpy(buf, q, len);
    buf[len] = '\0';
    return ESP_OK;
}

esp_err_t httpd_req_get_cookie_val(httpd_req_t *req, const char *cookie_name, char *val, size_t *val_size)
{
    if (!req || !cookie_name || !val || !val_size || !*cookie_name) {
        return ESP_ERR_INVALID_ARG;
    }
    const char *hdr, *v;
    size_t hlen, vlen;
    if (!find_hdr(req, "Cookie", &hdr, &hlen) || !httpd__cookie_find(hdr, hlen, cookie_name, &v, &vlen)) {
        return ESP_ERR_NOT_FOUND;
    }
    if (vlen + 1 > *val_size) {
        *val_size = vlen + 1;
        return ESP_ERR_HTTPD_RESULT_TRUNC;
    }
    memcpy(val, v, vlen);
    val[vlen] = '\0';
    *val_size = vlen + 1;
    return ESP_OK;
}

size_t httpd_get_raw_req_data_len(httpd_req_t *req)
{
    return (req && req->aux) ? SLOT(req)->rq.head_len : 0;
}

esp_err_t httpd_get_raw_req_data(httpd_req_t *req, char *buf, size_t buf_len)
{
    if (!req || !req->aux || !buf) {
        return ESP_ERR_INVALID_ARG;
    }
    struct slot *slot = SLOT(req);
    if (HTTPD_SPEED) {
        hdrs_compact(slot);   /* the documented form: name\0value\0 pairs */
    }
    size_t n = buf_len < slot->rq.head_len ? buf_len : slot->rq.head_len;
    memcpy(buf, slot->rx.buf, n);
    return ESP_OK;
}

/* ---- Async requests ------------------------------------------------------------- */

esp_err_t httpd_req_async_handler_begin(httpd_req_t *r, httpd_req_t **out)
{
    struct slot *slot = r ? SLOT(r) : NULL;
    /* Only once, from the handler that owns r. */
    if (!out || !slot || !slot->sess || !slot->rq.in_handler || slot->rq.async) {
        return ESP_ERR_INVALID_ARG;
    }
    struct httpd_data *hd = HTTPD_DATA(r->handle);
    /* Responses held for earlier pipelined requests go before the worker's. */
    if (httpd__sess_uncork(hd, slot->sess) != 0) {
        httpd__resp_set_broken(slot);
        return ESP_FAIL;
    }
    struct slot *copy = httpd__slot_clone(hd, slot);
    if (!copy) {
        return ESP_ERR_NO_MEM;
    }
    copy->rq.req.aux = copy;
    copy->rq.in_handler = false;
    copy->rq.async_fd = slot->sess->fd;
    copy->rq.async_gen = slot->sess->gen;
    slot->rq.async = true;
    /* The copy owns the body now; the original must not drain it. */
    slot->rq.body_left = 0;
    slot->rq.body_done = true;
    *out = &copy->rq.req;
    return ESP_OK;
}

esp_err_t httpd_req_async_handler_complete(httpd_req_t *r)
{
    if (!r || !r->aux || !r->handle) {
        return ESP_ERR_INVALID_ARG;
    }
    struct slot *copy = SLOT(r);
    struct httpd_data *hd = HTTPD_DATA(r->handle);   /* kept alive by async_out */
    if (copy->resp.chunk_head_sent && !copy->resp.chunk_term_sent && !copy->resp.broken) {
        /* As for synchronous handlers: end a chunked response left open, here
         * on the worker's thread where waiting for the socket is harmless. */
        httpd_resp_send_chunk(r, NULL, 0);
    }
    struct work_item w = { .kind = WORK_ASYNC_DONE, .arg = copy, .fd = copy->rq.async_fd, .gen = copy->rq.async_gen };
    while (httpd__workq_push(hd, &w) != ESP_OK) {
        if (httpd__workq_stopping(hd)) {
            httpd__slot_clone_free(hd, copy);   /* the loop is gone or going: free it here */
            break;
        }
        httpd__port_sleep_ms(1);   /* queue full: wait for the loop, as upstream does */
    }
    return ESP_OK;
}
