/* SPDX-License-Identifier: Apache-2.0 */
/* Handler coroutines: resume/yield order, nesting, many at once, stack reuse,
 * callee-saved registers and floating point across switches, and a stack
 * overflow that must fault on the guard page (checked in a child process). */
#include "check.h"
#include "coro.h"

#include <signal.h>
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

int main(void)
{
    printf("coroutine backend: %s\n", httpd__coro_backend());
    pool = httpd__coro_pool_create(64 * 1024);
    CHECK(pool != NULL);
    test_order();
    test_nesting();
    test_many();
    test_registers();
    test_overflow();
    httpd__coro_pool_destroy(pool);
    return check_summary();
}
