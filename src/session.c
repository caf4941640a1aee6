/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sessions: the table sized by max_open_sockets, accept and LRU purge, the
 * request-slot pool and the receive window inside a slot, deadlines,
 * waiting sends and receives (a job is suspended, another thread blocks),
 * held output, and the httpd_sess_* / httpd_socket_* API. What a connection
 * does with its bytes is conn.c's.
 */
#include "httpd_priv.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define TAG "httpd_sess"   /* (a macro: one translation unit may hold every file) */

#define LINGER_MS        2000u   /* how long a closing session waits for the peer's FIN */
#define BODY_WINDOW      ((size_t)CONFIG_HTTPD_RX_READAHEAD)   /* room after the largest head */
#define LEADING_LINES    8u      /* empty lines tolerated before a request line */
#define ACCEPTS_PER_WAKE 16
#define ACCEPT_RETRY_MS  250   /* after accept failed for want of descriptors or memory */
#define FULL_RETRY_MS    100   /* a full table with LRU purging on and no session to purge */
#define SLOTS_KEPT_IDLE  CONFIG_HTTPD_REQ_POOL_LEN   /* request slots kept for reuse; a burst beyond is freed */
#define WAIT_SLICE_MS    100     /* how often a blocked thread's wait notices httpd_stop() */

/* A path shared by several callers that a size-optimised build keeps out of
 * line (a fast build lets the compiler inline it). */
#if HTTPD_SPEED
#define SHARED
#else
#define SHARED __attribute__((noinline))
#endif

/* ---- Request slots: taken while bytes are in flight, pooled otherwise ----------------- */

static size_t slot_size(const struct httpd_data *hd)
{
    return sizeof(struct slot) + (size_t)hd->config.max_resp_headers * sizeof(struct resp_hdr) +
           hd->slot_buf_cap + HTTPD_OUT_CAP;
}

static char *slot_buf(const struct httpd_data *hd, struct slot *slot)
{
    return (char *)(SLOT_RESP_HDRS(slot) + hd->config.max_resp_headers);
}

struct slot *httpd__slot_get(struct httpd_data *hd, struct httpd_sess *s)
{
    struct slot *slot = SLOTS_KEPT_IDLE > 0 ? hd->free_slots : NULL;
    if (slot) {
        hd->free_slots = slot->next_free;
        hd->n_free_slots--;
        slot->next_free = NULL;
        slot->rx.len = slot->rx.rd = 0;
        slot->rx.out_len = 0;
    } else {
        slot = calloc(1, slot_size(hd));   /* zeros: an empty window */
        if (!slot) {
            return NULL;
        }
        slot->rx.buf = slot_buf(hd, slot);
        slot->rx.cap = hd->slot_buf_cap;
    }
    slot->sess = s;
    return slot;
}

static void slot_put(struct httpd_data *hd, struct slot *slot)
{
#if CONFIG_HTTPD_CHUNK_HOLD_LEN > 0
    if (!HTTPD_SPEED || slot->rx.out_big) {   /* (usually none: a fast build makes no call then) */
        free(slot->rx.out_big);   /* only while a response's chunks gather: not kept with the slot */
        slot->rx.out_big = NULL;
    }
#endif
    if (SLOTS_KEPT_IDLE == 0 || hd->n_free_slots + 1u > SLOTS_KEPT_IDLE) {
        free(slot);   /* after a burst, memory goes back instead of staying at the peak */
        return;
    }
    slot->sess = NULL;
    slot->rq.req.aux = NULL;   /* a handler's stale req is refused by the API (the pool's one write to rq) */
    slot->next_free = hd->free_slots;
    hd->free_slots = slot;
    hd->n_free_slots++;
}

void httpd__sess_slot_release(struct httpd_data *hd, struct httpd_sess *s)
{
    if (s->slot) {
        slot_put(hd, s->slot);
        s->slot = NULL;
    }
}

/* Counts the async copies out (httpd_stop() waits until none is). */
SHARED static void async_out_add(struct httpd_data *hd, int n)
{
    atomic_fetch_add(&hd->async_out, (unsigned)n);
}

struct slot *httpd__slot_clone(struct httpd_data *hd, const struct slot *slot)
{
    struct slot *copy = malloc(slot_size(hd));
    if (!copy) {
        return NULL;
    }
    /* Same layout as a pool slot, so the copy can rejoin the pool later. */
    memcpy(copy, slot, slot_size(hd));
    copy->rx.buf = slot_buf(hd, copy);
#if CONFIG_HTTPD_CHUNK_HOLD_LEN > 0
    copy->rx.out_big = NULL;   /* (empty: flushed before the hand-over) stays the original's */
#endif
    copy->next_free = NULL;
    async_out_add(hd, 1);   /* httpd_stop() waits for it */
    return copy;
}

void httpd__slot_clone_free(struct httpd_data *hd, struct slot *copy)
{
#if CONFIG_HTTPD_CHUNK_HOLD_LEN > 0
    free(copy->rx.out_big);
#endif
    free(copy);
    async_out_add(hd, -1);
}

void httpd__sess_slot_adopt(struct httpd_data *hd, struct httpd_sess *s, struct slot *copy)
{
    async_out_add(hd, -1);
    httpd__sess_slot_release(hd, s);
    s->slot = copy;
}

/* ---- Receive window ------------------------------------------------------------------- */

/* Moves the unread bytes [rd, len) to base; the bytes before base are kept. */
static void rx_compact(struct slot_rx *rx, size_t base)
{
    if (rx->rd != base) {
        size_t rest = rx->len - rx->rd;
        if (!HTTPD_SPEED || rest) {   /* (a fast build skips the call for the usual empty rest) */
            memmove(rx->buf + base, rx->buf + rx->rd, rest);
        }
        rx->rd = base;
        rx->len = base + rest;
    }
}

void httpd__rx_restart(struct slot *slot)
{
    rx_compact(&slot->rx, 0);
}

/* ---- Table ------------------------------------------------------------------------------ */

