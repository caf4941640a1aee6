/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request a handler sees: setup from a parsed head, body reading
 * (Content-Length or chunked, decoded in place), draining what the handler
 * left unread, and the httpd_req_* accessors.
 */
#include "httpd_priv.h"
#include "query.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *TAG = "httpd_req";

static const char CONTINUE_100[] = "HTTP/1.1 100 Continue\r\n\r\n";

/* Response state of a new request: defaults, nothing sent yet. */
static void resp_reset(struct httpd_req_aux *aux)
{
    aux->status = HTTPD_200;
    aux->content_type = HTTPD_TYPE_TEXT;
    aux->n_resp_hdrs = 0;
    aux->user_conn_hdr = aux->chunk_head_sent = aux->chunk_term_sent = false;
}

void req_setup_bare(struct httpd_data *hd, struct httpd_req_aux *aux, int method)
{
    httpd_req_t *r = &aux->req;
    memset(r, 0, sizeof *r);
    r->handle = hd;
    r->method = method;
    r->aux = aux;
    r->sess_ctx = aux->sess->ctx;
    r->free_ctx = aux->sess->free_ctx;
    r->ignore_sess_ctx_changes = aux->sess->ignore_sess_ctx_changes;
    aux->hdrs = NULL;
    aux->hdrs_len = 0;
    aux->hdrs_raw = false;
    aux->version_minor = 1;
    aux->chunked = false;
    aux->body_left = 0;
    aux->body_done = true;
    aux->expect_continue = aux->continue_sent = false;
    resp_reset(aux);
    aux->close_after = aux->broken = false;
}

void req_setup(struct httpd_data *hd, struct httpd_req_aux *aux)
{
    const http_parser_t *p = &aux->parser;
    struct httpd_sess *s = aux->sess;
    httpd_req_t *r = &aux->req;

    r->handle = hd;
    r->method = p->method;
    r->aux = aux;
    r->user_ctx = NULL;
    r->sess_ctx = s->ctx;
    r->free_ctx = s->free_ctx;
    r->ignore_sess_ctx_changes = s->ignore_sess_ctx_changes;
    memcpy((char *)r->uri, aux->buf + p->target_off, p->target_len);   /* parser bounds it */
    ((char *)r->uri)[p->target_len] = '\0';
    aux->path_off = p->path_off - p->target_off;
    aux->path_len = p->path_len;

    aux->hdrs = aux->buf + p->hdr_off;
    aux->hdrs_len = p->hdr_len;
    aux->hdrs_raw = true;   /* most handlers read no header: compact on demand */
    aux->head_len = p->head_len;
    aux->raw_rd = aux->dec_rd = aux->dec_wr = p->head_len;
    aux->version_minor = p->version_minor;

    aux->chunked = (p->flags & HTTP_F_CHUNKED) != 0;
    aux->body_left = (p->flags & HTTP_F_CONTENT_LENGTH) ? p->content_length : 0;
    r->content_len = (size_t)aux->body_left;
    aux->body_done = !aux->chunked;
    if (aux->chunked) {
        http_chunked_init(&aux->chunk);
    }
    /* RFC 9110 10.1.1: an HTTP/1.0 client's expectation is ignored. */
    aux->expect_continue = (p->flags & HTTP_F_EXPECT_CONTINUE) && p->version_minor == 1 &&
                           !req_body_complete(aux);
    aux->continue_sent = false;

    resp_reset(aux);
    aux->broken = false;
    /* RFC 9112 6.1: Transfer-Encoding in an HTTP/1.0 message means its framing
     * cannot be trusted: serve it, then close. */
    aux->close_after = (p->flags & HTTP_F_CONN_CLOSE) ||
                       (p->version_minor == 0 && (!(p->flags & HTTP_F_CONN_KEEP_ALIVE) || aux->chunked));
}

bool req_body_complete(const struct httpd_req_aux *aux)
{
    return aux->chunked ? aux->body_done : aux->body_left == 0;
}

/* Runs the chunked decoder over the raw window once; decoded data is moved
 * to dec_wr when keep is true, dropped otherwise. 1 progress, 0 needs bytes, -1 bad. */
