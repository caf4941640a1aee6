/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request path's system calls entered directly (Linux on x86-64 and
 * AArch64): the `syscall` / `svc` instruction in line, with the same result
 * as syscall(2) (-1 and errno on failure). glibc's send, recv and epoll_wait
 * are cancellation points, each wrapped in two locked read-modify-writes of
 * the thread's cancellation state; syscall(2) avoids those but is a call that
 * moves every argument once more. On other Linux targets PORT_SYSCALL is
 * syscall(2) (not a cancellation point either); elsewhere it is not defined
 * and the callers use the libc functions.
 */
#ifndef HTTPD_PORT_SYSCALL_DIRECT_H
#define HTTPD_PORT_SYSCALL_DIRECT_H

#if defined(__linux__) && defined(__GNUC__) && (defined(__x86_64__) || defined(__aarch64__))

#include <errno.h>

static inline long port_syscall6(long nr, long a, long b, long c, long d, long e, long f)
{
    long ret;
#if defined(__x86_64__)
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
#else
    register long x8 __asm__("x8") = nr;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc 0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    ret = x0;
#endif
    if ((unsigned long)ret > -4096UL) {   /* -4095 .. -1: -errno */
        errno = (int)-ret;
        return -1;
    }
    return ret;
}

#define PORT_SYSCALL(nr, a, b, c, d, e, f) \
    port_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

#elif defined(__linux__)

#include <sys/syscall.h>
#include <unistd.h>

#define PORT_SYSCALL(nr, a, b, c, d, e, f) \
    syscall((long)(nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

#endif
#endif /* HTTPD_PORT_SYSCALL_DIRECT_H */
