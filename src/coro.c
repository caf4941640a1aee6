/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Coroutines for handlers: stack pool, resume/yield, AddressSanitizer and
 * ThreadSanitizer fiber annotations. The register switch itself lives in src/port/switch_<arch>.S;
 * without one, ucontext does the job. (HTTPD_CORO_SWITCH=thread builds
 * coro_thread.c instead of this file.)
 */
#include "coro.h"
#include "port/port.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(HTTPD_CORO_ASM)
/* Saves the callee-saved registers on the current stack, stores the stack
 * pointer in *save_sp, switches to new_sp and restores from there. */
void httpd__coro_switch(void **save_sp, void *new_sp);
/* First "return address" of a new coroutine: calls entry(coro) from the
 * registers the initial frame sets up. */
void httpd__coro_trampoline(void);
#else
#include <ucontext.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define CORO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORO_ASAN 1
#endif
#endif
#ifdef CORO_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

/* ThreadSanitizer keeps a shadow call stack and a vector clock per thread; a
 * stack switch it does not know of mixes the coroutine's frames into the
 * resumer's and corrupts both. Each pooled stack gets a TSan fiber of its
 * own, made with the stack and freed when it is unmapped: its shadow stack
 * stays bounded because coro_entry() loops (fn returns, the coroutine parks)
 * instead of leaving frames behind. Switches go through
 * __tsan_switch_to_fiber (flags 0: the switch orders what either side did
 * before it, as it really does on one thread). */
#if defined(__SANITIZE_THREAD__)
#define CORO_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CORO_TSAN 1
#endif
#endif
#ifdef CORO_TSAN
#include <sanitizer/tsan_interface.h>
#endif

struct coro {
    void       *sp;            /* the coroutine's stack pointer while suspended */
    void       *caller_sp;     /* the resumer's while the coroutine runs */
    coro_fn     fn;
    void       *arg;
    bool        finished;
    bool        dropped;       /* ended by httpd__coro_exit(): its frames are gone, the entry frame is remade */
    coro_pool_t *pool;
    char       *map;           /* mapping: guard page, then the stack */
    char       *stack_lo;      /* lowest usable byte */
    size_t      stack_len;
    coro_t     *next_free;
#ifndef HTTPD_CORO_ASM
    ucontext_t  ctx;
    ucontext_t  caller_ctx;
#endif
#ifdef CORO_ASAN
    void       *fake_stack;
    const void *caller_bottom;
    size_t      caller_size;
#endif
#ifdef CORO_TSAN
    void       *tsan_fiber;    /* the stack's fiber: made with it, freed when it is unmapped */
    void       *tsan_caller;   /* the resumer's while the coroutine runs */
#endif
};

#define STACKS_KEPT_IDLE 8   /* stacks kept mapped for reuse; a burst beyond that is unmapped */

struct coro_pool {
    size_t   stack_len;        /* usable bytes per stack */
    size_t   page;
    coro_t  *free_list;
    unsigned n_free;
    unsigned mapped;
};

static _Thread_local coro_t *t_current;

static void stack_unmap(coro_pool_t *p, coro_t *c);

const char *httpd__coro_backend(void)
{
#if defined(HTTPD_CORO_ASM) && defined(__x86_64__)
    return "x86_64";
#elif defined(HTTPD_CORO_ASM) && defined(__aarch64__)
    return "aarch64";
#else
    return "ucontext";
#endif
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
    p->page = httpd__port_page_size();
    p->stack_len = (stack_size + p->page - 1) / p->page * p->page;
    return p;
}

void httpd__coro_pool_destroy(coro_pool_t *p)
{
    if (!p) {
        return;
    }
    while (p->free_list) {
        coro_t *c = p->free_list;
        p->free_list = c->next_free;
        stack_unmap(p, c);
    }
    free(p);
}

unsigned httpd__coro_pool_mapped(const coro_pool_t *p)
{
    return p->mapped;
}

/* Unmaps c's stack, a parked coroutine's frames with it (C has nothing to
 * unwind). */
