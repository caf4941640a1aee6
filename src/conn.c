/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One connection's state machine, driven by the loop: gather a head without
 * blocking, run a job for it (the handler, an error response, a WebSocket
 * frame, a flush), then drain the unread body, keep the connection for the
 * next request or linger before closing. Async requests come back here.
 *
 *   IDLE --head--> BUSY (job) --done--> IDLE | DRAIN --> IDLE | LINGER --> closed
 *                       \--async--> ASYNC --copy back--> (as after a job)
 *
 * Everything that may wait on the socket runs as a job: on a coroutine when
 * there is one, so a socket that is not ready suspends only that job; the
 * loop does the rest.
 */
#include "httpd_priv.h"

#include <string.h>
#include <strings.h>

#define TAG "httpd_conn"   /* (a macro: one translation unit may hold every file) */

enum conn_job {
    JOB_REQUEST,        /* route and run the handler (or the 404/405 error handler) */
    JOB_PARSE_ERROR,    /* answer a malformed head (job.err) */
    JOB_HEAD_TIMEOUT,   /* answer a head that did not arrive in time (408) */
    JOB_WS_FRAME,       /* a WebSocket session has bytes: one frame */
    JOB_FLUSH,          /* a pipelined batch ended with responses held: send them */
};

static void process_buffered(struct httpd_data *hd, struct httpd_sess *s);
static inline void job_start(struct httpd_data *hd, struct httpd_sess *s, enum conn_job job, httpd_err_code_t err);

/* ---- After a request --------------------------------------------------------------- */

/* Whether the connection carries on after a request whose job's verdict was
 * `keep`: not when it asked to close, broke the stream, or left a client
 * waiting for 100-continue with its body unread. */
static bool conn_continues(const struct slot *slot, bool keep)
{
    return keep && !slot->resp.close_after && !slot->resp.broken &&
           !(slot->rq.expect_continue && !slot->rq.continue_sent && !httpd__req_body_complete(slot));
}

/* Whether the rest of the request's body is in the window already (a chunked
 * one counts only when its end was seen). */
static bool body_buffered(const struct slot *slot)
{
    return slot->rq.chunked ? slot->rq.body_done : slot->rq.body_left <= slot->rx.len - slot->rx.rd;
}

/* A new head starts at the window's start: no byte of it seen yet. */
static void head_begin(struct slot *slot)
{
    httpd__req_reset(slot);
    slot->job.head_started = false;
}

/* The request is over: its bytes go, pipelined ones move up. (Nothing left:
 * process_buffered(), which every path runs next, releases the empty slot.) */
static void request_done(struct httpd_data *hd, struct httpd_sess *s)
{
    struct slot *slot = s->slot;
    s->lru_counter = ++hd->lru_clock;
    s->served = true;
    httpd__rx_restart(slot);
    /* A fast build leaves a slot that goes back to the pool as it is (the
     * next one taken gets its head_begin() in on_readable_idle()). */
    if (!HTTPD_SPEED || slot->rx.len > 0 || httpd__sess_held(s)) {
        head_begin(slot);
    }
    s->state = SESS_IDLE;
}

/* Drains the unread rest of the body (the buffer, then the socket without
 * waiting). All of it: the request is over. Not yet: the session waits in
 * DRAIN, its inactivity time-out restarted. A broken stream: a session coming
 * from its job lingers (its response may still be on the way), a draining
 * one closes; but when the chunked framing was broken (found here or by the
 * handler's reads) before any byte of a response went out, the client gets a
 * 400 first (the error handler's answer, then the close). */
