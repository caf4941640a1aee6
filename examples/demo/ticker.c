/* SPDX-License-Identifier: Apache-2.0 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "ticker.h"

#include <errno.h>
#include <time.h>

static void due_in(struct timespec *ts, uint32_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void *ticker_main(void *arg)
{
    ticker_t *t = arg;
    struct timespec due;

    pthread_mutex_lock(&t->lock);
    due_in(&due, t->first_ms);
    while (!t->stop) {
        int rc = 0;
        while (!t->stop && !t->kicked && rc != ETIMEDOUT) {
            rc = pthread_cond_timedwait(&t->cond, &t->lock, &due);
        }
        if (t->stop) {
            break;
        }
        t->kicked = false;
        /* The callback runs unlocked, so that ticker_kick() never waits for it. */
        pthread_mutex_unlock(&t->lock);
        uint32_t next = t->fn(t->arg);
        pthread_mutex_lock(&t->lock);
        /* Counted from now, not from the last due time: a late run does not make
         * the next ones come in a burst. */
        due_in(&due, next);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

int ticker_start(ticker_t *t, ticker_fn_t fn, void *arg, uint32_t first_ms)
{
    if (t == NULL || fn == NULL) {
        return EINVAL;
    }
    *t = (ticker_t){ .fn = fn, .arg = arg, .first_ms = first_ms };
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);   /* immune to clock changes */
    int rc = pthread_cond_init(&t->cond, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0) {
        return rc;
    }
    pthread_mutex_init(&t->lock, NULL);
    rc = pthread_create(&t->thread, NULL, ticker_main, t);
    if (rc != 0) {
        pthread_cond_destroy(&t->cond);
        pthread_mutex_destroy(&t->lock);
    }
    return rc;
}

void ticker_kick(ticker_t *t)
{
    pthread_mutex_lock(&t->lock);
    t->kicked = true;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

void ticker_stop(ticker_t *t)
{
    pthread_mutex_lock(&t->lock);
    t->stop = true;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
}
