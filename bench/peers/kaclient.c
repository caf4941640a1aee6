/* SPDX-License-Identifier: Apache-2.0 */
/* Tiny HTTP/1.1 client for anchors.
 *   kaclient seq  PORT N [PATH]        N sequential keep-alive GETs on one connection
 *   kaclient seqb PORT N [PATH]        the same with a browser's head: the header lines a
 *                                       desktop browser sends for a page (about 0.5 KiB)
 *   kaclient idle PORT K HOLD_SECONDS  open K connections, one GET /hello each, then hold them idle
 *   kaclient close PORT SECONDS PROCS   PROCS processes each loop: connect, GET /hello, read, close
 *                                       (client-side close: works even when a server ignores
 *                                        "Connection: close"; relies on net.ipv4.tcp_tw_reuse)
 * Host is always 127.0.0.1.  Exit status != 0 on any protocol error. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/mman.h>

static int conn(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = { 3, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { close(fd); return -1; }
    return fd;
}

/* send request, read one full response (Content-Length framing); returns status or -1 */
static int roundtrip(int fd, const char *req, size_t reqlen)
{
    static char buf[65536];
    if (send(fd, req, reqlen, 0) != (ssize_t)reqlen) return -1;
    size_t have = 0;
    for (;;) {
        ssize_t n = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (n <= 0) return -1;
        have += n; buf[have] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        if (!end) continue;
        long cl = 0; char *p = strcasestr(buf, "\r\ncontent-length:");
        if (p && p < end) cl = strtol(p + 17, NULL, 10);
        size_t total = (end + 4 - buf) + cl;
        while (have < total) { n = recv(fd, buf + have, sizeof buf - 1 - have, 0); if (n <= 0) return -1; have += n; }
        if (have != total) return -1; /* no pipelining, so nothing extra expected */
        return atoi(buf + 9);
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) { fprintf(stderr, "usage: see source\n"); return 2; }
    int port = atoi(argv[2]);
    bool browser_head = !strcmp(argv[1], "seqb");
    if (!strcmp(argv[1], "seq") || browser_head) {
        long n = atol(argv[3]); const char *path = argc > 4 ? argv[4] : "/hello";
        static const char browser[] =
            "Connection: keep-alive\r\n"
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36\r\n"
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
            "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
            "Referer: http://localhost/index.html\r\n"
            "Accept-Encoding: gzip, deflate\r\n"
            "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n"
            "Cookie: session=0123456789abcdef0123456789abcdef; theme=dark\r\n";
        char req[1024]; int rl = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: localhost\r\n%s\r\n", path,
                                          browser_head ? browser : "");
        if (rl < 0 || rl >= (int)sizeof req) { fprintf(stderr, "path too long\n"); return 2; }
        int fd = conn(port); if (fd < 0) { perror("connect"); return 1; }
        struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < n; i++) if (roundtrip(fd, req, rl) != 200) { fprintf(stderr, "fail at %ld\n", i); return 1; }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("%ld requests in %.3fs = %.0f req/s\n", n, s, n / s);
        close(fd); return 0;
    }
    if (!strcmp(argv[1], "idle")) {
        int k = atoi(argv[3]), hold = atoi(argv[4]), ok = 0;
        static const char req[] = "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n";
        int *fds = malloc(k * sizeof *fds);
        for (int i = 0; i < k; i++) fds[i] = -1;
        int fails = 0;
        for (int i = 0; i < k && fails < 3; i++) {   /* give up after 3 failures (e.g. no free worker) */
            fds[i] = conn(port);
            if (fds[i] >= 0 && roundtrip(fds[i], req, sizeof req - 1) == 200) ok++; else fails++;
        }
        printf("idle: %d/%d connections answered 200, holding %ds\n", ok, k, hold); fflush(stdout);
        sleep(hold);
        /* check how many are still usable */
        int alive = 0;
        for (int i = 0; i < k; i++) if (fds[i] >= 0 && roundtrip(fds[i], req, sizeof req - 1) == 200) alive++;
        printf("idle: %d/%d still answer after hold\n", alive, k);
        return ok == k ? 0 : 1;
    }
    if (!strcmp(argv[1], "close")) {
        int secs = atoi(argv[3]), procs = argc > 4 ? atoi(argv[4]) : 1;
        static const char req[] = "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n";
        long *cnt = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        for (int p = 0; p < procs; p++) {
            if (fork() == 0) {
                struct timespec t0, t; clock_gettime(CLOCK_MONOTONIC, &t0);
                long ok = 0, bad = 0;
                for (;;) {
                    clock_gettime(CLOCK_MONOTONIC, &t);
                    if (t.tv_sec - t0.tv_sec >= secs) break;
                    int fd = conn(port);
                    if (fd >= 0 && roundtrip(fd, req, sizeof req - 1) == 200) ok++; else bad++;
                    if (fd >= 0) close(fd);
                }
                cnt[2 * p] = ok; cnt[2 * p + 1] = bad; _exit(0);
            }
        }
        long ok = 0, bad = 0;
        for (int p = 0; p < procs; p++) wait(NULL);
        for (int p = 0; p < procs; p++) { ok += cnt[2 * p]; bad += cnt[2 * p + 1]; }
        printf("close: %ld ok, %ld failed in %ds = %.0f req/s\n", ok, bad, secs, (double)ok / secs);
        return bad ? 1 : 0;
    }
    return 2;
}
