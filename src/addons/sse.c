/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server-Sent Events (httpd_sse.h), on the public API only.
 *
 * A subscribing request is taken over with httpd_req_async_handler_begin():
 * the server parks the session (it neither reads, times out nor purges it, and
 * never closes its socket) until httpd_req_async_handler_complete(), so the fd
 * stays ours while the subscriber lives and cannot be reused under us.
 *
 * Senders (any thread) append formatted events to the subscriber's queue
 * under the route's lock and wake the route's writer thread through a UDP
 * socket connected to itself (poll() needs an fd; lwIP has no pipe). The
 * writer thread polls every subscriber: POLLOUT when bytes wait, POLLIN/HUP
 * for the peer going away (an SSE client sends nothing after its request). It
 * writes with httpd_send() only after poll() said the socket is writable, at
 * most WRITE_PIECE bytes at a time, so the write never waits for the peer.
 *
 * A subscriber ends on the writer thread, the one place that frees it:
 * httpd_sess_trigger_close() (or shutdown() when the work queue is full), then
 * httpd_req_async_handler_complete(). At httpd_stop() the server shuts parked
 * sockets down; poll() reports it and the subscriber ends the same way.
 */
#include "httpd_sse.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "esp_log.h"

static const char *TAG = "httpd_sse";

#define WRITE_PIECE     1024u   /* bytes per write once poll() said writable */
#define CLOSE_GRACE_MS  5000u   /* httpd_sse_close(): time left to send what waits */
#define MIN_QUEUE       256u    /* the response head must fit */

enum sub_state { SUB_PENDING, SUB_ACTIVE, SUB_CLOSING, SUB_GONE };

struct sub {
    struct sub *next;
    httpd_req_t *req;           /* the async copy; NULL while the handler still runs */
    char *buf;                  /* queued bytes: buf[off, off + len) */
    size_t off, len, cap;
    uint32_t closing_since;
    int fd;
    uint8_t state;
};

struct httpd_sse_route {
    httpd_handle_t server;
    char *uri;
    httpd_sse_config_t cfg;
    pthread_mutex_t lock;       /* everything below */
    struct sub *subs;
    size_t count;               /* PENDING + ACTIVE */
    unsigned busy;              /* handlers of the route running (g_routes_lock) */
    httpd_sse_route_t *next_live;   /* g_routes */
    bool stopping;
    bool wake_pending;
    bool thread_started;
    int wake_fd;
    pthread_t thread;
    size_t npoll;
    struct pollfd *pfd;         /* writer thread only: npoll entries */
    struct sub **psub;
};

/* Live routes: a handler may only touch its route while it is listed here
 * (httpd_sse_delete() unlists it, then waits until no handler is inside). */
static pthread_mutex_t g_routes_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_routes_idle = PTHREAD_COND_INITIALIZER;
static httpd_sse_route_t *g_routes;

/* ---- Formatting --------------------------------------------------------------------- */

static bool has_newline(const char *s)
{
    return s && strpbrk(s, "\r\n") != NULL;
}

/* Appends n bytes at *o when they fit before end; counts them in *need either way. */
static void put(char **o, const char *end, size_t *need, const char *p, size_t n)
{
    if (*o && (size_t)(end - *o) >= n) {
        memcpy(*o, p, n);
        *o += n;
    } else {
        *o = NULL;   /* no longer fits: only count */
    }
    *need += n;
}

esp_err_t httpd_sse_format(char *buf, size_t *len, const char *event, const char *data, const char *id)
{
    if (!len || (!buf && *len) || has_newline(event) || has_newline(id)) {
        return ESP_ERR_INVALID_ARG;
    }
    char *o = buf;
    const char *end = buf ? buf + *len : NULL;
    size_t need = 0;
    if (event && *event) {
        put(&o, end, &need, "event: ", 7);
        put(&o, end, &need, event, strlen(event));
        put(&o, end, &need, "\n", 1);
    }
    if (id) {
        put(&o, end, &need, "id: ", 4);
        put(&o, end, &need, id, strlen(id));
        put(&o, end, &need, "\n", 1);
    }
    const char *p = data ? data : "";
    for (;;) {
        size_t n = strcspn(p, "\r\n");
        put(&o, end, &need, "data: ", 6);
        put(&o, end, &need, p, n);
        put(&o, end, &need, "\n", 1);
        p += n;
        if (*p == '\0') {
            break;
        }
        p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;   /* CRLF, CR or LF ends a line */
    }
    put(&o, end, &need, "\n", 1);
    if (!o || o == end) {
        *len = need + 1;
        return ESP_ERR_INVALID_SIZE;
    }
    *o = '\0';
    *len = need;
    return ESP_OK;
}

