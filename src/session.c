/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sessions: the table sized by max_open_sockets, accept and LRU purge, the
 * per-session state machine (gather a head without blocking, run the handler,
 * drain the unread body, linger before closing), deadlines, the request-slot
 * pool, and the httpd_sess_* / httpd_socket_* API.
 */
#include "httpd_priv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *TAG = "httpd_sess";

#define LINGER_MS        2000u   /* how long a closing session waits for the peer's FIN */
#define BODY_WINDOW      2048u   /* room after the largest head for body read-ahead */
#define LEADING_LINES    8u      /* empty lines tolerated before a request line */
#define ACCEPTS_PER_WAKE 16
#define SLOTS_KEPT_IDLE  8       /* request slots kept for reuse; a burst beyond that is freed */

#if HTTPD_CORO
static bool job_resume(struct httpd_data *hd, struct httpd_sess *s, enum wait_result why);
#endif
static void run_deferred(struct httpd_sess *s);

/* ---- Request slots: taken while bytes are in flight, pooled otherwise ----------- */

static void slot_reset(struct httpd_req_aux *aux)
{
    http_parser_init(&aux->parser);
    aux->head_started = false;
    aux->head_len = aux->raw_rd = aux->dec_rd = aux->dec_wr = 0;
    aux->hdrs = NULL;
    aux->hdrs_len = 0;
    aux->hdrs_raw = false;
    aux->in_handler = false;
    aux->async = false;
}

size_t sess_slot_size(const struct httpd_data *hd)
{
    return sizeof(struct httpd_req_aux) + (size_t)hd->config.max_resp_headers * sizeof(struct resp_hdr) +
           hd->slot_buf_cap + HTTPD_OUT_CAP;
}

static struct httpd_req_aux *slot_get(struct httpd_data *hd, struct httpd_sess *s)
{
    struct httpd_req_aux *aux = hd->free_slots;
    if (aux) {
        hd->free_slots = aux->next_free;
        hd->n_free_slots--;
    } else {
        size_t hdrs = (size_t)hd->config.max_resp_headers * sizeof(struct resp_hdr);
        aux = calloc(1, sess_slot_size(hd));
        if (!aux) {
            return NULL;
        }
        aux->resp_hdrs = (struct resp_hdr *)(aux + 1);
        aux->buf = (char *)aux->resp_hdrs + hdrs;
        aux->cap = hd->slot_buf_cap;
    }
    aux->next_free = NULL;
    aux->sess = s;
    aux->req.handle = hd;
    aux->len = 0;
    slot_reset(aux);
    return aux;
}

static void slot_put(struct httpd_data *hd, struct httpd_req_aux *aux)
{
    if (hd->n_free_slots >= SLOTS_KEPT_IDLE) {
        free(aux);   /* after a burst, memory goes back instead of staying at the peak */
        return;
    }
    aux->sess = NULL;
    aux->req.aux = NULL;
    aux->next_free = hd->free_slots;
    hd->free_slots = aux;
    hd->n_free_slots++;
}

/* ---- Deadlines: one FIFO list per duration, so each stays sorted -------------- */

static void timer_clear(struct httpd_data *hd, struct httpd_sess *s)
{
    if (s->timer == TIMER_NONE) {
        return;
    }
    struct timer_list *l = &hd->timers[s->timer];
    if (s->tprev) {
        s->tprev->tnext = s->tnext;
    } else {
        l->head = s->tnext;
    }
    if (s->tnext) {
        s->tnext->tprev = s->tprev;
    } else {
        l->tail = s->tprev;
    }
    s->tprev = s->tnext = NULL;
    s->timer = TIMER_NONE;
}

static void timer_set(struct httpd_data *hd, struct httpd_sess *s, enum timer_kind kind)
{
    timer_clear(hd, s);
    uint64_t ms = kind == TIMER_LINGER ? LINGER_MS
                : kind == TIMER_SEND ? (uint64_t)hd->config.send_wait_timeout * 1000u
                : (uint64_t)hd->config.recv_wait_timeout * 1000u;
    s->deadline_ms = port_now_ms() + ms;
    struct timer_list *l = &hd->timers[kind];
    s->timer = (uint8_t)kind;
    s->tprev = l->tail;
    s->tnext = NULL;
    if (l->tail) {
        l->tail->tnext = s;
    } else {
        l->head = s;
    }
    l->tail = s;
}

int sess_next_timeout(struct httpd_data *hd)
{
    uint64_t next = UINT64_MAX;
    for (int k = TIMER_RECV; k < TIMER_KINDS; k++) {
        if (hd->timers[k].head && hd->timers[k].head->deadline_ms < next) {
            next = hd->timers[k].head->deadline_ms;
        }
    }
    if (next == UINT64_MAX) {
        return -1;
    }
    uint64_t now = port_now_ms();
    return next <= now ? 0 : (int)(next - now);
}

/* ---- Table ------------------------------------------------------------------------ */

esp_err_t sess_table_init(struct httpd_data *hd)
{
    hd->sessions = calloc(hd->config.max_open_sockets, sizeof *hd->sessions);
    if (!hd->sessions) {
        return ESP_ERR_HTTPD_ALLOC_MEM;
    }
    /* fds of sessions are small numbers in practice (the lowest free ones): an
     * index twice the table's size (plus the process's other fds) covers them;
     * a higher fd is found by a scan. */
    hd->by_fd_cap = hd->config.max_open_sockets * 2u + 64u;
    hd->by_fd = calloc(hd->by_fd_cap, sizeof *hd->by_fd);
    if (!hd->by_fd) {
        free(hd->sessions);
        hd->sessions = NULL;
        return ESP_ERR_HTTPD_ALLOC_MEM;
    }
    hd->free_sess = NULL;
    for (unsigned i = hd->config.max_open_sockets; i-- > 0;) {
        hd->sessions[i].fd = -1;
        hd->sessions[i].next_free = hd->free_sess;
        hd->free_sess = &hd->sessions[i];
    }
    hd->slot_buf_cap = hd->max_line + hd->max_hdr + LEADING_LINES * 2 + BODY_WINDOW;
    return ESP_OK;
}

