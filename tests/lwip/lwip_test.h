/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the lwIP suite's files: the check counters, lwIP's bring-up
 * (lwip_net.c) and the HTTP / WebSocket client over lwIP sockets
 * (lwip_client.c).
 */
#ifndef HTTPD_TEST_LWIP_TEST_H
#define HTTPD_TEST_LWIP_TEST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- Checks: count, never abort (any thread) ------------------------------------ */

extern atomic_int lt_passed;
extern atomic_int lt_failed;

#define CHECK(cond) do {                                                          \
        if (cond) { atomic_fetch_add(&lt_passed, 1); }                           \
        else { atomic_fetch_add(&lt_failed, 1);                                   \
               fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
    } while (0)

#define CHECK_EQ_INT(a, b) do {                                                   \
        long long a_ = (long long)(a), b_ = (long long)(b);                       \
        if (a_ == b_) { atomic_fetch_add(&lt_passed, 1); }                       \
        else { atomic_fetch_add(&lt_failed, 1);                                   \
               fprintf(stderr, "%s:%d: CHECK_EQ_INT failed: %s == %lld, %s == %lld\n", \
                       __FILE__, __LINE__, #a, a_, #b, b_); }                     \
    } while (0)

/* ---- lwIP (lwip_net.c) ------------------------------------------------------------ */

/** Starts lwIP's thread and a loopback netif "lo" (lwIP's name for it: "lo0")
 *  holding 127.0.0.1/8, and ::1 when lwIP has IPv6; made the default. false
 *  on failure. */
bool lt_net_up(void);

/** Hands lwIP an IPv4/UDP datagram as if it had arrived on the loopback netif:
 *  from src_ip (host order) port 40000 to 127.0.0.1:dst_port, carrying
 *  payload. Lets the suite forge a source address no socket could use. */
bool lt_net_inject_udp(uint32_t src_ip, uint16_t dst_port, const void *payload, size_t len);

/** The highest descriptor of n sockets opened at once (then closed): lwIP
 *  hands out the lowest free slot, so a socket left open anywhere raises it. */
int lt_net_socket_watermark(int n);

/* ---- Client (lwip_client.c) ---------------------------------------------------------- */

#define LT_TIMEOUT_S 5   /* receive and send time-out of every client socket */

typedef struct {
    int    fd;
    size_t len;          /* bytes buffered in buf */
    char   buf[16384];
} lt_conn_t;

typedef struct {
    int    status;
    bool   chunked;      /* Transfer-Encoding: chunked */
    bool   close;        /* Connection: close */
    char   accept[64];   /* Sec-WebSocket-Accept */
    char  *body;         /* NUL-terminated, malloc'd */
    size_t body_len;
} lt_resp_t;

/** Connects to 127.0.0.1:port over lwIP (TCP_NODELAY, time-outs). NULL on failure. */
lt_conn_t *lt_connect(uint16_t port);
/** The same to [::1]:port (lwIP with IPv6 only). */
lt_conn_t *lt_connect6(uint16_t port);
void lt_close(lt_conn_t *c);
bool lt_send(lt_conn_t *c, const void *p, size_t n);
bool lt_sendstr(lt_conn_t *c, const char *s);
/** Reads one response: head, then a Content-Length or chunked body (none for
 *  101 and 204). false on a malformed response, time-out or close. */
bool lt_read_response(lt_conn_t *c, lt_resp_t *r);
void lt_resp_free(lt_resp_t *r);
/** GET path on the connection; the response's status (body in *r when r),
 *  or -1. */
int lt_get(lt_conn_t *c, const char *path, lt_resp_t *r);
/** true once the server has closed the connection (end of stream or reset)
 *  within timeout_ms; bytes arriving meanwhile are discarded. */
bool lt_wait_closed(lt_conn_t *c, int timeout_ms);

/** Sends one masked WebSocket frame (FIN set) with a payload under 64 KiB. */
bool lt_ws_send(lt_conn_t *c, int opcode, const void *p, size_t n);
/** Reads one unmasked frame from the server: opcode and payload (NUL-terminated
 *  into buf, at most cap - 1 bytes). Payload length, or -1. */
long lt_ws_recv(lt_conn_t *c, int *opcode, char *buf, size_t cap);

#endif /* HTTPD_TEST_LWIP_TEST_H */