esp_err_t httpd__sess_table_init(struct httpd_data *hd)
{
    /* fds of sessions are small numbers in practice (the lowest free ones): an
     * index twice the table's size (plus the process's other fds) covers them;
     * a higher fd is found by a scan. */
    unsigned n = hd->config.max_open_sockets;
    hd->sessions = calloc(n, sizeof *hd->sessions);
    if (HTTPD_SPEED && hd->sessions && n < UINT16_MAX) {   /* (without: zeros, no index) */
        hd->by_fd_cap = n * 2u + 64u;
        hd->by_fd = calloc(hd->by_fd_cap, sizeof *hd->by_fd);
        if (!hd->by_fd) {
            free(hd->sessions);
            hd->sessions = NULL;
        }
    }
    if (!hd->sessions) {
        return ESP_ERR_HTTPD_ALLOC_MEM;   /* (the server is freed next) */
    }
    hd->sessions_end = hd->sessions + n;
    httpd__port_mutex_init(&hd->sess_lock);
    /* Deadlines by kind (the loop keeps the lists). */
    hd->timer_ms[TIMER_RECV] = (uint32_t)hd->config.recv_wait_timeout * 1000u;
    hd->timer_ms[TIMER_SEND] = (uint32_t)hd->config.send_wait_timeout * 1000u;
    hd->timer_ms[TIMER_LINGER] = LINGER_MS;
    hd->timer_ms[TIMER_IDLE] = (uint32_t)CONFIG_HTTPD_IDLE_TIMEOUT_S * 1000u;
    for (struct httpd_sess *s = hd->sessions_end; s != hd->sessions;) {
        s--;
        s->fd = -1;
        s->next_free = hd->free_sess;
        hd->free_sess = s;
    }
    hd->slot_buf_cap = hd->max_line + hd->max_hdr + LEADING_LINES * 2 + BODY_WINDOW;
    return ESP_OK;
}

void httpd__sess_table_free(struct httpd_data *hd)
{
    if (!hd->sessions) {
        return;   /* never built (the server is freed next) */
    }
    while (SLOTS_KEPT_IDLE > 0 && hd->free_slots) {
        struct slot *next = hd->free_slots->next_free;
        free(hd->free_slots);
        hd->free_slots = next;
    }
    free(hd->sessions);
    if (HTTPD_SPEED) {
        free(hd->by_fd);   /* none otherwise */
    }
    httpd__port_mutex_destroy(&hd->sess_lock);
}

/* By fd alone, never by state: an entry's fd is -1 exactly while it is FREE,
 * and fd (with by_fd) changes only under sess_lock, so other threads holding
 * it look up race-free while the server thread moves state about. */
struct httpd_sess *httpd__sess_find(struct httpd_data *hd, int fd)
{
    if (!hd->sessions || fd < 0) {
        return NULL;
    }
    if (HTTPD_SPEED && (unsigned)fd < hd->by_fd_cap) {
        unsigned i = hd->by_fd[fd];
        struct httpd_sess *s = i ? &hd->sessions[i - 1] : NULL;
        return s && s->fd == fd ? s : NULL;
    }
    struct httpd_sess *end = hd->sessions_end;
    for (struct httpd_sess *s = hd->sessions; s < end; s++) {
        if (s->fd == fd) {
            return s;
        }
    }
    return NULL;
}

void httpd__sess_free_ctx(void **ctx, httpd_free_ctx_fn_t fn)
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

void httpd__sess_close(struct httpd_data *hd, struct httpd_sess *s)
{
    if (s->state == SESS_FREE) {
        return;
    }
    /* From here on httpd_sess_trigger_close() no longer finds it, even while
     * close_fn and the free functions still run with its fd. (It reads the
     * flag under sess_lock: before or after this store, as with the lock.) */
    atomic_store_explicit(&s->closing, true, memory_order_relaxed);
    httpd__sess_show(s, CLIENT_NONE);
    httpd__loop_timer_clear(hd, s);   /* the loop forgets it: no deadline, */
    httpd__loop_watch_change(hd, s, 0);   /* out of the poller (unless it is already) */
    if (hd->config.enable_so_linger) {
        httpd__port_set_linger(s->fd, hd->config.linger_timeout);
    }
    ESP_LOGD(TAG, "closing session fd %d", s->fd);
    /* With close_fn the application owns close(): it runs exactly once. */
    if (hd->config.close_fn) {
        hd->config.close_fn(hd, s->fd);
    } else {
        httpd__port_close(s->fd);
    }
    httpd__sess_free_ctx(&s->ctx, s->free_ctx);
    httpd__sess_free_ctx(&s->transport_ctx, s->free_transport_ctx);
    if (s->on_close) {
        s->on_close(s);   /* (once: the entry is FREE next, and zeroed when reused) */
    }
    httpd__sess_slot_release(hd, s);
    if (HTTPD_OUT_CAP > 0) {
        s->cork = false;   /* never set otherwise */
    }
    httpd__port_mutex_lock(&hd->sess_lock);
    if (HTTPD_SPEED && (unsigned)s->fd < hd->by_fd_cap && hd->by_fd[s->fd] == (uint16_t)(s - hd->sessions + 1)) {
        hd->by_fd[s->fd] = 0;
    }
    s->state = SESS_FREE;
    s->fd = -1;
    s->next_free = hd->free_sess;
    hd->free_sess = s;
    httpd__port_mutex_unlock(&hd->sess_lock);
    hd->n_open--;
#if CONFIG_HTTPD_WS_SUPPORT
    while (s->outq) {   /* queued output goes with the connection */
        struct out_chunk *c = s->outq;
        s->outq = c->next;
        free(c);
    }
#endif
    httpd__loop_mute_listen(hd, false, 0);
}

void httpd__sess_close_all(struct httpd_data *hd, bool keep_async)
{
    struct httpd_sess *end = hd->sessions_end;
    for (struct httpd_sess *s = hd->sessions; s < end; s++) {
        if (keep_async && s->state == SESS_ASYNC) {
            /* A worker may be writing to it right now: closing the fd would let
             * the number be reused under it. Make its I/O fail instead. */
            httpd__port_shutdown_rdwr(s->fd);
        } else {
            httpd__sess_close(hd, s);
        }
    }
}

void httpd__sess_close_by_id(struct httpd_data *hd, int fd, uint32_t gen)
{
    struct httpd_sess *s = httpd__sess_find(hd, fd < 0 ? ~fd : fd);
    if (s && s->gen == gen) {
        if (fd < 0) {
            s->lru_counter = ++hd->lru_clock;   /* httpd_sess_update_lru_counter() from another thread */
        } else if (s->state == SESS_ASYNC || s->state == SESS_BUSY) {
            s->close_pending = true;   /* a worker or a suspended job still uses it */
        } else {
            httpd__sess_close(hd, s);
        }
    }
}

/* The response is out: send FIN, then read and discard until the peer closes
 * (or LINGER_MS passes), so unread request bytes cannot turn our close into
 * an RST that destroys the response before the client reads it. */