void sess_table_free(struct httpd_data *hd)
{
    while (hd->free_slots) {
        struct httpd_req_aux *next = hd->free_slots->next_free;
        free(hd->free_slots);
        hd->free_slots = next;
    }
    hd->n_free_slots = 0;
    free(hd->sessions);
    hd->sessions = NULL;
    free(hd->by_fd);
    hd->by_fd = NULL;
    hd->free_sess = NULL;
}

struct httpd_sess *sess_find(struct httpd_data *hd, int fd)
{
    if (fd < 0 || !hd->sessions) {
        return NULL;
    }
    if ((unsigned)fd < hd->by_fd_cap) {
        struct httpd_sess *s = hd->by_fd[fd];
        return s && s->state != SESS_FREE && s->fd == fd ? s : NULL;
    }
    for (unsigned i = 0; i < hd->config.max_open_sockets; i++) {
        if (hd->sessions[i].state != SESS_FREE && hd->sessions[i].fd == fd) {
            return &hd->sessions[i];
        }
    }
    return NULL;
}

static void listen_mute(struct httpd_data *hd, bool mute)
{
    if (hd->listen_muted != mute) {
        hd->listen_muted = mute;
        poller_mod(hd->poller, hd->listen_fd, mute ? 0 : POLLER_IN, hd);
    }
}

/* Changes what the poller watches on a session's socket, only when it differs.
 * A muted socket leaves the poller altogether: both backends report hang-ups
 * even with no interest, which would spin the loop (async sessions are muted). */
static void set_interest(struct httpd_data *hd, struct httpd_sess *s, unsigned events)
{
    if (s->poll_events == events) {
        return;
    }
    if (events == 0) {
        poller_del(hd->poller, s->fd);
    } else if (s->poll_events == 0) {
        poller_add(hd->poller, s->fd, events, s);
    } else {
        poller_mod(hd->poller, s->fd, events, s);
    }
    s->poll_events = (uint8_t)events;
}

static void free_ctx(void **ctx, httpd_free_ctx_fn_t fn)
{
    if (*ctx) {
        if (fn) {
            fn(*ctx);
        } else {
            free(*ctx);
        }
        *ctx = NULL;
    }
}

void sess_close(struct httpd_data *hd, struct httpd_sess *s)
{
    if (s->state == SESS_FREE) {
        return;
    }
    /* From here on httpd_sess_trigger_close() no longer finds it, even while
     * close_fn and the free functions still run with its fd. */
    port_mutex_lock(&hd->sess_lock);
    s->closing = true;
    port_mutex_unlock(&hd->sess_lock);
    timer_clear(hd, s);
    poller_del(hd->poller, s->fd);
    if (hd->config.enable_so_linger) {
        port_set_linger(s->fd, hd->config.linger_timeout);
    }
    ESP_LOGD(TAG, "closing session fd %d", s->fd);
    /* With close_fn the application owns close(): it runs exactly once. */
    if (hd->config.close_fn) {
        hd->config.close_fn(hd, s->fd);
    } else {
        port_close(s->fd);
    }
    free_ctx(&s->ctx, s->free_ctx);
    free_ctx(&s->transport_ctx, s->free_transport_ctx);
#if CONFIG_HTTPD_WS_SUPPORT
    ws_sess_free(s);
#endif
    if (s->io) {
        slot_put(hd, s->io);
        s->io = NULL;
    }
    s->out_len = 0;
    s->cork = false;
    port_mutex_lock(&hd->sess_lock);
    if ((unsigned)s->fd < hd->by_fd_cap && hd->by_fd[s->fd] == s) {
        hd->by_fd[s->fd] = NULL;
    }
    s->state = SESS_FREE;
    s->fd = -1;
    s->next_free = hd->free_sess;
    hd->free_sess = s;
    port_mutex_unlock(&hd->sess_lock);
    hd->n_open--;
    s->sending = false;
    run_deferred(s);   /* they find no session now and report it */
    listen_mute(hd, false);
}

void sess_close_all(struct httpd_data *hd)
{
    for (unsigned i = 0; i < hd->config.max_open_sockets; i++) {
        struct httpd_sess *s = &hd->sessions[i];
#if HTTPD_CORO
        /* A suspended handler is resumed with an error (every wait fails from
         * now on) and runs to its end before its session goes. */
        for (int tries = 0; s->state == SESS_BUSY && s->co && tries < 1000; tries++) {
            job_resume(hd, s, WAIT_STOP);
        }
        if (s->co) {
            ESP_LOGE(TAG, "fd %d: handler does not finish at stop; its stack is leaked", s->fd);
            s->co = NULL;
        }
#endif
        if (s->state == SESS_ASYNC) {
            /* A worker may be writing to it right now: closing the fd would let
             * the number be reused under it. Make its I/O fail instead. */
            port_shutdown_rdwr(s->fd);
        } else {
            sess_close(hd, s);
        }
    }
}

void sess_close_async_all(struct httpd_data *hd)
{
    for (unsigned i = 0; i < hd->config.max_open_sockets; i++) {
        sess_close(hd, &hd->sessions[i]);
    }
}

void sess_async_release(struct httpd_data *hd, struct httpd_req_aux *copy)
{
    free(copy);
    atomic_fetch_sub(&hd->async_out, 1);
}

void sess_close_by_id(struct httpd_data *hd, int fd, uint32_t gen)
{
    struct httpd_sess *s = sess_find(hd, fd);
    if (s && s->gen == gen) {
        if (s->state == SESS_ASYNC || s->state == SESS_BUSY) {
            s->close_pending = true;   /* a worker or a suspended handler still uses it */
        } else {
            sess_close(hd, s);
        }
    }
}

/* The response is out: send FIN, then read and discard until the peer closes
 * (or LINGER_MS passes), so unread request bytes cannot turn our close into
 * an RST that destroys the response before the client reads it. */
static void sess_close_gracefully(struct httpd_data *hd, struct httpd_sess *s)
{
    if (s->io) {
        slot_put(hd, s->io);
        s->io = NULL;
    }
    s->out_len = 0;   /* flushed by the job that decided to close */
    port_shutdown_wr(s->fd);
    s->state = SESS_LINGER;
    timer_set(hd, s, TIMER_LINGER);
}

