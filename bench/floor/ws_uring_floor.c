/* SPDX-License-Identifier: Apache-2.0 */
/* The WebSocket echo floor of ws_floor.c over io_uring instead of epoll: one thread, one
 * ring (single issuer, deferred task work), a multishot accept, then per connection one
 * receive in flight; every completed receive queues the echo of its whole frames (one
 * send) and the next receive, and one io_uring_enter submits all that the last batch of
 * completions queued and waits for the next. System calls per message fall below one;
 * the kernel's TCP work per message stays. The same frame rules as ws_floor.c: unmasked
 * echoes, FIN set, payloads of at most 125 bytes, CLOSE answered by closing.
 * Build: cc -O2 -I bench/peers -o ws_uring_floor ws_uring_floor.c -luring
 * Run: ./ws_uring_floor PORT; ./ws_uring_floor --probe exits 0 when io_uring can be used. */
#define _GNU_SOURCE
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ws_accept.h"
#include "ws_echo.h"

#define MAX_FD 4096
#define IN_LEN 4096         /* bytes one receive may bring */
#define KEEP   256          /* bytes of an unfinished frame kept for the next receive */

enum { OP_ACCEPT = 1, OP_RECV = 2, OP_SEND = 3 };
#define TAG(op, fd) (((unsigned long long)(fd) << 8) | (op))

struct peer {
    unsigned char open;     /* handshake done */
    unsigned short keep_len;
    unsigned char in[KEEP + IN_LEN + 1];
    unsigned char out[KEEP + IN_LEN];   /* echoes of one receive's frames (shorter than they) */
};

static struct peer *peers;
static struct io_uring ring;

static struct io_uring_sqe *next_sqe(void)
{
    struct io_uring_sqe *s = io_uring_get_sqe(&ring);
    if (!s) {               /* the submission queue is full: submit what is there */
        io_uring_submit(&ring);
        s = io_uring_get_sqe(&ring);
    }
    return s;
}

static void queue_accept(int ls)
{
    struct io_uring_sqe *s = next_sqe();
    io_uring_prep_multishot_accept(s, ls, NULL, NULL, 0);
    io_uring_sqe_set_data64(s, OP_ACCEPT);
}

static void queue_recv(int fd)
{
    struct peer *p = &peers[fd];
    struct io_uring_sqe *s = next_sqe();
    io_uring_prep_recv(s, fd, p->in + p->keep_len, IN_LEN, 0);
    io_uring_sqe_set_data64(s, TAG(OP_RECV, fd));
}

static void drop(int fd)
{
    peers[fd].open = 0;
    peers[fd].keep_len = 0;
    close(fd);
}

/* The opening handshake: the whole request is expected in one receive (wsclient sends it
 * in one); answered with a plain send, once per connection. 0, or -1 to drop. */
static int handshake(int fd, char *in, int r)
{
    in[r] = 0;
    if (ws_switch_send(fd, in, (size_t)r) < 0) return -1;
    peers[fd].open = 1;
    return 0;
}

/* r more bytes arrived on fd: queues the echo of every whole frame, keeps the rest. */
static void received(int fd, int r)
{
    struct peer *p = &peers[fd];
    if (!p->open) {
        if (handshake(fd, (char *)p->in, r)) drop(fd); else queue_recv(fd);
        return;
    }
    size_t end = p->keep_len + (size_t)r, at;
    long o = ws_echo_frames(p->in, end, p->out, &at);
    if (o < 0 || end - at > KEEP) { drop(fd); return; }
    p->keep_len = (unsigned short)(end - at);
    memmove(p->in, p->in + at, end - at);
    if (o) {
        /* The send is linked before the next receive (which starts once the send is
         * done, so the echo buffer is free again when it completes); both leave in the
         * same io_uring_enter. MSG_WAITALL: all of it or a failure, which cancels the
         * receive, and the peer is dropped. */
        struct io_uring_sqe *s = next_sqe();
        io_uring_prep_send(s, fd, p->out, (size_t)o, MSG_NOSIGNAL | MSG_WAITALL);
        io_uring_sqe_set_data64(s, TAG(OP_SEND, fd));
        s->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
    }
    queue_recv(fd);
}

int main(int argc, char **argv)
{
    struct io_uring_params pr = { .flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN };
    int e = io_uring_queue_init_params(1024, &ring, &pr);
    if (e < 0) {
        fprintf(stderr, "ws_uring_floor: io_uring: %s\n", strerror(-e));
        return 3;
    }
    if (argc > 1 && strcmp(argv[1], "--probe") == 0) return 0;
    int port = argc > 1 ? atoi(argv[1]) : 8080, one = 1;
    peers = calloc(MAX_FD, sizeof *peers);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (!peers || ls < 0) { perror("ws_uring_floor"); return 1; }
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001)};
    if (bind(ls, (void *)&a, sizeof a) || listen(ls, 1024)) { perror("listen"); return 1; }
    queue_accept(ls);
    for (;;) {
        if (io_uring_submit_and_wait(&ring, 1) < 0) continue;      /* (EINTR) */
        struct io_uring_cqe *c;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, c) {
            seen++;
            unsigned long long tag = c->user_data;
            int op = (int)(tag & 255), fd = (int)(tag >> 8), res = c->res;
            if (op == OP_ACCEPT) {
                if (res >= 0 && res < MAX_FD) {
                    setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    queue_recv(res);
                } else if (res >= 0) {
                    close(res);
                }
                if (!(c->flags & IORING_CQE_F_MORE)) queue_accept(ls);   /* multishot ended */
            } else if (op == OP_SEND) {
                continue;           /* failed: its linked receive ends with -ECANCELED and drops the peer */
            } else if (res <= 0) {
                drop(fd);
            } else {
                received(fd, res);
            }
        }
        io_uring_cq_advance(&ring, seen);
    }
}
