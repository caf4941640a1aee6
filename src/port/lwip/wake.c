/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP port, wake-up channel: lwIP has no pipe, so the loop watches a UDP
 * socket bound to 127.0.0.1 on an ephemeral port, and any thread wakes it by
 * sending a datagram from that socket to its own address (lwip_wake.h). Each
 * datagram carries the channel's secret; the loop counts a datagram as a
 * wake-up only when it comes from 127.0.0.1 and is exactly the secret, and
 * drops anything else silently, so a stray or forged datagram is never taken
 * for one. The channel needs a loopback path (LWIP_NETIF_LOOPBACK, and a netif
 * holding 127.0.0.1, e.g. LWIP_HAVE_LOOPIF).
 *
 * The secret is not a cryptographic key: it mixes LWIP_RAND() (ESP-IDF: the
 * hardware random number generator; Debian's build: rand()), sys_now(), the
 * channel's address, a stack address and the ephemeral port lwIP chose.
 */
#include "port/lwip/lwip_port.h"

#include <string.h>

#define DRAIN_MAX 32   /* datagrams read per turn; more stay for the next one */

/* murmur3's 32-bit finaliser: every input bit reaches every output bit. */
static uint32_t mix(uint32_t h)
{
    h = (h ^ (h >> 16)) * 0x85ebca6bu;
    h = (h ^ (h >> 13)) * 0xc2b2ae35u;
    return h ^ (h >> 16);
}

static void make_secret(port_wake_t *w)
{
    uint32_t h = mix(sys_now() ^ ((uint32_t)w->self.sin_port << 16)) + (uint32_t)(uintptr_t)w;
    h = mix(h) + (uint32_t)(uintptr_t)&h;
    for (int i = 0; i < 2; i++) {
#ifdef LWIP_RAND
        h ^= (uint32_t)LWIP_RAND();
#endif
        w->secret[i] = h = mix(h);
    }
}

int httpd__port_wake_open(port_wake_t *w)
{
    /* 127.0.0.1, port 0: lwIP picks one. lwIP reads no other field. */
    socklen_t len = sizeof w->self;
    w->self.sin_family = AF_INET;
    w->self.sin_port = 0;
    w->self.sin_addr.s_addr = LWIP_PORT_LOOPBACK;
    w->fd = -1;
    int fd = lwip_socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        return PORT_FAIL;
    }
    /* Bound, then read back: self is 127.0.0.1 and the port lwIP chose. */
    if (lwip_bind(fd, (struct sockaddr *)&w->self, len) < 0 ||
        lwip_getsockname(fd, (struct sockaddr *)&w->self, &len) < 0) {
        (void)httpd__lwip_close_failed(fd);
        return PORT_FAIL;
    }
    make_secret(w);
#if HTTPD_LWIP_WAKE_LOCK
    httpd__port_mutex_init(&w->lock);
#endif
    w->fd = fd;
    return PORT_OK;
}

int httpd__port_wake_fd(const port_wake_t *w)
{
    return w->fd;
}

void httpd__port_wake_signal(port_wake_t *w)
{
#if HTTPD_LWIP_WAKE_LOCK
    httpd__port_mutex_lock(&w->lock);
#endif
    /* Failure (no buffer, the receive queue full) needs nothing: a full
     * queue means the loop is already due to wake. */
    (void)lwip_sendto(w->fd, w->secret, sizeof w->secret, 0, (struct sockaddr *)&w->self, sizeof w->self);
#if HTTPD_LWIP_WAKE_LOCK
    httpd__port_mutex_unlock(&w->lock);
#endif
}

int httpd__lwip_wake_drain(port_wake_t *w)
{
    int genuine = 0;
    for (int i = 0; i < DRAIN_MAX; i++) {
        uint32_t buf[3];   /* room for the secret and one byte more: a longer datagram reads as longer */
        struct sockaddr_in from;
        socklen_t from_len = sizeof from;
        ssize_t n = lwip_recvfrom(w->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &from_len);
        if (n < 0) {
            break;   /* nothing left (or the socket failed: the loop's next wait reports it) */
        }
        /* An AF_INET socket reports AF_INET sources: the address says it all. */
        genuine += n == (ssize_t)sizeof w->secret && from.sin_addr.s_addr == LWIP_PORT_LOOPBACK &&
                   memcmp(buf, w->secret, sizeof w->secret) == 0;
    }
    return genuine;
}

void httpd__port_wake_drain(port_wake_t *w)
{
    (void)httpd__lwip_wake_drain(w);
}

void httpd__port_wake_close(port_wake_t *w)
{
    if (w->fd >= 0) {
        (void)lwip_close(w->fd);
        w->fd = -1;
#if HTTPD_LWIP_WAKE_LOCK
        httpd__port_mutex_destroy(&w->lock);
#endif
    }
}
