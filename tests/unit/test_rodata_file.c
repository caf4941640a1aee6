/* SPDX-License-Identifier: Apache-2.0 */
/* port/linux/rodata_file.c and the POSIX port's sends (Linux builds with
 * HTTPD_RODATA_SENDFILE): a span of the program's read-only data is found in
 * the program's file at the offset whose bytes equal it; writable memory (data,
 * bss, heap, stack) and spans running past the segment are not. Over a socket
 * pair, httpd__port_sendv() sends a response head and such a span byte for byte,
 * the span read from the file (the process's rchar grows by its size: sendfile
 * reads, sendmsg does not), a writable buffer from memory, and a span sent to a
 * closed peer fails as a send with MSG_NOSIGNAL does, with no SIGPIPE raised. */
#define HTTPD_RODATA_SENDFILE 1   /* port.h: the build's hold/release, not the stand-ins */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "check.h"
#include "port/port.h"
#include "port/linux/rodata_file.h"

#define RO_LEN (160 * 1024)

/* 160 KiB of read-only program data with a pattern no page of it repeats
 * (bytes i % 251, then a marker every 4 KiB), as an embedded asset is placed. */
extern const unsigned char ro_asset[RO_LEN];
__asm__(".section .rodata\n"
        ".balign 4096\n"
        "ro_asset:\n"
        ".set i, 0\n"
        ".rept 40960\n"
        ".byte (i % 251), ((i + 1) % 251), ((i + 2) % 251), ((i / 1024) % 256)\n"
        ".set i, i + 1\n"
        ".endr\n"
        ".previous\n");

static unsigned char rw_data[RO_LEN] = { 1 };   /* .data */
static unsigned char rw_bss[RO_LEN];            /* .bss */

/* rchar of /proc/self/io: bytes this process read through read-like calls
 * (sendfile counts, sendmsg/recvfrom do not); -1 where the kernel has no
 * task I/O accounting. */
static long long rchar(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    if (!f) {
        return -1;
    }
    long long v = -1;
    char line[128];
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "rchar: %lld", &v) == 1) {
            break;
        }
    }
    fclose(f);
    return v;
}

static void test_spans(void)
{
    off_t off = -1;
    int fd = httpd__port_rodata_file(ro_asset, RO_LEN, &off);
    CHECK(fd >= 0);
    CHECK(off > 0);
    /* the file holds the same bytes there */
    unsigned char *buf = malloc(RO_LEN);
    CHECK(buf != NULL);
    CHECK_EQ_INT((int)pread(fd, buf, RO_LEN, off), RO_LEN);
    CHECK(memcmp(buf, ro_asset, RO_LEN) == 0);
    free(buf);

    /* a span inside it: the offset moves with it */
    off_t off2 = -1;
    CHECK_EQ_INT(httpd__port_rodata_file(ro_asset + 1000, RO_LEN - 1000, &off2), fd);
    CHECK(off2 == off + 1000);
    /* a string literal is read-only program data too */
    static const char *lit = "a string literal in .rodata";
    CHECK_EQ_INT(httpd__port_rodata_file(lit, strlen(lit), &off2), fd);

    /* writable memory: never */
    CHECK_EQ_INT(httpd__port_rodata_file(rw_data, RO_LEN, &off2), -1);
    CHECK_EQ_INT(httpd__port_rodata_file(rw_bss, RO_LEN, &off2), -1);
    unsigned char *heap = malloc(RO_LEN);
    CHECK(heap != NULL);
    CHECK_EQ_INT(httpd__port_rodata_file(heap, RO_LEN, &off2), -1);
    free(heap);
    unsigned char stack[64] = { 0 };
    CHECK_EQ_INT(httpd__port_rodata_file(stack, sizeof stack, &off2), -1);
    /* a span that runs past the end of its segment: never (SIZE_MAX / 2: past any segment) */
    CHECK_EQ_INT(httpd__port_rodata_file(ro_asset, (size_t)-1 / 2, &off2), -1);
}

/* Sends the iovecs through httpd__port_sendv() from a non-blocking socket,
 * draining the other end as it goes; returns the bytes received (malloc'd). */
static unsigned char *send_all(int sv[2], struct iovec *iov, int iovcnt, size_t total)
{
    unsigned char *got = malloc(total + 1);
    CHECK(got != NULL);
    size_t rcvd = 0, sent = 0;
    for (int turns = 0; rcvd < total && turns < 100000; turns++) {
        if (sent < total) {
            ssize_t n = httpd__port_sendv(sv[0], iov, iovcnt);
            CHECK(n > 0 || n == PORT_AGAIN);
            if (n > 0) {
                sent += (size_t)n;
                while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
                    n -= (ssize_t)iov->iov_len;
                    iov++;
                    iovcnt--;
                }
                if (iovcnt > 0) {
                    iov->iov_base = (char *)iov->iov_base + n;
                    iov->iov_len -= (size_t)n;
                }
            }
        }
        struct pollfd p = { .fd = sv[1], .events = POLLIN };
        if (poll(&p, 1, sent < total ? 0 : 1000) > 0) {
            ssize_t r = recv(sv[1], got + rcvd, total + 1 - rcvd, 0);
            CHECK(r > 0);
            rcvd += (size_t)r;
        }
    }
    CHECK(sent == total);
    CHECK(rcvd == total);
    return got;
}

