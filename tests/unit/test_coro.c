/* SPDX-License-Identifier: Apache-2.0 */
/* Handler coroutines: resume/yield order, nesting, many at once, stack reuse,
 * callee-saved registers and floating point across switches, a strict
 * hand-off (never the resumer and its coroutine at once: the thread switch
 * runs them on two threads), a coroutine that ends where it is
 * (httpd__coro_exit, its stack then reused from the top), stacks of the configured size, and a stack
 * overflow that must fault on the guard page (checked in a child process). */
#include "check.h"
#include "coro.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

static coro_pool_t *pool;

/* ---- order -------------------------------------------------------------------- */

static char trace[64];
static size_t trace_len;

static void note(char c)
{
    if (trace_len + 1 < sizeof trace) {
        trace[trace_len++] = c;
        trace[trace_len] = '\0';
    }
}

static void steps3(void *arg)
{
    char base = *(char *)arg;
    for (int i = 0; i < 3; i++) {
        note((char)(base + i));
        httpd__coro_yield();
    }
}

static void test_order(void)
{
    char a = 'a', x = 'x';
    trace_len = 0;
    coro_t *c1 = httpd__coro_new(pool, steps3, &a);
    coro_t *c2 = httpd__coro_new(pool, steps3, &x);
    CHECK(c1 && c2);
    CHECK(httpd__coro_current() == NULL);
    bool d1 = false, d2 = false;
    for (int round = 0; round < 4; round++) {
        if (!d1) {
            d1 = httpd__coro_resume(c1);
        }
        if (!d2) {
            d2 = httpd__coro_resume(c2);
        }
        note('|');
    }
    CHECK(d1 && d2);
    CHECK_EQ_STR(trace, "ax|by|cz||");
}

/* ---- nesting: a coroutine resumes another ---------------------------------------- */

static coro_t *seen_inner, *seen_outer_after;

static void inner(void *arg)
{
    (void)arg;
    seen_inner = httpd__coro_current();
    note('i');
    httpd__coro_yield();
    note('j');
}

static void outer(void *arg)
{
    (void)arg;
    coro_t *in = httpd__coro_new(pool, inner, NULL);
    note('o');
    bool done = httpd__coro_resume(in);          /* runs inner until its yield */
    note(done ? '!' : 'p');
    seen_outer_after = httpd__coro_current();    /* back on outer */
    httpd__coro_yield();                          /* outer yields to main */
    done = httpd__coro_resume(in);
    note(done ? 'q' : '!');
}

static void test_nesting(void)
{
    trace_len = 0;
    coro_t *o = httpd__coro_new(pool, outer, NULL);
    CHECK(!httpd__coro_resume(o));
    CHECK(seen_inner != NULL && seen_inner != o);
    CHECK(seen_outer_after == o);
    CHECK(httpd__coro_current() == NULL);
    CHECK(httpd__coro_resume(o));
    CHECK_EQ_STR(trace, "oipjq");
}

/* ---- acting for the resumer: "am I inside a coroutine of this pool" -------------- */

static coro_pool_t *other_pool;
static bool behalf_mine, behalf_other, behalf_null;

static void ask_behalf(void *arg)
{
    (void)arg;
    behalf_mine = httpd__coro_on_behalf(pool);
    behalf_other = httpd__coro_on_behalf(other_pool);
    behalf_null = httpd__coro_on_behalf(NULL);
}

static void test_on_behalf(void)
{
    other_pool = httpd__coro_pool_create(64 * 1024);
    CHECK(other_pool != NULL);
    CHECK(!httpd__coro_on_behalf(pool));
    coro_t *c = httpd__coro_new(pool, ask_behalf, NULL);
    CHECK(c && httpd__coro_resume(c));
    CHECK(behalf_mine && !behalf_other && !behalf_null);
    CHECK(!httpd__coro_on_behalf(pool));
    httpd__coro_pool_destroy(other_pool);
}

/* ---- strict hand-off ------------------------------------------------------------
 * The resumer and the coroutine each read-modify-write a counter no lock guards,
 * pausing in the middle, and each looks for the other inside its part. A switch
 * that let both run at once would lose updates or see the other side's flag. */

enum { HANDOFF_ROUNDS = 200 };
static volatile int handoff_counter;            /* unguarded on purpose */
static atomic_int in_coro, in_resumer, overlaps;

static void handoff_pause(void)
{
    for (int i = 0; i < 3; i++) {
        usleep(20);
    }
}

static void handoff_part(atomic_int *mine, atomic_int *theirs)
{
    atomic_store_explicit(mine, 1, memory_order_relaxed);
    if (atomic_load_explicit(theirs, memory_order_relaxed)) {
        atomic_fetch_add(&overlaps, 1);
    }
    int v = handoff_counter;
    handoff_pause();
    handoff_counter = v + 1;
    if (atomic_load_explicit(theirs, memory_order_relaxed)) {
        atomic_fetch_add(&overlaps, 1);
    }
    atomic_store_explicit(mine, 0, memory_order_relaxed);
}