/* A formatted event in stack (when small) or heap memory; free with msg_free(). */
struct msg {
    char *p;
    size_t len;
    char small[192];
};

static esp_err_t msg_make(struct msg *m, const char *event, const char *data, const char *id)
{
    m->p = m->small;
    m->len = sizeof m->small;
    esp_err_t err = httpd_sse_format(m->p, &m->len, event, data, id);
    if (err == ESP_ERR_INVALID_SIZE) {
        if (!(m->p = malloc(m->len))) {
            return ESP_ERR_NO_MEM;
        }
        err = httpd_sse_format(m->p, &m->len, event, data, id);
    }
    if (err != ESP_OK && m->p != m->small) {
        free(m->p);
    }
    return err;
}

static void msg_free(struct msg *m)
{
    if (m->p != m->small) {
        free(m->p);
    }
}

/* ---- Queues (route lock held) ------------------------------------------------------------ */

static uint32_t now_ms(void)
{
#ifdef CLOCK_MONOTONIC
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)ts.tv_sec * 1000u + (uint32_t)(ts.tv_nsec / 1000000);
#else
    return (uint32_t)time(NULL) * 1000u;   /* a C library without a monotonic clock: seconds do */
#endif
}

static void wake(httpd_sse_route_t *rt)
{
    if (!rt->wake_pending) {
        rt->wake_pending = true;
        char b = 0;
        if (send(rt->wake_fd, &b, 1, 0) < 0) {
            ESP_LOGD(TAG, "wake-up send: %d", errno);   /* full: a wake-up already waits */
        }
    }
}

/* The subscriber leaves (ACTIVE/PENDING -> state); the writer thread ends it. */
static void sub_leave(httpd_sse_route_t *rt, struct sub *s, uint8_t state)
{
    if (s->state == SUB_PENDING || s->state == SUB_ACTIVE) {
        rt->count--;
    }
    if (state == SUB_GONE || s->state != SUB_GONE) {
        s->state = state;
    }
    if (state == SUB_CLOSING) {
        s->closing_since = now_ms();
    }
    wake(rt);
}

/* Appends n bytes to s's queue; a queue that would overflow drops s. */
static esp_err_t q_put(httpd_sse_route_t *rt, struct sub *s, const char *p, size_t n)
{
    if (s->len + n > rt->cfg.queue_size) {
        ESP_LOGW(TAG, "fd %d: queue full (%zu + %zu bytes): dropping the subscriber", s->fd, s->len, n);
        s->len = 0;
        sub_leave(rt, s, SUB_GONE);
        return ESP_ERR_INVALID_SIZE;
    }
    if (s->off + s->len + n > s->cap) {
        if (s->off) {
            memmove(s->buf, s->buf + s->off, s->len);
            s->off = 0;
        }
        if (s->len + n > s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 256;
            cap = cap < s->len + n ? s->len + n : cap;
            cap = cap > rt->cfg.queue_size ? rt->cfg.queue_size : cap;
            char *nb = realloc(s->buf, cap);
            if (!nb) {
                return ESP_ERR_NO_MEM;
            }
            s->buf = nb;
            s->cap = cap;
        }
    }
    memcpy(s->buf + s->off + s->len, p, n);
    s->len += n;
    if (s->req) {
        wake(rt);
    }
    return ESP_OK;
}

static struct sub *find_sub(httpd_sse_route_t *rt, int fd)
{
    for (struct sub *s = rt->subs; s; s = s->next) {
        if (s->fd == fd && (s->state == SUB_PENDING || s->state == SUB_ACTIVE)) {
            return s;
        }
    }
    return NULL;
}

static void unlink_sub(httpd_sse_route_t *rt, struct sub *s)
{
    for (struct sub **pp = &rt->subs; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            return;
        }
    }
}

/* ---- Writer thread -------------------------------------------------------------------------- */

/* Ends s (unlinked): the session closes once the server has it back. Lock not held. */
static void sub_end(httpd_sse_route_t *rt, struct sub *s)
{
    esp_err_t err = httpd_sess_trigger_close(rt->server, s->fd);
    if (err == ESP_FAIL) {
        shutdown(s->fd, SHUT_RDWR);   /* the work queue is full: the server sees EOF instead */
    }
    httpd_req_async_handler_complete(s->req);   /* after this the fd is no longer ours */
    ESP_LOGD(TAG, "fd %d: subscriber ended", s->fd);
    if (rt->cfg.on_unsubscribe) {
        rt->cfg.on_unsubscribe(rt, s->fd, rt->cfg.user_ctx);
    }
    free(s->buf);
    free(s);
}

