/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event-loop backend: one small interface, one file per backend
 * (linux/poll_epoll.c for Linux, posix/poll.c everywhere else), exactly one compiled
 * in, chosen by CMake (HTTPD_POLLER). The logic above never says #ifdef __linux__.
 */
#ifndef HTTPD_POLLER_H
#define HTTPD_POLLER_H

#define POLLER_IN   0x1u
#define POLLER_OUT  0x2u
#define POLLER_ERR  0x4u   /* error or hang-up: reported with IN so the reader sees it */

typedef struct poller poller_t;

typedef struct {
    void    *udata;
    unsigned events;       /* POLLER_* */
} poller_event_t;

/** A poller for up to capacity fds. NULL on allocation failure. */
poller_t *httpd__poller_create(unsigned capacity);
void httpd__poller_destroy(poller_t *p);

/** Registers fd with interest events (0 = registered but muted). 0 or -1. */
int httpd__poller_add(poller_t *p, int fd, unsigned events, void *udata);
/** Changes the interest of a registered fd. 0 or -1. */
int httpd__poller_mod(poller_t *p, int fd, unsigned events, void *udata);
/** Forgets fd (call before closing it). */
int httpd__poller_del(poller_t *p, int fd);

/** Waits up to timeout_ms (-1: forever) and fills at most max events.
 *  Returns their count, 0 on time-out, -1 on error (EINTR is retried). */
int httpd__poller_wait(poller_t *p, poller_event_t *evs, int max, int timeout_ms);

/** Name of the backend ("poll", "epoll"). */
const char *httpd__poller_name(void);

#endif /* HTTPD_POLLER_H */