static void stack_unmap(coro_pool_t *p, coro_t *c)
{
#ifdef CORO_TSAN
    __tsan_destroy_fiber(c->tsan_fiber);   /* (never the current one: c is not running) */
#endif
    p->mapped--;
    httpd__port_stack_unmap(c->map, p->page + p->stack_len);
}

/* The coro struct sits at the top of its own mapping, above the stack. */
static coro_t *stack_map(coro_pool_t *p)
{
    size_t len = p->page + p->stack_len;
    char *m = httpd__port_stack_map(len);   /* guard page at the low end */
    if (!m) {
        return NULL;
    }
    uintptr_t top = ((uintptr_t)(m + len) - sizeof(coro_t)) & ~(uintptr_t)63;
    coro_t *c = (coro_t *)top;
    memset(c, 0, sizeof *c);
    c->map = m;
    c->stack_lo = m + p->page;
    c->stack_len = (size_t)((char *)c - c->stack_lo);
    c->pool = p;
    p->mapped++;
    return c;
}

static void switch_out(coro_t *c);

/* First code a coroutine runs, on its own stack: each job's fn, parked in
 * between. A parked coroutine is resumed by its next job (httpd__coro_new()
 * sets fn and arg), so a job after the first costs no new frame. */
static void coro_entry(coro_t *c)
{
#ifdef CORO_ASAN
    __sanitizer_finish_switch_fiber(NULL, &c->caller_bottom, &c->caller_size);
#endif
    for (;;) {
        c->fn(c->arg);
        c->finished = true;
        switch_out(c);
    }
}

#ifndef HTTPD_CORO_ASM
static _Thread_local coro_t *t_starting;

static void coro_uc_entry(void)
{
    coro_entry(t_starting);
}

/* Kept out of httpd__coro_new() so getcontext() cannot clobber its locals. */
__attribute__((noinline)) static void uc_prepare(coro_t *c)
{
    getcontext(&c->ctx);
    c->ctx.uc_stack.ss_sp = c->stack_lo;
    c->ctx.uc_stack.ss_size = c->stack_len;
    c->ctx.uc_link = NULL;
    makecontext(&c->ctx, coro_uc_entry, 0);
}
#endif

/* Makes c's entry frame: the first resume starts coro_entry() at the top of
 * its stack. For a new stack, and for one whose frames httpd__coro_exit()
 * dropped. */
static void entry_frame(coro_t *c)
{
#if defined(HTTPD_CORO_ASM) && defined(__x86_64__)
    /* Initial frame popped by httpd__coro_switch: mxcsr/x87 control word, r15,
     * r14, r13 (coro), r12 (entry), rbx, rbp, then the trampoline as return
     * address. The stack top stays 16-byte aligned after that ret. */
    uintptr_t top = (uintptr_t)c & ~(uintptr_t)15;
    uint64_t *f = (uint64_t *)top - 8;
    f[0] = 0x037F00001F80ull;                 /* mxcsr 0x1F80, fpu cw 0x037F: the defaults */
    f[1] = 0;                                 /* r15 */
    f[2] = 0;                                 /* r14 */
    f[3] = (uint64_t)(uintptr_t)c;            /* r13 */
    f[4] = (uint64_t)(uintptr_t)coro_entry;   /* r12 */
    f[5] = 0;                                 /* rbx */
    f[6] = 0;                                 /* rbp */
    f[7] = (uint64_t)(uintptr_t)httpd__coro_trampoline;
    c->sp = f;
#elif defined(HTTPD_CORO_ASM) && defined(__aarch64__)
    /* Initial frame popped by httpd__coro_switch: x19 (entry), x20 (coro),
     * x21..x28, x29 (0), x30 (trampoline), d8..d15. */
    uintptr_t top = (uintptr_t)c & ~(uintptr_t)15;
    uint64_t *f = (uint64_t *)(top - 176);
    memset(f, 0, 176);
    f[0] = (uint64_t)(uintptr_t)coro_entry;
    f[1] = (uint64_t)(uintptr_t)c;
    f[11] = (uint64_t)(uintptr_t)httpd__coro_trampoline;
    c->sp = f;
#else
    uc_prepare(c);
#endif
}

