/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event loop: the poller and what it watches, the deadline lists, and
 * the turn itself (wait, queued work, socket events, expired deadlines). The
 * server gives it handlers for each kind of event; it knows nothing of HTTP.
 *
 * Deadlines: one FIFO list per kind. Every entry of a list has the same
 * duration, so appending keeps each list sorted and the nearest deadline is
 * the head of one of them: arming, clearing and finding the next are O(1).
 * A fast build reads the clock once per turn, as the wait returns, and pauses
 * a session's idle deadline while it serves a request (TIMER_PAUSED).
 */
#include "httpd_priv.h"

#define TAG "httpd_loop"   /* (a macro: one translation unit may hold every file) */

/* Poller user data: the server itself for the listening socket, the wake
 * channel's address for it, a session's address for its socket. */

esp_err_t httpd__loop_init(struct httpd_data *hd)
{
    hd->poller = httpd__poller_create(httpd__loop_watched(&hd->config));
    if (!hd->poller) {
        return ESP_ERR_HTTPD_ALLOC_MEM;
    }
    if (httpd__poller_add(hd->poller, httpd__port_wake_fd(&hd->wake), POLLER_IN, &hd->wake) < 0 ||
        httpd__poller_add(hd->poller, hd->listen_fd, POLLER_IN, hd) < 0) {
        return ESP_ERR_HTTPD_ALLOC_MEM;
    }
    return ESP_OK;
}

void httpd__loop_free(struct httpd_data *hd)
{
    if (hd->poller) {
        httpd__poller_destroy(hd->poller);
    }
}

/* ---- Watch list ------------------------------------------------------------------------ */

void httpd__loop_mute_listen(struct httpd_data *hd, bool mute, uint32_t retry_ms)
{
    hd->listen_retry = retry_ms != 0;   /* (0 when resuming) */
    if (retry_ms) {
        hd->listen_retry_at = httpd__loop_now(hd) + retry_ms;
    }
    if (hd->listen_muted != mute) {
        hd->listen_muted = mute;
        httpd__poller_mod(hd->poller, hd->listen_fd, mute ? 0 : POLLER_IN, hd);
    }
}

/* A muted socket leaves the poller altogether: both backends report hang-ups
 * even with no interest, which would spin the loop (async sessions are muted). */
int httpd__loop_watch_change(struct httpd_data *hd, struct httpd_sess *s, unsigned events)
{
    int rc = 0;
    if (s->poll_events == events) {
        /* nothing to change */
    } else if (events == 0) {
        rc = httpd__poller_del(hd->poller, s->fd);
    } else if (s->poll_events == 0) {
        rc = httpd__poller_add(hd->poller, s->fd, events, s);
    } else {
        rc = httpd__poller_mod(hd->poller, s->fd, events, s);
    }
    s->poll_events = (uint8_t)events;
    return rc;
}

/* ---- Deadlines --------------------------------------------------------------------------- */

