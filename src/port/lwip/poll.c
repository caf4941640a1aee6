/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP port, event-loop backend over lwip_poll(): a dense pollfd array, each
 * fd found by a linear scan (the same O(n) as lwip_poll's own pass). lwIP
 * reports readable, writable and error (POLLERR, POLLNVAL); a closed peer
 * shows as readable, as on POSIX.
 */
#include "port/poller.h"
#include "port/lwip/lwip_port.h"

#include <stdlib.h>

struct poller {
    struct pollfd *pfds;
    void         **udata;
    unsigned       n;
    unsigned       cap;
};

const char *httpd__poller_name(void)
{
    return "lwip_poll";
}

poller_t *httpd__poller_create(unsigned capacity)
{
    poller_t *p = calloc(1, sizeof *p);
    if (!p) {
        return NULL;
    }
    p->cap = capacity ? capacity : 1;
    p->pfds = calloc(p->cap, sizeof *p->pfds);
    p->udata = calloc(p->cap, sizeof *p->udata);
    if (!p->pfds || !p->udata) {
        httpd__poller_destroy(p);
        return NULL;
    }
    return p;
}

void httpd__poller_destroy(poller_t *p)
{
    if (p) {
        free(p->pfds);
        free(p->udata);
        free(p);
    }
}

static short interest(unsigned ev)
{
    return (short)(((ev & POLLER_IN) ? POLLIN : 0) | ((ev & POLLER_OUT) ? POLLOUT : 0));
}

static int find(const poller_t *p, int fd)
{
    for (unsigned i = 0; i < p->n; i++) {
        if (p->pfds[i].fd == fd) {
            return (int)i;
        }
    }
    return -1;
}

int httpd__poller_add(poller_t *p, int fd, unsigned events, void *udata)
{
    if (p->n == p->cap || find(p, fd) >= 0) {
        return -1;
    }
    p->pfds[p->n] = (struct pollfd){ .fd = fd, .events = interest(events), .revents = 0 };
    p->udata[p->n] = udata;
    p->n++;
    return 0;
}

int httpd__poller_mod(poller_t *p, int fd, unsigned events, void *udata)
{
    int i = find(p, fd);
    if (i < 0) {
        return -1;
    }
    p->pfds[i].events = interest(events);
    p->udata[i] = udata;
    return 0;
}

int httpd__poller_del(poller_t *p, int fd)
{
    int i = find(p, fd);
    if (i < 0) {
        return -1;
    }
    p->n--;
    p->pfds[i] = p->pfds[p->n];
    p->udata[i] = p->udata[p->n];
    return 0;
}

int httpd__poller_wait(poller_t *p, poller_event_t *evs, int max, int timeout_ms)
{
    int rc = lwip_poll(p->pfds, (nfds_t)p->n, timeout_ms);
    if (rc <= 0) {
        return rc < 0 && errno == EINTR ? 0 : rc;
    }
    int out = 0;
    for (unsigned i = 0; i < p->n && out < max; i++) {
        short re = p->pfds[i].revents;
        if (!re) {
            continue;
        }
        unsigned ev = 0;
        if (re & POLLIN) {
            ev |= POLLER_IN;
        }
        if (re & POLLOUT) {
            ev |= POLLER_OUT;
        }
        if (re & (POLLERR | POLLHUP | POLLNVAL)) {
            ev |= POLLER_ERR | POLLER_IN;
        }
        evs[out].udata = p->udata[i];
        evs[out].events = ev;
        out++;
    }
    return out;
}
