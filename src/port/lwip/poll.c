/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP port, event-loop backend over lwip_poll(): a dense pollfd array, each
 * fd found by a linear scan (the same O(n) as lwip_poll's own pass), with the
 * user data beside it in the same allocation. lwIP reports readable, writable
 * and error (POLLERR, POLLNVAL); a closed peer shows as readable, as on POSIX.
 */
#include "port/poller.h"
#include "port/lwip/lwip_port.h"

#include <stdlib.h>

struct poller {
    struct pollfd *pfds;      /* n in use, dense, after udata */
    unsigned       n;
    unsigned       cap;
    void          *udata[];   /* cap entries, udata[i] for pfds[i] */
};

/* lwIP's own poll bits are the poller's (lwip/sockets.h); a C library whose
 * poll.h came first may number them otherwise. */
#if POLLIN == POLLER_IN && POLLOUT == POLLER_OUT
#define TO_POLL(ev)   ((short)(ev))
#define FROM_POLL(re) ((unsigned)(re) & (POLLER_IN | POLLER_OUT))
#else
#define TO_POLL(ev)   ((short)(((ev) & POLLER_IN ? POLLIN : 0) | ((ev) & POLLER_OUT ? POLLOUT : 0)))
#define FROM_POLL(re) (((re) & POLLIN ? POLLER_IN : 0u) | ((re) & POLLOUT ? POLLER_OUT : 0u))
#endif

const char *httpd__poller_name(void)
{
    return "lwip_poll";
}

poller_t *httpd__poller_create(unsigned capacity)
{
    size_t cap = capacity ? capacity : 1;
    poller_t *p = calloc(1, sizeof *p + cap * (sizeof(void *) + sizeof(struct pollfd)));
    if (p) {
        p->cap = (unsigned)cap;
        p->pfds = (struct pollfd *)(p->udata + cap);
    }
    return p;
}

void httpd__poller_destroy(poller_t *p)
{
    free(p);
}

/* fd's index, or n when it is not there. */
static unsigned find(const poller_t *p, int fd)
{
    unsigned i = 0;
    while (i < p->n && p->pfds[i].fd != fd) {
        i++;
    }
    return i;
}

int httpd__poller_add(poller_t *p, int fd, unsigned events, void *udata)
{
    unsigned i = find(p, fd);
    if (i < p->n || i == p->cap) {
        return -1;
    }
    p->n++;
    p->pfds[i].fd = fd;
    return httpd__poller_mod(p, fd, events, udata);
}

int httpd__poller_mod(poller_t *p, int fd, unsigned events, void *udata)
{
    unsigned i = find(p, fd);
    if (i == p->n) {
        return -1;
    }
    p->pfds[i].events = TO_POLL(events);
    p->udata[i] = udata;
    return 0;
}

int httpd__poller_del(poller_t *p, int fd)
{
    unsigned i = find(p, fd);
    if (i == p->n) {
        return -1;
    }
    p->n--;
    p->pfds[i] = p->pfds[p->n];
    p->udata[i] = p->udata[p->n];
    return 0;
}

int httpd__poller_wait(poller_t *p, poller_event_t *evs, int max, int timeout_ms)
{
    int rc = lwip_poll(p->pfds, (nfds_t)p->n, timeout_ms);   /* lwIP has no signals: no EINTR */
    int out = 0;
    for (unsigned i = 0; rc > 0 && i < p->n && out < max; i++) {
        short re = p->pfds[i].revents;
        if (re) {
            unsigned ev = FROM_POLL(re);
            if (re & (POLLERR | POLLHUP | POLLNVAL)) {
                ev |= POLLER_ERR | POLLER_IN;
            }
            evs[out].udata = p->udata[i];
            evs[out].events = ev;
            out++;
        }
    }
    return rc < 0 ? rc : out;
}