static void test_sendv(void)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 163840\r\n\r\n";
    size_t hl = sizeof head - 1;
    int sv[2];
    CHECK_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK_EQ_INT(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);

    /* head + read-only span: the same bytes, the span read from the file */
    long long before = rchar();
    struct iovec iov[2] = { { (void *)head, hl }, { (void *)ro_asset, RO_LEN } };
    unsigned char *got = send_all(sv, iov, 2, hl + RO_LEN);
    long long after = rchar();
    CHECK(memcmp(got, head, hl) == 0);
    CHECK(memcmp(got + hl, ro_asset, RO_LEN) == 0);
    free(got);
    if (before >= 0 && after >= 0) {
        CHECK(after - before >= RO_LEN);
    } else {
        printf("  (no /proc/self/io: the file read is not counted)\n");
    }

    /* a writable buffer with the same bytes: sent from memory */
    memcpy(rw_data, ro_asset, RO_LEN);
    before = rchar();
    struct iovec iov2[2] = { { (void *)head, hl }, { rw_data, RO_LEN } };
    got = send_all(sv, iov2, 2, hl + RO_LEN);
    after = rchar();
    CHECK(memcmp(got + hl, ro_asset, RO_LEN) == 0);
    free(got);
    if (before >= 0 && after >= 0) {
        CHECK(after - before < RO_LEN);
    }

    /* a span that starts inside a page: read from the file as well */
    before = rchar();
    struct iovec iov6[2] = { { (void *)head, hl }, { (void *)(ro_asset + 100), RO_LEN - 100 } };
    got = send_all(sv, iov6, 2, hl + RO_LEN - 100);
    after = rchar();
    CHECK(memcmp(got, head, hl) == 0);
    CHECK(memcmp(got + hl, ro_asset + 100, RO_LEN - 100) == 0);
    free(got);
    if (before >= 0 && after >= 0) {
        CHECK(after - before >= RO_LEN - 100);
    }

    /* the span alone (one iovec: httpd__port_send's path) */
    struct iovec iov3[1] = { { (void *)ro_asset, RO_LEN } };
    got = send_all(sv, iov3, 1, RO_LEN);
    CHECK(memcmp(got, ro_asset, RO_LEN) == 0);
    free(got);

    /* no iovec at all: nothing sent */
    CHECK_EQ_INT((int)httpd__port_sendv(sv[0], NULL, 0), 0);

    /* the peer gone: a failure (EPIPE), no SIGPIPE (its default would end the test) */
    close(sv[1]);
    CHECK(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
    struct iovec iov4[1] = { { (void *)ro_asset, RO_LEN } };
    ssize_t n = httpd__port_sendv(sv[0], iov4, 1);
    CHECK(n < 0 && n != PORT_AGAIN);
    sigset_t pend;
    sigemptyset(&pend);
    CHECK_EQ_INT(sigpending(&pend), 0);
    CHECK(!sigismember(&pend, SIGPIPE));
    /* and with SIGPIPE blocked by the caller: its mask is left as it was */
    sigset_t pipe_set, old, now;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    CHECK_EQ_INT(pthread_sigmask(SIG_BLOCK, &pipe_set, &old), 0);
    struct iovec iov5[1] = { { (void *)ro_asset, RO_LEN } };
    n = httpd__port_sendv(sv[0], iov5, 1);
    CHECK(n < 0 && n != PORT_AGAIN);
    sigemptyset(&pend);
    CHECK_EQ_INT(sigpending(&pend), 0);
    CHECK(!sigismember(&pend, SIGPIPE));   /* none left behind to arrive when it is unblocked */
    CHECK_EQ_INT(pthread_sigmask(SIG_SETMASK, &old, &now), 0);
    CHECK(sigismember(&now, SIGPIPE));
    close(sv[0]);
}

/* No server, so nobody holds the program's file: every span is copied. */
static void test_not_held(void)
{
    off_t off;
    CHECK_EQ_INT(httpd__port_rodata_file(ro_asset, RO_LEN, &off), -1);
}

int main(void)
{
    test_not_held();
    httpd__port_server_hold();   /* as httpd_start() does */
    test_spans();
    test_sendv();
    httpd__port_server_release();
    test_not_held();
    printf("test_rodata_file: all passed\n");
    return 0;
}
