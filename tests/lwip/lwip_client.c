/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The suite's client: blocking lwIP sockets with receive and send time-outs,
 * a buffered reader for HTTP/1.1 responses (Content-Length and chunked
 * bodies, pipelined responses back to back) and WebSocket frames.
 */
#include "lwip_test.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lwip/def.h"
#include "lwip/sockets.h"

static lt_conn_t *connect_to(int family, const struct sockaddr *a, socklen_t len)
{
    lt_conn_t *c = calloc(1, sizeof *c);
    if (!c) {
        return NULL;
    }
    c->fd = lwip_socket(family, SOCK_STREAM, 0);
    if (c->fd < 0) {
        free(c);
        return NULL;
    }
    struct timeval tv = { LT_TIMEOUT_S, 0 };
    lwip_setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    lwip_setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    lwip_setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (lwip_connect(c->fd, a, len) != 0) {
        lt_close(c);
        return NULL;
    }
    return c;
}

lt_conn_t *lt_connect(uint16_t port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = lwip_htons(port);
    a.sin_addr.s_addr = PP_HTONL(0x7f000001UL);
    return connect_to(AF_INET, (struct sockaddr *)&a, sizeof a);
}

#if LWIP_IPV6
lt_conn_t *lt_connect6(uint16_t port)
{
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = lwip_htons(port);
    a.sin6_addr.s6_addr[15] = 1;   /* ::1 */
    return connect_to(AF_INET6, (struct sockaddr *)&a, sizeof a);
}
#endif

void lt_close(lt_conn_t *c)
{
    if (c) {
        lwip_close(c->fd);
        free(c);
    }
}

bool lt_send(lt_conn_t *c, const void *p, size_t n)
{
    const char *b = p;
    while (n > 0) {
        ssize_t k = lwip_send(c->fd, b, n, 0);
        if (k <= 0) {
            return false;
        }
        b += k;
        n -= (size_t)k;
    }
    return true;
}

bool lt_sendstr(lt_conn_t *c, const char *s)
{
    return lt_send(c, s, strlen(s));
}

/* Receives more into the buffer; false on close, error or time-out. */
static bool fill(lt_conn_t *c)
{
    if (c->len == sizeof c->buf) {
        return false;
    }
    ssize_t k = lwip_recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
    if (k <= 0) {
        return false;
    }
    c->len += (size_t)k;
    return true;
}

static void consume(lt_conn_t *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
}

/* Copies the next n bytes (dst may be NULL: skip them). */
static bool take(lt_conn_t *c, char *dst, size_t n)
{
    while (n > 0) {
        if (c->len == 0 && !fill(c)) {
            return false;
        }
        size_t k = c->len < n ? c->len : n;
        if (dst) {
            memcpy(dst, c->buf, k);
            dst += k;
        }
        consume(c, k);
        n -= k;
    }
    return true;
}

/* The next line without its CRLF, NUL-terminated in line. */
static bool take_line(lt_conn_t *c, char *line, size_t cap)
{
    for (;;) {
        char *eol = memmem(c->buf, c->len, "\r\n", 2);
        if (eol) {
            size_t n = (size_t)(eol - c->buf);
            if (n >= cap) {
                return false;
            }
            memcpy(line, c->buf, n);
            line[n] = '\0';
            consume(c, n + 2);
            return true;
        }
        if (!fill(c)) {
            return false;
        }
    }
}

static bool append(lt_resp_t *r, lt_conn_t *c, size_t n)
{
    char *b = realloc(r->body, r->body_len + n + 1);
    if (!b) {
        return false;
    }
    r->body = b;
    if (!take(c, b + r->body_len, n)) {
        return false;
    }
    r->body_len += n;
    b[r->body_len] = '\0';
    return true;
}

static bool read_chunked(lt_conn_t *c, lt_resp_t *r)
{
    char line[128];
    for (int i = 0; i < 100000; i++) {
        if (!take_line(c, line, sizeof line)) {
            return false;
        }
        char *end = NULL;
        unsigned long n = strtoul(line, &end, 16);
        if (end == line || n > (1ul << 24)) {
            return false;
        }
        if (n == 0) {
            return take_line(c, line, sizeof line) && line[0] == '\0';   /* no trailers */
        }
        if (!append(r, c, n) || !take_line(c, line, sizeof line) || line[0] != '\0') {
            return false;
        }
    }
    return false;
}

