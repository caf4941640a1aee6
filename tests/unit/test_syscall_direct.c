/* SPDX-License-Identifier: Apache-2.0 */
/* port/linux/syscall_direct.h: the request path's system calls entered in line.
 * Over a socket pair: sendto and recvfrom move the bytes and return their
 * counts, sendmsg gathers iovecs, epoll_wait reports the readable end; a
 * failure returns -1 with errno set (EBADF, EAGAIN), as syscall(2) does.
 * Where the header defines nothing (other CPUs), the test says so and passes. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "check.h"
#include "port/linux/syscall_direct.h"

#if defined(PORT_SYSCALL)
#include <sys/epoll.h>

static void test_send_recv(void)
{
    int sv[2];
    CHECK_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK_EQ_INT(PORT_SYSCALL(SYS_sendto, sv[0], "hello", 5, 0, 0, 0), 5);
    char buf[16] = { 0 };
    CHECK_EQ_INT(PORT_SYSCALL(SYS_recvfrom, sv[1], buf, sizeof buf, 0, 0, 0), 5);
    CHECK_EQ_MEM(buf, 5, "hello");

    /* sendmsg with two iovecs */
    struct iovec iov[2] = { { (void *)"ab", 2 }, { (void *)"cde", 3 } };
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = iov;
    m.msg_iovlen = 2;
    CHECK_EQ_INT(PORT_SYSCALL(SYS_sendmsg, sv[0], &m, 0, 0, 0, 0), 5);

    /* epoll_wait sees the readable end */
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 }, out[2];
    CHECK_EQ_INT(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev), 0);
#if defined(SYS_epoll_wait)
    long n = PORT_SYSCALL(SYS_epoll_wait, ep, out, 2, 1000, 0, 0);
#else
    long n = PORT_SYSCALL(SYS_epoll_pwait, ep, out, 2, 1000, 0, 0);
#endif
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(out[0].data.u64, 42);
    CHECK_EQ_INT(PORT_SYSCALL(SYS_recvfrom, sv[1], buf, sizeof buf, 0, 0, 0), 5);
    CHECK_EQ_MEM(buf, 5, "abcde");

    /* failures: -1 and errno, as syscall(2) gives them */
    errno = 0;
    CHECK_EQ_INT(PORT_SYSCALL(SYS_recvfrom, sv[1], buf, sizeof buf, MSG_DONTWAIT, 0, 0), -1);
    CHECK(errno == EAGAIN || errno == EWOULDBLOCK);
    errno = 0;
    CHECK_EQ_INT(PORT_SYSCALL(SYS_sendto, -1, "x", 1, 0, 0, 0), -1);
    CHECK_EQ_INT(errno, EBADF);
    close(ep);
    close(sv[0]);
    close(sv[1]);
}
#endif

int main(void)
{
#if defined(PORT_SYSCALL)
    test_send_recv();
#else
    printf("no direct system calls on this platform (syscall(2) or libc is used): nothing to test\n");
    CHECK(1);
#endif
    return check_summary();
}