void httpd__sess_linger(struct httpd_data *hd, struct httpd_sess *s)
{
    httpd__sess_slot_release(hd, s);   /* held output was flushed by the job that decided to close */
    httpd__port_shutdown_wr(s->fd);
    s->state = SESS_LINGER;
    httpd__sess_show(s, CLIENT_NONE);   /* no longer a client other threads may use */
    httpd__loop_timer_set(hd, s, TIMER_LINGER);
}

/* Replaces *ctx (and its free function): the old one is freed unless it is the new one. */
static void ctx_replace(void **ctx, httpd_free_ctx_fn_t *fn, void *nctx, httpd_free_ctx_fn_t nfn)
{
    if (*ctx != nctx) {
        httpd__sess_free_ctx(ctx, *fn);
    }
    *ctx = nctx;
    *fn = nfn;
}

void httpd__sess_ctx_commit(struct httpd_sess *s, httpd_req_t *r)
{
    if (r->ignore_sess_ctx_changes) {
        s->ctx = r->sess_ctx;   /* taken as it is: nothing is freed */
    }
    ctx_replace(&s->ctx, &s->free_ctx, r->sess_ctx, r->free_ctx);
    s->ignore_sess_ctx_changes = r->ignore_sess_ctx_changes;
}


/* ---- Default transport -------------------------------------------------------------- */

/* A port call's result as the API's: the byte count, or the port's code as an HTTPD_SOCK_ERR_*. */
SHARED static int sock_result(ssize_t n)
{
    return n >= 0 ? (int)n
         : n == PORT_AGAIN ? HTTPD_SOCK_ERR_TIMEOUT
         : n == PORT_INVALID ? HTTPD_SOCK_ERR_INVALID
         : HTTPD_SOCK_ERR_FAIL;
}

static int default_send(httpd_handle_t h, int fd, const char *buf, size_t len, int flags)
{
    (void)h;
    return sock_result(httpd__port_send(fd, buf, len, flags));
}

static int default_recv(httpd_handle_t h, int fd, char *buf, size_t len, int flags)
{
    (void)h;
    return sock_result(httpd__port_recv(fd, buf, len, flags));
}

#if HTTPD_SPEED
/* One receive through the session's function, without waiting (the loop's
 * read of a readable socket): the default one without the call through a
 * pointer. */
int httpd__sess_recv_now(struct httpd_data *hd, struct httpd_sess *s, char *buf, size_t len)
{
    if (s->recv_fn == default_recv) {
        return sock_result(httpd__port_recv(s->fd, buf, len, 0));
    }
    return s->recv_fn(hd, s->fd, buf, len, 0);
}
#endif

#if HTTPD_HOLD
bool httpd__sess_default_transport(const struct httpd_sess *s)
{
    return s->send_fn == default_send;
}
#endif

/* ---- Waiting ------------------------------------------------------------------------- */

/* A purge ends only a coroutine's job (conn.c): without coroutines no session is aborted. */
#if HTTPD_CORO
#define JOB_ABORTED(s) ((s)->aborted)
#else
#define JOB_ABORTED(s) false
#endif

/* A wait that ended because the server is stopping is a failure, not a
 * time-out: handlers that retry on time-outs must not spin through the stop. */
static int stop_or_timeout(struct httpd_data *hd)
{
    return httpd__workq_stopping(hd) ? HTTPD_SOCK_ERR_FAIL : HTTPD_SOCK_ERR_TIMEOUT;
}

/* True when the client a job waits for is not keeping up (docs/limits.md):
 * after the grace period its bytes per second of waiting fall below
 * CONFIG_HTTPD_RECV_MIN_RATE, or the waiting passed CONFIG_HTTPD_RECV_TOTAL_S.
 * extra_ms: the wait in progress, not counted yet. With grace false the
 * rate counts from the first second (a full table's purge). */
static bool too_slow(const struct slot *slot, uint32_t extra_ms, bool grace)
{
    if (!slot) {
        return false;
    }
    uint32_t w = slot->rx.waited_ms + extra_ms;
    return (CONFIG_HTTPD_RECV_TOTAL_S && w > CONFIG_HTTPD_RECV_TOTAL_S * 1000u) ||
           (CONFIG_HTTPD_RECV_MIN_RATE && w > (grace ? CONFIG_HTTPD_RECV_GRACE_S * 1000u : 1000u) &&
            slot->rx.got < (uint32_t)CONFIG_HTTPD_RECV_MIN_RATE * (w / 1000u));
}

_Static_assert(TIMER_SEND == TIMER_RECV + 1, "wait_ready() adds for_write to TIMER_RECV");

#if HTTPD_CORO
/* True when the caller is s's own job, which may suspend: on its coroutine,
 * or in line on the loop's stack (HTTPD_JOB_INLINE). */
static inline bool job_here(const struct httpd_data *hd, const struct httpd_sess *s)
{
    coro_t *cur = httpd__coro_current();
    if (s->co) {
        return cur == s->co;
    }
#if HTTPD_JOB_INLINE
    return hd->inline_sess == s && hd->loop_co && cur == hd->loop_co;
#else
    (void)hd;
    return false;
#endif
}

/* For job_here()'s job, about to suspend: true once it owns the stack it
 * runs on as its coroutine. One in line on the loop's stack keeps that stack,
 * and a fresh one carries the loop on (httpd__loop_hand_over()). False when
 * there is none to be had: the job waits in place, as without coroutines. */
static bool job_own_stack(struct httpd_data *hd, struct httpd_sess *s)
{
#if HTTPD_JOB_INLINE
    if (!s->co && !httpd__loop_hand_over(hd, &s->co)) {
        ESP_LOGW(TAG, "no stack to carry the loop on: fd %d's handler waits on the server thread", s->fd);
        return false;
    }
#else
    (void)hd;
    (void)s;
#endif
    return true;
}
#endif

/* A send or receive found the socket not ready: waits until it is. 0: try
 * again; otherwise the code to return (time-out, error, or server stop, so
 * httpd_stop() is not held up by a handler waiting on a slow client). On the
 * session's own job coroutine the job is suspended and the loop serves
 * everyone else meanwhile (conn.c resumes it); elsewhere (work functions,
 * async workers, builds without coroutines) the calling thread waits, until
 * *deadline: 0 until the first wait since the last progress sets it, for the
 * time-out counts from there. Its one caller is httpd__sess_io(). */