static void drain(struct httpd_data *hd, struct httpd_sess *s)
{
#if HTTPD_SPEED
    /* the usual request has no body left: nothing to drain, no call */
    const struct slot_req *rq = &s->slot->rq;
    int r = !rq->framing_bad && !rq->chunked && rq->body_left == 0 ? 1 : httpd__req_drain(hd, s->slot, true);
#else
    int r = httpd__req_drain(hd, s->slot, true);
#endif
    /* Draining on: the inactivity time-out restarts. Otherwise it goes
     * (closing or lingering would clear or replace it too). */
#if HTTPD_SPEED
    if (r != 0) {
        httpd__loop_timer_pause(hd, s);   /* in line: usually nothing, or the paused idle one */
    } else
#endif
    httpd__loop_timer_set(hd, s, r == 0 ? TIMER_RECV : TIMER_NONE);
    if (r == 0) {
        s->state = SESS_DRAIN;
    } else if (r > 0) {
        request_done(hd, s);
    } else if (s->slot->rq.framing_bad && !s->slot->resp.sent) {
        job_start(hd, s, JOB_PARSE_ERROR, HTTPD_400_BAD_REQUEST);
    } else if (s->state == SESS_DRAIN) {
        httpd__sess_close(hd, s);
    } else {
        httpd__sess_linger(hd, s);
    }
}

/* After the job: keep the connection for the next request, or close it
 * (broken framing goes to drain() for its answer). */
static void finish_request(struct httpd_data *hd, struct httpd_sess *s, bool keep)
{
    if (!conn_continues(s->slot, keep) && !s->slot->rq.framing_bad) {
        httpd__sess_linger(hd, s);
        return;
    }
    drain(hd, s);
}

/* ---- Jobs ------------------------------------------------------------------------------ */

/* An error job, or a request no handler takes: the error handler answers
 * (slot->job.err). Whether to keep the connection: not after a malformed head
 * (the rest of the stream cannot be delimited); a custom 408 handler may keep
 * waiting for the head (upstream retries the read); 404/405 leave the stream
 * in sync, so a custom handler may keep it. */
static bool serve_error(struct slot *slot)
{
    return httpd_req_handle_err(&slot->rq.req, (httpd_err_code_t)slot->job.err) == ESP_OK &&
           (slot->job.kind == JOB_HEAD_TIMEOUT || (slot->job.kind == JOB_REQUEST && !slot->resp.broken));
}

/* A request job: route, then the WebSocket handshake, the handler, or the 404/405
 * error handler. Returns whether to keep the connection. */
static bool serve_request(struct httpd_data *hd, struct httpd_sess *s)
{
    struct slot *slot = s->slot;
    httpd_req_t *r = &slot->rq.req;
    unsigned both = HTTP_F_UPGRADE | HTTP_F_CONN_UPGRADE;
    bool upgrade = (slot->rq.parser.flags & both) == both;
    bool ws_upgrade = false;
#if CONFIG_HTTPD_WS_SUPPORT
    const char *upg;
    size_t upg_len;
    ws_upgrade = upgrade && httpd__req_find_hdr(slot, "Upgrade", &upg, &upg_len) && upg_len == 9 &&
                 strncasecmp(upg, "websocket", 9) == 0;
#endif
    int code = HTTPD_400_BAD_REQUEST;
    struct route rt;
    rt.f.handler = NULL;
    if (upgrade && !ws_upgrade) {
        httpd__resp_set_broken(slot);   /* no protocol to switch to */
    } else {
        code = httpd__req_route(hd, slot, &rt);
    }
#if CONFIG_HTTPD_WS_SUPPORT
    bool keep;
    if (rt.f.handler && upgrade && httpd__ws_handshake(hd, s, &rt, &keep)) {
        return keep;
    }
#endif
    if (!rt.f.handler) {
        slot->job.err = (uint8_t)code;
        return serve_error(slot);
    }
    esp_err_t ret = httpd__req_invoke(slot, rt.f.handler);
    if (!slot->rq.async && ret == ESP_OK && slot->resp.chunk_head_sent && !slot->resp.chunk_term_sent) {
        ESP_LOGD(TAG, "terminating the chunked response the handler left open");
        httpd_resp_send_chunk(r, NULL, 0);
    }
    if (ret != ESP_OK) {
        ESP_LOGD(TAG, "handler for %s returned %d: closing", r->uri, ret);
    }
    return ret == ESP_OK;
}

static bool job_serve(struct httpd_data *hd, struct httpd_sess *s)
{
    struct slot *slot = s->slot;
    switch (slot->job.kind) {
    case JOB_PARSE_ERROR:
    case JOB_HEAD_TIMEOUT:
        return serve_error(slot);
#if CONFIG_HTTPD_WS_SUPPORT
    case JOB_WS_FRAME:
        return httpd__ws_frame_job(hd, s);
#endif
    default:
        return serve_request(hd, s);
    }
}