bool sess_defer_send(struct httpd_sess *s, struct deferred_send *d)
{
    if (!s->sending) {
        return false;
    }
    d->next = NULL;
    struct deferred_send **pp = &s->deferred;
    while (*pp) {
        pp = &(*pp)->next;   /* keep their order */
    }
    *pp = d;
    return true;
}

/* Runs the sends parked on s (loop context, never inside a handler). */
static void run_deferred(struct httpd_sess *s)
{
    while (s->deferred && !s->sending) {
        struct deferred_send *d = s->deferred;
        s->deferred = d->next;
        d->run(d);
    }
}

/* ---- Default transport -------------------------------------------------------- */

/* A failed port call's PORT_* code as HTTPD_SOCK_ERR_*: would-block is the
 * time-out the API reports. */
static int sock_err(ssize_t port_rc)
{
    switch (port_rc) {
    case PORT_AGAIN:   return HTTPD_SOCK_ERR_TIMEOUT;
    case PORT_INVALID: return HTTPD_SOCK_ERR_INVALID;
    default:           return HTTPD_SOCK_ERR_FAIL;
    }
}

static int default_send(httpd_handle_t h, int fd, const char *buf, size_t len, int flags)
{
    (void)h;
    ssize_t n = port_send(fd, buf, len, flags);
    return n < 0 ? sock_err(n) : (int)n;
}

static int default_recv(httpd_handle_t h, int fd, char *buf, size_t len, int flags)
{
    (void)h;
    ssize_t n = port_recv(fd, buf, len, flags);
    return n < 0 ? sock_err(n) : (int)n;
}

#define WAIT_SLICE_MS 100   /* how often a waiting handler notices httpd_stop() */

/* Waits until the session's socket is ready; false on time-out, error, or
 * server stop (so httpd_stop() is not held up by a handler waiting on a slow
 * client). On the session's own handler coroutine the handler is suspended
 * and the loop serves everyone else meanwhile; elsewhere (work functions,
 * async workers, builds without coroutines) the calling thread waits. */
static bool wait_ready(struct httpd_data *hd, struct httpd_sess *s, bool for_write, uint64_t deadline)
{
    if (!for_write && s->out_len && sess_flush_held(hd, s) != 0) {
        return false;   /* the peer may wait for those responses before it sends more */
    }
#if HTTPD_CORO
    if (s->co && coro_current() == s->co) {
        if (atomic_load(&hd->stopping)) {
            return false;
        }
        set_interest(hd, s, for_write ? POLLER_OUT : POLLER_IN);
        s->wait_result = WAIT_PENDING;
        timer_set(hd, s, for_write ? TIMER_SEND : TIMER_RECV);
        coro_yield();
        timer_clear(hd, s);
        return s->wait_result == WAIT_READY;
    }
#endif
    for (;;) {
        if (atomic_load(&hd->stopping)) {
            return false;
        }
        uint64_t now = port_now_ms();
        if (now >= deadline) {
            return false;
        }
        uint64_t left = deadline - now;
        int rc = port_wait_fd(s->fd, for_write, left > WAIT_SLICE_MS ? WAIT_SLICE_MS : (int)left);
        if (rc != 0) {
            return rc == 1;
        }
    }
}

/* A wait that ended because the server is stopping is a failure, not a
 * time-out: handlers that retry on time-outs must not spin through the stop. */
static int stop_or_timeout(struct httpd_data *hd)
{
    return atomic_load(&hd->stopping) ? HTTPD_SOCK_ERR_FAIL : HTTPD_SOCK_ERR_TIMEOUT;
}

int sess_send_wait(struct httpd_data *hd, struct httpd_sess *s, const char *buf, size_t len, int flags)
{
    int held = sess_flush_held(hd, s);   /* raw bytes go after the responses before them */
    if (held != 0) {
        return held;
    }
    uint64_t deadline = 0;   /* read the clock only once a wait is needed */
    for (;;) {
        int n = s->send_fn(hd, s->fd, buf, len, flags);
        if (n != HTTPD_SOCK_ERR_TIMEOUT) {
            return n;
        }
        if (!deadline) {
            deadline = port_now_ms() + (uint64_t)hd->config.send_wait_timeout * 1000u;
        }
        if (!wait_ready(hd, s, true, deadline)) {
            return stop_or_timeout(hd);
        }
    }
}

int sess_recv_wait(struct httpd_data *hd, struct httpd_sess *s, char *buf, size_t len, int flags)
{
    uint64_t deadline = 0;
    for (;;) {
        int n = s->recv_fn(hd, s->fd, buf, len, flags);
        if (n != HTTPD_SOCK_ERR_TIMEOUT) {
            return n;
        }
        if (s->pending_fn && s->pending_fn(hd, s->fd) > 0) {
            continue;
        }
        if (!deadline) {
            deadline = port_now_ms() + (uint64_t)hd->config.recv_wait_timeout * 1000u;
        }
        if (!wait_ready(hd, s, false, deadline)) {
            return stop_or_timeout(hd);
        }
    }
}

static int sendv_all(struct httpd_data *hd, struct httpd_sess *s, struct iovec *iov, int iovcnt);

/* ---- Held output -------------------------------------------------------------------
 * While complete requests wait behind the one being served (pipelining), its
 * response is copied to the slot's out buffer instead of being sent, when it
 * fits; the next send carries everything held in front of its own bytes, so a
 * batch of small responses leaves in one sendmsg. The loop flushes what is
 * left when the batch ends, and anything that could wait on the peer (a
 * receive, a close, a raw send, an async hand-over) flushes first: order is
 * kept, and no response waits for input the client holds back for it. */