static int wait_ready(struct httpd_data *hd, struct httpd_sess *s, bool for_write, uint32_t *deadline)
{
    if (!for_write && httpd__sess_held(s) && httpd__sess_flush_held(hd, s) != 0) {
        return stop_or_timeout(hd);   /* the peer may wait for those responses before it sends more */
    }
    if (JOB_ABORTED(s) || (!for_write && too_slow(s->slot, 0, true))) {
        return HTTPD_SOCK_ERR_FAIL;   /* a failure, not a time-out: handlers that retry stop here */
    }
    enum timer_kind kind = (enum timer_kind)(TIMER_RECV + for_write);   /* TIMER_SEND follows it */
    uint32_t start = (uint32_t)httpd__port_now_ms();
    bool ready = false;   /* false: the wait ran out, failed or was ended */
#if HTTPD_CORO
    if (job_here(hd, s) && (httpd__workq_stopping(hd) || job_own_stack(hd, s))) {
        if (!httpd__workq_stopping(hd)) {
            httpd__loop_watch(hd, s, for_write ? POLLER_OUT : POLLER_IN);
            s->wait_result = WAIT_PENDING;
#if HTTPD_SPEED
            hd->now_ms = start;   /* (the loop's thread) the wait's deadline counts from now */
#endif
            httpd__loop_timer_set(hd, s, kind);
            httpd__coro_yield();
            httpd__loop_timer_clear(hd, s);
            ready = s->wait_result == WAIT_READY && !s->aborted;
        }
    } else
#endif
    {
        if (!*deadline) {
            uint32_t d = start + hd->timer_ms[kind];
            *deadline = d ? d : 1u;   /* 0 means unset */
        }
        while (!httpd__workq_stopping(hd)) {
            int32_t left = (int32_t)(*deadline - (uint32_t)httpd__port_now_ms());
            if (left <= 0) {
                break;
            }
            int rc = httpd__port_wait_fd(s->fd, for_write, left > WAIT_SLICE_MS ? WAIT_SLICE_MS : (int)left);
            if (rc != 0) {
                ready = rc == 1;
                break;
            }
        }
    }
    if (!for_write && s->slot) {
        s->slot->rx.waited_ms += (uint32_t)httpd__port_now_ms() - start;
    }
    if (ready) {
        return 0;
    }
    return JOB_ABORTED(s) ? HTTPD_SOCK_ERR_FAIL : stop_or_timeout(hd);
}

/* One send or receive (one sendmsg for SESS_IO_SENDV), waiting while the
 * socket is not ready. Every waiting transfer goes through here, each call
 * starting its time-out afresh: the time-out is for lack of progress. */
int httpd__sess_io(struct httpd_data *hd, struct httpd_sess *s, char *buf, size_t len, int flags, enum sess_io op)
{
    bool for_write = op >= SESS_IO_SEND;
    int rc = op == SESS_IO_SEND ? httpd__sess_flush_held(hd, s) : 0;   /* raw bytes go after the held responses */
    uint32_t deadline = 0;   /* set at the first wait: no clock read otherwise */
    while (rc == 0) {
        int n;
#if CONFIG_HTTPD_WS_SUPPORT
        if (op == SESS_IO_QUEUE) {
            n = httpd__sess_queue_flush(hd, s);   /* bytes left: wait as a send does */
            n = n > 0 ? HTTPD_SOCK_ERR_TIMEOUT : n;   /* (-1: HTTPD_SOCK_ERR_FAIL) */
        } else
#endif
        n = op == SESS_IO_SENDV ? sock_result(httpd__port_sendv(s->fd, (const struct iovec *)(void *)buf, (int)len))
          : for_write           ? s->send_fn(hd, s->fd, buf, len, flags)
                                : s->recv_fn(hd, s->fd, buf, len, flags);
        if (n != HTTPD_SOCK_ERR_TIMEOUT || op == SESS_IO_RECV_NOW) {
            if (!for_write && n > 0 && s->slot) {
                uint32_t got = s->slot->rx.got + (uint32_t)n;
                s->slot->rx.got = got < (uint32_t)n ? UINT32_MAX : got;   /* saturates */
            }
            return n;
        }
        if (!for_write && s->pending_fn && s->pending_fn(hd, s->fd) > 0) {
            continue;
        }
        rc = wait_ready(hd, s, for_write, &deadline);
    }
    return rc;
}

/* The receive window's refill (its bytes are rx_compact()ed first). */
int httpd__rx_recv(struct httpd_data *hd, struct slot *slot, size_t base, size_t max, bool wait)
{
    struct slot_rx *rx = &slot->rx;
    rx_compact(rx, base);
    if (rx->len == rx->cap) {
        return HTTPD_SOCK_ERR_FAIL;   /* nothing more fits: a line longer than the window */
    }
    size_t room = rx->cap - rx->len;
    if (max && room > max) {
        room = max;
    }
    int n = httpd__sess_io(hd, slot->sess, rx->buf + rx->len, room, 0, wait ? SESS_IO_RECV : SESS_IO_RECV_NOW);
    if (n > 0) {
        rx->len += (size_t)n;
    }
    return n;
}

/* Every byte of the iovecs: one sendmsg per try on the default transport, the
 * session's send function per iovec otherwise; the time-out is for lack of
 * progress. */
#if HTTPD_SPEED
__attribute__((always_inline)) inline   /* in both paths of httpd__sess_sendv_all() */
#endif
static int sendv_all(struct httpd_data *hd, struct httpd_sess *s, struct iovec *iov, int iovcnt)
{
    size_t done = 0;   /* bytes of iov already sent (empty iovecs are skipped as sent) */
    if (HTTPD_SPEED && s->send_fn == default_send) {
        /* The usual case, tried first where speed counts: one sendmsg takes it
         * all. (A failure is met again, and handled, by the loop below.) */
        ssize_t n = httpd__port_sendv(s->fd, iov, iovcnt);
        done = n > 0 ? (size_t)n : 0;
    }
    for (;;) {
        while (iovcnt > 0 && done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            iovcnt--;
        }
        if (iovcnt == 0) {
            return 0;
        }
        iov->iov_base = (char *)iov->iov_base + done;
        iov->iov_len -= done;
        bool v = s->send_fn == default_send;
        int n = httpd__sess_io(hd, s, v ? (char *)iov : iov->iov_base, v ? (size_t)iovcnt : iov->iov_len, 0,
                               v ? SESS_IO_SENDV : SESS_IO_SEND);
        if (n < 0) {
            return n;
        }
        done = (size_t)n;
    }
}

/* ---- Held output ----------------------------------------------------------------------
 * While complete requests (or WebSocket frames, ws.c) wait behind the one
 * being served (pipelining), its response is copied to the slot's out buffer
 * instead of being sent, when it fits; the next send carries everything held
 * in front of its own bytes, so a batch of small responses leaves in one
 * sendmsg. The loop flushes what is
 * left when the batch ends, and anything that could wait on the peer (a
 * receive, a close, a raw send, an async hand-over) flushes first: order is
 * kept, and no response waits for input the client holds back for it. */