static void handoff_worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < HANDOFF_ROUNDS; i++) {
        handoff_part(&in_coro, &in_resumer);
        httpd__coro_yield();
    }
}

static void test_strict_handoff(void)
{
    handoff_counter = 0;
    coro_t *c = httpd__coro_new(pool, handoff_worker, NULL);
    CHECK(c != NULL);
    int resumes = 0;
    bool done = false;
    while (c && !done && resumes <= HANDOFF_ROUNDS) {
        done = httpd__coro_resume(c);
        resumes++;
        handoff_part(&in_resumer, &in_coro);
    }
    CHECK(done);
    CHECK_EQ_INT(resumes, HANDOFF_ROUNDS + 1);
    CHECK_EQ_INT(atomic_load(&overlaps), 0);
    CHECK_EQ_INT(handoff_counter, 2 * HANDOFF_ROUNDS + 1);
}

/* ---- a coroutine's stack is the configured size ------------------------------------
 * It can use nearly all of it; on the thread switch its thread's stack is that
 * size too (four times that under AddressSanitizer), not the 8 MiB default. */

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#define STACK_SCALE 4u
#else
#define STACK_SCALE 1u
#endif

enum { BIG_STACK = 256 * 1024, BIG_MARGIN = 16 * 1024 };
static size_t thread_stack_seen;
static bool big_touched;

__attribute__((noinline)) static void touch_stack(void)
{
    volatile char big[BIG_STACK - BIG_MARGIN];
    memset((char *)big, 0x33, sizeof big);
    big_touched = big[0] == 0x33 && big[sizeof big - 1] == 0x33;
}

static void stack_probe(void *arg)
{
    (void)arg;
    touch_stack();
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstacksize(&attr, &thread_stack_seen);
        pthread_attr_destroy(&attr);
    }
}

static void test_stack_size(void)
{
    coro_pool_t *p = httpd__coro_pool_create(BIG_STACK);
    CHECK(p != NULL);
    coro_t *c = httpd__coro_new(p, stack_probe, NULL);
    CHECK(c && httpd__coro_resume(c));
    CHECK(big_touched);
    if (strcmp(httpd__coro_backend(), "thread") == 0) {
        size_t want = (size_t)BIG_STACK * STACK_SCALE;
        printf("coroutine thread stack: %zu bytes (configured %d)\n", thread_stack_seen, BIG_STACK);
        CHECK(thread_stack_seen >= want && thread_stack_seen <= want + 64 * 1024);
    }
    httpd__coro_pool_destroy(p);
}

/* ---- many coroutines, stacks reused -------------------------------------------- */

static void count_up(void *arg)
{
    int *v = arg;
    volatile char scratch[2048];          /* touch some stack on each */
    memset((char *)scratch, 0x5a, sizeof scratch);
    for (int i = 0; i < 5; i++) {
        *v += scratch[i] == 0x5a;
        httpd__coro_yield();
    }
}

static void test_many(void)
{
    enum { N = 500 };
    static coro_t *cs[N];
    static int vals[N];
    unsigned before = httpd__coro_pool_mapped(pool);
    for (int i = 0; i < N; i++) {
        vals[i] = 0;
        cs[i] = httpd__coro_new(pool, count_up, &vals[i]);
        CHECK(cs[i] != NULL);
    }
    int live = N;
    for (int round = 0; live > 0 && round < 100; round++) {
        for (int i = 0; i < N; i++) {
            if (cs[i] && httpd__coro_resume(cs[i])) {
                cs[i] = NULL;
                live--;
            }
        }
    }
    CHECK_EQ_INT(live, 0);
    int sum = 0;
    for (int i = 0; i < N; i++) {
        sum += vals[i];
    }
    CHECK_EQ_INT(sum, 5 * N);
    unsigned mapped = httpd__coro_pool_mapped(pool);
    CHECK(mapped >= before && mapped <= 8);   /* a burst's stacks are unmapped, a few kept */
    /* A second wave takes the same stacks back from the pool. */
    for (int i = 0; i < 10000; i++) {
        int v = 0;
        coro_t *c = httpd__coro_new(pool, count_up, &v);
        while (!httpd__coro_resume(c)) {
        }
    }
    CHECK_EQ_INT(httpd__coro_pool_mapped(pool), mapped);
}

/* ---- registers and floating point survive switches ------------------------------- */

static void fp_work(void *arg)
{
    double *out = arg;
    volatile double acc = 1.0;
    for (int i = 1; i <= 20; i++) {
        acc = acc * 1.5 + (double)i;
        httpd__coro_yield();
    }
    *out = acc;
}