static void job_run(struct httpd_data *hd, struct httpd_sess *s)
{
    struct slot *slot = s->slot;
    if (HTTPD_HOLD && slot->job.kind == JOB_FLUSH) {   /* none without held output */
        slot->job.keep = httpd__sess_flush_held(hd, s) == 0;
        return;
    }
    slot->job.keep = job_serve(hd, s);
#if CONFIG_HTTPD_WS_SUPPORT
    if (slot->rq.async) {
        httpd__sess_sendv_all(hd, s, NULL, 0);   /* queued frames leave before a worker may send */
    }
#endif
    if (HTTPD_OUT_CAP > 0) {
        s->cork = false;   /* never set without held output */
    }
    /* A connection about to close takes its held responses with it first, and
     * so does one whose unread body is not all here yet: the drain would wait
     * for bytes the client may hold back until it has those responses. */
    if (httpd__sess_held(s) && !slot->rq.async &&
        (!conn_continues(slot, slot->job.keep) || !body_buffered(slot))) {
        httpd__sess_flush_held(hd, s);
    }
}

/* The job ended: carry the connection on from the loop (no waiting here). */
static void job_done(struct httpd_data *hd, struct httpd_sess *s)
{
    struct slot *slot = s->slot;
    if (slot->job.kind == JOB_REQUEST && slot->rq.async) {
        /* A worker finishes this request; the socket stays quiet until
         * httpd_req_async_handler_complete() hands the copy back. */
        s->state = SESS_ASYNC;
        httpd__loop_watch(hd, s, 0);
        return;
    }
    httpd__loop_watch(hd, s, POLLER_IN);
#if HTTPD_CORO
    /* (Without coroutines the loop takes no work while a job runs: the flag is
     * only ever set on async sessions, which come back through
     * httpd__conn_async_done().) */
    if (s->close_pending || s->aborted) {
        httpd__sess_close(hd, s);   /* httpd_sess_trigger_close() arrived meanwhile, or a purge */
        return;
    }
#endif
    if (HTTPD_HOLD && slot->job.kind == JOB_FLUSH) {
        if (!slot->job.keep) {
            httpd__sess_close(hd, s);
            return;
        }
        s->state = SESS_IDLE;
        if (slot->rx.len > 0) {   /* the partial head behind the batch: its time-out restarts */
            slot->job.head_started = true;
            httpd__loop_timer_set(hd, s, TIMER_RECV);
        }
        return;
    }
    if (slot->job.kind == JOB_HEAD_TIMEOUT && slot->job.keep) {
        s->state = SESS_IDLE;
        httpd__loop_timer_set(hd, s, TIMER_RECV);
        return;
    }
    finish_request(hd, s, slot->job.keep);
}

#if HTTPD_CORO
static void job_coro_main(void *arg)
{
    struct httpd_sess *s = arg;
    job_run(HTTPD_DATA(s->slot->rq.req.handle), s);
}

/* Resumes a suspended job; true when it has finished (and been wrapped up). */
static bool job_resume(struct httpd_data *hd, struct httpd_sess *s, enum wait_result why)
{
    s->wait_result = (uint8_t)why;
    bool finished = httpd__coro_resume(s->co);
    if (!finished) {
        return false;   /* waiting on its socket again */
    }
    s->co = NULL;
    job_done(hd, s);
    return true;
}
#endif

#if CONFIG_HTTPD_PIPELINE_HOLD_LEN > 0
/* True when a complete head (its blank line) is buffered after the current
 * request and its Content-Length body (not for chunked ones): the response
 * may wait for the next. */
static bool next_head_buffered(const struct slot *slot)
{
    if (!body_buffered(slot)) {
        return false;
    }
    const char *p = slot->rx.buf + slot->rx.rd + (size_t)slot->rq.body_left;
    const char *e = slot->rx.buf + slot->rx.len;
    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        p++;
        if ((p < e && *p == '\n') || (e - p >= 2 && p[0] == '\r' && p[1] == '\n')) {
            return true;
        }
    }
    return false;
}