/* Where held output is: the slot's own room, or the larger buffer taken for chunks. */
static char *out_buf(const struct slot_rx *rx)
{
#if CONFIG_HTTPD_CHUNK_HOLD_LEN > 0
    if (rx->out_big) {
        return rx->out_big;
    }
#endif
    return rx->buf + rx->cap;
}

/* Copies the iovecs behind the held output when they fit in cap bytes in all. */
static bool hold(struct slot_rx *rx, const struct iovec *iov, int iovcnt, size_t cap)
{
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++) {
        total += iov[i].iov_len;
    }
    if (rx->out_len + total > cap) {
        return false;
    }
    char *o = out_buf(rx) + rx->out_len;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len) {
            memcpy(o, iov[i].iov_base, iov[i].iov_len);
            o += iov[i].iov_len;
        }
    }
    rx->out_len = (uint32_t)(rx->out_len + total);
    return true;
}

#if HTTPD_SPEED
/* The usual send: nothing held or queued, the default transport, no send
 * under way. A fast build takes it without the steps of httpd__sess_sendv_all(). */
static bool plain_send(const struct httpd_sess *s)
{
    return !s->cork && !s->sending && !httpd__sess_held(s) && !httpd__sess_queued(s) && s->send_fn == default_send;
}
#endif

int httpd__sess_sendv_all(struct httpd_data *hd, struct httpd_sess *s, struct iovec *iov, int iovcnt)
{
#if HTTPD_SPEED
    if (plain_send(s)) {
        s->sending = true;
        int rc = sendv_all(hd, s, iov, iovcnt);
        s->sending = false;
        return rc;
    }
#endif
    if (CONFIG_HTTPD_PIPELINE_HOLD_LEN > 0 && s->cork && !s->sending &&
        hold(&s->slot->rx, iov, iovcnt, HTTPD_OUT_CAP)) {
        return 0;
    }
    struct iovec all[8];
    if (httpd__sess_held(s)) {
        if (iovcnt > 7) {
            int rc = httpd__sess_flush_held(hd, s);
            if (rc != 0) {
                return rc;
            }
        } else {
            all[0] = (struct iovec){ .iov_base = out_buf(&s->slot->rx), .iov_len = s->slot->rx.out_len };
            for (int i = 0; i < iovcnt; i++) {
                all[i + 1] = iov[i];
            }
            iov = all;
            iovcnt++;
            s->slot->rx.out_len = 0;   /* this send owns those bytes now (no one holds more while it runs) */
        }
    }
    int rc = 0;
#if CONFIG_HTTPD_WS_SUPPORT
    /* What the loop queued leaves first (only the server thread, which queues,
     * touches the queue: an async worker's sends go straight out). Before
     * `sending` is set: the flush sends nothing while a send is under way. */
    if (s->outq && !s->sending && httpd__workq_on_server_thread(hd)) {
        rc = httpd__sess_io(hd, s, NULL, 0, 0, SESS_IO_QUEUE);
    }
#endif
    /* While this runs (possibly suspended), nobody else may write to s; an
     * inner send leaves the flag as the outer one set it. */
    bool was_sending = s->sending;
    s->sending = true;
    if (rc == 0) {
        rc = sendv_all(hd, s, iov, iovcnt);
    }
    s->sending = was_sending;
    return rc;
}

#if HTTPD_SPEED
int httpd__sess_send_all(struct httpd_data *hd, struct httpd_sess *s, const void *buf, size_t len)
{
    /* One buffer (a small response, head and body) on the usual send: one
     * send() takes it all, without sendv_all()'s iovec steps; whatever is
     * left goes on below. */
    size_t done = 0;
    if (plain_send(s)) {
        ssize_t n = httpd__port_send(s->fd, buf, len, 0);
        if (n == (ssize_t)len) {
            return 0;
        }
        done = n > 0 ? (size_t)n : 0;
    }
    struct iovec iov = { (char *)(uintptr_t)buf + done, len - done };
    return httpd__sess_sendv_all(hd, s, &iov, 1);
}
#endif

#if CONFIG_HTTPD_CHUNK_HOLD_LEN > 0
/* Small chunks of a response gather in the held output the same way, up to
 * CONFIG_HTTPD_CHUNK_HOLD_LEN bytes: a chunk that does not fit leaves with
 * them in one sendmsg, and so does the last chunk. Only the job's own slot
 * holds (an async worker's copy sends at once), and never inside a send under
 * way. The flushes above cover every wait: a receive that would wait, a raw
 * send, the job's end, an async hand-over. */
int httpd__sess_sendv_chunk(struct httpd_data *hd, struct slot *slot, struct iovec *iov, int iovcnt)
{
    struct httpd_sess *s = slot->sess;
    struct slot_rx *rx = &slot->rx;
    if (s->slot != slot || s->sending) {
        return httpd__sess_sendv_all(hd, s, iov, iovcnt);
    }
    if (hold(rx, iov, iovcnt, rx->out_big ? CONFIG_HTTPD_CHUNK_HOLD_LEN : HTTPD_OUT_CAP)) {
        return 0;
    }
    size_t total = rx->out_len;
    for (int i = 0; i < iovcnt; i++) {
        total += iov[i].iov_len;
    }
    if (!rx->out_big && total <= CONFIG_HTTPD_CHUNK_HOLD_LEN) {
        /* More room than the slot's own: a buffer for this slot's chunks,
         * given back with the slot (no buffer: the chunk goes at once). */
        char *big = malloc(CONFIG_HTTPD_CHUNK_HOLD_LEN);
        if (big) {
            if (rx->out_len) {
                memcpy(big, rx->buf + rx->cap, rx->out_len);
            }
            rx->out_big = big;
            return hold(rx, iov, iovcnt, CONFIG_HTTPD_CHUNK_HOLD_LEN) ? 0 : HTTPD_SOCK_ERR_FAIL;   /* (it fits) */
        }
    }
    return httpd__sess_sendv_all(hd, s, iov, iovcnt);
}

bool httpd__sess_hold_chunk(struct slot *slot, const struct iovec *iov, int iovcnt)
{
    const struct httpd_sess *s = slot->sess;
    return s->slot == slot && !s->sending && slot->rx.out_big &&
           hold(&slot->rx, iov, iovcnt, CONFIG_HTTPD_CHUNK_HOLD_LEN);
}
#endif