static void test_registers(void)
{
    double r1 = 0, r2 = 0;
    coro_t *a = httpd__coro_new(pool, fp_work, &r1);
    coro_t *b = httpd__coro_new(pool, fp_work, &r2);
    volatile double mine = 3.25;
    volatile uint64_t keep = 0x0123456789abcdefull;
    bool da = false, db = false;
    while (!da || !db) {
        if (!da) {
            da = httpd__coro_resume(a);
        }
        mine = mine * 1.0001;
        if (!db) {
            db = httpd__coro_resume(b);
        }
    }
    double expect = 1.0;
    for (int i = 1; i <= 20; i++) {
        expect = expect * 1.5 + (double)i;
    }
    CHECK(r1 == expect && r2 == expect);
    CHECK(keep == 0x0123456789abcdefull);
    CHECK(mine > 3.25);
}

/* ---- stack overflow hits the guard page ---------------------------------------- */

static int recurse(int depth)
{
    volatile char frame[1024];
    frame[0] = (char)depth;
    return depth > 1000000 ? frame[0] : recurse(depth + 1) + frame[0];
}

static void overflow(void *arg)
{
    (void)arg;
    recurse(0);
}

static void test_overflow(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* Child: quiet, then overflow a 64 KiB coroutine stack. */
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, 2);
        }
        coro_pool_t *p = httpd__coro_pool_create(64 * 1024);
        coro_t *c = httpd__coro_new(p, overflow, NULL);
        httpd__coro_resume(c);
        _exit(0);   /* reaching this means the overflow went unnoticed */
    }
    CHECK(pid > 0);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    /* Killed by SIGSEGV (or reported by ASan's handler, which exits non-zero). */
    bool faulted = (WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS)) ||
                   (WIFEXITED(status) && WEXITSTATUS(status) != 0);
    CHECK(faulted);
}

#if !defined(HTTPD_CORO_THREAD)
/* ---- exit where it is ------------------------------------------------------------ */

static coro_t *exit_inner;
static volatile bool exit_at_bottom = true;   /* (a path that returns, for -Winfinite-recursion) */

static void deep(int n)
{
    volatile char pad[256];   /* frames the exit drops */
    pad[0] = (char)n;
    if (n > 0) {
        deep(n - 1);
        note((char)pad[0]);   /* never reached */
        return;
    }
    note('e');
    if (exit_at_bottom) {
        httpd__coro_exit();
    }
}

static void exits_deep(void *arg)
{
    (void)arg;
    note('s');
    httpd__coro_yield();
    deep(20);
    note('X');   /* never reached */
}

static void plain(void *arg)
{
    (void)arg;
    note('p');
    httpd__coro_yield();
    note('q');
}

/* A coroutine resumed by another exits: back to that one, not further. */
static void resumes_an_exiting_one(void *arg)
{
    (void)arg;
    note('o');
    CHECK(httpd__coro_resume(exit_inner));   /* exits_deep: its frames go */
    CHECK(httpd__coro_current() != NULL);
    note('O');
}

static void test_exit(void)
{
    trace_len = 0;
    coro_t *c = httpd__coro_new(pool, exits_deep, NULL);
    CHECK(c != NULL);
    CHECK(!httpd__coro_resume(c));
    CHECK(httpd__coro_resume(c));   /* ended in deep(0): resume says finished */
    CHECK(httpd__coro_current() == NULL);
    /* its stack went back to the pool; the next coroutine takes it and starts afresh */
    coro_t *d = httpd__coro_new(pool, plain, NULL);
    CHECK(d == c);
    CHECK(!httpd__coro_resume(d));
    CHECK(httpd__coro_resume(d));
    exit_inner = httpd__coro_new(pool, exits_deep, NULL);
    CHECK(!httpd__coro_resume(exit_inner));
    coro_t *o = httpd__coro_new(pool, resumes_an_exiting_one, NULL);
    CHECK(httpd__coro_resume(o));
    CHECK(httpd__coro_current() == NULL);
    for (int i = 0; i < 100; i++) {   /* stacks reused after exits, again and again */
        coro_t *e = httpd__coro_new(pool, exits_deep, NULL);
        CHECK(e != NULL && !httpd__coro_resume(e) && httpd__coro_resume(e));
    }
    trace[10] = '\0';   /* (the loop's notes run past the trace) */
    CHECK_EQ_STR(trace, "sepqsoeO" "se");
}
#endif

int main(void)
{
    printf("coroutine backend: %s\n", httpd__coro_backend());
    pool = httpd__coro_pool_create(64 * 1024);
    CHECK(pool != NULL);
    test_order();
    test_nesting();
    test_on_behalf();
    test_strict_handoff();
#if !defined(HTTPD_CORO_THREAD)
    test_exit();
#endif
    test_stack_size();
    test_many();
    test_registers();
    test_overflow();
    httpd__coro_pool_destroy(pool);
    return check_summary();
}
