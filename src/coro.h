/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Handler coroutines: a function runs on its own stack, can suspend itself
 * (httpd__coro_yield) and be resumed later by the loop that started it. Of the
 * loop and the coroutines it owns only one ever runs at a time.
 *
 * The switch is chosen at build time; httpd__coro_backend() says which one was
 * built. coro.c: a few instructions of assembly on x86-64 and AArch64, and
 * ucontext elsewhere, all on the loop's own thread; stacks come from a pool
 * (httpd__port_stack_map: a guard page below, so an overflow faults instead
 * of corrupting memory) and go back to it when the function returns, so a
 * coroutine holds a stack only while it is in flight. coro_thread.c: each
 * coroutine on a thread of its own with a stack of the pool's size, handed
 * the turn and waited for (only threads, mutexes and condition variables, so
 * it works wherever pthreads do); finished threads wait in the pool for reuse.
 */
#ifndef HTTPD_CORO_H
#define HTTPD_CORO_H

#include <stdbool.h>
#include <stddef.h>

typedef struct coro coro_t;
typedef struct coro_pool coro_pool_t;
typedef void (*coro_fn)(void *arg);

/** A pool of stacks of stack_size usable bytes (rounded up to pages). NULL on failure. */
coro_pool_t *httpd__coro_pool_create(size_t stack_size);
/** Unmaps every pooled stack (ends every parked thread). No coroutine of the pool may be in flight. */
void httpd__coro_pool_destroy(coro_pool_t *p);
/** Number of stacks mapped now (threads alive, on the thread switch): in flight,
 *  plus at most 8 idle ones kept for reuse. */
unsigned httpd__coro_pool_mapped(const coro_pool_t *p);

/** A coroutine that will run fn(arg) when first resumed. NULL when no stack can be mapped
 *  (no thread started). */
coro_t *httpd__coro_new(coro_pool_t *p, coro_fn fn, void *arg);

/** Runs c until it yields or fn returns. Returns true when fn has returned,
 *  in which case c's stack is already back in the pool and c is invalid. */
bool httpd__coro_resume(coro_t *c);

/** Suspends the running coroutine; httpd__coro_resume() returns false to its caller. */
void httpd__coro_yield(void);

/** Ends the running coroutine where it is, without returning from its
 *  function: its frames are dropped and the resumer's httpd__coro_resume()
 *  returns true. Does not return. (Not on the thread switch.) */
_Noreturn void httpd__coro_exit(void);

/** The coroutine running on this thread, or NULL outside any. */
coro_t *httpd__coro_current(void);

/** True when the caller runs inside a coroutine of p. On the thread switch that
 *  is a thread of its own, acting for the thread that resumed it (the server
 *  thread, for the server's "am I on the server thread" checks). */
bool httpd__coro_on_behalf(const coro_pool_t *p);

/** "x86_64", "aarch64", "ucontext" or "thread". */
const char *httpd__coro_backend(void);

#endif /* HTTPD_CORO_H */
