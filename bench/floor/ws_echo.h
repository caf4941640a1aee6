/* SPDX-License-Identifier: Apache-2.0 */
/* The frame work of the WebSocket echo floors (ws_floor.c over epoll, ws_uring_floor.c over
 * io_uring): the least a WebSocket echo can do per message. */
#ifndef BENCH_WS_ECHO_H
#define BENCH_WS_ECHO_H
#include <stddef.h>

/* Writes to out the echo of every whole client frame in in[0, end): unmasked, FIN set, the
 * client's opcode. out needs at most end bytes (an echo is 4 bytes shorter than its frame).
 * *used: the bytes of those whole frames (the rest is an unfinished frame). Returns the
 * bytes written, or -1 for a frame the floors do not take: unmasked, fragmented, a payload
 * over 125 bytes, or CLOSE (answered by closing). */
static inline long ws_echo_frames(const unsigned char *in, size_t end, unsigned char *out, size_t *used)
{
    size_t at = 0, o = 0;
    while (end - at >= 2) {
        unsigned op = in[at] & 15, len = in[at + 1] & 127;
        if (!(in[at] & 0x80) || !(in[at + 1] & 0x80) || len > 125 || op == 8) return -1;
        if (end - at < 6 + len) break;
        const unsigned char *m = in + at + 2, *pl = in + at + 6;
        out[o++] = (unsigned char)(0x80 | op);
        out[o++] = (unsigned char)len;
        for (unsigned j = 0; j < len; j++) out[o++] = pl[j] ^ m[j & 3];
        at += 6 + len;
    }
    *used = at;
    return (long)o;
}
#endif