/* Whether the request just set up may hold its response (see "Held output" in session.c). */
static bool cork_wanted(const struct httpd_sess *s, const struct slot *slot)
{
    return httpd__sess_default_transport(s) && !slot->resp.close_after && !slot->rq.chunked &&
           !slot->rq.expect_continue && !(slot->rq.parser.flags & HTTP_F_UPGRADE) && next_head_buffered(slot);
}
#endif

static inline void job_start(struct httpd_data *hd, struct httpd_sess *s, enum conn_job job, httpd_err_code_t err)
{
    struct slot *slot = s->slot;
    s->state = SESS_BUSY;
    slot->job.kind = (uint8_t)job;
    slot->job.err = (uint8_t)err;
    slot->job.keep = false;
    httpd__rx_pace_reset(slot);
    if (job == JOB_REQUEST) {
        httpd__req_setup(hd, slot);
        /* more bytes behind this head: usually none, so that is tested first */
#if CONFIG_HTTPD_PIPELINE_HOLD_LEN > 0
        s->cork = slot->rx.len > slot->rx.rd && cork_wanted(s, slot);
#endif
    } else if (job == JOB_FLUSH) {
        /* nothing to set up: the slot holds the output and a partial head */
#if CONFIG_HTTPD_WS_SUPPORT
    } else if (job == JOB_WS_FRAME) {
        httpd__ws_req_setup(hd, s);
#endif
    } else {
        httpd__req_setup_bare(hd, slot, -1, "", NULL);
        if (job == JOB_PARSE_ERROR) {
            httpd__resp_set_close(slot);    /* the stream cannot be delimited */
            httpd__resp_set_broken(slot);
        }
    }
#if HTTPD_JOB_INLINE
    if (!hd->inline_sess && hd->loop_co && httpd__coro_current() == hd->loop_co) {
        /* In line on the loop's stack (see HTTPD_JOB_INLINE): none runs there yet */
        hd->inline_sess = s;
        job_run(hd, s);
        if (s->co) {
            /* It waited, so it kept this stack (wait_ready() in session.c),
             * and the loop went on on another; job_resume() resumed it and
             * wraps it up. The frames below, of the loop it ran on, go. */
            httpd__coro_exit();
        }
        hd->inline_sess = NULL;
        job_done(hd, s);   /* (no clock read: a job that did not wait is as quick as a coroutine's) */
        return;
    }
#endif
#if HTTPD_CORO
    if (hd->coro_pool) {
        s->co = httpd__coro_new(hd->coro_pool, job_coro_main, s);
        if (s->co) {
            job_resume(hd, s, WAIT_READY);
            return;
        }
        ESP_LOGW(TAG, "no handler stack: running fd %d's handler on the server thread", s->fd);
    }
#endif
    job_run(hd, s);   /* no coroutine: the server waits with the handler, as upstream */
#if HTTPD_SPEED
    hd->now_ms = (uint32_t)httpd__port_now_ms();   /* the deadlines armed next count from here */
#endif
    job_done(hd, s);
}

/* ---- Heads -------------------------------------------------------------------------------- */

/* The parser's statuses that have an error code of their own, with the code in
 * the top bits (a table is smaller than a switch); any other is a 400. */
static const uint16_t STATUS_ERR[] = {
    413 | HTTPD_413_CONTENT_TOO_LARGE << 10,
    414 | HTTPD_414_URI_TOO_LONG << 10,
    431 | HTTPD_431_REQ_HDR_FIELDS_TOO_LARGE << 10,
    501 | HTTPD_501_METHOD_NOT_IMPLEMENTED << 10,
    505 | HTTPD_505_VERSION_NOT_SUPPORTED << 10,
};

static httpd_err_code_t status_to_err(int status)
{
    for (size_t i = 0; i < sizeof STATUS_ERR / sizeof STATUS_ERR[0]; i++) {
        if ((STATUS_ERR[i] & 0x3ffu) == (unsigned)status) {
            return (httpd_err_code_t)(STATUS_ERR[i] >> 10);
        }
    }
    return HTTPD_400_BAD_REQUEST;
}