/* A coroutine on a new stack, its entry frame made: the first job's, or the
 * first after a burst unmapped the stacks beyond the kept ones. */
__attribute__((noinline)) static coro_t *coro_new_stack(coro_pool_t *p, coro_fn fn, void *arg)
{
    coro_t *c = stack_map(p);
    if (!c) {
        return NULL;
    }
    c->fn = fn;
    c->arg = arg;
#ifdef CORO_TSAN
    c->tsan_fiber = __tsan_create_fiber(0);
#endif
    entry_frame(c);
    return c;
}

/* A stack whose frames httpd__coro_exit() dropped, made ready for a new
 * function: the sanitizers forget those frames too. */
__attribute__((noinline)) static void coro_restart(coro_t *c)
{
    c->dropped = false;
#ifdef CORO_ASAN
    __asan_unpoison_memory_region(c->stack_lo, c->stack_len);   /* the dropped frames' redzones */
#endif
#ifdef CORO_TSAN
    __tsan_destroy_fiber(c->tsan_fiber);   /* its shadow stack still holds the dropped frames */
    c->tsan_fiber = __tsan_create_fiber(0);
#endif
    entry_frame(c);
}

coro_t *httpd__coro_new(coro_pool_t *p, coro_fn fn, void *arg)
{
    coro_t *c = p->free_list;
    if (!c) {
        return coro_new_stack(p, fn, arg);
    }
    /* parked in coro_entry(): it runs fn when resumed */
    p->free_list = c->next_free;
    p->n_free--;
    c->next_free = NULL;
    c->fn = fn;
    c->arg = arg;
    c->finished = false;
    if (c->dropped) {
        coro_restart(c);
    }
    return c;
}

static void switch_into(coro_t *c)
{
#ifndef HTTPD_CORO_ASM
    t_starting = c;
#endif
#ifdef CORO_ASAN
    void *fake = NULL;
    __sanitizer_start_switch_fiber(&fake, c->stack_lo, c->stack_len);
#endif
#ifdef CORO_TSAN
    c->tsan_caller = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(c->tsan_fiber, 0);   /* the last thing before the switch */
#endif
#ifdef HTTPD_CORO_ASM
    httpd__coro_switch(&c->caller_sp, c->sp);
#else
    swapcontext(&c->caller_ctx, &c->ctx);
#endif
#ifdef CORO_ASAN
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}

bool httpd__coro_resume(coro_t *c)
{
    coro_t *prev = t_current;
    t_current = c;
    switch_into(c);
    t_current = prev;
    if (c->finished) {
        coro_pool_t *p = c->pool;
        if (p->n_free >= STACKS_KEPT_IDLE) {
            stack_unmap(p, c);
        } else {
            c->next_free = p->free_list;
            p->free_list = c;
            p->n_free++;
        }
        return true;
    }
    return false;
}

static void switch_out(coro_t *c)
{
#ifdef CORO_ASAN
    /* (NULL for one httpd__coro_exit() ends: its fiber ends, its fake stack goes) */
    __sanitizer_start_switch_fiber(c->dropped ? NULL : &c->fake_stack, c->caller_bottom, c->caller_size);
#endif
#ifdef CORO_TSAN
    __tsan_switch_to_fiber(c->tsan_caller, 0);
#endif
#ifdef HTTPD_CORO_ASM
    httpd__coro_switch(&c->sp, c->caller_sp);
#else
    swapcontext(&c->ctx, &c->caller_ctx);
#endif
#ifdef CORO_ASAN
    __sanitizer_finish_switch_fiber(c->fake_stack, &c->caller_bottom, &c->caller_size);
#endif
}

void httpd__coro_yield(void)
{
    coro_t *c = t_current;
    if (c) {
        switch_out(c);
    }
}

_Noreturn void httpd__coro_exit(void)
{
    coro_t *c = t_current;
    c->finished = true;
    c->dropped = true;
    switch_out(c);
    __builtin_unreachable();   /* resumed only after coro_restart() made a new entry frame */
}
