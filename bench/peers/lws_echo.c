/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal WebSocket echo server on Debian's libwebsockets (4.1), the peer of
 * esp_api_ws_echo.c in bench/ws_bench.py. One protocol ("echo", also the default for
 * clients that name none), one service thread, 127.0.0.1 only. Each received fragment
 * is copied into a per-session ring, lws_callback_on_writable() is asked for, and on
 * LWS_CALLBACK_SERVER_WRITEABLE one fragment is written (with LWS_PRE bytes of headroom
 * in front, as lws_write() needs) with the same type and FIN as it came; when the ring
 * fills, reading from that connection pauses (lws_rx_flow_control) until it drains.
 * usage: lws_echo PORT */
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS    64         /* fragments held per session */
#define SLOT_MAX 4096       /* bytes per fragment (rx_buffer_size below) */

struct slot {
    unsigned char buf[LWS_PRE + SLOT_MAX];
    size_t len;
    int flags;              /* LWS_WRITE_TEXT / BINARY / CONTINUATION, | LWS_WRITE_NO_FIN */
};

struct session {
    struct slot *ring;      /* SLOTS entries, allocated on ESTABLISHED */
    unsigned head, tail;    /* head: next to fill; tail: next to send; head - tail in use */
    int paused;
    int in_message;         /* a message's first fragment has been seen */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int echo_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    struct session *s = user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        memset(s, 0, sizeof *s);
        s->ring = malloc(SLOTS * sizeof *s->ring);
        return s->ring ? 0 : -1;
    case LWS_CALLBACK_CLOSED:
        free(s->ring);
        s->ring = NULL;
        return 0;
    case LWS_CALLBACK_RECEIVE: {
        if (!s->ring || len > SLOT_MAX || s->head - s->tail >= SLOTS) {
            return -1;      /* cannot happen with rx flow control and rx_buffer_size: drop the connection */
        }
        struct slot *e = &s->ring[s->head % SLOTS];
        memcpy(e->buf + LWS_PRE, in, len);
        e->len = len;
        int first = lws_is_first_fragment(wsi) && !s->in_message;
        int final = lws_is_final_fragment(wsi);
        e->flags = lws_write_ws_flags(lws_frame_is_binary(wsi) ? LWS_WRITE_BINARY : LWS_WRITE_TEXT, first, final);
        s->in_message = !final;
        s->head++;
        if (s->head - s->tail >= SLOTS) {
            lws_rx_flow_control(wsi, 0);
            s->paused = 1;
        }
        lws_callback_on_writable(wsi);
        return 0;
    }
    case LWS_CALLBACK_SERVER_WRITEABLE: {
        if (!s->ring || s->head == s->tail) {
            return 0;
        }
        struct slot *e = &s->ring[s->tail % SLOTS];
        int n = lws_write(wsi, e->buf + LWS_PRE, e->len, (enum lws_write_protocol)e->flags);
        if (n < (int)e->len) {
            return -1;
        }
        s->tail++;
        if (s->paused && s->head - s->tail < SLOTS / 2) {
            lws_rx_flow_control(wsi, 1);
            s->paused = 0;
        }
        if (s->head != s->tail) {
            lws_callback_on_writable(wsi);
        }
        return 0;
    }
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static const struct lws_protocols protocols[] = {
    { "echo", echo_cb, sizeof(struct session), SLOT_MAX, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = argc > 1 ? atoi(argv[1]) : 8080;
    info.iface = "127.0.0.1";
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    lws_set_log_level(LLL_ERR, NULL);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    struct lws_context *ctx = lws_create_context(&info);
    if (!ctx) {
        fprintf(stderr, "lws_create_context failed\n");
        return 1;
    }
    fprintf(stderr, "libwebsockets echo on %d\n", info.port);
    while (!stop && lws_service(ctx, 0) >= 0) {
    }
    lws_context_destroy(ctx);
    return 0;
}
