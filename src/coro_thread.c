/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Coroutines for handlers, the switch that needs no assembly and no ucontext:
 * each coroutine runs on a thread of its own (the port's threads, mutexes and
 * condition variables), so it builds wherever pthreads do, ESP-IDF's FreeRTOS
 * layer included. Built instead of coro.c with HTTPD_CORO_SWITCH=thread.
 *
 * The hand-off is strict: of a coroutine and the thread that resumed it,
 * exactly one runs at any time. Each coroutine has a mutex, a "who runs"
 * flag and one condition variable per side; resume() hands the turn to the
 * coroutine and waits until it comes back (a yield, or fn's return), yield()
 * hands it back and waits to be resumed. Every wait re-checks the flag, so a
 * spurious wake-up changes nothing, and each hand-off passes through the
 * mutex, so whatever one side wrote the other sees. Handlers still run one at
 * a time and the rest of the server needs no locks.
 *
 * Threads are dear to create: a finished coroutine's thread parks in its pool
 * and runs the next coroutine; up to STACKS_KEPT_IDLE wait there, the rest of
 * a burst exit. Each suspend and each resume costs a thread switch (a wake-up
 * through the kernel), where the assembly switch costs a few instructions.
 *
 * No priority or core is asked for (0 and PORT_ANY_CORE: the port's choice,
 * such as its creator's priority): the resumer waits while a coroutine runs,
 * so they would only order it against the system's other tasks.
 */
#include "coro.h"
#include "port/port.h"

#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define CORO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORO_ASAN 1
#endif
#endif

/* AddressSanitizer's redzones make frames several times bigger: its builds
 * give each coroutine thread four times the configured stack. Real threads
 * need none of the fiber annotations coro.c makes for its switches. */
#ifdef CORO_ASAN
#define STACK_SCALE 4u
#else
#define STACK_SCALE 1u
#endif

#define STACKS_KEPT_IDLE 8   /* parked threads kept for reuse; a burst beyond that exits */

enum turn { TURN_RESUMER, TURN_CORO };

struct coro {
    port_mutex_t  lock;        /* guards turn, finished, quit */
    port_cond_t   go;          /* the coroutine's thread waits here for its turn */
    port_cond_t   back;        /* the resumer waits here for the turn to come back */
    enum turn     turn;        /* who runs now */
    bool          finished;    /* fn has returned (set on the coroutine's thread) */
    bool          quit;        /* parked thread: exit instead of running fn */
    coro_fn       fn;
    void         *arg;
    coro_pool_t  *pool;
    port_thread_t thread;
    coro_t       *next_free;
};

struct coro_pool {
    size_t   stack_len;        /* usable bytes per thread stack */
    coro_t  *free_list;        /* parked threads */
    unsigned n_free;
    unsigned mapped;           /* threads alive: in flight plus parked */
};

/* On a coroutine's thread: that coroutine, for the thread's whole life (it
 * runs nothing else). On any other thread: NULL; the loop thread is blocked
 * in resume() while a coroutine runs, so it never needs to see one. */
static _Thread_local coro_t *t_current;

const char *httpd__coro_backend(void)
{
    return "thread";
}

coro_t *httpd__coro_current(void)
{
    return t_current;
}

bool httpd__coro_on_behalf(const coro_pool_t *p)
{
    return p && t_current && t_current->pool == p;
}

coro_pool_t *httpd__coro_pool_create(size_t stack_size)
{
    coro_pool_t *p = calloc(1, sizeof *p);
    if (!p) {
        return NULL;
    }
    size_t page = httpd__port_page_size();
    p->stack_len = (stack_size + page - 1) / page * page;
    return p;
}

/* Waits, on the coroutine's thread and with c->lock held, until its turn. */
static void wait_turn(coro_t *c)
{
    while (c->turn != TURN_CORO) {
        httpd__port_cond_wait(&c->go, &c->lock);
    }
}

/* Hands the turn back to the resumer; c->lock held. */
static void give_back(coro_t *c)
{
    c->turn = TURN_RESUMER;
    httpd__port_cond_signal(&c->back);
}

static void *coro_thread_main(void *arg)
{
    coro_t *c = arg;
    t_current = c;
    httpd__port_mutex_lock(&c->lock);
    for (;;) {
        wait_turn(c);
        if (c->quit) {
            break;
        }
        httpd__port_mutex_unlock(&c->lock);
        c->fn(c->arg);
        httpd__port_mutex_lock(&c->lock);
        c->finished = true;
        give_back(c);   /* and park until the next coroutine (or quit) */
    }
    httpd__port_mutex_unlock(&c->lock);
    return NULL;
}

/* A new thread, parked until its first turn. NULL when none can be started. */
static coro_t *thread_start(coro_pool_t *p)
{
    coro_t *c = calloc(1, sizeof *c);
    if (!c) {
        return NULL;
    }
    httpd__port_mutex_init(&c->lock);
    httpd__port_cond_init(&c->go);
    httpd__port_cond_init(&c->back);
    c->turn = TURN_RESUMER;
    c->pool = p;
    struct port_thread_opts o = {
        .name = "httpd_coro", .stack_size = p->stack_len * STACK_SCALE, .exact_stack = true,
        .priority = 0, .core_id = PORT_ANY_CORE,
    };
    if (httpd__port_thread_create(&c->thread, &o, coro_thread_main, c) != PORT_OK) {
        httpd__port_cond_destroy(&c->back);
        httpd__port_cond_destroy(&c->go);
        httpd__port_mutex_destroy(&c->lock);
        free(c);
        return NULL;
    }
    p->mapped++;
    return c;
}

/* Ends a parked thread and frees its coroutine. */
static void thread_stop(coro_t *c)
{
    httpd__port_mutex_lock(&c->lock);
    c->quit = true;
    c->turn = TURN_CORO;
    httpd__port_cond_signal(&c->go);
    httpd__port_mutex_unlock(&c->lock);
    httpd__port_thread_join(c->thread);
    httpd__port_cond_destroy(&c->back);
    httpd__port_cond_destroy(&c->go);
    httpd__port_mutex_destroy(&c->lock);
    c->pool->mapped--;
    free(c);
}

void httpd__coro_pool_destroy(coro_pool_t *p)
{
    if (!p) {
        return;
    }
    while (p->free_list) {
        coro_t *c = p->free_list;
        p->free_list = c->next_free;
        thread_stop(c);
    }
    free(p);
}

unsigned httpd__coro_pool_mapped(const coro_pool_t *p)
{
    return p->mapped;
}

coro_t *httpd__coro_new(coro_pool_t *p, coro_fn fn, void *arg)
{
    coro_t *c = p->free_list;
    if (c) {
        p->free_list = c->next_free;
        p->n_free--;
    } else {
        c = thread_start(p);
        if (!c) {
            return NULL;
        }
    }
    /* The thread is parked (waiting for its turn): nothing reads these until
     * resume() hands it the turn through the mutex. */
    c->next_free = NULL;
    c->fn = fn;
    c->arg = arg;
    c->finished = false;
    return c;
}

bool httpd__coro_resume(coro_t *c)
{
    httpd__port_mutex_lock(&c->lock);
    c->turn = TURN_CORO;
    httpd__port_cond_signal(&c->go);
    while (c->turn != TURN_RESUMER) {
        httpd__port_cond_wait(&c->back, &c->lock);
    }
    bool finished = c->finished;
    httpd__port_mutex_unlock(&c->lock);
    if (!finished) {
        return false;
    }
    coro_pool_t *p = c->pool;
    if (p->n_free >= STACKS_KEPT_IDLE) {
        thread_stop(c);
    } else {
        c->next_free = p->free_list;
        p->free_list = c;
        p->n_free++;
    }
    return true;
}

void httpd__coro_yield(void)
{
    coro_t *c = t_current;
    if (!c) {
        return;
    }
    httpd__port_mutex_lock(&c->lock);
    give_back(c);
    wait_turn(c);
    httpd__port_mutex_unlock(&c->lock);
}