int sess_sendv_all(struct httpd_data *hd, struct httpd_sess *s, struct iovec *iov, int iovcnt)
{
    if (s->cork && !s->sending) {
        size_t total = 0;
        for (int i = 0; i < iovcnt; i++) {
            total += iov[i].iov_len;
        }
        if (total <= HTTPD_OUT_CAP - s->out_len) {
            char *o = SLOT_OUT(s->io) + s->out_len;
            for (int i = 0; i < iovcnt; i++) {
                if (iov[i].iov_len) {
                    memcpy(o, iov[i].iov_base, iov[i].iov_len);
                    o += iov[i].iov_len;
                }
            }
            s->out_len = (uint16_t)(s->out_len + total);
            return 0;
        }
    }
    struct iovec all[8];
    if (s->out_len) {
        if (iovcnt > 7) {
            int rc = sess_flush_held(hd, s);
            if (rc != 0) {
                return rc;
            }
        } else {
            all[0] = (struct iovec){ .iov_base = SLOT_OUT(s->io), .iov_len = s->out_len };
            for (int i = 0; i < iovcnt; i++) {
                all[i + 1] = iov[i];
            }
            iov = all;
            iovcnt++;
            s->out_len = 0;   /* this send owns those bytes now (no one holds more while it runs) */
        }
    }
    /* While this runs (possibly suspended), nobody else may write to s. */
    bool outer = !s->sending;
    s->sending = true;
    int rc = sendv_all(hd, s, iov, iovcnt);
    if (outer) {
        s->sending = false;
    }
    return rc;
}

int sess_flush_held(struct httpd_data *hd, struct httpd_sess *s)
{
    if (!s->out_len) {
        return 0;
    }
    bool cork = s->cork;
    s->cork = false;
    int rc = sess_sendv_all(hd, s, NULL, 0);
    s->cork = cork;
    return rc;
}

/* True when a complete head (its blank line) is buffered after the current
 * request and its Content-Length body: the response may wait for the next. */
static bool next_head_buffered(const struct httpd_req_aux *aux)
{
    if (aux->body_left > aux->len - aux->head_len) {
        return false;
    }
    const char *p = aux->buf + aux->head_len + (size_t)aux->body_left;
    const char *e = aux->buf + aux->len;
    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        p++;
        if ((p < e && *p == '\n') || (e - p >= 2 && p[0] == '\r' && p[1] == '\n')) {
            return true;
        }
    }
    return false;
}