static int chunk_step(struct httpd_req_aux *aux, bool keep)
{
    if (aux->raw_rd == aux->len) {
        return 0;
    }
    size_t off = 0, dlen = 0;
    ssize_t used = http_chunked_decode(&aux->chunk, aux->buf + aux->raw_rd, aux->len - aux->raw_rd, &off, &dlen);
    if (used < 0) {
        ESP_LOGD(TAG, "malformed chunked body");
        return -1;
    }
    if (keep && dlen) {
        memmove(aux->buf + aux->dec_wr, aux->buf + aux->raw_rd + off, dlen);
        aux->dec_wr += dlen;
    }
    aux->raw_rd += (size_t)used;
    if (http_chunked_done(&aux->chunk)) {
        aux->body_done = true;
    }
    return used > 0 ? 1 : 0;
}

static int recv_chunked(struct httpd_data *hd, struct httpd_req_aux *aux, char *buf, size_t buf_len)
{
    for (;;) {
        if (aux->dec_rd < aux->dec_wr) {
            size_t n = aux->dec_wr - aux->dec_rd;
            if (n > buf_len) {
                n = buf_len;
            }
            memcpy(buf, aux->buf + aux->dec_rd, n);
            aux->dec_rd += n;
            return (int)n;
        }
        aux->dec_rd = aux->dec_wr = aux->head_len;   /* decoded window empty: rewind it */
        if (aux->body_done) {
            return 0;
        }
        int st = chunk_step(aux, true);
        if (st < 0) {
            aux->broken = true;
            return HTTPD_SOCK_ERR_FAIL;
        }
        if (st > 0) {
            continue;
        }
        /* Need bytes: slide the undecoded rest down to the window start. */
        size_t rest = aux->len - aux->raw_rd;
        memmove(aux->buf + aux->dec_wr, aux->buf + aux->raw_rd, rest);
        aux->raw_rd = aux->dec_wr;
        aux->len = aux->raw_rd + rest;
        if (aux->len == aux->cap) {
            aux->broken = true;           /* a framing line longer than the window */
            return HTTPD_SOCK_ERR_FAIL;
        }
        int n = sess_recv_wait(hd, aux->sess, aux->buf + aux->len, aux->cap - aux->len, 0);
        if (n <= 0) {
            if (n != HTTPD_SOCK_ERR_TIMEOUT) {
                aux->broken = true;
            }
            return n == 0 ? HTTPD_SOCK_ERR_FAIL : n;
        }
        aux->len += (size_t)n;
    }
}

int httpd_req_recv(httpd_req_t *r, char *buf, size_t buf_len)
{
    if (!r || !buf) {
        return HTTPD_SOCK_ERR_INVALID;
    }
    struct httpd_req_aux *aux = HTTPD_AUX(r);
    if (!aux || !aux->sess) {
        return HTTPD_SOCK_ERR_INVALID;
    }
    if (buf_len == 0 || (req_body_complete(aux) && aux->dec_rd == aux->dec_wr)) {
        return 0;
    }
    struct httpd_data *hd = HTTPD_DATA(r->handle);
    if (aux->expect_continue && !aux->continue_sent) {
        struct iovec iov = { .iov_base = (void *)CONTINUE_100, .iov_len = sizeof CONTINUE_100 - 1 };
        aux->continue_sent = true;
        if (sess_sendv_all(hd, aux->sess, &iov, 1) != 0) {
            aux->broken = true;
            return HTTPD_SOCK_ERR_FAIL;
        }
    }
    if (aux->chunked) {
        return recv_chunked(hd, aux, buf, buf_len);
    }
    size_t want = buf_len < aux->body_left ? buf_len : (size_t)aux->body_left;
    size_t avail = aux->len - aux->raw_rd;
    if (avail) {
        size_t n = avail < want ? avail : want;
        memcpy(buf, aux->buf + aux->raw_rd, n);
        aux->raw_rd += n;
        aux->body_left -= n;
        return (int)n;
    }
    if (want > INT32_MAX) {
        want = INT32_MAX;
    }
    int n = sess_recv_wait(hd, aux->sess, buf, want, 0);
    if (n > 0) {
        aux->body_left -= (size_t)n;
        return n;
    }
    if (n != HTTPD_SOCK_ERR_TIMEOUT) {
        aux->broken = true;               /* peer closed before the body ended, or error */
        return n == 0 ? HTTPD_SOCK_ERR_FAIL : n;
    }
    return n;
}

