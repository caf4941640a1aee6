/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WebSocket (RFC 6455): the upgrade handshake, frame reception with the
 * protocol checks upstream leaves out (masking, RSV bits, opcodes, control
 * frame rules, UTF-8, sizes), automatic PING/CLOSE replies, and the
 * httpd_ws_* API. Sends from other threads go through the server thread, so
 * frames never interleave on the wire.
 */
#include "httpd_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A payload the server accepts fits size_t, so what is left of it is counted in one. */
_Static_assert((unsigned long long)CONFIG_HTTPD_WS_MAX_PAYLOAD <= (unsigned long long)SIZE_MAX,
               "CONFIG_HTTPD_WS_MAX_PAYLOAD must fit size_t");

#define TAG "httpd_ws"   /* (a macro: one translation unit may hold every file) */

#define WS_KEY_LEN 24   /* base64 of 16 bytes */

/* ---- Helpers -------------------------------------------------------------------- */

/* True when the comma/space separated list contains token (case-sensitive, as
 * subprotocol names are; token is not empty). Matched as the list is read: no
 * calls, so the loop stays in scratch registers. */
static bool list_has(const char *list, size_t len, const char *token)
{
    static const char missed[] = "\1";   /* an item that differs: no field value byte is \1, so it stays missed */
    const char *t = token;   /* the rest of token the current item must match */
    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)list[i] : ',';
        if (c == ',' || c <= ' ') {   /* SP, HTAB: a field value has no other byte below SP */
            if (*t == '\0') {
                return true;
            }
            t = token;
        } else {
            t = (unsigned char)*t == c ? t + 1 : missed;   /* c is no NUL: past the end, missed */
        }
    }
    return false;
}

#define WS_SMALL_FRAME 118   /* bytes of payload sent in one buffer with the frame's header */

/* No frame may follow: a close went out, or a send failed. Other threads see
 * the session as HTTP from now on (httpd_ws_get_fd_info). */
static void ws_mark_closing(struct httpd_sess *s)
{
    s->ws_closing = true;
    httpd__sess_show(s, CLIENT_HTTP);
}

/* Sends one frame: from the session's own handler or an async worker,
 * waiting as any send does (queue false); from the loop or another session's
 * handler, without waiting (queue true: what the socket does not take at once
 * waits on the session, see "Queued output" in session.c). A failed send may
 * have cut the frame: no frame may follow it. */
static esp_err_t ws_send_raw(struct httpd_data *hd, struct httpd_sess *s, uint8_t opcode, bool fin,
                             const uint8_t *payload, size_t len, bool queue)
{
#if HTTPD_SPEED
    /* A small frame leaves as one buffer: a plain send(), which costs the
     * kernel less than a sendmsg() of two pieces. */
    uint8_t head[10 + WS_SMALL_FRAME];
#else
    uint8_t head[10];
#endif
    size_t hl = httpd__ws_build_frame_header(head, fin, opcode, len);
    struct iovec iov[2] = {
        { .iov_base = head, .iov_len = hl },
        { .iov_base = (void *)payload, .iov_len = len },
    };
    int n = 2;
#if HTTPD_SPEED
    if (len <= WS_SMALL_FRAME) {
        if (len) {
            memcpy(head + hl, payload, len);
        }
        iov[0].iov_len += len;
        n = 1;
    }
#endif
    esp_err_t err = queue ? httpd__sess_queue_sendv(hd, s, iov, n)
                          : httpd__sess_sendv_all(hd, s, iov, n) == 0 ? ESP_OK : ESP_FAIL;
    if (err == ESP_FAIL) {
        ws_mark_closing(s);
        if (queue) {
            httpd__sess_close_by_id(hd, s->fd, s->gen);   /* the loop's own: it closes now (or after its job) */
        }
    }
    return err;
}

/* Sends a close frame with code (and no reason), once. */
static void ws_send_close(struct httpd_data *hd, struct httpd_sess *s, uint16_t code)
{
    if (s->ws_closing) {
        return;
    }
    ws_mark_closing(s);
    uint8_t body[2] = { (uint8_t)(code >> 8), (uint8_t)code };
    ws_send_raw(hd, s, WS_OP_CLOSE, true, body, code ? 2 : 0, false);
}

