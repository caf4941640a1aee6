/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX port, wake-up channel: a private non-blocking pipe. Any thread writes
 * a byte to wake the loop; the loop drains them all.
 */
#include "port/posix/posix.h"

#include <unistd.h>

int httpd__port_wake_open(port_wake_t *w)
{
    int fds[2];
    w->rd = w->wr = -1;
    if (pipe(fds) < 0) {
        return PORT_FAIL;
    }
    if (httpd__posix_set_nonblock_cloexec(fds[0]) < 0 || httpd__posix_set_nonblock_cloexec(fds[1]) < 0) {
        int e = errno;   /* kept for httpd__port_last_error() */
        close(fds[0]);
        close(fds[1]);
        errno = e;
        return PORT_FAIL;
    }
    w->rd = fds[0];
    w->wr = fds[1];
    return PORT_OK;
}

int httpd__port_wake_fd(const port_wake_t *w)
{
    return w->rd;
}

void httpd__port_wake_signal(port_wake_t *w)
{
    char c = 1;
    ssize_t n;
    do {
        n = write(w->wr, &c, 1);
    } while (n < 0 && errno == EINTR);
    /* EAGAIN: the pipe is full, so the loop is already due to wake. */
}

void httpd__port_wake_drain(port_wake_t *w)
{
    char buf[64];
    while (read(w->rd, buf, sizeof buf) > 0) {
    }
}

void httpd__port_wake_close(port_wake_t *w)
{
    if (w->rd >= 0) {
        (void)close(w->rd);
    }
    if (w->wr >= 0) {
        (void)close(w->wr);
    }
    w->rd = w->wr = -1;
}