/* Parses and serves every complete head in the buffer (pipelining). */
static void process_buffered(struct httpd_data *hd, struct httpd_sess *s)
{
    while (s->state == SESS_IDLE && s->slot && s->slot->rx.len > 0) {
        struct slot *slot = s->slot;
        enum conn_job job = JOB_REQUEST;
        httpd_err_code_t err = HTTPD_431_REQ_HDR_FIELDS_TOO_LARGE;   /* for a head that fills the window */
#if CONFIG_HTTPD_WS_SUPPORT
        if (s->ws) {
            job = JOB_WS_FRAME;
        } else
#endif
        {
            int rc = httpd__req_parse_head(hd, slot);
            if (rc == HTTP_PARSE_AGAIN && slot->rx.len < slot->rx.cap) {
                if (!slot->job.head_started) {
                    /* The whole head must arrive within recv_wait_timeout of its first
                     * byte. Armed only when a head is incomplete: in the same loop turn
                     * as that byte, and not at all for the usual one-packet head. */
                    slot->job.head_started = true;
                    httpd__loop_timer_set(hd, s, TIMER_RECV);
                }
                break;
            }
            if (rc == HTTP_PARSE_ERROR) {
                ESP_LOGD(TAG, "fd %d: bad request head (%d)", s->fd, slot->rq.parser.status);
                err = status_to_err(slot->rq.parser.status);
            }
            if (rc != HTTP_PARSE_DONE) {
                job = JOB_PARSE_ERROR;   /* malformed, or no end within the window */
            }
            httpd__loop_timer_pause(hd, s);
        }
        job_start(hd, s, job, err);   /* after an error job the connection is closing: the loop ends */
    }
    if (s->state == SESS_IDLE && httpd__sess_held(s)) {
        job_start(hd, s, JOB_FLUSH, HTTPD_500_INTERNAL_SERVER_ERROR);   /* the batch is over */
    }
    if (s->state != SESS_IDLE) {
        return;
    }
    if (s->slot) {
        if (s->slot->rx.len > 0 || httpd__sess_held(s)) {
            return;   /* bytes in flight: a partial head (its time-out runs) or held output */
        }
        httpd__sess_slot_release(hd, s);   /* idle keep-alive: hold no buffer */
    }
    httpd__sess_idle(hd, s);
}

/* ---- Readiness ------------------------------------------------------------------------------ */

static void on_readable_idle(struct httpd_data *hd, struct httpd_sess *s)
{
    if (!s->slot) {
        struct slot *slot = httpd__slot_get(hd, s);
        if (!slot) {
            ESP_LOGE(TAG, "out of memory for fd %d", s->fd);
            httpd__sess_close(hd, s);
            return;
        }
        s->slot = slot;
        head_begin(slot);
    }
    /* (the window is never full here: such a head got its 431) */
    int n = HTTPD_SPEED ? httpd__rx_recv_now(hd, s->slot) : httpd__rx_recv(hd, s->slot, s->slot->rx.rd, 0, false);
    if (n <= 0 && n != HTTPD_SOCK_ERR_TIMEOUT) {
        httpd__sess_close(hd, s);         /* peer closed or socket error */
        return;
    }
    process_buffered(hd, s);   /* (nothing new: releases an empty slot) */
}

static void on_readable_drain(struct httpd_data *hd, struct httpd_sess *s)
{
    drain(hd, s);
    process_buffered(hd, s);   /* nothing unless the request is over */
}

/* (Out of line: its buffer is not on the stack under every handler.) */
__attribute__((noinline)) static void on_readable_linger(struct httpd_data *hd, struct httpd_sess *s)
{
    /* Up to 4 KiB per event; a size-optimised build in smaller reads, for a
     * small stack frame. */
    char sink[HTTPD_SPEED ? 512 : 128];
    for (int i = 0; i < 4096 / (int)sizeof sink; i++) {
        int n = s->recv_fn(hd, s->fd, sink, sizeof sink, 0);
        if (n == HTTPD_SOCK_ERR_TIMEOUT) {
            return;
        }
        if (n <= 0) {
            httpd__sess_close(hd, s);
            return;
        }
    }
}