#if CONFIG_HTTPD_WS_SUPPORT
/* ---- Queued output -----------------------------------------------------------------
 * The loop never waits for a socket: a send it makes (a work function's, or
 * another thread's WebSocket frame handed to it) goes out as far as the
 * socket takes it at once; the rest is copied here and leaves when the socket
 * is writable, before any later send. Bounded per connection; a connection
 * that takes nothing within send_wait_timeout is closed (conn.c). */

int httpd__sess_queue_flush(struct httpd_data *hd, struct httpd_sess *s)
{
    if (s->sending || s->state == SESS_ASYNC) {
        return 1;   /* a send under way (or an async worker's) ends first: never inside it */
    }
    bool progress = false;
    while (s->outq) {
        struct out_chunk *c = s->outq;
        int n = s->send_fn(hd, s->fd, c->p, c->left, 0);
        if (n == HTTPD_SOCK_ERR_TIMEOUT) {
            break;
        }
        if (n <= 0) {
            return -1;
        }
        progress = true;
        c->p += n;
        c->left -= (size_t)n;
        if (c->left == 0) {
            s->outq = c->next;
            free(c);
        }
    }
    if (s->state != SESS_BUSY) {
        /* No job to send them first: the loop watches for writing while bytes
         * wait, and their deadline runs from the last progress. */
        httpd__loop_watch(hd, s, s->outq ? POLLER_IN | POLLER_OUT : POLLER_IN);
        if (s->outq ? progress || s->timer != TIMER_SEND : s->timer == TIMER_SEND) {
            httpd__loop_timer_set(hd, s, s->outq ? TIMER_SEND : TIMER_NONE);   /* (NONE: cleared) */
        }
    }
    return s->outq ? 1 : 0;
}

esp_err_t httpd__sess_queue_sendv(struct httpd_data *hd, struct httpd_sess *s, struct iovec *iov, int iovcnt)
{
#if HTTPD_CORO
    if (job_here(hd, s)) {   /* the session's own handler may wait */
        return httpd__sess_sendv_all(hd, s, iov, iovcnt) == 0 ? ESP_OK : ESP_FAIL;
    }
#endif
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++) {
        total += iov[i].iov_len;
    }
    if (HTTPD_SPEED && !s->outq && !s->sending && s->state != SESS_ASYNC && s->send_fn == default_send) {
        /* Nothing waits before it: the socket takes what it can now (one
         * sendmsg, no copy), only the rest is queued. */
        ssize_t n = httpd__port_sendv(s->fd, iov, iovcnt);
        if (n < 0 && n != PORT_AGAIN) {
            return ESP_FAIL;
        }
        size_t done = n > 0 ? (size_t)n : 0;
        total -= done;
        while (iovcnt > 0 && done >= iov->iov_len) {   /* (total > 0: one with bytes left stops it) */
            done -= iov->iov_len;
            iov++;
            iovcnt--;
        }
        if (total == 0) {
            return ESP_OK;
        }
        iov->iov_base = (char *)iov->iov_base + done;
        iov->iov_len -= done;
    }
    /* Bounded: a send that does not fit behind what waits is refused whole.
     * (When nothing waits, one send of any size is taken.) The walk to the
     * tail counts what waits: no running total to keep. */
    size_t queued = 0;
    struct out_chunk **pp = &s->outq;
    while (*pp) {
        queued += (*pp)->left;
        pp = &(*pp)->next;   /* keep their order */
    }
    if (s->outq && queued + total > (size_t)CONFIG_HTTPD_WS_SEND_QUEUE_LEN) {
        return ESP_ERR_NO_MEM;
    }
    struct out_chunk *c = malloc(sizeof *c + total);
    if (!c) {
        return ESP_ERR_NO_MEM;
    }
    c->next = NULL;
    c->left = total;
    char *o = c->p = c->data;
    for (const struct iovec *end = iov + iovcnt; iov < end; iov++) {
        if (iov->iov_len) {   /* an empty payload may have no buffer (a PING of nothing) */
            memcpy(o, iov->iov_base, iov->iov_len);
            o += iov->iov_len;
        }
    }
    *pp = c;
    return httpd__sess_queue_flush(hd, s) < 0 ? ESP_FAIL : ESP_OK;   /* as much as the socket takes now */
}
#endif

void httpd__sess_idle(struct httpd_data *hd, struct httpd_sess *s)
{
#if CONFIG_HTTPD_WS_SUPPORT
    if (s->ws) {
        /* Frames queued by the loop leave as the socket takes them (this
         * runs for its writable events too); a failure shows as EOF. */
        httpd__sess_queue_flush(hd, s);
        return;
    }
#endif
    if (CONFIG_HTTPD_IDLE_TIMEOUT_S > 0) {
#if HTTPD_SPEED
        httpd__loop_timer_again(hd, s, TIMER_IDLE);   /* nothing in flight: the idle time-out runs */
#else
        httpd__loop_timer_set(hd, s, TIMER_IDLE);   /* nothing in flight: the idle time-out runs */
#endif
    }
}

#if HTTPD_HOLD
int httpd__sess_flush_held(struct httpd_data *hd, struct httpd_sess *s)
{
    if (!httpd__sess_held(s)) {
        return 0;
    }
    bool cork = s->cork;
    s->cork = false;
    int rc = httpd__sess_sendv_all(hd, s, NULL, 0);
    s->cork = cork;
    return rc;
}

int httpd__sess_uncork(struct httpd_data *hd, struct httpd_sess *s)
{
    s->cork = false;
    return httpd__sess_flush_held(hd, s);
}
#endif

/* ---- Accept ----------------------------------------------------------------------------- */

/* A busy session counts as idle for the purge when its job waits for a client
 * that is not keeping up (the rate from the first second of waiting, the wait
 * in progress included): its job can be ended (conn.c). */
static bool slow_job(const struct httpd_data *hd, const struct httpd_sess *s)
{
#if HTTPD_CORO
    if (s->co && s->timer == TIMER_RECV && hd->abort_job) {
        uint32_t armed = s->deadline_ms - hd->timer_ms[TIMER_RECV];
        return too_slow(s->slot, (uint32_t)httpd__port_now_ms() - armed, false);
    }
#else
    (void)hd;
    (void)s;
#endif
    return false;
}

/* A session that has not had a request answered yet, accepted less than
 * recv_wait_timeout ago: it is not purged, for its first request (or a TLS
 * handshake before it) may be under way. Upstream finishes a handshake before
 * it accepts the next connection, and then purges only established sessions. */
static bool in_grace(const struct httpd_data *hd, const struct httpd_sess *s, uint32_t now)
{
    return !s->served && (int32_t)(now - s->born_ms) < (int32_t)hd->timer_ms[TIMER_RECV];
}