static int sendv_all(struct httpd_data *hd, struct httpd_sess *s, struct iovec *iov, int iovcnt)
{
    uint64_t deadline = 0;   /* set at the first wait after progress: no clock read otherwise */
    while (iovcnt > 0) {
        if (iov->iov_len == 0) {
            iov++;
            iovcnt--;
            continue;
        }
        ssize_t n;
        if (s->send_fn == default_send) {
            n = port_sendv(s->fd, iov, iovcnt);
            if (n < 0) {
                n = sock_err(n);
            }
        } else {
            n = s->send_fn(hd, s->fd, iov->iov_base, iov->iov_len, 0);
        }
        if (n == HTTPD_SOCK_ERR_TIMEOUT) {
            if (!deadline) {
                deadline = port_now_ms() + (uint64_t)hd->config.send_wait_timeout * 1000u;
            }
            if (!wait_ready(hd, s, true, deadline)) {
                return stop_or_timeout(hd);
            }
            continue;
        }
        if (n < 0) {
            return (int)n;
        }
        deadline = 0;   /* the time-out is for lack of progress */
        size_t done = (size_t)n;
        while (iovcnt > 0 && done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            iovcnt--;
        }
        if (iovcnt > 0) {
            iov->iov_base = (char *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return 0;
}

/* ---- Accept ----------------------------------------------------------------------- */

static struct httpd_sess *lru_victim(struct httpd_data *hd)
{
    struct httpd_sess *victim = NULL;
    for (unsigned i = 0; i < hd->config.max_open_sockets; i++) {
        struct httpd_sess *s = &hd->sessions[i];
        if (s->state == SESS_FREE || s->state == SESS_BUSY || s->state == SESS_ASYNC) {
            continue;
        }
        if (!victim || s->lru_counter < victim->lru_counter) {
            victim = s;
        }
    }
    return victim;
}

static void sess_new(struct httpd_data *hd, int fd)
{
    struct httpd_sess *s = hd->free_sess;
    if (!s) {
        port_close(fd);
        return;
    }
    uint32_t gen = s->gen + 1;
    port_mutex_lock(&hd->sess_lock);
    hd->free_sess = s->next_free;
    memset(s, 0, sizeof *s);
    s->fd = fd;
    s->gen = gen;
    s->state = SESS_IDLE;
    if ((unsigned)fd < hd->by_fd_cap) {
        hd->by_fd[fd] = s;
    }
    port_mutex_unlock(&hd->sess_lock);
    s->lru_counter = ++hd->lru_clock;   /* a newcomer counts as just used */
    s->send_fn = default_send;
    s->recv_fn = default_recv;
    hd->n_open++;
    s->poll_events = POLLER_IN;
    if (poller_add(hd->poller, fd, POLLER_IN, s) < 0) {
        ESP_LOGE(TAG, "cannot watch fd %d", fd);
        sess_close(hd, s);
        return;
    }
    ESP_LOGD(TAG, "new session fd %d", fd);
    if (hd->config.open_fn && hd->config.open_fn(hd, fd) != ESP_OK) {
        ESP_LOGW(TAG, "open_fn refused fd %d", fd);
        sess_close(hd, s);
    }
}

/* When the table is full: the session to close for a newcomer, or NULL.
 * A lingering session has finished its work, so it goes first. */
static struct httpd_sess *room_victim(struct httpd_data *hd)
{
    struct httpd_sess *victim = hd->timers[TIMER_LINGER].head;
    if (!victim && hd->config.lru_purge_enable) {
        victim = lru_victim(hd);
    }
    return victim;
}

void sess_accept_ready(struct httpd_data *hd)
{
    for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
        bool full = hd->n_open >= hd->config.max_open_sockets;
        if (full && !room_victim(hd)) {
            listen_mute(hd, true);   /* new clients wait in the backlog */
            return;
        }
        int fd = port_accept(hd->listen_fd);
        if (fd < 0) {
            if (fd != PORT_AGAIN) {
                ESP_LOGE(TAG, "accept: %s", port_last_error());
                if (hd->n_open > 0 && fd == PORT_NOFD) {
                    listen_mute(hd, true);   /* until a session closes */
                }
            }
            return;
        }
        if (full) {
            /* Only now that a newcomer really exists does an old session make room. */
            struct httpd_sess *victim = room_victim(hd);
            ESP_LOGD(TAG, "purging session fd %d to make room for fd %d", victim->fd, fd);
            sess_close(hd, victim);
        }
        const httpd_config_t *c = &hd->config;
        if (port_tune_client(fd, c->keep_alive_enable,
                             c->keep_alive_idle ? c->keep_alive_idle : 5,
                             c->keep_alive_interval ? c->keep_alive_interval : 5,
                             c->keep_alive_count ? c->keep_alive_count : 3) < 0) {
            ESP_LOGW(TAG, "cannot set socket options: %s", port_last_error());
            port_close(fd);
            continue;
        }
        sess_new(hd, fd);
    }
}

/* ---- Requests --------------------------------------------------------------------- */

static httpd_err_code_t status_to_err(int status)
{
    switch (status) {
    case 413: return HTTPD_413_CONTENT_TOO_LARGE;
    case 414: return HTTPD_414_URI_TOO_LONG;
    case 431: return HTTPD_431_REQ_HDR_FIELDS_TOO_LARGE;
    case 501: return HTTPD_501_METHOD_NOT_IMPLEMENTED;
    case 505: return HTTPD_505_VERSION_NOT_SUPPORTED;
    default:  return HTTPD_400_BAD_REQUEST;
    }
}

void sess_ctx_commit(struct httpd_sess *s, httpd_req_t *r)
{
    if (!r->ignore_sess_ctx_changes && r->sess_ctx != s->ctx) {
        free_ctx(&s->ctx, s->free_ctx);
    }
    s->ctx = r->sess_ctx;
    s->free_ctx = r->free_ctx;
    s->ignore_sess_ctx_changes = r->ignore_sess_ctx_changes;
}

static void request_done(struct httpd_data *hd, struct httpd_sess *s)
{
    struct httpd_req_aux *aux = s->io;
    s->lru_counter = ++hd->lru_clock;
    size_t rest = aux->len - aux->raw_rd;
    if (rest || s->out_len) {
        if (rest) {
            memmove(aux->buf, aux->buf + aux->raw_rd, rest);   /* pipelined bytes */
        }
        aux->len = rest;
        slot_reset(aux);
    } else {
        slot_put(hd, aux);   /* idle keep-alive: hold no buffer (slot_get resets it) */
        s->io = NULL;
    }
    s->state = SESS_IDLE;
}

/* After the handler (or an error response): keep the connection for the next
 * request, or close it. */
/* Whether the connection carries on after a request whose handler's verdict
 * was `keep`: not when it asked to close, broke the stream, or left a client
 * waiting for 100-continue with its body unread. */
static bool conn_continues(const struct httpd_req_aux *aux, bool keep)
{
    return keep && !aux->close_after && !aux->broken &&
           !(aux->expect_continue && !aux->continue_sent && !req_body_complete(aux));
}

static void finish_request(struct httpd_data *hd, struct httpd_sess *s, bool keep)
{
    struct httpd_req_aux *aux = s->io;
    if (!conn_continues(aux, keep)) {
        sess_close_gracefully(hd, s);
        return;
    }
    int r = req_drain(hd, aux, true);
    if (r < 0) {
        sess_close_gracefully(hd, s);
    } else if (r == 0) {
        s->state = SESS_DRAIN;
        timer_set(hd, s, TIMER_RECV);
    } else {
        request_done(hd, s);
    }
}

/* ---- Jobs: what runs on a handler coroutine ---------------------------------------
 * Everything that may wait on the socket (handlers, error handlers, their
 * responses) runs as a job: on a coroutine when there is one, so a socket
 * that is not ready suspends only that job; the loop does the rest. */

enum sess_job {
    JOB_REQUEST,        /* route and run the handler (or the 404/405 error handler) */
    JOB_PARSE_ERROR,    /* answer a malformed head (job_err) */
    JOB_HEAD_TIMEOUT,   /* answer a head that did not arrive in time (408) */
    JOB_WS_FRAME,       /* a WebSocket session has bytes: one frame */
    JOB_FLUSH,          /* a pipelined batch ended with responses held: send them */
};

static void job_serve(struct httpd_data *hd, struct httpd_sess *s);

static void job_run(struct httpd_data *hd, struct httpd_sess *s)
{
    struct httpd_req_aux *aux = s->io;
    if (aux->job == JOB_FLUSH) {
        aux->job_keep = sess_flush_held(hd, s) == 0;
        return;
    }
    job_serve(hd, s);
    s->cork = false;
    /* A connection about to close takes its held responses with it first. */
    if (s->out_len && !aux->async && !conn_continues(aux, aux->job_keep)) {
        sess_flush_held(hd, s);
    }
}

static void job_serve(struct httpd_data *hd, struct httpd_sess *s)
{
    struct httpd_req_aux *aux = s->io;
    httpd_req_t *r = &aux->req;
    switch (aux->job) {
    case JOB_PARSE_ERROR:
        httpd_req_handle_err(r, (httpd_err_code_t)aux->job_err);
        aux->job_keep = false;   /* the rest of the stream cannot be delimited */
        return;
    case JOB_HEAD_TIMEOUT:
        /* A custom 408 handler may keep waiting for the head (upstream retries the read). */
        aux->job_keep = httpd_req_handle_err(r, HTTPD_408_REQ_TIMEOUT) == ESP_OK;
        return;
#if CONFIG_HTTPD_WS_SUPPORT
    case JOB_WS_FRAME:
        ws_frame_job(hd, s);
        return;
#endif
    default:
        break;
    }
    httpd_err_code_t code = HTTPD_400_BAD_REQUEST;
    struct route rt;
    rt.handler = NULL;
    rt.user_ctx = NULL;
    bool upgrade = (aux->parser.flags & (HTTP_F_UPGRADE | HTTP_F_CONN_UPGRADE)) == (HTTP_F_UPGRADE | HTTP_F_CONN_UPGRADE);
    const char *upg;
    size_t upg_len;
#if CONFIG_HTTPD_WS_SUPPORT
    bool ws_upgrade = upgrade && req_find_hdr(aux, "Upgrade", &upg, &upg_len) &&
                      upg_len == 9 && strncasecmp(upg, "websocket", 9) == 0;
#else
    bool ws_upgrade = false;
    (void)upg;
    (void)upg_len;
#endif
    if (upgrade && !ws_upgrade) {
        aux->broken = true;   /* no protocol to switch to */
    } else {
        const char *path = aux->path_len ? r->uri + aux->path_off : "/";
        size_t plen = aux->path_len ? aux->path_len : 1;
        code = (httpd_err_code_t)router_lookup(hd, path, plen, r->method, &rt);
        r->user_ctx = rt.user_ctx;
    }
    esp_err_t (*handler)(httpd_req_t *) = rt.handler;
#if CONFIG_HTTPD_WS_SUPPORT
    if (handler && upgrade && ws_handshake(hd, s, &rt)) {
        return;
    }
#endif
    if (!handler) {
        /* 404/405 leave the stream in sync, so a custom handler may keep it. */
        aux->job_keep = httpd_req_handle_err(r, code) == ESP_OK && !aux->broken;
        return;
    }
    aux->in_handler = true;
    esp_err_t ret = handler(r);
    aux->in_handler = false;
    sess_ctx_commit(s, r);
    if (!aux->async && ret == ESP_OK && aux->chunk_head_sent && !aux->chunk_term_sent) {
        ESP_LOGD(TAG, "terminating the chunked response the handler left open");
        httpd_resp_send_chunk(r, NULL, 0);
    }
    if (ret != ESP_OK) {
        ESP_LOGD(TAG, "handler for %s returned %d: closing", r->uri, ret);
    }
    aux->job_keep = ret == ESP_OK;
}

/* The job ended: carry the connection on from the loop (no waiting here). */
static void job_done(struct httpd_data *hd, struct httpd_sess *s)
{
    struct httpd_req_aux *aux = s->io;
    if (aux->job == JOB_REQUEST && aux->async) {
        /* A worker finishes this request; the socket stays quiet until
         * httpd_req_async_handler_complete() hands the copy back. */
        s->state = SESS_ASYNC;
        set_interest(hd, s, 0);
        return;
    }
    set_interest(hd, s, POLLER_IN);
    if (s->close_pending) {
        sess_close(hd, s);   /* httpd_sess_trigger_close() arrived meanwhile */
        return;
    }
    if (aux->job == JOB_FLUSH) {
        if (!aux->job_keep) {
            sess_close(hd, s);
            return;
        }
        s->state = SESS_IDLE;
        if (aux->len > 0) {   /* the partial head behind the batch: its time-out restarts */
            aux->head_started = true;
            timer_set(hd, s, TIMER_RECV);
        }
        return;
    }
    if (aux->job == JOB_HEAD_TIMEOUT && aux->job_keep) {
        s->state = SESS_IDLE;
        timer_set(hd, s, TIMER_RECV);
        return;
    }
    finish_request(hd, s, aux->job_keep);
}

#if HTTPD_CORO
static void job_coro_main(void *arg)
{
    struct httpd_sess *s = arg;
    job_run(HTTPD_DATA(s->io->req.handle), s);
}

/* Resumes a suspended job; true when it has finished (and been wrapped up). */
static bool job_resume(struct httpd_data *hd, struct httpd_sess *s, enum wait_result why)
{
    s->wait_result = (uint8_t)why;
    bool finished = coro_resume(s->co);
    run_deferred(s);   /* back in the loop: sends that waited for the handler's */
    if (!finished) {
        return false;   /* waiting on its socket again */
    }
    s->co = NULL;
    job_done(hd, s);
    return true;
}
#endif

/* Whether the request just set up may hold its response (see "Held output"). */
static bool cork_wanted(const struct httpd_sess *s, const struct httpd_req_aux *aux)
{
    return s->send_fn == default_send && !aux->close_after && !aux->chunked && !aux->expect_continue &&
           !(aux->parser.flags & HTTP_F_UPGRADE) && next_head_buffered(aux);
}

static inline void job_start(struct httpd_data *hd, struct httpd_sess *s, enum sess_job job, httpd_err_code_t err)
{
    struct httpd_req_aux *aux = s->io;
    s->state = SESS_BUSY;
    aux->job = (uint8_t)job;
    aux->job_err = (uint8_t)err;
    aux->job_keep = false;
    if (job == JOB_REQUEST) {
        req_setup(hd, aux);
        /* more bytes behind this head: usually none, so that is tested first */
        s->cork = aux->len > aux->head_len && cork_wanted(s, aux);
    } else if (job == JOB_FLUSH) {
        /* nothing to set up: the slot holds the output and a partial head */
#if CONFIG_HTTPD_WS_SUPPORT
    } else if (job == JOB_WS_FRAME) {
        ws_req_setup(hd, s);
#endif
    } else {
        req_setup_bare(hd, aux, -1);
        if (job == JOB_PARSE_ERROR) {
            aux->close_after = aux->broken = true;   /* the stream cannot be delimited */
        }
    }
#if HTTPD_CORO
    if (hd->coro_pool) {
        s->co = coro_new(hd->coro_pool, job_coro_main, s);
        if (s->co) {
            job_resume(hd, s, WAIT_READY);
            return;
        }
        ESP_LOGW(TAG, "no handler stack: running fd %d's handler on the server thread", s->fd);
    }
#endif
    job_run(hd, s);   /* no coroutine: the server waits with the handler, as upstream */
    job_done(hd, s);
}

/* Parses and serves every complete head in the buffer (pipelining). */
static void process_buffered(struct httpd_data *hd, struct httpd_sess *s)
{
    http_parse_limits_t lim = {
        .max_line = hd->max_line,
        .max_target = CONFIG_HTTPD_MAX_URI_LEN,
        .max_headers = hd->max_hdr,
    };
    while (s->state == SESS_IDLE && s->io && s->io->len > 0) {
        struct httpd_req_aux *aux = s->io;
#if CONFIG_HTTPD_WS_SUPPORT
        if (s->ws) {
            job_start(hd, s, JOB_WS_FRAME, HTTPD_500_INTERNAL_SERVER_ERROR);
            continue;
        }
#endif
        int rc = http_parse_head(&aux->parser, aux->buf, aux->len, &lim);
        if (rc == HTTP_PARSE_AGAIN && !aux->head_started) {
            /* The whole head must arrive within recv_wait_timeout of its first
             * byte. Armed only when a head is incomplete: in the same loop turn
             * as that byte, and not at all for the usual one-packet head. */
            aux->head_started = true;
            timer_set(hd, s, TIMER_RECV);
        }
        if (rc == HTTP_PARSE_AGAIN) {
            if (aux->len == aux->cap) {
                timer_clear(hd, s);
                job_start(hd, s, JOB_PARSE_ERROR, HTTPD_431_REQ_HDR_FIELDS_TOO_LARGE);
                return;
            }
            break;
        }
        timer_clear(hd, s);
        if (rc == HTTP_PARSE_ERROR) {
            ESP_LOGD(TAG, "fd %d: bad request head (%d)", s->fd, aux->parser.status);
            job_start(hd, s, JOB_PARSE_ERROR, status_to_err(aux->parser.status));
            return;
        }
        job_start(hd, s, JOB_REQUEST, HTTPD_500_INTERNAL_SERVER_ERROR);
    }
    if (s->state == SESS_IDLE && s->out_len) {
        job_start(hd, s, JOB_FLUSH, HTTPD_500_INTERNAL_SERVER_ERROR);   /* the batch is over */
    }
    if (s->state == SESS_IDLE && s->io && s->io->len == 0 && !s->out_len) {
        slot_put(hd, s->io);   /* idle keep-alive: hold no buffer */
        s->io = NULL;
    }
}

static void on_readable_idle(struct httpd_data *hd, struct httpd_sess *s)
{
    if (!s->io) {
        s->io = slot_get(hd, s);
        if (!s->io) {
            ESP_LOGE(TAG, "out of memory for fd %d", s->fd);
            sess_close(hd, s);
            return;
        }
    }
    struct httpd_req_aux *aux = s->io;
    int n = s->recv_fn(hd, s->fd, aux->buf + aux->len, aux->cap - aux->len, 0);
    if (n == HTTPD_SOCK_ERR_TIMEOUT) {
        process_buffered(hd, s);   /* nothing new; releases an empty slot */
        return;
    }
    if (n <= 0) {
        sess_close(hd, s);         /* peer closed or socket error */
        return;
    }
    aux->len += (size_t)n;
    process_buffered(hd, s);
}

static void on_readable_drain(struct httpd_data *hd, struct httpd_sess *s)
{
    int r = req_drain(hd, s->io, true);
    if (r < 0) {
        sess_close(hd, s);
    } else if (r == 0) {
        timer_set(hd, s, TIMER_RECV);   /* progress: restart the inactivity time-out */
    } else {
        timer_clear(hd, s);
        request_done(hd, s);
        process_buffered(hd, s);
    }
}

static void on_readable_linger(struct httpd_data *hd, struct httpd_sess *s)
{
    char sink[512];
    for (int i = 0; i < 8; i++) {
        int n = s->recv_fn(hd, s->fd, sink, sizeof sink, 0);
        if (n == HTTPD_SOCK_ERR_TIMEOUT) {
            return;
        }
        if (n <= 0) {
            sess_close(hd, s);
            return;
        }
    }
}

void sess_on_event(struct httpd_data *hd, struct httpd_sess *s, unsigned events)
{
    (void)events;
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
        break;   /* stale event for a freed slot */
    }
    /* A transport with its own buffer (TLS) may hold bytes the socket no longer signals. */
    for (int i = 0; i < 4 && s->state == SESS_IDLE && s->pending_fn && s->pending_fn(hd, s->fd) > 0; i++) {
        on_readable_idle(hd, s);
    }
}

void sess_async_done(struct httpd_data *hd, struct httpd_req_aux *copy, int fd, uint32_t gen)
{
    struct httpd_sess *s = sess_find(hd, fd);
    if (!s || s->gen != gen || s->state != SESS_ASYNC) {
        sess_async_release(hd, copy);   /* the session ended meanwhile */
        return;
    }
    atomic_fetch_sub(&hd->async_out, 1);
    slot_put(hd, s->io);
    s->io = copy;
    copy->async = false;
    copy->in_handler = false;
    copy->next_free = NULL;
    s->state = SESS_BUSY;
    set_interest(hd, s, POLLER_IN);
    if (s->close_pending) {
        sess_close(hd, s);
        return;
    }
    finish_request(hd, s, !copy->broken);
    process_buffered(hd, s);
}

void sess_expire_timers(struct httpd_data *hd)
{
    bool any = false;
    for (int k = TIMER_RECV; k < TIMER_KINDS; k++) {
        any |= hd->timers[k].head != NULL;
    }
    if (!any) {
        return;   /* the usual case: no clock read */
    }
    uint64_t now = port_now_ms();
    for (int k = TIMER_RECV; k < TIMER_KINDS; k++) {
        struct httpd_sess *s;
        while ((s = hd->timers[k].head) != NULL && s->deadline_ms <= now) {
            timer_clear(hd, s);
            if (k == TIMER_LINGER || s->state == SESS_DRAIN) {
                sess_close(hd, s);
#if HTTPD_CORO
            } else if (s->state == SESS_BUSY && s->co) {
                if (job_resume(hd, s, WAIT_TIMEOUT)) {   /* the handler's wait ran out */
                    process_buffered(hd, s);
                }
#endif
            } else if (s->state == SESS_IDLE && s->io && s->io->head_started) {
                ESP_LOGD(TAG, "fd %d: request head not received in time", s->fd);
                job_start(hd, s, JOB_HEAD_TIMEOUT, HTTPD_408_REQ_TIMEOUT);
                process_buffered(hd, s);
            }
        }
    }
}

/* ---- Public session API (server thread, unless noted) ----------------------------- */

static struct httpd_sess *sess_lookup(httpd_handle_t handle, int sockfd)
{
    return handle ? sess_find(HTTPD_DATA(handle), sockfd) : NULL;
}

esp_err_t httpd_sess_set_recv_override(httpd_handle_t hd, int sockfd, httpd_recv_func_t recv_func)
{
    struct httpd_sess *s = sess_lookup(hd, sockfd);
    if (!s || !recv_func) {
        return ESP_ERR_INVALID_ARG;
    }
    s->recv_fn = recv_func;
    return ESP_OK;
}

esp_err_t httpd_sess_set_send_override(httpd_handle_t hd, int sockfd, httpd_send_func_t send_func)
{
    struct httpd_sess *s = sess_lookup(hd, sockfd);
    if (!s || !send_func) {
        return ESP_ERR_INVALID_ARG;
    }
    /* Responses held so far were made for the old transport: they leave through it. */
    s->cork = false;
    if (s->out_len) {
        (void)sess_flush_held(HTTPD_DATA(hd), s);
    }
    s->send_fn = send_func;
    return ESP_OK;
}

esp_err_t httpd_sess_set_pending_override(httpd_handle_t hd, int sockfd, httpd_pending_func_t pending_func)
{
    struct httpd_sess *s = sess_lookup(hd, sockfd);
    if (!s || !pending_func) {
        return ESP_ERR_INVALID_ARG;
    }
    s->pending_fn = pending_func;
    return ESP_OK;
}

/* Inside a handler of this session the live context is the request's. */
static httpd_req_t *handler_req(struct httpd_sess *s)
{
    return (s->io && s->io->in_handler) ? &s->io->req : NULL;
}

void *httpd_sess_get_ctx(httpd_handle_t handle, int sockfd)
{
    struct httpd_sess *s = sess_lookup(handle, sockfd);
    if (!s) {
        return NULL;
    }
    httpd_req_t *r = handler_req(s);
    return r ? r->sess_ctx : s->ctx;
}

void httpd_sess_set_ctx(httpd_handle_t handle, int sockfd, void *ctx, httpd_free_ctx_fn_t free_fn)
{
    struct httpd_sess *s = sess_lookup(handle, sockfd);
    if (!s) {
        return;
    }
    httpd_req_t *r = handler_req(s);
    if (r && r->sess_ctx != s->ctx && r->sess_ctx != ctx) {
        /* The handler had already replaced the context in req: that one goes too. */
        free_ctx(&r->sess_ctx, r->free_ctx);
    }
    if (s->ctx != ctx) {
        free_ctx(&s->ctx, s->free_ctx);
    }
    s->ctx = ctx;
    s->free_ctx = free_fn;
    if (r) {
        r->sess_ctx = ctx;
        r->free_ctx = free_fn;
    }
}

void *httpd_sess_get_transport_ctx(httpd_handle_t handle, int sockfd)
{
    struct httpd_sess *s = sess_lookup(handle, sockfd);
    return s ? s->transport_ctx : NULL;
}

void httpd_sess_set_transport_ctx(httpd_handle_t handle, int sockfd, void *ctx, httpd_free_ctx_fn_t free_fn)
{
    struct httpd_sess *s = sess_lookup(handle, sockfd);
    if (!s) {
        return;
    }
    if (s->transport_ctx != ctx) {
        free_ctx(&s->transport_ctx, s->free_transport_ctx);
    }
    s->transport_ctx = ctx;
    s->free_transport_ctx = free_fn;
}

/* Any thread: the close is queued to the server thread and names the session
 * by (fd, generation), so a newer session on a reused fd is never closed. */
esp_err_t httpd_sess_trigger_close(httpd_handle_t handle, int sockfd)
{
    if (!handle) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!httpd_registry_lock_valid(handle)) {
        return ESP_ERR_INVALID_ARG;
    }
    struct httpd_data *hd = HTTPD_DATA(handle);
    port_mutex_lock(&hd->sess_lock);
    struct httpd_sess *s = sess_find(hd, sockfd);
    if (s && s->closing) {
        s = NULL;
    }
    struct work_item w = { .kind = WORK_CLOSE, .fd = sockfd, .gen = s ? s->gen : 0 };
    port_mutex_unlock(&hd->sess_lock);
    httpd_registry_unlock();
    if (!s) {
        return ESP_ERR_NOT_FOUND;
    }
    return httpd_work_push(hd, &w);
}