void httpd__conn_on_event(struct httpd_data *hd, struct httpd_sess *s)
{
    /* A transport with its own buffer (TLS) may hold bytes the socket no
     * longer signals: an idle session reads again (up to 4 times) while it
     * reports some pending. */
    for (int i = 0;; i++) {
        switch (s->state) {
        case SESS_IDLE:
            on_readable_idle(hd, s);
            break;
        case SESS_DRAIN:
            on_readable_drain(hd, s);
            break;
        case SESS_LINGER:
            on_readable_linger(hd, s);
            break;
#if HTTPD_CORO
        case SESS_BUSY:
            if (s->co && s->wait_result == WAIT_PENDING && job_resume(hd, s, WAIT_READY)) {
                process_buffered(hd, s);
            }
            break;
#endif
        default:
            break;   /* stale event for a freed entry */
        }
        if (i == 4 || s->state != SESS_IDLE || !s->pending_fn || s->pending_fn(hd, s->fd) <= 0) {
            return;
        }
    }
}

void httpd__conn_on_timer(struct httpd_data *hd, struct httpd_sess *s)
{
#if HTTPD_CORO
    if (s->state == SESS_BUSY && s->co) {
        job_resume(hd, s, WAIT_TIMEOUT);   /* the job's wait ran out (finished: served on below) */
    } else
#endif
    if (s->state == SESS_IDLE && s->slot && s->slot->job.head_started) {
        ESP_LOGD(TAG, "fd %d: request head not received in time", s->fd);
        job_start(hd, s, JOB_HEAD_TIMEOUT, HTTPD_408_REQ_TIMEOUT);
    } else if ((1u << s->state) & (1u << SESS_LINGER | 1u << SESS_DRAIN | 1u << SESS_IDLE)) {
        /* Lingering or draining too long; idle for CONFIG_HTTPD_IDLE_TIMEOUT_S,
         * or queued output that has not moved for send_wait_timeout: the
         * connection goes. (One bit test for the three states.) */
        ESP_LOGD(TAG, "fd %d: time-out in state %d: closing", s->fd, s->state);
        httpd__sess_close(hd, s);
    }
    process_buffered(hd, s);   /* after the 408 (nothing unless IDLE: one exit) */
}

#if HTTPD_CORO
void httpd__conn_abort_job(struct httpd_data *hd, struct httpd_sess *s)
{
    s->aborted = true;   /* every wait of the job fails from now on */
    for (int tries = 0; s->state == SESS_BUSY && s->co && tries < 8; tries++) {
        job_resume(hd, s, WAIT_STOP);
    }
}
#endif

/* ---- Async requests and stop ------------------------------------------------------------- */

void httpd__conn_async_done(struct httpd_data *hd, struct slot *copy, int fd, uint32_t gen)
{
    struct httpd_sess *s = httpd__sess_find(hd, fd);
    if (!s || s->gen != gen || s->state != SESS_ASYNC) {
        httpd__slot_clone_free(hd, copy);   /* the session ended meanwhile */
        return;
    }
    httpd__sess_slot_adopt(hd, s, copy);
    s->state = SESS_BUSY;
    httpd__loop_watch(hd, s, POLLER_IN);
    if (s->close_pending) {
        httpd__sess_close(hd, s);
    } else {
        finish_request(hd, s, !copy->resp.broken);
    }
    process_buffered(hd, s);   /* (nothing for a closed session: one exit) */
}

#if HTTPD_CORO
void httpd__conn_close_all(struct httpd_data *hd)
{
    struct httpd_sess *end = hd->sessions_end;
    for (struct httpd_sess *s = hd->sessions; s < end; s++) {
        /* A suspended job is resumed with an error (every wait fails from
         * now on) and runs to its end before its session goes. */
        for (int tries = 0; s->state == SESS_BUSY && s->co && tries < 1000; tries++) {
            job_resume(hd, s, WAIT_STOP);
        }
        if (s->co) {
            ESP_LOGE(TAG, "fd %d: handler does not finish at stop; its stack is leaked", s->fd);
            s->co = NULL;
        }
        if (s->state == SESS_ASYNC) {
            /* A worker may be writing to it right now: closing the fd would let
             * the number be reused under it. Make its I/O fail instead. */
            httpd__port_shutdown_rdwr(s->fd);
        } else {
            httpd__sess_close(hd, s);
        }
    }
}
#endif