static struct httpd_sess *lru_victim(struct httpd_data *hd)
{
    struct httpd_sess *victim = NULL;
    struct httpd_sess *end = hd->sessions_end;
    uint32_t now = httpd__loop_now(hd);
    for (struct httpd_sess *s = hd->sessions; s < end; s++) {
        if (s->state == SESS_FREE || s->state == SESS_ASYNC || (s->state == SESS_BUSY && !slow_job(hd, s)) ||
            (s->state == SESS_IDLE && in_grace(hd, s, now))) {
            continue;
        }
        if (!victim || (int32_t)(s->lru_counter - victim->lru_counter) < 0) {
            victim = s;
        }
    }
    return victim;
}

/* When the table is full: the session to close for a newcomer, or NULL.
 * A lingering session has finished its work, so it goes first. */
static struct httpd_sess *room_victim(struct httpd_data *hd)
{
    struct httpd_sess *victim = httpd__loop_oldest_lingering(hd);
    if (!victim && hd->config.lru_purge_enable) {
        victim = lru_victim(hd);
    }
    return victim;
}

/* A newcomer fd: the victim (if any) makes room for it, then it becomes a session. */
static void sess_new(struct httpd_data *hd, int fd, struct httpd_sess *victim)
{
    if (victim) {
        /* Only now that a newcomer really exists does an old session make room. */
        ESP_LOGD(TAG, "purging session fd %d to make room for fd %d", victim->fd, fd);
#if HTTPD_CORO
        if (victim->state == SESS_BUSY) {
            hd->abort_job(hd, victim);   /* its handler's wait fails; the session closes once it returns */
            if (victim->state == SESS_BUSY) {
                httpd__port_close(fd);   /* the handler waits on something else: no room after all */
                return;
            }
        }
#endif
        httpd__sess_close(hd, victim);   /* (harmless when already closed) */
    }
    const httpd_config_t *c = &hd->config;
    struct httpd_sess *s = hd->free_sess;
    if (httpd__port_tune_client(fd, c->keep_alive_enable,
                         c->keep_alive_idle ? c->keep_alive_idle : 5,
                         c->keep_alive_interval ? c->keep_alive_interval : 5,
                         c->keep_alive_count ? c->keep_alive_count : 3) < 0) {
        ESP_LOGW(TAG, "cannot set socket options: %s", httpd__port_last_error());
        s = NULL;
    }
    if (!s) {
        httpd__port_close(fd);
        return;
    }
    uint32_t gen = s->gen + 1;
    httpd__port_mutex_lock(&hd->sess_lock);
    hd->free_sess = s->next_free;
    memset(s, 0, sizeof *s);
    s->fd = fd;
    s->gen = gen;
    s->state = SESS_IDLE;
    httpd__sess_show(s, CLIENT_HTTP);
    if (HTTPD_SPEED && (unsigned)fd < hd->by_fd_cap) {
        hd->by_fd[fd] = (uint16_t)(s - hd->sessions + 1);
    }
    httpd__port_mutex_unlock(&hd->sess_lock);
    s->lru_counter = ++hd->lru_clock;   /* a newcomer counts as just used */
    s->born_ms = httpd__loop_now(hd);
    s->send_fn = default_send;
    s->recv_fn = default_recv;
    hd->n_open++;
    if (httpd__loop_watch_change(hd, s, POLLER_IN) < 0) {   /* watched from 0 */
        ESP_LOGE(TAG, "cannot watch fd %d", fd);
        httpd__sess_close(hd, s);
        return;
    }
    if (CONFIG_HTTPD_IDLE_TIMEOUT_S > 0) {
        httpd__loop_timer_set(hd, s, TIMER_IDLE);   /* a client that never sends is an idle one */
    }
    ESP_LOGD(TAG, "new session fd %d", fd);
    if (hd->config.open_fn && hd->config.open_fn(hd, fd) != ESP_OK) {
        ESP_LOGW(TAG, "open_fn refused fd %d", fd);
        httpd__sess_close(hd, s);
    }
}

void httpd__sess_accept_ready(struct httpd_data *hd)
{
    uint32_t retry_ms;
    for (int i = 0;; i++) {
        struct httpd_sess *victim = NULL;
        if (i == ACCEPTS_PER_WAKE) {
            if (!hd->accept_failing) {
                return;   /* the rest on the next turn */
            }
            retry_ms = ACCEPT_RETRY_MS;   /* the turn's last tries failed */
        } else if (hd->n_open < hd->config.max_open_sockets || (victim = room_victim(hd)) != NULL) {
            int fd = httpd__port_accept(hd->listen_fd);
            if (fd >= 0) {
                if (hd->accept_failing) {
                    hd->accept_failing = false;
                    ESP_LOGI(TAG, "accepting again");
                }
                sess_new(hd, fd, victim);
                continue;
            }
            if (fd == PORT_AGAIN) {
                return;
            }
            if (!hd->accept_failing) {   /* (once, not at every retry) */
                hd->accept_failing = true;
                ESP_LOGE(TAG, "accept: %s", httpd__port_last_error());
            }
            if (fd != PORT_NOFD) {
                continue;   /* perhaps that connection's own error (Linux passes some on): the next may do */
            }
            /* Out of descriptors: the listening socket stays ready, so trying
             * again at once would spin the loop. */
            retry_ms = ACCEPT_RETRY_MS;
        } else {
            /* Full. With LRU purging, a session that cannot be purged now (busy
             * in a handler, its request with an async worker) may become one
             * without closing: looked for again after a while. */
            retry_ms = hd->config.lru_purge_enable ? FULL_RETRY_MS : 0;
        }
        break;
    }
    /* New clients wait in the backlog until a session closes, or the retry. */
    httpd__loop_mute_listen(hd, true, retry_ms);
}

/* ---- Public session API (server thread, unless noted) ----------------------------- */

static struct httpd_sess *sess_lookup(httpd_handle_t handle, int sockfd)
{
    return handle ? httpd__sess_find(HTTPD_DATA(handle), sockfd) : NULL;
}

/* Stores a transport function (fn, never NULL) in the session's field at off. */
__attribute__((noinline)) static esp_err_t set_transport_fn(httpd_handle_t hd, int sockfd, void (*fn)(void), size_t off)
{
    struct httpd_sess *s = sess_lookup(hd, sockfd);
    if (!s || !fn) {
        return ESP_ERR_INVALID_ARG;
    }
    if (HTTPD_HOLD && off == offsetof(struct httpd_sess, send_fn)) {
        /* Responses held so far were made for the old transport: they leave through it. */
        (void)httpd__sess_uncork(HTTPD_DATA(hd), s);
    }
    /* function pointers share one representation; the field is aligned as one */
    memcpy(__builtin_assume_aligned((char *)s + off, sizeof fn), &fn, sizeof fn);
    return ESP_OK;
}

