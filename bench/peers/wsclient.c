/* SPDX-License-Identifier: Apache-2.0 */
/* WebSocket echo load client for bench/ws_bench.py: one thread, epoll, non-blocking
 * sockets, 127.0.0.1 only.
 *
 * usage: wsclient [-s] PORT PATH CONNS INFLIGHT SECONDS [SIZE]
 *
 * Opens CONNS connections with an RFC 6455 opening handshake (a random 16-byte
 * Sec-WebSocket-Key; the answer must be "HTTP/1.1 101" with the Sec-WebSocket-Accept
 * that RFC 6455 section 4.2.2 derives from the key: base64(SHA-1(key + GUID))), then on
 * every connection keeps INFLIGHT TEXT messages of SIZE bytes (default 32, at most 125)
 * outstanding for SECONDS seconds: each one a single client frame, FIN set, MASKED with
 * a fresh random 4-byte key as RFC 6455 requires of clients. Every echo must be an
 * unmasked TEXT frame, FIN set, with the payload of the oldest outstanding message of
 * its connection (each payload names its connection and sequence number). After
 * SECONDS no new messages are sent and the outstanding ones are awaited, then every
 * connection is closed with a CLOSE frame.
 *
 * -s (for the harness): after the handshakes print "ready" and wait for a line on
 * stdin before sending; after the last echo print the result and wait for another line
 * before closing, so that the harness can read the server's CPU time around exactly
 * the echoed messages.
 *
 * Prints: "wsclient: M messages in T s: R msg/s (CONNS conns x INFLIGHT in flight)".
 * Exit status 0; 1 on any bad handshake, mismatch, unexpected frame, closed
 * connection or 5 s without progress; 2 on bad usage. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ws_accept.h"

#define RXCAP      65536
#define TXCAP      65536
#define STALL_MS   5000

struct conn {
    int fd;
    int idx;
    unsigned char rx[RXCAP];
    size_t rxlen;
    unsigned char tx[TXCAP];
    size_t txoff, txlen;
    uint64_t sent, echoed;     /* messages sent / echoes verified */
    int want_out;              /* EPOLLOUT registered */
};

static struct conn *conns;
static int nconns, inflight, msgsize = 32, epfd;
static uint64_t rng_state;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("wsclient: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* xorshift64*, seeded from /dev/urandom: masks and keys need not be cryptographic here */
static uint32_t rnd32(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* ---- handshake (blocking, with a time-out) ---------------------------------------- */
static void handshake(struct conn *c, int port, const char *path)
{
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) die("socket: %s", strerror(errno));
    struct timeval tv = { 5, 0 };
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        die("connection %d: connect: %s", c->idx, strerror(errno));
    unsigned char key[16];
    for (int i = 0; i < 16; i += 4) {
        uint32_t r = rnd32();
        memcpy(key + i, &r, 4);
    }
    char key64[32], req[512];
    base64(key, sizeof key, key64);
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", path, port, key64);
    if (n <= 0 || (size_t)n >= sizeof req || send(c->fd, req, (size_t)n, MSG_NOSIGNAL) != n)
        die("connection %d: cannot send the handshake", c->idx);
    char *end = NULL;
    while (!end) {
        if (c->rxlen >= RXCAP - 1) die("connection %d: handshake answer too long", c->idx);
        ssize_t r = recv(c->fd, c->rx + c->rxlen, RXCAP - 1 - c->rxlen, 0);
        if (r <= 0) die("connection %d: no handshake answer (%s)", c->idx, r ? strerror(errno) : "closed");
        c->rxlen += (size_t)r;
        c->rx[c->rxlen] = 0;
        end = strstr((char *)c->rx, "\r\n\r\n");
    }
    *end = 0;
    if (strncmp((char *)c->rx, "HTTP/1.1 101", 12) != 0)
        die("connection %d: handshake answered %.40s", c->idx, (char *)c->rx);
    char expect[32];
    ws_accept_value(key64, expect);
    const char *h = strcasestr((char *)c->rx, "\r\nSec-WebSocket-Accept:");
    if (!h) die("connection %d: no Sec-WebSocket-Accept", c->idx);
    h += strlen("\r\nSec-WebSocket-Accept:");
    while (*h == ' ' || *h == '\t') h++;
    if (strncmp(h, expect, strlen(expect)) != 0 || (h[strlen(expect)] != '\r' && h[strlen(expect)] != 0 &&
                                                    h[strlen(expect)] != ' '))
        die("connection %d: Sec-WebSocket-Accept %.30s, expected %s", c->idx, h, expect);
    size_t used = (size_t)(end + 4 - (char *)c->rx);
    memmove(c->rx, c->rx + used, c->rxlen - used);   /* bytes after the answer are frames */
    c->rxlen -= used;
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
}

/* ---- messages ------------------------------------------------------------------- */
static void payload(int idx, uint64_t seq, unsigned char *out)
{
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "c%d m%llu ", idx, (unsigned long long)seq);
    for (int i = 0; i < msgsize; i++)
        out[i] = (unsigned char)(i < n ? tmp[i] : 'a' + (int)((seq + (uint64_t)i) % 26));
}