/* Ends every subscriber due to end; true when any did. Lock held (released meanwhile). */
static bool reap(httpd_sse_route_t *rt)
{
    bool any = false;
    uint32_t now = now_ms();
    for (struct sub *s = rt->subs; s;) {
        bool end = s->req && (rt->stopping || s->state == SUB_GONE ||
                              (s->state == SUB_CLOSING && (s->len == 0 || now - s->closing_since > CLOSE_GRACE_MS)));
        if (!end) {
            s = s->next;
            continue;
        }
        unlink_sub(rt, s);
        if (s->state == SUB_ACTIVE) {
            rt->count--;
        }
        pthread_mutex_unlock(&rt->lock);
        sub_end(rt, s);
        pthread_mutex_lock(&rt->lock);
        any = true;
        s = rt->subs;   /* the list may have changed meanwhile */
    }
    return any;
}

/* Writes what waits for s while the socket takes it without waiting. Lock held. */
static void flush_sub(httpd_sse_route_t *rt, struct sub *s, char *piece)
{
    while (s->len > 0 && s->state != SUB_GONE) {
        size_t n = s->len < WRITE_PIECE ? s->len : WRITE_PIECE;
        memcpy(piece, s->buf + s->off, n);   /* senders may move the queue meanwhile */
        pthread_mutex_unlock(&rt->lock);
        int w = httpd_send(s->req, piece, n);
        struct pollfd p = { .fd = s->fd, .events = POLLOUT };
        bool more = w == (int)n && poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
        pthread_mutex_lock(&rt->lock);
        if (w < 0 && w != HTTPD_SOCK_ERR_TIMEOUT) {
            sub_leave(rt, s, SUB_GONE);
            return;
        }
        if (w > 0 && s->state != SUB_GONE) {
            s->off += (size_t)w;
            s->len -= (size_t)w;
            if (s->len == 0) {
                s->off = 0;
            }
        }
        if (!more) {
            return;
        }
    }
}

static void *writer_main(void *arg)
{
    httpd_sse_route_t *rt = arg;
    char piece[WRITE_PIECE];
    static const char ping[] = ": ping\n\n";
    uint32_t next_ping = now_ms() + rt->cfg.keepalive_ms;
    pthread_mutex_lock(&rt->lock);
    for (;;) {
        reap(rt);
        if (rt->stopping && !rt->subs) {
            break;
        }
        nfds_t n = 1;
        rt->pfd[0] = (struct pollfd){ .fd = rt->wake_fd, .events = POLLIN };
        for (struct sub *s = rt->subs; s && n < rt->npoll; s = s->next) {
            if (s->req && s->state != SUB_GONE) {
                rt->pfd[n] = (struct pollfd){ .fd = s->fd, .events = (short)(POLLIN | (s->len ? POLLOUT : 0)) };
                rt->psub[n++] = s;
            }
        }
        int timeout = -1;
        uint32_t now = now_ms();
        if (rt->cfg.keepalive_ms) {
            int32_t left = (int32_t)(next_ping - now);
            timeout = left > 0 ? (int)left : 0;
        }
        for (nfds_t i = 1; i < n; i++) {
            if (rt->psub[i]->state == SUB_CLOSING && (timeout < 0 || timeout > 500)) {
                timeout = 500;   /* its grace time runs out even when nothing happens */
            }
        }
        pthread_mutex_unlock(&rt->lock);
        int rc = poll(rt->pfd, n, timeout);
        if (rc > 0 && (rt->pfd[0].revents & POLLIN)) {
            char drain[16];
            while (recv(rt->wake_fd, drain, sizeof drain, 0) > 0) {
            }
        }
        pthread_mutex_lock(&rt->lock);
        rt->wake_pending = false;
        for (nfds_t i = 1; rc > 0 && i < n; i++) {
            struct sub *s = rt->psub[i];   /* still listed: only this thread unlinks */
            short ev = rt->pfd[i].revents;
            if (ev & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) {
                ESP_LOGD(TAG, "fd %d: peer closed (or sent data)", s->fd);
                sub_leave(rt, s, SUB_GONE);
            } else if (ev & POLLOUT) {
                flush_sub(rt, s, piece);
            }
        }
        now = now_ms();
        if (rt->cfg.keepalive_ms && (int32_t)(now - next_ping) >= 0) {
            next_ping = now + rt->cfg.keepalive_ms;
            for (struct sub *s = rt->subs; s; s = s->next) {
                if (s->req && s->state == SUB_ACTIVE) {
                    q_put(rt, s, ping, sizeof ping - 1);
                }
            }
        }
    }
    pthread_mutex_unlock(&rt->lock);
    return NULL;
}