int req_drain(struct httpd_data *hd, struct httpd_req_aux *aux, bool from_socket)
{
    struct httpd_sess *s = aux->sess;
    /* The handler is done: the head is no longer needed, the whole buffer is scratch. */
    for (;;) {
        if (aux->chunked) {
            if (aux->body_done) {
                return 1;
            }
            int st = chunk_step(aux, false);
            if (st < 0) {
                return -1;
            }
            if (st > 0) {
                continue;
            }
        } else {
            size_t avail = aux->len - aux->raw_rd;
            size_t take = avail < aux->body_left ? avail : (size_t)aux->body_left;
            aux->raw_rd += take;
            aux->body_left -= take;
            if (aux->body_left == 0) {
                return 1;
            }
        }
        if (!from_socket) {
            return 0;
        }
        size_t rest = aux->len - aux->raw_rd;
        memmove(aux->buf, aux->buf + aux->raw_rd, rest);
        aux->raw_rd = 0;
        aux->len = rest;
        aux->head_len = aux->dec_rd = aux->dec_wr = 0;
        if (aux->len == aux->cap) {
            return -1;
        }
        size_t room = aux->cap - aux->len;
        if (!aux->chunked && room > aux->body_left) {
            room = (size_t)aux->body_left;   /* never read into the next request */
        }
        int n = s->recv_fn(hd, s->fd, aux->buf + aux->len, room, 0);
        if (n == HTTPD_SOCK_ERR_TIMEOUT) {
            return 0;
        }
        if (n <= 0) {
            return -1;
        }
#if CONFIG_HTTPD_LOG_PURGE_DATA
        ESP_LOGD(TAG, "discarding %d body bytes", n);
#endif
        aux->len += (size_t)n;
    }
}

static void hdrs_compact(struct httpd_req_aux *aux)
{
    if (aux->hdrs_raw) {
        aux->hdrs_len = http_headers_compact(aux->hdrs, aux->hdrs_len, NULL);
        aux->hdrs_raw = false;
    }
}

bool req_find_hdr(struct httpd_req_aux *aux, const char *field, const char **val, size_t *len)
{
    if (!aux || !aux->hdrs) {
        return false;
    }
    hdrs_compact(aux);
    return http_header_find(aux->hdrs, aux->hdrs_len, field, val, len);
}

/* ---- Accessors -------------------------------------------------------------------- */

int httpd_req_to_sockfd(httpd_req_t *r)
{
    if (!r || !r->aux || !HTTPD_AUX(r)->sess) {
        return -1;
    }
    return HTTPD_AUX(r)->sess->fd;
}

static bool find_hdr(httpd_req_t *r, const char *field, const char **val, size_t *len)
{
    struct httpd_req_aux *aux = HTTPD_AUX(r);
    return req_find_hdr(aux, field, val, len);
}

size_t httpd_req_get_hdr_value_len(httpd_req_t *r, const char *field)
{
    const char *v;
    size_t len;
    if (!r || !field || !find_hdr(r, field, &v, &len)) {
        return 0;
    }
    return len;
}

esp_err_t httpd_req_get_hdr_value_str(httpd_req_t *r, const char *field, char *val, size_t val_size)
{
    if (!r || !field || !val || !val_size) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!r->aux) {
        return ESP_ERR_HTTPD_INVALID_REQ;
    }
    const char *v;
    size_t len;
    if (!find_hdr(r, field, &v, &len)) {
        return ESP_ERR_NOT_FOUND;
    }
    size_t n = len < val_size - 1 ? len : val_size - 1;
    memcpy(val, v, n);
    val[n] = '\0';
    return n < len ? ESP_ERR_HTTPD_RESULT_TRUNC : ESP_OK;
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

/* Query string of r->uri: after '?', up to '#' or the end. */
static bool find_query(const httpd_req_t *r, const char **q, size_t *len)
{
    const char *qm = strchr(r->uri, '?');
    if (!qm) {
        return false;
    }
    *q = qm + 1;
    const char *hash = strchr(*q, '#');
    *len = hash ? (size_t)(hash - *q) : strlen(*q);
    return true;
}

size_t httpd_req_get_url_query_len(httpd_req_t *r)
{
    const char *q;
    size_t len;
    if (!r || !find_query(r, &q, &len)) {
        return 0;
    }
    return len;
}