void httpd__loop_timer_unlink(struct httpd_data *hd, struct httpd_sess *s)
{
    struct timer_list *l = &hd->timers[HTTPD_SPEED ? s->timer & ~TIMER_PAUSED : s->timer];
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

void httpd__loop_timer_set(struct httpd_data *hd, struct httpd_sess *s, enum timer_kind kind)
{
    httpd__loop_timer_clear(hd, s);
    if (kind == TIMER_NONE) {
        return;   /* only cleared: callers choosing between arming and clearing make one call */
    }
    s->deadline_ms = httpd__loop_now(hd) + hd->timer_ms[kind];
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

/* The session whose deadline comes first, or NULL: the earliest of the lists' heads. */
static struct httpd_sess *first_deadline(struct httpd_data *hd)
{
    struct httpd_sess *first = NULL;
    for (int k = TIMER_RECV; k < TIMER_KINDS; k++) {
        struct httpd_sess *s = hd->timers[k].head;
        if (s && (!first || (int32_t)(s->deadline_ms - first->deadline_ms) < 0)) {
            first = s;
        }
    }
    return first;
}

/* Runs the sessions' deadlines due now, then returns the milliseconds until
 * the nearest one left (-1: none). Those armed by the callbacks are due later
 * than the clock read here, so they wait for the next turn. */
static inline int expire_sessions(struct httpd_data *hd, const struct loop_handlers *h)
{
    uint32_t now = httpd__loop_now(hd);
#if HTTPD_SPEED
    bool fired = false;   /* a fast build reads the clock again only after callbacks ran */
#endif
    for (struct httpd_sess *s; (s = first_deadline(hd)) != NULL;) {
        if ((int32_t)(s->deadline_ms - now) > 0) {
#if HTTPD_SPEED
            if (fired) {
                now = hd->now_ms = (uint32_t)httpd__port_now_ms();
            }
            int32_t left = (int32_t)(s->deadline_ms - now);
#else
            int32_t left = (int32_t)(s->deadline_ms - (uint32_t)httpd__port_now_ms());
#endif
            return left > 0 ? (int)left : 0;
        }
#if HTTPD_SPEED
        bool paused = (s->timer & TIMER_PAUSED) != 0;
        httpd__loop_timer_unlink(hd, s);
        if (paused) {
            continue;   /* a paused idle deadline: only dropped */
        }
        h->on_timer(hd, s);
        fired = true;
#else
        httpd__loop_timer_unlink(hd, s);
        h->on_timer(hd, s);
#endif
    }
    return -1;
}

/* The deadlines due now, the sessions' and the listening socket's retry (once
 * due, the socket is watched again: the next wait reports the clients in the
 * backlog, and accepting them is tried afresh); returns the milliseconds until
 * the nearest one left (-1: none). */
static int expire(struct httpd_data *hd, const struct loop_handlers *h)
{
    int timeout = expire_sessions(hd, h);
    if (hd->listen_retry) {
        int32_t left = (int32_t)(hd->listen_retry_at - httpd__loop_now(hd));
        if (left <= 0) {
            httpd__loop_mute_listen(hd, false, 0);
        } else if ((unsigned)timeout > (unsigned)left) {   /* (-1, no deadline, is the largest) */
            timeout = (int)left;
        }
    }
    return timeout;
}

/* ---- The turn ------------------------------------------------------------------------------ */

/* Turns until the server stops or the poller fails: queued work, then the
 * socket events, then the deadlines due, then the wait for more. The batch
 * of events (evs; *n of them, the next at *i, or -1 when the wake channel
 * fired and the queued work runs first) can live outside the stack, so that
 * a loop started afresh on another stack (see httpd__loop_hand_over())
 * carries on with it: with the queued work if it was not all run, with the
 * events not yet handled, and with the deadlines (expire() starts over
 * cleanly). */
#if defined(__GNUC__)
__attribute__((always_inline))   /* one caller: a small build keeps the counters in registers */
#endif
static inline void loop_turns(struct httpd_data *hd, const struct loop_handlers *h, poller_event_t *evs, int *n,
                              int *i)
{
    int timeout;   /* milliseconds until the nearest deadline (-1: none) */
#if HTTPD_SPEED
    hd->now_ms = (uint32_t)httpd__port_now_ms();
#endif
    goto carry_on;   /* with the batch where it is (none at the start) */
    while (!httpd__workq_stopping(hd)) {
        *n = httpd__poller_wait(hd->poller, evs, hd->loop_max, timeout);
#if HTTPD_SPEED
        hd->now_ms = (uint32_t)httpd__port_now_ms();   /* the turn's clock (see httpd__loop_now()) */
#endif
        if (*n < 0) {
            ESP_LOGE(TAG, "waiting for events failed: %s", httpd__port_last_error());
            return;
        }
        *i = 0;
        for (int k = 0; k < *n; k++) {
            if (evs[k].udata == &hd->wake) {
                httpd__port_wake_drain(&hd->wake);
                *i = -1;   /* queued work first */
                break;
            }
        }
    carry_on:
        /* Work queued before these events arrived runs first: a request that
         * follows a queued item in time never overtakes it. */
        if (*i < 0) {
            h->on_wake(hd);
            *i = 0;
        }
        while (*i < *n && !httpd__workq_stopping(hd)) {
            void *u = evs[(*i)++].udata;
            if (u == &hd->wake) {
                continue;
            } else if (u == hd) {
                h->on_listen(hd);
            } else {
                h->on_session(hd, u);
            }
        }
        timeout = expire(hd, h);
    }
}

#if HTTPD_JOB_INLINE
static void loop_main(void *arg)
{
    struct httpd_data *hd = arg;
    struct loop_batch *b = &hd->loop_batch;
    loop_turns(hd, hd->loop_h, hd->loop_evs, &b->n, &b->i);
}

bool httpd__loop_hand_over(struct httpd_data *hd, coro_t **taken)
{
    coro_t *next = httpd__coro_new(hd->coro_pool, loop_main, hd);
    if (!next) {
        return false;
    }
    *taken = hd->loop_co;
    hd->loop_next = next;
    hd->inline_sess = NULL;   /* the loop's next stack may run a job in line */
    return true;
}
#endif

void httpd__loop_run(struct httpd_data *hd, const struct loop_handlers *h)
{
#if HTTPD_JOB_INLINE
    /* The loop runs on pool stacks, one after another: each time a job keeps
     * the one it runs on (it waits), the loop goes on, on the fresh one the
     * job took for it. */
    hd->loop_h = h;
    hd->loop_batch.n = hd->loop_batch.i = 0;
    coro_t *co = hd->coro_pool ? httpd__coro_new(hd->coro_pool, loop_main, hd) : NULL;
    if (co) {
        do {
            hd->loop_co = co;
            hd->loop_next = NULL;
            if (httpd__coro_resume(co)) {
                break;   /* the server stops (or the poller failed) */
            }
            co = hd->loop_next;   /* (a stack taken by httpd__loop_hand_over()) */
        } while (co);
        hd->loop_co = NULL;
        return;
    }
    ESP_LOGW(TAG, "no stack for the loop: every job starts on a stack of its own");
    loop_main(hd);
#else
    int n = 0, i = 0;
    loop_turns(hd, h, hd->loop_evs, &n, &i);
#endif
}