/* ---- Handler --------------------------------------------------------------------------------- */

static esp_err_t refuse(httpd_req_t *req, esp_err_t why)
{
    if (why == ESP_ERR_NOT_FOUND) {
        return httpd_resp_send_err(req, HTTPD_404_NOT_FOUND, NULL);
    }
    if (why == ESP_ERR_NO_MEM) {
        httpd_resp_set_hdr(req, "Retry-After", "5");
        return httpd_resp_send_custom_err(req, "503 Service Unavailable", "Too many subscribers");
    }
    return httpd_resp_send_err(req, HTTPD_403_FORBIDDEN, NULL);
}

/* Enters rt when it is live (busy + 1); false when it is being deleted. */
static bool route_enter(httpd_sse_route_t *rt)
{
    pthread_mutex_lock(&g_routes_lock);
    httpd_sse_route_t *r = g_routes;
    while (r && r != rt) {
        r = r->next_live;
    }
    if (r) {
        rt->busy++;
    }
    pthread_mutex_unlock(&g_routes_lock);
    return r != NULL;
}

static void route_leave(httpd_sse_route_t *rt)
{
    pthread_mutex_lock(&g_routes_lock);
    if (--rt->busy == 0) {
        pthread_cond_broadcast(&g_routes_idle);
    }
    pthread_mutex_unlock(&g_routes_lock);
}

static esp_err_t subscribe(httpd_sse_route_t *rt, httpd_req_t *req);
static void route_stop(httpd_sse_route_t *rt);

static esp_err_t sse_handler(httpd_req_t *req)
{
    httpd_sse_route_t *rt = req->user_ctx;
    if (!route_enter(rt)) {
        return httpd_resp_send_404(req);
    }
    if (rt->cfg.check && rt->cfg.check(req, rt->cfg.user_ctx) != ESP_OK) {
        route_leave(rt);
        return ESP_OK;   /* the check answered (a 401 challenge, say) */
    }
    esp_err_t err = subscribe(rt, req);
    route_leave(rt);
    return err;
}

static esp_err_t subscribe(httpd_sse_route_t *rt, httpd_req_t *req)
{
    char last_id[HTTPD_SSE_LAST_ID_MAX];
    const char *lid = NULL;
    if (httpd_req_get_hdr_value_str(req, "Last-Event-ID", last_id, sizeof last_id) == ESP_OK) {
        lid = last_id;
    }
    int fd = httpd_req_to_sockfd(req);
    struct sub *s = calloc(1, sizeof *s);
    if (!s) {
        return httpd_resp_send_500(req);
    }
    s->fd = fd;
    s->state = SUB_PENDING;
    char head[200];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                      "Connection: close\r\nX-Accel-Buffering: no\r\n\r\n");
    if (rt->cfg.retry_ms) {
        hl += snprintf(head + hl, sizeof head - (size_t)hl, "retry: %lu\n\n", (unsigned long)rt->cfg.retry_ms);
    }
    pthread_mutex_lock(&rt->lock);
    esp_err_t err = rt->stopping ? ESP_ERR_NOT_FOUND
                  : rt->count >= rt->cfg.max_subscribers ? ESP_ERR_NO_MEM
                  : q_put(rt, s, head, (size_t)hl);
    if (err == ESP_OK) {
        s->next = rt->subs;
        rt->subs = s;
        rt->count++;
    }
    pthread_mutex_unlock(&rt->lock);
    if (err != ESP_OK) {
        free(s->buf);
        free(s);
        return refuse(req, err == ESP_ERR_NOT_FOUND ? err : ESP_ERR_NO_MEM);
    }
    err = rt->cfg.on_subscribe ? rt->cfg.on_subscribe(rt, req, fd, lid, rt->cfg.user_ctx) : ESP_OK;
    if (err != ESP_OK && err != ESP_ERR_NOT_FOUND) {
        err = ESP_FAIL;   /* refused: 403 */
    }
    httpd_req_t *copy = NULL;
    if (err == ESP_OK) {
        err = httpd_req_async_handler_begin(req, &copy);
        if (err != ESP_OK) {
            ESP_LOGW(TAG, "fd %d: async begin: %s", fd, esp_err_to_name(err));
            err = ESP_ERR_NO_MEM;
        }
    }
    pthread_mutex_lock(&rt->lock);
    if (err == ESP_OK) {
        s->req = copy;   /* ACTIVE, or already GONE/CLOSING: the writer thread ends it */
        if (s->state == SUB_PENDING) {
            s->state = SUB_ACTIVE;
        }
        wake(rt);
    } else {
        unlink_sub(rt, s);
        if (s->state == SUB_PENDING) {
            rt->count--;
        }
    }
    pthread_mutex_unlock(&rt->lock);
    if (err != ESP_OK) {
        free(s->buf);
        free(s);
        return refuse(req, err);
    }
    ESP_LOGD(TAG, "fd %d: subscribed to %s%s%s", fd, rt->uri, lid ? ", Last-Event-ID " : "", lid ? lid : "");
    return ESP_OK;
}