esp_err_t httpd_sess_update_lru_counter(httpd_handle_t handle, int sockfd)
{
    if (!handle || sockfd < 0) {
        return ESP_ERR_INVALID_ARG;
    }
    struct httpd_data *hd = HTTPD_DATA(handle);
    struct httpd_sess *s = sess_find(hd, sockfd);
    if (!s) {
        return ESP_ERR_NOT_FOUND;
    }
    s->lru_counter = ++hd->lru_clock;
    return ESP_OK;
}

esp_err_t httpd_get_client_list(httpd_handle_t handle, size_t *fds, int *client_fds)
{
    if (!handle || !fds || !client_fds || *fds == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    struct httpd_data *hd = HTTPD_DATA(handle);
    size_t n = 0;
    for (unsigned i = 0; i < hd->config.max_open_sockets; i++) {
        const struct httpd_sess *s = &hd->sessions[i];
        if (s->state == SESS_FREE || s->state == SESS_LINGER) {
            continue;
        }
        if (n == *fds) {
            return ESP_ERR_INVALID_ARG;
        }
        client_fds[n++] = s->fd;
    }
    *fds = n;
    return ESP_OK;
}

int httpd_socket_send(httpd_handle_t hd, int sockfd, const char *buf, size_t buf_len, int flags)
{
    struct httpd_sess *s = sess_lookup(hd, sockfd);
    if (!s || s->state == SESS_LINGER || (!buf && buf_len)) {
        return HTTPD_SOCK_ERR_INVALID;
    }
    return sess_send_wait(HTTPD_DATA(hd), s, buf, buf_len, flags);
}

int httpd_socket_recv(httpd_handle_t hd, int sockfd, char *buf, size_t buf_len, int flags)
{
    struct httpd_sess *s = sess_lookup(hd, sockfd);
    if (!s || s->state == SESS_LINGER || (!buf && buf_len)) {
        return HTTPD_SOCK_ERR_INVALID;
    }
    return sess_recv_wait(HTTPD_DATA(hd), s, buf, buf_len, flags);
}