/* ---- Handshake ------------------------------------------------------------------ */

/* The session closes (httpd__sess_close's hook): what the handshake kept goes. */
static void ws_sess_release(struct httpd_sess *s)
{
    free(s->ws_uri);   /* (the fields need no reset: a reopened session starts zeroed) */
}

bool httpd__ws_handshake(struct httpd_data *hd, struct httpd_sess *s, const struct route *rt, bool *keep)
{
    /* conn.c calls this only for "Upgrade: websocket" with "Connection: Upgrade"
     * (it refuses other upgrades before routing), so those are not checked again. */
    struct slot *slot = s->slot;
    httpd_req_t *r = &slot->rq.req;
    if (!rt->f.is_websocket) {
        return false;   /* a plain request: the handler runs as for HTTP */
    }
    *keep = false;
    const char *v, *key;
    size_t v_len, key_len;
    static const char proto_line[] = "\r\nSec-WebSocket-Protocol";   /* + 2: the field's name */
    /* What follows the fixed part of the 101 response: the accept key, the
     * subprotocol line (its value at most WS_SUBPROTO_MAX - 1 characters),
     * the blank line; before that, the key decoded. Small, so the frame is. */
    char tail[28 + sizeof proto_line - 1 + 2 + WS_SUBPROTO_MAX - 1 + 4 + 1];
    const char *err = NULL;
    bool version_hdr = false;   /* RFC 6455 4.2.2: a version problem names the version we speak */
    /* The texts "Missing <field>" hold the field's name too: FIELD(text). */
    static const char no_version[] = "Missing Sec-WebSocket-Version";
    static const char no_key[] = "Missing Sec-WebSocket-Key";
#define FIELD(missing) ((missing) + 8)
    if (r->method != HTTP_GET || slot->rq.version_minor == 0) {
        err = "WebSocket needs GET over HTTP/1.1";
    } else if (!httpd__req_find_hdr(slot, FIELD(no_version), &v, &v_len)) {
        err = no_version;
        version_hdr = true;
    } else if (v_len != 2 || memcmp(v, "13", 2) != 0) {
        err = "WebSocket version not supported";
        version_hdr = true;
    } else if (!httpd__req_find_hdr(slot, FIELD(no_key), &key, &key_len)) {
        err = no_key;
    } else if (key_len != WS_KEY_LEN || httpd__ws_base64_decode(key, key_len, (uint8_t *)tail, 18) != 16) {
        err = "Invalid Sec-WebSocket-Key";
    }
    if (err) {
        if (version_hdr) {
            httpd_resp_set_hdr(r, FIELD(no_version), "13");
        }
        httpd__resp_set_close(slot);
        httpd_resp_send_err(r, HTTPD_400_BAD_REQUEST, err);
        return true;
    }
#if CONFIG_HTTPD_WS_PRE_HANDSHAKE_CB_SUPPORT
    if (rt->f.ws_pre_handshake_cb && rt->f.ws_pre_handshake_cb(r) != ESP_OK) {
        ESP_LOGD(TAG, "fd %d: pre-handshake callback refused", s->fd);
        return true;   /* closed without a response, as upstream */
    }
#endif
    httpd__ws_accept_key(key, key_len, tail);
    const char *offered;
    size_t offered_len;
    bool proto = rt->subprotocol[0] &&
                 httpd__req_find_hdr(slot, proto_line + 2, &offered, &offered_len) &&
                 list_has(offered, offered_len, rt->subprotocol);
    /* (Without the subprotocol, "%.0s" takes its arguments and prints nothing.) */
    int n = 28 + sprintf(tail + 28, proto ? "%s: %s\r\n\r\n" : "%.0s%.0s\r\n\r\n", proto_line, rt->subprotocol);
    static const char head[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Accept: ";
    struct iovec iov[2] = {
        { .iov_base = (void *)head, .iov_len = sizeof head - 1 },
        { .iov_base = tail, .iov_len = (size_t)n },
    };
    if (httpd__sess_sendv_all(hd, s, iov, 2) != 0) {
        return true;
    }
    char *uri = strdup(r->uri);
    if (!uri) {
        return true;
    }
    /* A session does this once (a refused handshake closes it), so its other
     * WebSocket fields still hold the zeroes it was opened with. */
    s->ws_uri = uri;
    s->on_close = ws_sess_release;
    s->ws = true;
    httpd__sess_show(s, CLIENT_WS);
    s->ws_control = rt->f.ws_control;
    s->ws_handler = rt->f.handler;
    s->ws_user_ctx = rt->f.user_ctx;
    ESP_LOGD(TAG, "fd %d: WebSocket open on %s", s->fd, uri);
    *keep = true;
#if CONFIG_HTTPD_WS_POST_HANDSHAKE_CB_SUPPORT
    if (rt->f.ws_post_handshake_cb) {
        httpd__ws_req_setup(hd, s);
        *keep = rt->f.ws_post_handshake_cb(r) == ESP_OK;
    }
#endif
    return true;
}



/* ---- Frame reception ------------------------------------------------------------ */

void httpd__ws_req_setup(struct httpd_data *hd, struct httpd_sess *s)
{
    struct slot *slot = s->slot;
    /* Method 0, as upstream: frame handlers tell themselves from the handshake
     * by method != HTTP_GET. (The handshake set ws_uri before any caller runs.) */
    httpd__req_setup_bare(hd, slot, 0, s->ws_uri, s->ws_user_ctx);
    slot->ws.frame = false;
    slot->ws.fail = 0;
}

/* Makes at least `want` unread bytes available in the slot's window. false:
 * the socket failed, or the peer went away or fell silent (the stream is broken). */
static bool fill(struct httpd_data *hd, struct httpd_sess *s, size_t want)
{
    struct slot *slot = s->slot;
    while (slot->rx.len - slot->rx.rd < want) {
        if (httpd__rx_recv(hd, slot, 0, 0, true) <= 0) {
            httpd__resp_set_broken(slot);
            return false;
        }
    }
    return true;
}

/* Reads len payload bytes of the current frame into dst (NULL: discard),
 * unmasked; validates text. false: the socket failed, or invalid UTF-8 (with
 * slot->ws.fail set). */
static bool read_payload(struct httpd_data *hd, struct httpd_sess *s, uint8_t *dst, size_t len)
{
    struct slot *slot = s->slot;
    while (len) {
        if (!fill(hd, s, 1)) {
            return false;
        }
        size_t n = slot->rx.len - slot->rx.rd;
        if (n > len) {
            n = len;
        }
        uint8_t *src = (uint8_t *)slot->rx.buf + slot->rx.rd;
        /* the mask goes by the payload offset, of which only the two low bits matter */
        httpd__ws_unmask(src, n, slot->ws.hdr.mask, (size_t)slot->ws.hdr.payload_len - slot->ws.left);
        if (slot->ws.text && !httpd__ws_utf8_feed(&s->ws_utf8, src, n)) {
            goto invalid;
        }
        if (dst) {
            memcpy(dst, src, n);
            dst += n;
        }
        httpd__rx_take(slot, n);
        slot->ws.left -= n;
        len -= n;
    }
    if (slot->ws.left == 0 && slot->ws.text && slot->ws.hdr.fin && !httpd__ws_utf8_complete(&s->ws_utf8)) {
        goto invalid;   /* the message ended inside a character */
    }
    return true;

invalid:
    slot->ws.fail = WS_CLOSE_INVALID_DATA;
    return false;
}

/* The code to answer a close frame with: its own (0 when it has none), or
 * the error its payload makes. */
static uint16_t close_reply(const uint8_t *p, size_t len)
{
    if (len == 0) {
        return 0;
    }
    uint16_t code = len >= 2 ? (uint16_t)(p[0] << 8 | p[1]) : 0;   /* one byte: no valid code */
    /* Sendable codes: RFC 6455 7.4.1 plus the IANA registry (1012-1014), and the
     * ranges for libraries (3000-3999) and applications (4000-4999). */
    bool valid = (code - 1000u < 15u && ((0x7F8Fu >> (code - 1000u)) & 1u)) ||   /* 1000-1003, 1007-1014 */
                 code - 3000u < 2000u;
    if (!valid) {
        return WS_CLOSE_PROTOCOL;
    }
    ws_utf8_t v = { 0 };
    if (!httpd__ws_utf8_feed(&v, p + 2, len - 2) || !httpd__ws_utf8_complete(&v)) {
        return WS_CLOSE_INVALID_DATA;
    }
    return code;
}

/* Reads the next frame header into the slot; its payload is then unread.
 * false on a protocol error, with slot->ws.fail the close code it calls for,
 * or when the peer went away or fell silent mid-header (fail stays 0). */
static bool read_header(struct httpd_data *hd, struct httpd_sess *s)
{
    struct slot *slot = s->slot;
    for (;;) {
        int rc = httpd__ws_parse_frame_header((const uint8_t *)slot->rx.buf + slot->rx.rd, slot->rx.len - slot->rx.rd,
                                              CONFIG_HTTPD_WS_MAX_PAYLOAD, &slot->ws.hdr, &slot->ws.fail);
        if (rc == WS_PARSE_OK) {
            httpd__rx_take(slot, slot->ws.hdr.header_len);
            slot->ws.left = (size_t)slot->ws.hdr.payload_len;   /* <= the maximum: bigger is refused */
            return true;
        }
        if (rc == WS_PARSE_ERROR || !fill(hd, s, slot->rx.len - slot->rx.rd + 1)) {
            return false;
        }
    }
}

/* Reads the next frame header and applies the fragmentation rules (RFC 6455
 * 5.4). false: the connection ends, after a close frame with slot->ws.fail
 * where the protocol calls for one (the caller sends it). */
static bool frame_begin(struct httpd_data *hd, struct httpd_sess *s)
{
    struct slot *slot = s->slot;
    const ws_frame_hdr_t *h = &slot->ws.hdr;
    if (!read_header(hd, s)) {
        return false;   /* a protocol error, or the peer is gone or silent mid-header: close */
    }
    slot->ws.frame = true;
    slot->ws.text = false;
    if (h->opcode >= WS_OP_CLOSE) {
        return true;   /* control frames may come between fragments */
    }
    uint8_t msg_op = h->opcode;
    if (msg_op == WS_OP_CONTINUE ? s->ws_msg_op == 0 : s->ws_msg_op != 0) {
        slot->ws.fail = WS_CLOSE_PROTOCOL;
        return false;
    }
    if (msg_op == WS_OP_CONTINUE) {
        msg_op = s->ws_msg_op;
    } else {
        s->ws_utf8 = (ws_utf8_t){ 0 };   /* a new message */
    }
    slot->ws.text = msg_op == WS_OP_TEXT;
    s->ws_msg_op = h->fin ? 0 : msg_op;
    return read_payload(hd, s, NULL, 0);   /* an empty final frame may end a text message inside a character */
}

/* Answers the control frame frame_begin() just took (at most 125 bytes, which
 * the window holds: the handshake's head was larger): PONG to a PING, nothing
 * to a PONG, the close reply to a CLOSE (then false: the connection ends).
 * With `handler`, a CLOSE goes to the handler first, which reads it itself, so
 * it is only copied here. false also when reading or sending fails. */
static bool answer_control(struct httpd_data *hd, struct httpd_sess *s, bool handler)
{
    struct slot *slot = s->slot;
    const ws_frame_hdr_t *h = &slot->ws.hdr;
    uint8_t payload[125];
    size_t len = (size_t)h->payload_len;
    if (!fill(hd, s, len)) {
        return false;
    }
    memcpy(payload, slot->rx.buf + slot->rx.rd, len);
    httpd__ws_unmask(payload, len, h->mask, 0);
    if (handler) {
        httpd__req_invoke(slot, s->ws_handler);
    } else {
        httpd__rx_take(slot, len);   /* read */
        slot->ws.left = 0;
    }
    if (h->opcode == WS_OP_CLOSE) {
        ws_send_close(hd, s, close_reply(payload, len));   /* echoes its code (RFC 6455 5.5.1), unless the handler sent its own */
        return false;
    }
    return h->opcode != WS_OP_PING || ws_send_raw(hd, s, WS_OP_PONG, true, payload, len, false) == ESP_OK;
}

bool httpd__ws_frame_job(struct httpd_data *hd, struct httpd_sess *s)
{
    struct slot *slot = s->slot;
    if (!frame_begin(hd, s)) {
        goto fail;
    }
#if CONFIG_HTTPD_PIPELINE_HOLD_LEN > 0
    /* More input already buffered behind this frame: its answers may wait
     * for the next ones' and leave together, as pipelined responses do (see
     * "Held output" in session.c: flushed before any wait, conn.c ends the
     * holding after the job). */
    s->cork = slot->rx.len - slot->rx.rd > slot->ws.left && httpd__sess_default_transport(s);
#endif
    uint8_t op = slot->ws.hdr.opcode;
    if (op == WS_OP_CLOSE || (op == WS_OP_PING && !s->ws_control)) {
        return answer_control(hd, s, s->ws_control);   /* a CLOSE always, a PING when the handler does not take it */
    }
    /* Data frames (and PONG, and every frame with handle_ws_control_frames): the handler reads it. */
    esp_err_t ret = httpd__req_invoke(slot, s->ws_handler);
    if (!slot->ws.fail) {
        if (ret != ESP_OK) {
            ESP_LOGD(TAG, "fd %d: handler returned %d: closing", s->fd, ret);
            return false;
        }
        if (read_payload(hd, s, NULL, slot->ws.left)) {   /* what it left unread */
            return !s->ws_closing;   /* (a broken stream closes too: conn.c sees it) */
        }
    }
fail:
    if (slot->ws.fail) {
        ESP_LOGD(TAG, "fd %d: protocol error, closing with %u", s->fd, (unsigned)slot->ws.fail);
        ws_send_close(hd, s, slot->ws.fail);
    }
    return false;
}

/* ---- API: receive ----------------------------------------------------------------- */

/* The slot of a frame handler's request whose frame is being read. */
static esp_err_t frame_slot(httpd_req_t *req, const httpd_ws_frame_t *pkt, struct slot **out)
{
    if (!req || !pkt) {
        return ESP_ERR_INVALID_ARG;
    }
    struct slot *slot = SLOT(req);
    if (!slot || !slot->sess || !slot->sess->ws || !slot->ws.frame) {
        return ESP_ERR_INVALID_STATE;
    }
    *out = slot;
    return ESP_OK;
}

/* How recv_any reads: one frame, whole (RECV_FRAME) or as much as fits
 * (RECV_PART), or a whole message, across its fragments (RECV_MSG). */
enum { RECV_FRAME, RECV_PART, RECV_MSG };

static esp_err_t recv_any(httpd_req_t *req, httpd_ws_frame_t *pkt, size_t max_len, int mode)
{
    struct slot *slot;
    esp_err_t err = mode == RECV_MSG && pkt && max_len && !pkt->payload ? ESP_ERR_INVALID_ARG
                                                                        : frame_slot(req, pkt, &slot);
    if (err != ESP_OK) {
        return err;
    }
    struct httpd_data *hd = HTTPD_DATA(req->handle);
    struct httpd_sess *s = slot->sess;
    ws_frame_hdr_t *h = &slot->ws.hdr;
    pkt->final = h->fin;
    pkt->fragmented = false;
    pkt->type = (httpd_ws_type_t)h->opcode;
    bool query = max_len == 0 && mode != RECV_MSG;   /* a length query reads nothing */
    size_t total = query ? (size_t)slot->ws.left : 0;
    while (!query) {
        size_t part = (size_t)slot->ws.left;
        if (total + part > max_len) {
            if (mode == RECV_MSG) {
                slot->ws.fail = WS_CLOSE_TOO_BIG;   /* larger than the handler will take */
            }
            if (mode != RECV_PART) {
                return ESP_ERR_INVALID_SIZE;
            }
            part = max_len;   /* total is 0: one frame */
        }
        if (part && !pkt->payload) {
            return ESP_ERR_INVALID_ARG;
        }
        if (!read_payload(hd, s, pkt->payload + total, part)) {
            return ESP_FAIL;
        }
        total += part;
        if (mode != RECV_MSG || h->opcode >= WS_OP_CLOSE || h->fin) {
            break;
        }
        /* More fragments: take them, answering control frames met on the way
         * (frame_begin() refuses a new data frame inside the message). */
        do {
            if (!frame_begin(hd, s)) {
                slot->ws.left = 0;   /* a refused frame's payload is not for the handler */
                return ESP_FAIL;
            }
            if (h->opcode >= WS_OP_CLOSE && !answer_control(hd, s, false)) {
                return ESP_FAIL;   /* the peer closes in the middle of the message, or a reply failed */
            }
        } while (h->opcode != WS_OP_CONTINUE);
    }
    pkt->final = h->fin;   /* a whole message ends with its final frame */
    pkt->len = total;
    pkt->left_len = (size_t)slot->ws.left;
    return ESP_OK;
}

esp_err_t httpd_ws_recv_frame(httpd_req_t *req, httpd_ws_frame_t *pkt, size_t max_len)
{
    return recv_any(req, pkt, max_len, RECV_FRAME);
}

esp_err_t httpd_ws_recv_frame_part(httpd_req_t *req, httpd_ws_frame_t *pkt, size_t max_len)
{
    return recv_any(req, pkt, max_len, RECV_PART);
}

esp_err_t httpd_ws_recv_msg(httpd_req_t *req, httpd_ws_frame_t *pkt, size_t max_len)
{
    return recv_any(req, pkt, max_len, RECV_MSG);
}

/* ---- API: send ------------------------------------------------------------------ */

/* Sends frame f on s (queue: as ws_send_raw()). */
static esp_err_t send_frame(struct httpd_data *hd, struct httpd_sess *s, const httpd_ws_frame_t *f, bool queue)
{
    if (!s->ws || s->ws_closing) {
        return ESP_ERR_INVALID_STATE;
    }
    if (f->len && !f->payload) {
        return ESP_ERR_INVALID_ARG;
    }
    bool fin = f->fragmented ? f->final : true;
    esp_err_t err = ws_send_raw(hd, s, (uint8_t)f->type, fin, f->payload, f->len, queue);
    if (err == ESP_OK && f->type == HTTPD_WS_TYPE_CLOSE) {
        ws_mark_closing(s);
    }
    return err;
}

esp_err_t httpd_ws_send_frame(httpd_req_t *req, httpd_ws_frame_t *pkt)
{
    if (!req || !pkt || !req->aux || !SLOT(req)->sess) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = send_frame(HTTPD_DATA(req->handle), SLOT(req)->sess, pkt, false);
    if (err == ESP_FAIL) {
        httpd__resp_set_broken(SLOT(req));   /* the connection closes when the request is over */
    }
    return err;
}

/* Server thread: the frame for fd, through the session's queue (which sends
 * straight, waiting, when called from that session's own handler). */
static esp_err_t send_on_server(struct httpd_data *hd, int fd, const httpd_ws_frame_t *frame)
{
    struct httpd_sess *s = httpd__sess_find(hd, fd);
    return s ? send_frame(hd, s, frame, true) : ESP_ERR_INVALID_ARG;
}

/* A send handed to the server thread by another thread (or queued by
 * httpd_ws_send_data_async from any thread). It is pushed as WORK_ALWAYS:
 * run by the loop, or by httpd_stop() if the loop is gone first, so cb is
 * always told the outcome. */
struct ws_send_job {
    struct httpd_data *hd;
    int fd;
    httpd_ws_frame_t frame;   /* copied; the payload is not (until queued) */
    transfer_complete_cb cb;
    void *arg;
};

static void send_wait_done(esp_err_t err, int fd, void *arg);

static void send_job_work(void *arg)
{
    struct ws_send_job *j = arg;
    esp_err_t err = send_on_server(j->hd, j->fd, &j->frame);
    transfer_complete_cb cb = j->cb;
    if (cb) {
        cb(err, j->fd, j->arg);
    }
    if (cb != send_wait_done) {
        free(j);   /* malloc'd; a waiting thread's job is gone once it is told */
    }
}

/* What a thread waiting for its send is told. */
#define SEND_WAITING 1   /* no send's result (ESP_OK, ESP_FAIL, ESP_ERR_*): none yet */
struct ws_send_wait {
    esp_err_t result;   /* SEND_WAITING until told */
    port_mutex_t lock;
    port_cond_t cond;
};

static void send_wait_done(esp_err_t err, int fd, void *arg)
{
    struct ws_send_wait *w = arg;
    (void)fd;
    httpd__port_mutex_lock(&w->lock);
    w->result = err;
    httpd__port_cond_signal(&w->cond);
    httpd__port_mutex_unlock(&w->lock);
}

/* Fills a job and queues it for the server thread: a job for a waiting send
 * (cb send_wait_done: httpd_ws_send_data) lives on this stack and the outcome
 * is waited for here; called on the server thread, that one is not queued
 * but sent at once. Any other job is malloc'd. */
esp_err_t httpd_ws_send_data_async(httpd_handle_t handle, int fd, httpd_ws_frame_t *frame,
                                   transfer_complete_cb cb, void *arg)
{
    if (!handle || !frame) {
        return ESP_ERR_INVALID_ARG;
    }
    bool wait = cb == send_wait_done;
    struct ws_send_wait w;
    struct ws_send_job job, *j = &job;
    if (wait) {
        w.result = SEND_WAITING;
        httpd__port_mutex_init(&w.lock);
        httpd__port_cond_init(&w.cond);
        arg = &w;
    } else if (!(j = malloc(sizeof *j))) {
        return ESP_ERR_NO_MEM;
    }
    j->hd = HTTPD_DATA(handle);
    j->fd = fd;
    j->frame = *frame;
    j->cb = cb;
    j->arg = arg;
    esp_err_t err = ESP_FAIL;   /* the server stopped meanwhile */
    bool here = false;
    if (httpd__workq_registry_lock_valid(handle)) {
        here = wait && httpd__workq_on_server_thread(j->hd);
        err = ESP_OK;
        if (!here) {
            struct work_item wi = { .kind = WORK_ALWAYS, .fn = send_job_work, .arg = j };
            err = httpd__workq_push(j->hd, &wi);   /* the callback runs even if the server stops first */
        }
        httpd__workq_registry_unlock();
    }
    if (here) {
        send_job_work(j);   /* never waits, except in fd's own handler; the waiting thread is told at once */
    }
    if (!wait) {
        if (err != ESP_OK) {
            free(j);
        }
        return err;
    }
    if (err == ESP_OK) {
        httpd__port_mutex_lock(&w.lock);
        while (w.result == SEND_WAITING) {
            httpd__port_cond_wait(&w.cond, &w.lock);
        }
        err = w.result;
        httpd__port_mutex_unlock(&w.lock);
    }
    httpd__port_mutex_destroy(&w.lock);
    httpd__port_cond_destroy(&w.cond);
    return err;
}

/* From the server thread: send now. From any other thread: have the server
 * thread send it between handler steps, and wait for the outcome. */
esp_err_t httpd_ws_send_data(httpd_handle_t handle, int socket, httpd_ws_frame_t *frame)
{
    return httpd_ws_send_data_async(handle, socket, frame, send_wait_done, NULL);
}

/* The same call under upstream's two names. */
#ifdef __APPLE__   /* (Mach-O has no aliases) */
esp_err_t httpd_ws_send_frame_async(httpd_handle_t hd, int fd, httpd_ws_frame_t *frame)
{
    return httpd_ws_send_data(hd, fd, frame);
}
#else
esp_err_t httpd_ws_send_frame_async(httpd_handle_t hd, int fd, httpd_ws_frame_t *frame)
    __attribute__((alias("httpd_ws_send_data")));
#endif

httpd_ws_client_info_t httpd_ws_get_fd_info(httpd_handle_t hd, int fd)
{
    /* Any thread (e.g. a broadcast loop beside the server): what the server thread last showed. */
    return hd ? (httpd_ws_client_info_t)httpd__sess_client_info(HTTPD_DATA(hd), fd) : HTTPD_WS_CLIENT_INVALID;
}
