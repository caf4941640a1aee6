/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP port, wake-up channel: lwIP has no pipe, so the loop watches a UDP
 * socket bound to 127.0.0.1 on an ephemeral port, and any thread wakes it
 * with a datagram from a second socket connected to that port (lwip_wake.h).
 * Each datagram carries a per-server secret; the loop counts a datagram as a
 * wake-up only when it comes from 127.0.0.1 and carries the secret, and drops
 * anything else silently, so a stray or forged datagram is never taken for
 * one. The channel needs a loopback path (LWIP_NETIF_LOOPBACK, and a netif
 * holding 127.0.0.1, e.g. LWIP_HAVE_LOOPIF).
 *
 * The secret is not a cryptographic key: it mixes LWIP_RAND() (ESP-IDF: the
 * hardware random number generator; Debian's build: rand()), sys_now(), the
 * channel's address, a stack address and the two ephemeral ports lwIP chose.
 */
#include "port/lwip/lwip_port.h"

#include <stdlib.h>
#include <string.h>

#define DRAIN_MAX 32   /* datagrams read per turn; more stay for the next one */

static void loopback_addr(struct sockaddr_in *a, uint16_t port)
{
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = lwip_htons(port);
    a->sin_addr.s_addr = LWIP_PORT_LOOPBACK;
}

static uint16_t local_port(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    return lwip_getsockname(fd, (struct sockaddr *)&a, &len) == 0 ? lwip_ntohs(a.sin_port) : 0;
}

/* One round of a 64-bit finaliser (splitmix64's): every input bit reaches
 * every output bit. */
static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

static void make_secret(port_wake_t *w, uint16_t rd_port, uint16_t wr_port)
{
    int on_stack = 0;
    uint64_t h = mix(0, (uint64_t)sys_now());
    h = mix(h, (uint64_t)(uintptr_t)w);
    h = mix(h, (uint64_t)(uintptr_t)&on_stack);
    h = mix(h, ((uint64_t)rd_port << 16) | wr_port);
#ifdef LWIP_RAND
    h = mix(h, ((uint64_t)LWIP_RAND() << 32) ^ (uint64_t)LWIP_RAND());
#endif
    w->secret[0] = (uint32_t)h;
    w->secret[1] = (uint32_t)(h >> 32);
}

/* Binds rd and wr to 127.0.0.1 on ephemeral ports, connects wr to rd and
 * makes both non-blocking. rd's port, or 0 with errno set. */
static uint16_t wire(int rd, int wr)
{
    struct sockaddr_in a;
    loopback_addr(&a, 0);
    if (lwip_bind(rd, (struct sockaddr *)&a, sizeof a) < 0 || lwip_bind(wr, (struct sockaddr *)&a, sizeof a) < 0) {
        return 0;
    }
    uint16_t port = local_port(rd);
    loopback_addr(&a, port);
    if (port == 0 || lwip_connect(wr, (struct sockaddr *)&a, sizeof a) < 0 || httpd__lwip_set_nonblock(rd) < 0 ||
        httpd__lwip_set_nonblock(wr) < 0) {
        return 0;
    }
    return port;
}

int httpd__port_wake_open(port_wake_t *w)
{
    w->rd = w->wr = -1;
    int rd = lwip_socket(AF_INET, SOCK_DGRAM, 0);
    if (rd < 0) {
        return PORT_FAIL;
    }
    int wr = lwip_socket(AF_INET, SOCK_DGRAM, 0);
    uint16_t rd_port = wr < 0 ? 0 : wire(rd, wr);
    if (rd_port == 0) {
        httpd__lwip_close_keep_errno(rd);
        if (wr >= 0) {
            httpd__lwip_close_keep_errno(wr);
        }
        return PORT_FAIL;
    }
    make_secret(w, rd_port, local_port(wr));
#if HTTPD_LWIP_WAKE_LOCK
    httpd__port_mutex_init(&w->lock);
#endif
    w->rd = rd;
    w->wr = wr;
    return PORT_OK;
}

int httpd__port_wake_fd(const port_wake_t *w)
{
    return w->rd;
}

void httpd__port_wake_signal(port_wake_t *w)
{
#if HTTPD_LWIP_WAKE_LOCK
    httpd__port_mutex_lock(&w->lock);
#endif
    /* Failure (no buffer, the receive queue full) needs nothing: a full
     * queue means the loop is already due to wake. */
    (void)lwip_send(w->wr, w->secret, sizeof w->secret, 0);
#if HTTPD_LWIP_WAKE_LOCK
    httpd__port_mutex_unlock(&w->lock);
#endif
}

int httpd__lwip_wake_drain(port_wake_t *w)
{
    int genuine = 0;
    for (int i = 0; i < DRAIN_MAX; i++) {
        uint32_t buf[4];
        struct sockaddr_in from;
        socklen_t from_len = sizeof from;
        memset(&from, 0, sizeof from);
        ssize_t n = lwip_recvfrom(w->rd, buf, sizeof buf, 0, (struct sockaddr *)&from, &from_len);
        if (n < 0) {
            break;   /* nothing left (or the socket failed: the loop's next wait reports it) */
        }
        if (n == (ssize_t)sizeof w->secret && from.sin_family == AF_INET &&
            from.sin_addr.s_addr == LWIP_PORT_LOOPBACK && memcmp(buf, w->secret, sizeof w->secret) == 0) {
            genuine++;
        }
    }
    return genuine;
}

void httpd__port_wake_drain(port_wake_t *w)
{
    (void)httpd__lwip_wake_drain(w);
}

void httpd__port_wake_close(port_wake_t *w)
{
    if (w->rd >= 0) {
        (void)lwip_close(w->rd);
        (void)lwip_close(w->wr);
#if HTTPD_LWIP_WAKE_LOCK
        httpd__port_mutex_destroy(&w->lock);
#endif
    }
    w->rd = w->wr = -1;
}