static void set_out(struct conn *c, int on)
{
    if (c->want_out == on) return;
    struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c };
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl: %s", strerror(errno));
    c->want_out = on;
}

static void flush_tx(struct conn *c)
{
    while (c->txoff < c->txlen) {
        ssize_t n = send(c->fd, c->tx + c->txoff, c->txlen - c->txoff, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            die("connection %d: send: %s", c->idx, strerror(errno));
        }
        c->txoff += (size_t)n;
    }
    if (c->txoff == c->txlen) c->txoff = c->txlen = 0;
    set_out(c, c->txlen != 0);
}

/* queue one masked client frame */
static void queue_frame(struct conn *c, int opcode, const unsigned char *data, size_t len)
{
    if (c->txlen + 6 + len > TXCAP) {
        memmove(c->tx, c->tx + c->txoff, c->txlen - c->txoff);
        c->txlen -= c->txoff;
        c->txoff = 0;
        if (c->txlen + 6 + len > TXCAP) die("connection %d: send buffer full", c->idx);
    }
    unsigned char *p = c->tx + c->txlen;
    uint32_t mask = rnd32();
    p[0] = (unsigned char)(0x80 | opcode);
    p[1] = (unsigned char)(0x80 | len);
    memcpy(p + 2, &mask, 4);
    for (size_t i = 0; i < len; i++) p[6 + i] = data[i] ^ p[2 + (i & 3)];
    c->txlen += 6 + len;
}

static void send_msgs(struct conn *c, int more)
{
    unsigned char buf[128];
    while (more && c->sent - c->echoed < (uint64_t)inflight) {
        payload(c->idx, c->sent, buf);
        queue_frame(c, 0x1, buf, (size_t)msgsize);
        c->sent++;
    }
    flush_tx(c);
}

/* read and verify echoes; returns how many */
static uint64_t on_readable(struct conn *c)
{
    uint64_t got = 0;
    for (;;) {
        ssize_t n = recv(c->fd, c->rx + c->rxlen, RXCAP - c->rxlen, 0);
        if (n == 0) die("connection %d closed by the server after %llu echoes", c->idx,
                        (unsigned long long)c->echoed);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            die("connection %d: recv: %s", c->idx, strerror(errno));
        }
        c->rxlen += (size_t)n;
        if (c->rxlen < RXCAP) break;
    }
    size_t off = 0;
    while (c->rxlen - off >= 2) {
        unsigned char *p = c->rx + off;
        size_t hdr = 2, len = p[1] & 0x7f;
        if (len == 126) {
            if (c->rxlen - off < 4) break;
            len = (size_t)p[2] << 8 | p[3];
            hdr = 4;
        } else if (len == 127) {
            die("connection %d: echo with a 64-bit length", c->idx);
        }
        if (c->rxlen - off < hdr + len) break;
        if (p[1] & 0x80) die("connection %d: server frame is masked", c->idx);
        if (p[0] != 0x81) die("connection %d: unexpected frame, first byte 0x%02x", c->idx, p[0]);
        if (c->echoed >= c->sent) die("connection %d: echo of a message never sent", c->idx);
        unsigned char want[128];
        payload(c->idx, c->echoed, want);
        if (len != (size_t)msgsize || memcmp(p + hdr, want, len) != 0)
            die("connection %d: echo %llu does not match (%zu bytes)", c->idx, (unsigned long long)c->echoed, len);
        c->echoed++;
        got++;
        off += hdr + len;
    }
    memmove(c->rx, c->rx + off, c->rxlen - off);
    c->rxlen -= off;
    return got;
}