esp_err_t httpd_req_get_url_query_str_ptr(httpd_req_t *r, const char **buf, size_t *buf_len)
{
    if (!r || !buf || !buf_len) {
        return ESP_ERR_INVALID_ARG;
    }
    if (r->uri[0] == '\0') {
        return ESP_FAIL;
    }
    return find_query(r, buf, buf_len) ? ESP_OK : ESP_ERR_NOT_FOUND;
}

esp_err_t httpd_req_get_url_query_str(httpd_req_t *r, char *buf, size_t buf_len)
{
    if (!r || !buf || !buf_len) {
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
    if (!find_hdr(req, "Cookie", &hdr, &hlen) || !httpd_cookie_find(hdr, hlen, cookie_name, &v, &vlen)) {
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
    return (req && req->aux) ? HTTPD_AUX(req)->head_len : 0;
}

esp_err_t httpd_get_raw_req_data(httpd_req_t *req, char *buf, size_t buf_len)
{
    if (!req || !req->aux || !buf) {
        return ESP_ERR_INVALID_ARG;
    }
    struct httpd_req_aux *aux = HTTPD_AUX(req);
    if (aux->hdrs) {
        hdrs_compact(aux);   /* the documented form: name\0value\0 pairs */
    }
    size_t n = buf_len < aux->head_len ? buf_len : aux->head_len;
    memcpy(buf, aux->buf, n);
    return ESP_OK;
}

/* ---- Async requests ------------------------------------------------------------- */

esp_err_t httpd_req_async_handler_begin(httpd_req_t *r, httpd_req_t **out)
{
    if (!r || !out || !r->aux || !HTTPD_AUX(r)->sess) {
        return ESP_ERR_INVALID_ARG;
    }
    struct httpd_req_aux *aux = HTTPD_AUX(r);
    if (!aux->in_handler || aux->async) {
        return ESP_ERR_INVALID_ARG;   /* only once, from the handler that owns r */
    }
    struct httpd_data *hd = HTTPD_DATA(r->handle);
    /* Responses held for earlier pipelined requests go before the worker's. */
    aux->sess->cork = false;
    if (sess_flush_held(hd, aux->sess) != 0) {
        aux->broken = true;
        return ESP_FAIL;
    }
    size_t size = sess_slot_size(hd);
    struct httpd_req_aux *copy = malloc(size);
    if (!copy) {
        return ESP_ERR_NO_MEM;
    }
    /* Same layout as a pool slot, so the copy can rejoin the pool later. */
    memcpy(copy, aux, size);
    ptrdiff_t shift = (char *)copy - (char *)aux;
    copy->resp_hdrs = (struct resp_hdr *)((char *)aux->resp_hdrs + shift);
    copy->buf = aux->buf + shift;
    copy->hdrs = aux->hdrs ? aux->hdrs + shift : NULL;
    copy->req.aux = copy;
    copy->next_free = NULL;
    copy->in_handler = false;
    copy->async_fd = aux->sess->fd;
    copy->async_gen = aux->sess->gen;
    aux->async = true;
    atomic_fetch_add(&hd->async_out, 1);   /* httpd_stop() waits for it */
    /* The copy owns the body now; the original must not drain it. */
    aux->body_left = 0;
    aux->body_done = true;
    *out = &copy->req;
    return ESP_OK;
}

esp_err_t httpd_req_async_handler_complete(httpd_req_t *r)
{
    if (!r || !r->aux || !r->handle) {
        return ESP_ERR_INVALID_ARG;
    }
    struct httpd_req_aux *copy = HTTPD_AUX(r);
    struct httpd_data *hd = HTTPD_DATA(r->handle);   /* kept alive by async_out */
    if (copy->chunk_head_sent && !copy->chunk_term_sent && !copy->broken) {
        /* As for synchronous handlers: end a chunked response left open, here
         * on the worker's thread where waiting for the socket is harmless. */
        httpd_resp_send_chunk(r, NULL, 0);
    }
    struct work_item w = { .kind = WORK_ASYNC_DONE, .arg = copy, .fd = copy->async_fd, .gen = copy->async_gen };
    for (;;) {
        if (httpd_work_push(hd, &w) == ESP_OK) {
            return ESP_OK;
        }
        if (atomic_load(&hd->stopping)) {
            sess_async_release(hd, copy);   /* the loop is gone or going: free it here */
            return ESP_OK;
        }
        port_sleep_ms(1);   /* queue full: wait for the loop, as upstream does */
    }
}