/* Status line and header fields; *clen is Content-Length or -1. */
static bool read_head(lt_conn_t *c, lt_resp_t *r, long *clen)
{
    char line[512];
    *clen = -1;
    if (!take_line(c, line, sizeof line) || sscanf(line, "HTTP/1.%*d %d", &r->status) != 1) {
        return false;
    }
    for (int i = 0; i < 100; i++) {
        if (!take_line(c, line, sizeof line)) {
            return false;
        }
        if (line[0] == '\0') {
            return true;
        }
        char *v = strchr(line, ':');
        if (!v) {
            return false;
        }
        *v++ = '\0';
        v += strspn(v, " \t");
        if (strcasecmp(line, "Content-Length") == 0) {
            *clen = strtol(v, NULL, 10);
        } else if (strcasecmp(line, "Transfer-Encoding") == 0) {
            r->chunked = strcasecmp(v, "chunked") == 0;
        } else if (strcasecmp(line, "Connection") == 0) {
            r->close = strcasecmp(v, "close") == 0;
        } else if (strcasecmp(line, "Sec-WebSocket-Accept") == 0) {
            snprintf(r->accept, sizeof r->accept, "%s", v);
        }
    }
    return false;
}

bool lt_read_response(lt_conn_t *c, lt_resp_t *r)
{
    memset(r, 0, sizeof *r);
    long clen;
    if (!read_head(c, r, &clen)) {
        return false;
    }
    r->body = calloc(1, 1);
    if (!r->body) {
        return false;
    }
    if (r->status == 101 || r->status == 204 || r->status == 304) {
        return true;
    }
    if (r->chunked) {
        return read_chunked(c, r);
    }
    return clen >= 0 && append(r, c, (size_t)clen);
}

void lt_resp_free(lt_resp_t *r)
{
    free(r->body);
    r->body = NULL;
}

int lt_get(lt_conn_t *c, const char *path, lt_resp_t *r)
{
    char req[512];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: lwip\r\n\r\n", path);
    lt_resp_t tmp;
    lt_resp_t *out = r ? r : &tmp;
    if (!lt_sendstr(c, req) || !lt_read_response(c, out)) {
        lt_resp_free(out);
        return -1;
    }
    int status = out->status;
    if (!r) {
        lt_resp_free(&tmp);
    }
    return status;
}

static long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Waits up to timeout_ms for the next event: 1 bytes, 0 end of stream or
 * reset, -1 nothing arrived. */
static int next_event(lt_conn_t *c, int timeout_ms)
{
    struct pollfd p = { .fd = c->fd, .events = POLLIN, .revents = 0 };
    if (lwip_poll(&p, 1, timeout_ms) <= 0) {
        return -1;
    }
    char scratch[512];
    ssize_t k = lwip_recv(c->fd, scratch, sizeof scratch, MSG_DONTWAIT);
    if (k > 0) {
        return 1;
    }
    if (k == 0 || (errno != EWOULDBLOCK && errno != EAGAIN)) {
        return 0;
    }
    return -1;
}

bool lt_wait_closed(lt_conn_t *c, int timeout_ms)
{
    long until = ms_now() + timeout_ms;
    c->len = 0;
    while (ms_now() < until) {
        long left = until - ms_now();
        if (next_event(c, left > 0 ? (int)left : 0) == 0) {
            return true;
        }
    }
    return false;
}

bool lt_ws_send(lt_conn_t *c, int opcode, const void *p, size_t n)
{
    unsigned char h[8];
    size_t hl = 2;
    if (n >= 65536) {
        return false;
    }
    h[0] = (unsigned char)(0x80 | (opcode & 0x0f));
    if (n < 126) {
        h[1] = (unsigned char)(0x80 | n);
    } else {
        h[1] = 0x80 | 126;
        h[2] = (unsigned char)(n >> 8);
        h[3] = (unsigned char)n;
        hl = 4;
    }
    static const unsigned char key[4] = { 0x37, 0xfa, 0x21, 0x3d };
    memcpy(h + hl, key, 4);
    hl += 4;
    unsigned char *m = malloc(n + 1);
    if (!m) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        m[i] = (unsigned char)(((const unsigned char *)p)[i] ^ key[i % 4]);
    }
    bool ok = lt_send(c, h, hl) && lt_send(c, m, n);
    free(m);
    return ok;
}

long lt_ws_recv(lt_conn_t *c, int *opcode, char *buf, size_t cap)
{
    unsigned char h[2];
    if (!take(c, (char *)h, 2) || (h[1] & 0x80)) {
        return -1;   /* a server never masks */
    }
    *opcode = h[0] & 0x0f;
    size_t n = h[1] & 0x7f;
    if (n == 126) {
        unsigned char e[2];
        if (!take(c, (char *)e, 2)) {
            return -1;
        }
        n = ((size_t)e[0] << 8) | e[1];
    } else if (n == 127) {
        return -1;   /* the suite never asks for frames that large */
    }
    if (n >= cap || !take(c, buf, n)) {
        return -1;
    }
    buf[n] = '\0';
    return (long)n;
}
