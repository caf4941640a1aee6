/* SPDX-License-Identifier: Apache-2.0 */
/*
 * epoll backend (Linux): O(1) per event whatever the number of sockets.
 * Level-triggered, like the poll backend, so the logic above is identical.
 */
#include "port/poller.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>

#include "port/linux/syscall_direct.h"

/* epoll_wait(2) without glibc's cancellation-point wrapper (two locked atomic
 * operations per call in a threaded process; see posix/sock.c). */
#if defined(SYS_epoll_wait)
#define SYS_EPOLL_WAIT(fd, evs, max, ms) PORT_SYSCALL(SYS_epoll_wait, (fd), (evs), (max), (ms), 0, 0)
#else
#define SYS_EPOLL_WAIT(fd, evs, max, ms) PORT_SYSCALL(SYS_epoll_pwait, (fd), (evs), (max), (ms), 0, 0)
#endif

struct poller {
    int                 epfd;
    struct epoll_event *evs;
    int                 cap;
};

const char *httpd__poller_name(void)
{
    return "epoll";
}

poller_t *httpd__poller_create(unsigned capacity)
{
    poller_t *p = calloc(1, sizeof *p);
    if (!p) {
        return NULL;
    }
    p->cap = 256;   /* events per wait, not a limit on sockets */
    (void)capacity;
    p->evs = calloc((size_t)p->cap, sizeof *p->evs);
    p->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!p->evs || p->epfd < 0) {
        if (p->epfd >= 0) {
            close(p->epfd);
        }
        free(p->evs);
        free(p);
        return NULL;
    }
    return p;
}

void httpd__poller_destroy(poller_t *p)
{
    if (p) {
        close(p->epfd);
        free(p->evs);
        free(p);
    }
}

static uint32_t to_epoll(unsigned ev)
{
    uint32_t e = 0;
    if (ev & POLLER_IN) {
        e |= EPOLLIN;
    }
    if (ev & POLLER_OUT) {
        e |= EPOLLOUT;
    }
    return e;
}

static int ctl(poller_t *p, int op, int fd, unsigned events, void *udata)
{
    struct epoll_event e = { .events = to_epoll(events), .data.ptr = udata };
    return epoll_ctl(p->epfd, op, fd, &e) == 0 ? 0 : -1;
}

int httpd__poller_add(poller_t *p, int fd, unsigned events, void *udata)
{
    return ctl(p, EPOLL_CTL_ADD, fd, events, udata);
}

int httpd__poller_mod(poller_t *p, int fd, unsigned events, void *udata)
{
    return ctl(p, EPOLL_CTL_MOD, fd, events, udata);
}

int httpd__poller_del(poller_t *p, int fd)
{
    struct epoll_event e = { 0 };
    return epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, &e) == 0 ? 0 : -1;
}

int httpd__poller_wait(poller_t *p, poller_event_t *evs, int max, int timeout_ms)
{
    if (max > p->cap) {
        max = p->cap;
    }
    int n;
    do {
        n = (int)SYS_EPOLL_WAIT(p->epfd, p->evs, max, timeout_ms);
    } while (n < 0 && errno == EINTR);
    for (int i = 0; i < n; i++) {
        uint32_t re = p->evs[i].events;
        unsigned ev = 0;
        if (re & EPOLLIN) {
            ev |= POLLER_IN;
        }
        if (re & EPOLLOUT) {
            ev |= POLLER_OUT;
        }
        if (re & (EPOLLERR | EPOLLHUP)) {
            ev |= POLLER_ERR | POLLER_IN;
        }
        evs[i].udata = p->evs[i].data.ptr;
        evs[i].events = ev;
    }
    return n;
}