esp_err_t httpd_sess_set_recv_override(httpd_handle_t hd, int sockfd, httpd_recv_func_t recv_func)
{
    return set_transport_fn(hd, sockfd, (void (*)(void))recv_func, offsetof(struct httpd_sess, recv_fn));
}

esp_err_t httpd_sess_set_send_override(httpd_handle_t hd, int sockfd, httpd_send_func_t send_func)
{
    return set_transport_fn(hd, sockfd, (void (*)(void))send_func, offsetof(struct httpd_sess, send_fn));
}

esp_err_t httpd_sess_set_pending_override(httpd_handle_t hd, int sockfd, httpd_pending_func_t pending_func)
{
    return set_transport_fn(hd, sockfd, (void (*)(void))pending_func, offsetof(struct httpd_sess, pending_fn));
}

/* Inside a handler of this session the live context is the request's. */
static httpd_req_t *handler_req(struct httpd_sess *s)
{
    return (s->slot && s->slot->rq.in_handler) ? &s->slot->rq.req : NULL;
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
    if (r) {
        if (r->sess_ctx == s->ctx) {
            r->sess_ctx = ctx;   /* the session's: freed with it below, not twice */
        }
        /* The handler had already replaced the context in req: that one goes too. */
        ctx_replace(&r->sess_ctx, &r->free_ctx, ctx, free_fn);
    }
    ctx_replace(&s->ctx, &s->free_ctx, ctx, free_fn);
}

void *httpd_sess_get_transport_ctx(httpd_handle_t handle, int sockfd)
{
    struct httpd_sess *s = sess_lookup(handle, sockfd);
    return s ? s->transport_ctx : NULL;
}

void httpd_sess_set_transport_ctx(httpd_handle_t handle, int sockfd, void *ctx, httpd_free_ctx_fn_t free_fn)
{
    struct httpd_sess *s = sess_lookup(handle, sockfd);
    if (s) {
        ctx_replace(&s->transport_ctx, &s->free_transport_ctx, ctx, free_fn);
    }
}

/* Any thread: the close is queued to the server thread and names the session
 * by (fd, generation), so a newer session on a reused fd is never closed.
 * id is sockfd, or ~sockfd for an LRU update instead of a close. */
static esp_err_t queue_by_id(httpd_handle_t handle, int sockfd, int id)
{
    if (!httpd__workq_registry_lock_valid(handle)) {   /* NULL included */
        return ESP_ERR_INVALID_ARG;
    }
    struct httpd_data *hd = HTTPD_DATA(handle);
    esp_err_t err = ESP_ERR_NOT_FOUND;
    struct work_item w = { .kind = WORK_CLOSE, .fd = id };
    httpd__port_mutex_lock(&hd->sess_lock);
    struct httpd_sess *s = httpd__sess_find(hd, sockfd);
    if (s && !atomic_load_explicit(&s->closing, memory_order_relaxed)) {
        w.gen = s->gen;
        err = ESP_OK;
    }
    httpd__port_mutex_unlock(&hd->sess_lock);
    if (err == ESP_OK) {
        err = httpd__workq_push(hd, &w);   /* under the registry lock, as httpd_queue_work() pushes */
    }
    httpd__workq_registry_unlock();
    return err;
}

esp_err_t httpd_sess_trigger_close(httpd_handle_t handle, int sockfd)
{
    return queue_by_id(handle, sockfd, sockfd);
}

/* Any thread: the server thread owns the LRU clock, so the update is queued
 * to it the way trigger_close goes (from a handler too: its own session is
 * no purge candidate while it runs, and counts as used when it ends). */
esp_err_t httpd_sess_update_lru_counter(httpd_handle_t handle, int sockfd)
{
    return sockfd < 0 ? ESP_ERR_INVALID_ARG : queue_by_id(handle, sockfd, ~sockfd);
}

/* Other threads read an entry's fd and client_info under sess_lock: fd changes
 * only under it, and client_info is an atomic the server thread stores. */
esp_err_t httpd_get_client_list(httpd_handle_t handle, size_t *fds, int *client_fds)
{
    if (!handle || !fds || !client_fds || *fds == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    struct httpd_data *hd = HTTPD_DATA(handle);
    esp_err_t err = ESP_OK;
    size_t n = 0;
    const struct httpd_sess *end = hd->sessions_end;
    httpd__port_mutex_lock(&hd->sess_lock);
    for (const struct httpd_sess *s = hd->sessions; s < end && err == ESP_OK; s++) {
        if (atomic_load_explicit(&s->client_info, memory_order_relaxed) != CLIENT_NONE) {
            if (n == *fds) {
                err = ESP_ERR_INVALID_ARG;
            } else {
                client_fds[n++] = s->fd;
            }
        }
    }
    httpd__port_mutex_unlock(&hd->sess_lock);
    if (err == ESP_OK) {
        *fds = n;
    }
    return err;
}

uint8_t httpd__sess_client_info(struct httpd_data *hd, int fd)
{
    httpd__port_mutex_lock(&hd->sess_lock);
    struct httpd_sess *s = httpd__sess_find(hd, fd);
    uint8_t info = s ? atomic_load_explicit(&s->client_info, memory_order_relaxed) : CLIENT_NONE;
    httpd__port_mutex_unlock(&hd->sess_lock);
    return info;
}

SHARED static int socket_io(httpd_handle_t hd, int sockfd, char *buf, size_t buf_len, int flags, enum sess_io op)
{
    struct httpd_sess *s = sess_lookup(hd, sockfd);
    if (!s || s->state == SESS_LINGER || (!buf && buf_len)) {
        return HTTPD_SOCK_ERR_INVALID;
    }
    return httpd__sess_io(HTTPD_DATA(hd), s, buf, buf_len, flags, op);
}

int httpd_socket_send(httpd_handle_t hd, int sockfd, const char *buf, size_t buf_len, int flags)
{
    return socket_io(hd, sockfd, (char *)(uintptr_t)buf, buf_len, flags, SESS_IO_SEND);   /* only read */
}

int httpd_socket_recv(httpd_handle_t hd, int sockfd, char *buf, size_t buf_len, int flags)
{
    return socket_io(hd, sockfd, buf, buf_len, flags, SESS_IO_RECV);
}
