/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ticker.h: a periodic callback on a thread of its own, the host's stand-in for an
 * esp_timer in periodic mode. The callback returns the delay until its next run,
 * so a period read from settings takes effect at once.
 */
#ifndef DEMO_TICKER_H
#define DEMO_TICKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/** Runs on the ticker's thread; returns the milliseconds until the next run. */
typedef uint32_t (*ticker_fn_t)(void *arg);

typedef struct {
    ticker_fn_t     fn;
    void           *arg;
    pthread_t       thread;
    pthread_mutex_t lock;
    pthread_cond_t  cond;
    bool            stop;     /* under lock: ticker_stop() was called */
    bool            kicked;   /* under lock: run now (ticker_kick()) */
    uint32_t        first_ms; /* delay before the first run */
} ticker_t;

/** Starts a thread that calls fn(arg) after first_ms, then after each returned delay.
 *  @return 0, or an errno value. */
int ticker_start(ticker_t *t, ticker_fn_t fn, void *arg, uint32_t first_ms);

/** Runs the callback now instead of at its due time (e.g. its period changed). */
void ticker_kick(ticker_t *t);

/** Stops the thread and waits for it; the callback is not running when it returns. */
void ticker_stop(ticker_t *t);

#endif /* DEMO_TICKER_H */