/* ---- API ---------------------------------------------------------------------------------------- */

static int wake_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        return -1;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &al) != 0 ||
        connect(fd, (struct sockaddr *)&a, sizeof a) != 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void route_free(httpd_sse_route_t *rt)
{
    if (rt->wake_fd >= 0) {
        close(rt->wake_fd);
    }
    pthread_mutex_destroy(&rt->lock);
    free(rt->pfd);
    free(rt->psub);
    free(rt->uri);
    free(rt);
}

esp_err_t httpd_sse_register(httpd_handle_t server, const char *uri, const httpd_sse_config_t *cfg,
                             httpd_sse_route_t **out)
{
    static const httpd_sse_config_t defaults = HTTPD_SSE_DEFAULT_CONFIG();
    if (!server || !uri || !out) {
        return ESP_ERR_INVALID_ARG;
    }
    httpd_sse_route_t *rt = calloc(1, sizeof *rt);
    if (!rt) {
        return ESP_ERR_NO_MEM;
    }
    rt->cfg = cfg ? *cfg : defaults;
    if (rt->cfg.queue_size == 0) {
        rt->cfg.queue_size = defaults.queue_size;
    } else if (rt->cfg.queue_size < MIN_QUEUE) {
        rt->cfg.queue_size = MIN_QUEUE;
    }
    if (rt->cfg.max_subscribers == 0) {
        rt->cfg.max_subscribers = defaults.max_subscribers;
    }
    rt->server = server;
    rt->wake_fd = -1;
    pthread_mutex_init(&rt->lock, NULL);
    rt->uri = strdup(uri);
    rt->npoll = 2u * rt->cfg.max_subscribers + 1u;   /* the wake-up socket, subscribers and closing ones */
    rt->pfd = calloc(rt->npoll, sizeof *rt->pfd);
    rt->psub = calloc(rt->npoll, sizeof *rt->psub);
    if (!rt->uri || !rt->pfd || !rt->psub) {
        route_free(rt);
        return ESP_ERR_NO_MEM;
    }
    if ((rt->wake_fd = wake_socket()) < 0) {
        ESP_LOGE(TAG, "no wake-up socket: %d", errno);
        route_free(rt);
        return ESP_FAIL;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (rt->cfg.stack_size) {
        pthread_attr_setstacksize(&attr, rt->cfg.stack_size);
    }
    int trc = pthread_create(&rt->thread, &attr, writer_main, rt);
    pthread_attr_destroy(&attr);
    if (trc != 0) {
        ESP_LOGE(TAG, "no writer thread: %d", trc);
        route_free(rt);
        return ESP_FAIL;
    }
    rt->thread_started = true;
    pthread_mutex_lock(&g_routes_lock);
    rt->next_live = g_routes;
    g_routes = rt;
    pthread_mutex_unlock(&g_routes_lock);
    httpd_uri_t h = { .uri = uri, .method = HTTP_GET, .handler = sse_handler, .user_ctx = rt };
    esp_err_t err = httpd_register_uri_handler(server, &h);
    if (err != ESP_OK) {
        route_stop(rt);
        return err;
    }
    *out = rt;
    return ESP_OK;
}

esp_err_t httpd_sse_delete(httpd_sse_route_t *rt)
{
    if (!rt) {
        return ESP_ERR_INVALID_ARG;
    }
    /* No new subscriber: the URI goes (it fails harmlessly once the server has
     * stopped), then the route is torn down. */
    httpd_unregister_uri_handler(rt->server, rt->uri, HTTP_GET);
    route_stop(rt);
    return ESP_OK;
}

/* The route leaves the live list, a handler already inside (busy) finishes,
 * the writer thread ends every subscriber and itself; then rt is freed. */
static void route_stop(httpd_sse_route_t *rt)
{
    pthread_mutex_lock(&g_routes_lock);
    for (httpd_sse_route_t **pp = &g_routes; *pp; pp = &(*pp)->next_live) {
        if (*pp == rt) {
            *pp = rt->next_live;
            break;
        }
    }
    while (rt->busy) {
        pthread_cond_wait(&g_routes_idle, &g_routes_lock);
    }
    pthread_mutex_unlock(&g_routes_lock);
    pthread_mutex_lock(&rt->lock);
    rt->stopping = true;
    wake(rt);
    pthread_mutex_unlock(&rt->lock);
    if (rt->thread_started) {
        pthread_join(rt->thread, NULL);
    }
    route_free(rt);
}

esp_err_t httpd_sse_send(httpd_sse_route_t *rt, int fd, const char *event, const char *data, const char *id)
{
    if (!rt) {
        return ESP_ERR_INVALID_ARG;
    }
    struct msg m;
    esp_err_t err = msg_make(&m, event, data, id);
    if (err != ESP_OK) {
        return err;
    }
    pthread_mutex_lock(&rt->lock);
    struct sub *s = find_sub(rt, fd);
    err = s ? q_put(rt, s, m.p, m.len) : ESP_ERR_NOT_FOUND;
    pthread_mutex_unlock(&rt->lock);
    msg_free(&m);
    return err;
}

/* m to fd's subscriber, or to all (fd -1). */
static esp_err_t queue_msg(httpd_sse_route_t *rt, int fd, const char *p, size_t len, size_t *queued)
{
    size_t n = 0;
    esp_err_t err = fd < 0 ? ESP_OK : ESP_ERR_NOT_FOUND;
    pthread_mutex_lock(&rt->lock);
    for (struct sub *s = rt->subs; s; s = s->next) {
        if ((fd < 0 || s->fd == fd) && (s->state == SUB_PENDING || s->state == SUB_ACTIVE)) {
            esp_err_t e = q_put(rt, s, p, len);
            n += e == ESP_OK;
            if (fd >= 0) {
                err = e;
                break;
            }
            if (e == ESP_ERR_NO_MEM) {
                err = e;
            }
        }
    }
    pthread_mutex_unlock(&rt->lock);
    if (queued) {
        *queued = n;
    }
    return err;
}

esp_err_t httpd_sse_broadcast(httpd_sse_route_t *rt, const char *event, const char *data, const char *id,
                              size_t *queued)
{
    if (queued) {
        *queued = 0;
    }
    if (!rt) {
        return ESP_ERR_INVALID_ARG;
    }
    struct msg m;
    esp_err_t err = msg_make(&m, event, data, id);
    if (err == ESP_OK) {
        err = queue_msg(rt, -1, m.p, m.len, queued);
        msg_free(&m);
    }
    return err;
}

esp_err_t httpd_sse_comment(httpd_sse_route_t *rt, int fd, const char *text)
{
    if (!rt || has_newline(text) || fd < -1) {
        return ESP_ERR_INVALID_ARG;
    }
    size_t tl = text ? strlen(text) : 0;
    char *p = malloc(tl + 4);
    if (!p) {
        return ESP_ERR_NO_MEM;
    }
    p[0] = ':';
    p[1] = ' ';
    memcpy(p + 2, text ? text : "", tl);
    p[tl + 2] = '\n';
    p[tl + 3] = '\n';
    esp_err_t err = queue_msg(rt, fd, p, tl + 4, NULL);
    free(p);
    return err;
}

esp_err_t httpd_sse_close(httpd_sse_route_t *rt, int fd)
{
    if (!rt) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&rt->lock);
    struct sub *s = find_sub(rt, fd);
    if (s) {
        sub_leave(rt, s, SUB_CLOSING);
    }
    pthread_mutex_unlock(&rt->lock);
    return s ? ESP_OK : ESP_ERR_NOT_FOUND;
}

size_t httpd_sse_subscriber_count(httpd_sse_route_t *rt)
{
    if (!rt) {
        return 0;
    }
    pthread_mutex_lock(&rt->lock);
    size_t n = rt->count;
    pthread_mutex_unlock(&rt->lock);
    return n;
}