static void wait_line(void)
{
    char line[64];
    if (!fgets(line, sizeof line, stdin)) die("stdin closed");
}

int main(int argc, char **argv)
{
    int sync = 0;
    if (argc > 1 && strcmp(argv[1], "-s") == 0) {
        sync = 1;
        argv++;
        argc--;
    }
    if (argc < 6) {
        fprintf(stderr, "usage: wsclient [-s] PORT PATH CONNS INFLIGHT SECONDS [SIZE]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    const char *path = argv[2];
    nconns = atoi(argv[3]);
    inflight = atoi(argv[4]);
    double secs = atof(argv[5]);
    if (argc > 6) msgsize = atoi(argv[6]);
    if (port <= 0 || port > 65535 || path[0] != '/' || strlen(path) > 200 || nconns <= 0 || nconns > 10000 ||
        inflight <= 0 || inflight > 1000 || secs <= 0 || msgsize < 24 || msgsize > 125) {
        fprintf(stderr, "wsclient: bad arguments (CONNS 1..10000, INFLIGHT 1..1000, SIZE 24..125)\n");
        return 2;
    }
    FILE *ur = fopen("/dev/urandom", "rb");
    if (!ur || fread(&rng_state, sizeof rng_state, 1, ur) != 1) die("cannot read /dev/urandom");
    fclose(ur);
    rng_state |= 1;
    conns = calloc((size_t)nconns, sizeof *conns);
    epfd = epoll_create1(0);
    if (!conns || epfd < 0) die("out of memory / epoll");
    for (int i = 0; i < nconns; i++) {
        conns[i].idx = i;
        handshake(&conns[i], port, path);
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &conns[i] };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, conns[i].fd, &ev) < 0) die("epoll_ctl: %s", strerror(errno));
    }
    if (sync) {
        printf("ready\n");
        fflush(stdout);
        wait_line();
    }
    uint64_t t0 = now_ms(), stop_at = t0 + (uint64_t)(secs * 1000), last = t0, total = 0;
    int sending = 1;
    for (int i = 0; i < nconns; i++) send_msgs(&conns[i], 1);
    struct epoll_event evs[256];
    for (;;) {
        uint64_t t = now_ms();
        if (sending && t >= stop_at) sending = 0;
        if (!sending) {
            uint64_t out = 0;
            for (int i = 0; i < nconns; i++) out += conns[i].sent - conns[i].echoed;
            if (!out) break;
        }
        if (t - last > STALL_MS) die("no echo for %d ms", STALL_MS);
        int n = epoll_wait(epfd, evs, 256, 100);
        if (n < 0 && errno != EINTR) die("epoll_wait: %s", strerror(errno));
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
                /* read what is left first: on_readable names the cause */
                on_readable(c);
                die("connection %d: error or hang-up", c->idx);
            }
            if (evs[i].events & EPOLLIN) {
                uint64_t g = on_readable(c);
                if (g) last = now_ms();
                total += g;
            }
            send_msgs(c, sending);
        }
    }
    double el = (double)(now_ms() - t0) / 1000.0;
    printf("wsclient: %llu messages in %.3f s: %.0f msg/s (%d conns x %d in flight)\n", (unsigned long long)total, el,
           el > 0 ? (double)total / el : 0.0, nconns, inflight);
    fflush(stdout);
    if (sync) wait_line();
    for (int i = 0; i < nconns; i++) {
        unsigned char code[2] = { 0x03, 0xe8 };     /* 1000, normal closure */
        queue_frame(&conns[i], 0x8, code, 2);
        fcntl(conns[i].fd, F_SETFL, fcntl(conns[i].fd, F_GETFL) & ~O_NONBLOCK);
        send(conns[i].fd, conns[i].tx + conns[i].txoff, conns[i].txlen - conns[i].txoff, MSG_NOSIGNAL);
        close(conns[i].fd);
    }
    free(conns);
    return 0;
}
