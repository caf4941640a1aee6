/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server's private structures and the functions its files share, grouped
 * by the file that defines them, top layer first (docs/architecture.md):
 *
 *   server.c                 httpd_start/stop: builds the rest, runs the loop on its thread
 *   conn.c                   one connection's state machine: heads, jobs, drain, linger, async return
 *   ws.c                     WebSocket handshake, frames, httpd_ws_*
 *   request.c                the request a handler sees: head, headers, body, async copies
 *   response.c               the response being built, the error table, httpd_resp_*
 *   router.c                 handler registry and lookup
 *   session.c                session table, accept/LRU, request-slot pool, receive window,
 *                            held output, waiting sends/receives, httpd_sess_*
 *   loop.c, workq.c          the event loop (poller, watch list, timers); the registry of
 *                            running servers and the work queue
 *   coro.c, parse.c, ...     coroutines; pure functions over bytes
 *   port/                    the OS
 *
 * A file calls only files below it; tests/symbols/layers.txt is checked by a test.
 * The few static inline functions below belong to the file whose section
 * they are in: they are that file's code, inlined where the path is hot.
 *
 * Ownership: the server (struct httpd_data) owns the session table, the
 * handler registry, the work queue and the pool of request slots. A session
 * (struct httpd_sess) owns its socket, its contexts and, only while bytes of
 * a request are in flight, one request slot (struct slot), whose parts are
 * each written by one file.
 */
#ifndef HTTPD_PRIV_H
#define HTTPD_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "parse.h"
#include "port/port.h"
#include "port/poller.h"
#if HTTPD_CORO
#include "coro.h"
#endif
#if CONFIG_HTTPD_WS_SUPPORT
#include "ws_codec.h"
#endif

/* Our own options, when the build's configuration leaves them out (an ESP-IDF
 * sdkconfig made before they existed): the embedded values, which keep no
 * memory once the connections are idle. */
#ifndef CONFIG_HTTPD_REQ_POOL_LEN
#define CONFIG_HTTPD_REQ_POOL_LEN 0
#endif
#ifndef CONFIG_HTTPD_PIPELINE_HOLD_LEN
#define CONFIG_HTTPD_PIPELINE_HOLD_LEN 0
#endif
#ifndef CONFIG_HTTPD_CHUNK_HOLD_LEN
#define CONFIG_HTTPD_CHUNK_HOLD_LEN 0
#endif
#ifndef CONFIG_HTTPD_RX_READAHEAD
#define CONFIG_HTTPD_RX_READAHEAD 64
#endif
#ifndef CONFIG_HTTPD_WORK_QUEUE_LEN
#define CONFIG_HTTPD_WORK_QUEUE_LEN 16
#endif
#ifndef CONFIG_HTTPD_IDLE_TIMEOUT_S
#define CONFIG_HTTPD_IDLE_TIMEOUT_S 30
#endif
#ifndef CONFIG_HTTPD_RECV_MIN_RATE
#define CONFIG_HTTPD_RECV_MIN_RATE 512
#endif
#ifndef CONFIG_HTTPD_RECV_GRACE_S
#define CONFIG_HTTPD_RECV_GRACE_S 10
#endif
#ifndef CONFIG_HTTPD_RECV_TOTAL_S
#define CONFIG_HTTPD_RECV_TOTAL_S 0
#endif
#ifndef CONFIG_HTTPD_WS_SEND_QUEUE_LEN
#define CONFIG_HTTPD_WS_SEND_QUEUE_LEN 8192
#endif
#ifndef CONFIG_HTTPD_WS_MAX_PAYLOAD
#define CONFIG_HTTPD_WS_MAX_PAYLOAD 16777216
#endif

/* Speed against flash. A size-optimised build (-Os, as embedded targets are
 * built) leaves out code that only makes a busy host faster: the index of
 * sessions by fd (a scan of a small table does the job) and the router's
 * lock-free copy of the handler table (lookups take the table's lock).
 * Behaviour is the same either way; HTTPD_SPEED=0 or 1 forces a choice. */
#ifndef HTTPD_SPEED
#ifdef __OPTIMIZE_SIZE__
#define HTTPD_SPEED 0
#else
#define HTTPD_SPEED 1
#endif
#endif

/* Jobs inline on the loop's stack. A fast build with a switch of its own
 * (assembly or ucontext) runs the loop itself on a pool stack, and a job on
 * that stack, in line: no switch and no stack of its own for the usual job,
 * which never waits. A job that must wait keeps the stack it runs on, and a
 * fresh one carries the loop on from where it is (loop.c; the batch of events
 * it was working through lives in struct httpd_data for that). On the thread
 * switch, and in small builds, every job starts on a coroutine of its own. */
#if defined(HTTPD_CORO) && HTTPD_CORO && !defined(HTTPD_CORO_THREAD) && HTTPD_SPEED
#define HTTPD_JOB_INLINE 1
#else
#define HTTPD_JOB_INLINE 0
#endif
struct loop_handlers;

#define LOOP_EVENTS_PER_WAIT 64   /* most events taken from the poller per wait */

/* The sockets a server's poller watches: its sessions, the listening socket and
 * the wake-up channel. */
static inline unsigned httpd__loop_watched(const httpd_config_t *config)
{
    return (unsigned)config->max_open_sockets + 2u;
}

/* A loop turn's events and how far it got through them (loop.c). */
struct loop_batch {
    int  n, i;                    /* events in evs, the next one to handle (-1: the queued work first) */
};

/* memcpy() for the short copies of the request path (its URI, a response's
 * content type, a small body): a fast build copies 4 to 16 bytes as two
 * overlapping words each way, without a call. */
static inline void httpd__copy(void *dst, const void *src, size_t n)
{
#if HTTPD_SPEED
#define COPY_ENDS_RETURN(T)                                             \
    do {                                                                \
        T first, last;                                                  \
        memcpy(&first, src, sizeof(T));                                 \
        memcpy(&last, (const char *)src + n - sizeof(T), sizeof(T));    \
        memcpy(dst, &first, sizeof(T));                                 \
        memcpy((char *)dst + n - sizeof(T), &last, sizeof(T));          \
        return;                                                         \
    } while (0)
    if (n - 8u <= 8u) {
        COPY_ENDS_RETURN(uint64_t);
    }
    if (n - 4u <= 3u) {
        COPY_ENDS_RETURN(uint32_t);
    }
#undef COPY_ENDS_RETURN
#endif
    memcpy(dst, src, n);
}

struct httpd_sess;
struct httpd_data;

/* ---- Request slot -------------------------------------------------------------------
 * One block per request in flight: struct slot, then max_resp_headers response
 * headers, then the receive buffer (cap bytes), then HTTPD_OUT_CAP bytes of
 * held output. Nothing in it points into the block itself except rx.buf, so a
 * copy (async handlers) needs one pointer fixed. */

/* Receive window and held output. Written by session.c.
 *   [0, rd)        consumed: the request head stays here (intact) while its handler runs
 *   [rd, len)      received, not yet consumed (body, then pipelined requests)
 *   buf + cap      held output: out_len bytes of responses waiting to leave */
struct slot_rx {
    char    *buf;
    size_t   cap;
    size_t   len;
    size_t   rd;
    uint32_t out_len;
#if CONFIG_HTTPD_CHUNK_HOLD_LEN > 0
    char    *out_big;     /* NULL, or the held output (CONFIG_HTTPD_CHUNK_HOLD_LEN bytes) while chunks gather */
#endif
    /* The client's pace while the job waits for its bytes (a body, a
     * WebSocket frame): milliseconds spent waiting, bytes received. */
    uint32_t waited_ms;
    uint32_t got;
};

/* The request as handlers see it: its head, headers and body state. Written by request.c.
 * Chunked bodies are decoded in place: [head_len, dec_wr) holds decoded bytes, of which
 * [dec_rd, dec_wr) are not yet delivered. The parser's results stay valid while the
 * request runs (its header block at parser.hdr_off, its routing path). The small fields
 * come first, the large ones (parser, req) last. */
struct slot_req {
    bool     in_handler;             /* a handler (or frame handler) runs for it */
    bool     async;                  /* handed to httpd_req_async_handler_begin() */
    bool     hdrs_raw;               /* not compacted yet: done on the first lookup */
    bool     continue_sent;
    bool     expect_continue;
    bool     chunked;
    bool     body_done;              /* chunked: terminator seen */
    bool     framing_bad;            /* chunked: the decoder refused the body's framing */
    uint8_t  version_minor;
    size_t   body_left;              /* Content-Length bytes not yet taken (parse.c refuses
                                        more than 4294967295: size_t holds it on 32-bit targets) */
    size_t   head_len;
    size_t   hdrs_len;               /* 0: no headers; "name\0value\0" pairs once compacted */
    size_t   dec_rd;
    size_t   dec_wr;
    int      async_fd;               /* an async copy: the session it belongs to */
    uint32_t async_gen;
    http_chunked_t chunk;
    http_parser_t parser;
    httpd_req_t   req;               /* what handlers get; req.aux points back to the slot */
};

struct resp_hdr {
    const char *field;
    const char *value;
};

/* The response being built, and the connection's verdict. Written by response.c. */
struct slot_resp {
    const char *status;
    const char *content_type;
#if HTTPD_SPEED
    size_t   type_len;               /* strlen(content_type), found by its setter's check */
#endif
    unsigned n_hdrs;                 /* entries used of the array behind the slot */
    bool     user_conn_hdr;          /* the handler set a Connection header */
    bool     chunk_head_sent;        /* the chunked response head went out */
    bool     chunk_term_sent;        /* ... and its terminating chunk */
    bool     close_after;            /* close the connection once this request is done */
    bool     broken;                 /* the stream cannot be resynchronised */
    bool     sent;                   /* a byte of the response went out (or a send was tried) */
    uint32_t allow[2];               /* routed to 405: the path's methods, bit m % 32 of word m / 32 (Allow) */
};

#if CONFIG_HTTPD_WS_SUPPORT
/* The WebSocket frame being received. Written by ws.c. */
struct slot_ws {
    ws_frame_hdr_t hdr;
    size_t   left;                   /* payload bytes not yet read (at most CONFIG_HTTPD_WS_MAX_PAYLOAD) */
    bool     frame;                  /* a frame header is parsed and its payload pending */
    bool     text;                   /* the payload belongs to a text message (validate UTF-8) */
    uint16_t fail;                   /* close code to send once the handler returns, or 0 */
};
#endif

/* What the connection runs for the slot. Written by conn.c. */
struct slot_job {
    uint8_t  kind;                   /* enum conn_job */
    uint8_t  err;                    /* httpd_err_code_t for an error job */
    bool     keep;                   /* the job's verdict: keep the connection */
    bool     head_started;           /* at least one byte of the current head arrived */
};

struct slot {
    /* The small parts first, rq (whose parser and httpd_req_t are large)
     * last: the short load and store forms of 32-bit targets reach the fields
     * used most (the response's flags, job, the receive window). The order
     * is the one that measured smallest (scripts/footprint.sh). */
    struct slot_resp  resp;
    struct slot_job   job;
#if CONFIG_HTTPD_WS_SUPPORT
    struct slot_ws    ws;
#endif
    struct httpd_sess *sess;         /* pool (session.c) */
    struct slot_rx    rx;
    struct slot_req   rq;
    struct slot       *next_free;    /* pool link (session.c) */
};

#define SLOT(r)        ((struct slot *)(r)->aux)
#define HTTPD_DATA(h)  ((struct httpd_data *)(h))
#define SLOT_RESP_HDRS(slot) ((struct resp_hdr *)((slot) + 1))
/** Held output: responses to pipelined requests wait here and leave with the batch's last one
 *  (none held when 0). Small response chunks gather in it too, and in a larger buffer of
 *  CONFIG_HTTPD_CHUNK_HOLD_LEN bytes taken (rx.out_big) when they need more room. */
#define HTTPD_OUT_CAP ((size_t)CONFIG_HTTPD_PIPELINE_HOLD_LEN)
#if CONFIG_HTTPD_PIPELINE_HOLD_LEN > 0 || CONFIG_HTTPD_CHUNK_HOLD_LEN > 0
#define HTTPD_HOLD 1
#else
#define HTTPD_HOLD 0
#endif
_Static_assert(HTTPD_OUT_CAP <= UINT16_MAX && CONFIG_HTTPD_CHUNK_HOLD_LEN <= (1L << 24),
               "held output: pipelined responses up to 64 KiB, gathered chunks up to 16 MiB");

/** True when the request's body has been read completely. */
static inline bool httpd__req_body_complete(const struct slot *slot)
{
    return slot->rq.chunked ? slot->rq.body_done : slot->rq.body_left == 0;
}

/* ---- Session ------------------------------------------------------------------------- */

enum sess_state {
    SESS_FREE = 0,
    SESS_IDLE,        /* between requests (a head may be partly buffered) */
    SESS_BUSY,        /* a job (handler) is running for it */
    SESS_DRAIN,       /* discarding the unread rest of a body */
    SESS_LINGER,      /* response sent, FIN sent, discarding input until the peer closes */
    SESS_ASYNC,       /* a copy of the request is being served by another thread */
};

enum timer_kind {
    TIMER_NONE = 0,
    TIMER_RECV,       /* head arrival, drain inactivity, a handler waiting to read: recv_wait_timeout */
    TIMER_SEND,       /* a handler waiting to write: send_wait_timeout */
    TIMER_LINGER,     /* lingering close */
    TIMER_IDLE,       /* a keep-alive connection with nothing in flight: CONFIG_HTTPD_IDLE_TIMEOUT_S */
    TIMER_KINDS
};

/* Why a suspended job was resumed. */
enum wait_result {
    WAIT_PENDING = 0,
    WAIT_READY,
    WAIT_TIMEOUT,
    WAIT_STOP,
};

struct httpd_sess {
    /* The byte-sized fields first, then the 32-bit ones, then the pointers: no
     * padding holes (an entry of the table costs its size for every
     * max_open_sockets), and the fields used most sit near the start, where
     * the short load and store forms of 32-bit targets reach them. */
    uint8_t   state;              /* enum sess_state */
    uint8_t   poll_events;        /* loop.c: interest registered with the poller */
    uint8_t   timer;              /* loop.c: enum timer_kind the session is queued on */
    uint8_t   wait_result;        /* enum wait_result */
    bool      ignore_sess_ctx_changes;
    bool      close_pending;      /* trigger_close arrived while BUSY or ASYNC */
    atomic_bool closing;          /* httpd__sess_close() is running its callbacks (read under sess_lock) */
    bool      sending;            /* a send is in progress (its job may be suspended in it) */
    bool      cork;               /* the request has complete successors buffered: hold responses */
    bool      aborted;            /* its job was ended to make room: close once it returns */
    bool      served;             /* a request of it has been answered (conn.c) */
    /* What other threads are shown (httpd_get_client_list, httpd_ws_get_fd_info):
     * httpd_ws_client_info_t's values, 0 none (free, closing, lingering), 1 HTTP,
     * 2 WebSocket. Stored by the server thread, read under sess_lock. */
    _Atomic uint8_t client_info;
#if CONFIG_HTTPD_WS_SUPPORT
    /* ws.c */
    bool      ws;                 /* WebSocket handshake done */
    bool      ws_closing;         /* a close frame went out: no more frames */
    bool      ws_control;         /* handle_ws_control_frames */
    uint8_t   ws_msg_op;          /* opcode of the fragmented message in progress, 0 = none */
#endif
    /* Clocks of 32 bits, compared wrap-safe ((int32_t)(a - b) < 0): durations
     * are below 2^31 ms (time-outs are uint16_t seconds). */
    uint32_t  lru_counter;
    uint32_t  born_ms;            /* when accepted: a newcomer's grace before LRU purging (session.c) */
    uint32_t  deadline_ms;        /* loop.c: (uint32_t)httpd__port_now_ms() when the deadline is due */
    int       fd;
    uint32_t  gen;                /* bumps each time the table entry is reused */
    struct httpd_sess *tprev, *tnext;   /* loop.c: the timer list the session is on */

    void               *ctx;
    httpd_free_ctx_fn_t free_ctx;
    void               *transport_ctx;
    httpd_free_ctx_fn_t free_transport_ctx;

    httpd_send_func_t    send_fn;
    httpd_recv_func_t    recv_fn;
    httpd_pending_func_t pending_fn;

    struct slot *slot;            /* request slot, only while bytes are in flight */
    struct httpd_sess *next_free; /* while FREE: the free list */
#if CONFIG_HTTPD_WS_SUPPORT
    struct out_chunk *outq;       /* queued output (sends from the loop), oldest first */
#endif
    /* Called by httpd__sess_close() before the slot goes: releases what a protocol
     * layered on the session (WebSocket) keeps in it. */
    void    (*on_close)(struct httpd_sess *s);
#if CONFIG_HTTPD_WS_SUPPORT
    /* ws.c */
    esp_err_t (*ws_handler)(httpd_req_t *r);
    void     *ws_user_ctx;
    char     *ws_uri;             /* the handshake's URI, shown to frame handlers */
    ws_utf8_t ws_utf8;            /* validator state across a text message's fragments */
#endif
#if HTTPD_CORO
    coro_t   *co;                 /* the job's coroutine while one is in flight (conn.c) */
#endif
};

/* Bytes a send from the loop could not hand to the socket at once: they wait
 * on the session, in order, and leave when it is writable (session.c). */
struct out_chunk {
    struct out_chunk *next;
    char  *p;                     /* the first byte of data not sent yet */
    size_t left;                  /* bytes from p on */
    char   data[];
};

/* ---- Server ---------------------------------------------------------------------------- */

struct timer_list {
    struct httpd_sess *head;
    struct httpd_sess *tail;
};

/* The fields of a route a lookup hands on (struct route): one block, copied
 * whole. */
struct route_fields {
    esp_err_t     (*handler)(httpd_req_t *r);
    void           *user_ctx;
#if CONFIG_HTTPD_WS_SUPPORT
#if CONFIG_HTTPD_WS_PRE_HANDSHAKE_CB_SUPPORT
    esp_err_t     (*ws_pre_handshake_cb)(httpd_req_t *req);
#endif
#if CONFIG_HTTPD_WS_POST_HANDSHAKE_CB_SUPPORT
    esp_err_t     (*ws_post_handshake_cb)(httpd_req_t *req);
#endif
    bool            is_websocket;
    bool            ws_control;   /* handle_ws_control_frames */
#endif
};

struct uri_entry {
    char           *uri;          /* copy of the template, in a block of its own; NULL = free slot */
    size_t          uri_len;
    httpd_method_t  method;
    struct route_fields f;
#if CONFIG_HTTPD_WS_SUPPORT
    char           *subprotocol;  /* copy of supported_subprotocol ("" if none), in uri's block */
#endif
};

#define WS_SUBPROTO_MAX 64

/* What a lookup hands the dispatcher: copies, so a handler may be
 * unregistered (by any thread) while its request runs. */
struct route {
    struct route_fields f;
#if CONFIG_HTTPD_WS_SUPPORT
    char       subprotocol[WS_SUBPROTO_MAX];   /* "" when none */
#endif
};

enum work_kind {
    WORK_USER = 0,
    WORK_CLOSE,                   /* httpd_sess_trigger_close */
    WORK_ASYNC_DONE,              /* httpd_req_async_handler_complete: arg is the copy */
    WORK_ALWAYS,                  /* internal fn(arg) that must run even when the server
                                     stops first (it then finds no session and reports it) */
};

struct work_item {
    uint8_t         kind;
    union {                       /* (no kind uses both: 16 bytes an item) */
        httpd_work_fn_t fn;       /* WORK_USER, WORK_ALWAYS */
        int         fd;           /* WORK_CLOSE, WORK_ASYNC_DONE: the session, with gen */
    };
    void           *arg;
    uint32_t        gen;
};

struct httpd_data {
    /* Used most, so first: within reach of the short loads of 32-bit targets
     * (the config's fields too). */
    port_mutex_t sess_lock;       /* session.c: guards an entry's fd/gen/state changes against
                                     lookups from other threads (trigger_close) */
    struct httpd_sess *sessions;  /* session.c: max_open_sockets */
    unsigned  n_open;             /* session.c */
    struct httpd_sess *free_sess; /* session.c: FREE sessions, linked by next_free: accept takes one in O(1) */
    uint32_t  lru_clock;          /* session.c */
    poller_t *poller;             /* loop.c */
    int      listen_fd;
    atomic_bool stopping;
    bool      listen_muted;       /* loop.c */
    bool      listen_retry;       /* loop.c: muted until listen_retry_at (or a session closes) */
    bool      accept_failing;     /* session.c: the last accept failed (logged once until one succeeds) */
    uint32_t  listen_retry_at;    /* loop.c: port clock, ms */
    unsigned  work_head;          /* workq.c */
    unsigned  work_count;
    struct httpd_data *next_live; /* workq.c: registry of running servers */

    httpd_config_t config;
    size_t   max_line;            /* effective max_uri_len */
    size_t   max_hdr;             /* effective max_req_hdr_len */
    http_parse_limits_t parse_limits;   /* the request head's, from the two above */
    atomic_int  state;            /* esp_http_server_event_id_t */
    port_thread_t thread;

    /* loop.c */
    int       loop_max;           /* room in loop_evs (below) */
    struct timer_list timers[TIMER_KINDS];  /* by enum timer_kind; each FIFO list stays sorted */
    uint32_t  timer_ms[TIMER_KINDS];        /* each kind's duration (set by session.c) */
#if HTTPD_SPEED
    uint32_t  now_ms;             /* the clock, read once per turn as the wait returns: deadlines
                                     count from the start of the turn that arms them */
#endif
#if HTTPD_JOB_INLINE
    /* The loop on pool stacks (HTTPD_JOB_INLINE above): the turn's events and
     * how far it got through them, so that a fresh stack can carry it on. */
    struct loop_batch loop_batch;
    const struct loop_handlers *loop_h;
    coro_t   *loop_co;            /* the stack the loop runs on now (NULL: the thread's own) */
    coro_t   *loop_next;          /* the fresh one taken by a job that keeps loop_co */
    struct httpd_sess *inline_sess;   /* whose job runs in line on loop_co, or NULL (conn.c;
                                       * httpd__loop_hand_over() clears it) */
#endif

    /* session.c */
    uint16_t *by_fd;              /* for fd < by_fd_cap (others: a scan): 1 + the index in sessions
                                     of fd's session, or 0; lookups by fd in O(1) */
    unsigned  by_fd_cap;
    size_t    slot_buf_cap;
    struct slot *free_slots;
    unsigned  n_free_slots;
    atomic_uint async_out;        /* async request copies not yet handed back */
#if HTTPD_CORO
    coro_pool_t *coro_pool;       /* job stacks (conn.c) */
    /* conn.c (set by server.c): ends a suspended job whose client is not
     * keeping up, to make room (its waits fail; the session closes). */
    void (*abort_job)(struct httpd_data *hd, struct httpd_sess *s);
#endif

    /* router.c */
    port_mutex_t      uri_lock;
    struct uri_entry *handlers;   /* max_uri_handlers, guarded by uri_lock */
#if HTTPD_SPEED
    atomic_uint       uri_gen;    /* bumped (under uri_lock) by every change to handlers */
    /* The server thread's private copy of the table (entries, then their strings
     * in the same block), rebuilt when uri_gen moves: lookups take no lock. */
    struct uri_entry *snap;
    unsigned          snap_n;
    unsigned          snap_gen;
#endif

    /* response.c */
    /* Set by any thread (httpd_register_err_handler), read by the server thread:
     * atomic, relaxed (the handler is code; nothing else is published with it). */
    _Atomic(httpd_err_handler_func_t) err_handlers[HTTPD_ERR_CODE_MAX];

    /* workq.c */
    bool              work_ready; /* wake and work_lock exist */
    port_wake_t       wake;       /* the loop's wake-up channel */
    port_mutex_t      work_lock;
    struct work_item  work[CONFIG_HTTPD_WORK_QUEUE_LEN];

    /* session.c, last: no other field moves for it */
    struct httpd_sess *sessions_end;   /* sessions + max_open_sockets (the scans' bound) */

    /* loop.c: a turn's events, allocated with the rest (httpd_start()): room
     * for every socket the poller watches, at most LOOP_EVENTS_PER_WAIT. Not
     * on the server task's stack, which the handlers share. */
    poller_event_t loop_evs[];
};

/* ---- conn.c ------------------------------------------------------------------------- */

/** Readiness of a session's socket. */
void httpd__conn_on_event(struct httpd_data *hd, struct httpd_sess *s);
/** A session's deadline passed. */
void httpd__conn_on_timer(struct httpd_data *hd, struct httpd_sess *s);
/** Server thread: an async copy came back; it becomes the session's slot and
 *  the connection carries on (drain, next request). */
void httpd__conn_async_done(struct httpd_data *hd, struct slot *copy, int fd, uint32_t gen);
#if HTTPD_CORO
/** Ends the suspended job of s to make room (hd->abort_job): its waits fail,
 *  and the session closes once the job returns. */
void httpd__conn_abort_job(struct httpd_data *hd, struct httpd_sess *s);
#endif
/** Server stop: suspended jobs are resumed with an error and finish; every
 *  session closes, except those whose request copy is still with a worker:
 *  those are shut down (their I/O fails) until httpd__sess_close_all(). */
#if HTTPD_CORO
void httpd__conn_close_all(struct httpd_data *hd);
#else
/* Without coroutines no job is ever suspended: closing is all there is. */
#define httpd__conn_close_all(hd) httpd__sess_close_all((hd), true)
#endif

/* ---- ws.c --------------------------------------------------------------------------- */
#if CONFIG_HTTPD_WS_SUPPORT
/** In a request job, for an upgrade request routed to rt: when rt is a
 *  WebSocket handler, does the handshake (or its error response), sets *keep
 *  and returns true; false for a plain request. */
bool httpd__ws_handshake(struct httpd_data *hd, struct httpd_sess *s, const struct route *rt, bool *keep);
/** Sets up the request object frame handlers see. */
void httpd__ws_req_setup(struct httpd_data *hd, struct httpd_sess *s);
/** Job for a WebSocket session with bytes waiting: reads one frame header,
 *  answers control frames, or runs the handler. Returns whether to keep the connection. */
bool httpd__ws_frame_job(struct httpd_data *hd, struct httpd_sess *s);
#endif

/* ---- request.c ----------------------------------------------------------------------- */

/** A new head starts at the window's start: parser and request state reset. */
void httpd__req_reset(struct slot *slot);
/** Parses the head at the window's start. HTTP_PARSE_DONE / _AGAIN / _ERROR (status in parser). */
static inline int httpd__req_parse_head(struct httpd_data *hd, struct slot *slot)
{
    return httpd__parse_head(&slot->rq.parser, slot->rx.buf, slot->rx.len, &hd->parse_limits);
}
/** Fills the request from the parsed head; the response state gets its defaults. */
void httpd__req_setup(struct httpd_data *hd, struct slot *slot);
/** Sets up a request with no head behind it (errors found before a handler
 *  could run, WebSocket frames): the given method, URI and user_ctx, no
 *  headers, no body, default response, the connection kept. */
void httpd__req_setup_bare(struct httpd_data *hd, struct slot *slot, int method, const char *uri, void *user_ctx);
/** Finds the handler of the request (router.c); copies what the dispatcher
 *  needs to rt, or the path's methods to resp.allow. 0 (found, req.user_ctx
 *  set), HTTPD_404_NOT_FOUND or HTTPD_405_METHOD_NOT_ALLOWED. */
int httpd__req_route(struct httpd_data *hd, struct slot *slot, struct route *rt);
/** Runs fn as the request's handler (httpd_sess_get_ctx sees the request's
 *  context meanwhile), then stores what it did with the session context. */
esp_err_t httpd__req_invoke(struct slot *slot, esp_err_t (*fn)(httpd_req_t *r));
/** Consumes the body the handler left unread from the buffer and, without
 *  blocking, from the socket. 1 = done, 0 = needs more input, -1 = broken. */
int httpd__req_drain(struct httpd_data *hd, struct slot *slot, bool from_socket);
/** Finds a request header (compacting the block on first use). */
bool httpd__req_find_hdr(struct slot *slot, const char *field, const char **val, size_t *len);

/* ---- response.c ---------------------------------------------------------------------- */

/** Response state of a new request: defaults, nothing sent yet. */
void httpd__resp_reset(struct slot *slot, bool close_after);
/** The connection closes once this request is done. */
static inline void httpd__resp_set_close(struct slot *slot)
{
    slot->resp.close_after = true;
}
/** The stream cannot be resynchronised (the connection closes). */
static inline void httpd__resp_set_broken(struct slot *slot)
{
    slot->resp.broken = true;
}

/* ---- router.c ------------------------------------------------------------------------ */

esp_err_t httpd__router_init(struct httpd_data *hd);
void httpd__router_free(struct httpd_data *hd);

/* ---- session.c ----------------------------------------------------------------------- */

esp_err_t httpd__sess_table_init(struct httpd_data *hd);
void httpd__sess_table_free(struct httpd_data *hd);
/** Accepts waiting connections (LRU purge when full and enabled). */
void httpd__sess_accept_ready(struct httpd_data *hd);
/** The session for fd, or NULL. */
struct httpd_sess *httpd__sess_find(struct httpd_data *hd, int fd);
/** What other threads are shown of fd (any thread): httpd_ws_client_info_t's values. */
uint8_t httpd__sess_client_info(struct httpd_data *hd, int fd);
enum { CLIENT_NONE, CLIENT_HTTP, CLIENT_WS };   /* struct httpd_sess.client_info */
/** Sets what other threads are shown of s (server thread). */
static inline void httpd__sess_show(struct httpd_sess *s, uint8_t info)
{
    atomic_store_explicit(&s->client_info, info, memory_order_relaxed);
}
/** Closes a session at once: close_fn (or close), then the contexts. */
void httpd__sess_close(struct httpd_data *hd, struct httpd_sess *s);
/** Closes every session (server stop, after the async copies came back). With
 *  keep_async, those whose request copy is still with a worker are shut down
 *  instead (their I/O fails; the fd is not freed under the worker). */
void httpd__sess_close_all(struct httpd_data *hd, bool keep_async);
/** Closes the session fd/gen if it still exists (trigger_close). */
void httpd__sess_close_by_id(struct httpd_data *hd, int fd, uint32_t gen);
/** The response is out: FIN, then discard input until the peer closes. */
void httpd__sess_linger(struct httpd_data *hd, struct httpd_sess *s);
/** Frees *ctx with fn (free() when NULL), if set, and clears it. */
void httpd__sess_free_ctx(void **ctx, httpd_free_ctx_fn_t fn);
/** Stores what a handler did with the session context (upstream's rules). */
void httpd__sess_ctx_commit(struct httpd_sess *s, httpd_req_t *r);
#if CONFIG_HTTPD_WS_SUPPORT
/** A send from the loop, which never waits: what the socket does not take at
 *  once is copied to the session's queue and leaves when it is writable
 *  (after anything queued before, and never inside another send). ESP_OK, or
 *  ESP_ERR_NO_MEM when it does not fit the queue's limit (nothing was sent),
 *  or ESP_FAIL when the connection failed. Called by the session's own
 *  handler, it sends as httpd__sess_sendv_all() does, waiting. */
esp_err_t httpd__sess_queue_sendv(struct httpd_data *hd, struct httpd_sess *s, struct iovec *iov, int iovcnt);
/** Sends what the queue holds without waiting. 0: empty now, 1: bytes left
 *  (the session is watched for writing, its send deadline armed, unless a job
 *  runs for it), -1: the connection failed. */
int httpd__sess_queue_flush(struct httpd_data *hd, struct httpd_sess *s);
#define httpd__sess_queued(s) ((s)->outq != NULL)
#else
#define httpd__sess_queued(s) false
#define httpd__sess_queue_flush(hd, s) 0
#endif

/** Takes a slot for s (from the pool). NULL when memory is short. */
struct slot *httpd__slot_get(struct httpd_data *hd, struct httpd_sess *s);
/** Returns s's slot to the pool. */
void httpd__sess_slot_release(struct httpd_data *hd, struct httpd_sess *s);
/** A copy of slot in memory of its own (async handlers). NULL when memory is short. */
struct slot *httpd__slot_clone(struct httpd_data *hd, const struct slot *slot);
/** Frees a copy that will not come back to its session. */
void httpd__slot_clone_free(struct httpd_data *hd, struct slot *copy);
/** The copy replaces s's slot. */
void httpd__sess_slot_adopt(struct httpd_data *hd, struct httpd_sess *s, struct slot *copy);

/** Receive window: the unread bytes move to base (bytes before it are kept);
 *  then up to max more bytes are received behind them (max 0: as many as fit).
 *  Without wait, one receive that may find nothing (HTTPD_SOCK_ERR_TIMEOUT);
 *  with wait, the job waits for data as httpd__sess_recv_wait() does. Returns the
 *  bytes received, 0 when the peer closed, or HTTPD_SOCK_ERR_*; also
 *  HTTPD_SOCK_ERR_FAIL when the window is full. */
int httpd__rx_recv(struct httpd_data *hd, struct slot *slot, size_t base, size_t max, bool wait);
/** The client's pace starts afresh (a new job waits for its bytes). */
static inline void httpd__rx_pace_reset(struct slot *slot)
{
    slot->rx.waited_ms = 0;
    slot->rx.got = 0;
}
/** Consumes n unread bytes. */
static inline void httpd__rx_take(struct slot *slot, size_t n)
{
    slot->rx.rd += n;
}
#if HTTPD_SPEED
/** One receive through s's receive function, without waiting: bytes, 0 (peer
 *  closed), or HTTPD_SOCK_ERR_* (HTTPD_SOCK_ERR_TIMEOUT: nothing there yet). */
int httpd__sess_recv_now(struct httpd_data *hd, struct httpd_sess *s, char *buf, size_t len);
#else
#define httpd__sess_recv_now(hd, s, buf, len) ((s)->recv_fn((hd), (s)->fd, (buf), (len), 0))
#endif
/** One receive into the window's free end, without waiting (the loop's read
 *  of a readable socket). Bytes received, 0 (peer closed, or no room), or HTTPD_SOCK_ERR_*. */
static inline int httpd__rx_recv_now(struct httpd_data *hd, struct slot *slot)
{
    int n = httpd__sess_recv_now(hd, slot->sess, slot->rx.buf + slot->rx.len, slot->rx.cap - slot->rx.len);
    if (n > 0) {
        slot->rx.len += (size_t)n;
    }
    return n;
}
/** Drops the consumed bytes: the unread rest moves to the start. */
void httpd__rx_restart(struct slot *slot);

enum sess_io {
    SESS_IO_RECV_NOW,   /* s->recv_fn once, without waiting */
    SESS_IO_RECV,       /* s->recv_fn */
    SESS_IO_SEND,       /* s->send_fn (after any held output) */
    SESS_IO_SENDV,      /* the default transport's sendmsg: buf is the iovec array, len their count */
    SESS_IO_QUEUE,      /* (WebSocket builds) httpd__sess_queue_flush() until the queue is empty:
                           0 then, or HTTPD_SOCK_ERR_* */
};
/** One transfer of this kind, waiting (except SESS_IO_RECV_NOW) while the socket
 *  is not ready: bytes moved, 0, or an HTTPD_SOCK_ERR_* code. Every transfer
 *  that waits goes through here (the send/receive below are two of them). */
int httpd__sess_io(struct httpd_data *hd, struct httpd_sess *s, char *buf, size_t len, int flags, enum sess_io op);
/** Send / receive through the session's functions, waiting (up to the
 *  send/recv time-out) while the socket is not ready: a job is suspended,
 *  another thread blocks. */
static inline int httpd__sess_send_wait(struct httpd_data *hd, struct httpd_sess *s, const char *buf, size_t len, int flags)
{
    return httpd__sess_io(hd, s, (char *)(uintptr_t)buf, len, flags, SESS_IO_SEND);   /* only read: it is sent */
}
static inline int httpd__sess_recv_wait(struct httpd_data *hd, struct httpd_sess *s, char *buf, size_t len, int flags)
{
    return httpd__sess_io(hd, s, buf, len, flags, SESS_IO_RECV);
}
/** Sends every byte of the iovecs (one sendmsg on the default transport),
 *  after any held output; while s->cork is set a response that fits is held
 *  instead. 0, or an HTTPD_SOCK_ERR_* code. */
int httpd__sess_sendv_all(struct httpd_data *hd, struct httpd_sess *s, struct iovec *iov, int iovcnt);
#if HTTPD_SPEED
/** httpd__sess_sendv_all() of one buffer. */
int httpd__sess_send_all(struct httpd_data *hd, struct httpd_sess *s, const void *buf, size_t len);
#endif
/** An IDLE session with no slot (nothing in flight): a WebSocket one sends
 *  what is queued; another's idle time-out runs. */
void httpd__sess_idle(struct httpd_data *hd, struct httpd_sess *s);
/** Bytes of held output. */
static inline size_t httpd__sess_held(const struct httpd_sess *s)
{
    return HTTPD_HOLD && s->slot ? s->slot->rx.out_len : 0;   /* none without the buffer */
}
#if CONFIG_HTTPD_CHUNK_HOLD_LEN > 0
/** A chunk of slot's response: copied behind the held output when it fits in
 *  CONFIG_HTTPD_CHUNK_HOLD_LEN (and slot is its session's own, on the server
 *  thread), otherwise sent with what is held as httpd__sess_sendv_all() does.
 *  What is held leaves with the next send, or before the job waits to receive. */
int httpd__sess_sendv_chunk(struct httpd_data *hd, struct slot *slot, struct iovec *iov, int iovcnt);
/** Only the copy of httpd__sess_sendv_chunk(), once the chunk buffer is taken:
 *  true when the chunk was held, false (nothing done) when it does not fit or
 *  may not be held now. */
bool httpd__sess_hold_chunk(struct slot *slot, const struct iovec *iov, int iovcnt);
#else
static inline int httpd__sess_sendv_chunk(struct httpd_data *hd, struct slot *slot, struct iovec *iov, int iovcnt)
{
    return httpd__sess_sendv_all(hd, slot->sess, iov, iovcnt);
}
#endif
#if HTTPD_HOLD
/** Sends any held output now (waiting as a send does). 0 or HTTPD_SOCK_ERR_*. */
int httpd__sess_flush_held(struct httpd_data *hd, struct httpd_sess *s);
/** Stops holding responses and sends those held. 0 or HTTPD_SOCK_ERR_*. */
int httpd__sess_uncork(struct httpd_data *hd, struct httpd_sess *s);
/** True when s sends through the default transport (held output is allowed). */
bool httpd__sess_default_transport(const struct httpd_sess *s);
#else
/* No held output: nothing to send, s->cork is never set. */
static inline int httpd__sess_flush_held(struct httpd_data *hd, struct httpd_sess *s)
{
    (void)hd;
    (void)s;
    return 0;
}
static inline int httpd__sess_uncork(struct httpd_data *hd, struct httpd_sess *s)
{
    return httpd__sess_flush_held(hd, s);
}
#endif

/* ---- loop.c --------------------------------------------------------------------------- */

struct loop_handlers {
    void (*on_wake)(struct httpd_data *hd);
    void (*on_listen)(struct httpd_data *hd);
    void (*on_session)(struct httpd_data *hd, struct httpd_sess *s);
    void (*on_timer)(struct httpd_data *hd, struct httpd_sess *s);
};

esp_err_t httpd__loop_init(struct httpd_data *hd);
void httpd__loop_free(struct httpd_data *hd);
/** Runs until hd->stopping (or until the poller fails: logged, and the
 *  server then closes its sessions as at a stop): waits, runs queued work
 *  first, then the events, then the expired deadlines. */
void httpd__loop_run(struct httpd_data *hd, const struct loop_handlers *h);
#if HTTPD_JOB_INLINE
/** For a job in line on the loop's stack that must wait: the job keeps that
 *  stack (*taken), a fresh one is made ready to carry the loop on as the job
 *  yields, and hd->inline_sess is cleared, so that the loop's next stack may
 *  run a job in line. False, nothing changed, when no stack can be had: the
 *  job then waits in place. */
bool httpd__loop_hand_over(struct httpd_data *hd, coro_t **taken);
#endif
int httpd__loop_watch_change(struct httpd_data *hd, struct httpd_sess *s, unsigned events);
/** Changes what the loop watches on a session's socket, only when it differs
 *  (0: not at all; a new session starts at 0). 0, or -1 when the poller refuses.
 *  (httpd__loop_watch_change() compares too: inline only where speed counts.) */
static inline int httpd__loop_watch(struct httpd_data *hd, struct httpd_sess *s, unsigned events)
{
    return !HTTPD_SPEED || s->poll_events != events ? httpd__loop_watch_change(hd, s, events) : 0;
}
/** Stops (or resumes) accepting: new clients wait in the backlog. Muted with
 *  retry_ms > 0, the socket is watched again after that long (or once a session
 *  closes): for what may change without a session closing (descriptors freed
 *  elsewhere, a busy session turning purgeable). */
void httpd__loop_mute_listen(struct httpd_data *hd, bool mute, uint32_t retry_ms);
/** The clock deadlines count from: a fast build reads it once per loop turn
 *  (as the wait returns; see struct httpd_data), a small one at each use. */
static inline uint32_t httpd__loop_now(struct httpd_data *hd)
{
#if HTTPD_SPEED
    return hd->now_ms;
#else
    (void)hd;
    return (uint32_t)httpd__port_now_ms();
#endif
}
/** Arms s's deadline of this kind (replacing any other): due in the kind's
 *  duration (hd->timer_ms, set by session.c). TIMER_NONE: only disarms. */
void httpd__loop_timer_set(struct httpd_data *hd, struct httpd_sess *s, enum timer_kind kind);
/* A fast build's idle deadline is paused rather than disarmed when a request
 * starts: the session stays on the idle list with this bit on s->timer (which
 * then equals no kind), so that the next idle arming, usually for the tail of
 * that list, only updates its deadline. The loop drops a paused entry that
 * comes due, without a callback. */
#define TIMER_PAUSED 0x80u
#if HTTPD_SPEED
/** httpd__loop_timer_set() with its usual case in line: s already last on the
 *  list of that kind (paused or not), whose deadline then only moves on (the
 *  list stays sorted: none of its other deadlines is later). */
static inline void httpd__loop_timer_again(struct httpd_data *hd, struct httpd_sess *s, enum timer_kind kind)
{
    if ((s->timer & ~TIMER_PAUSED) == (unsigned)kind && hd->timers[kind].tail == s) {
        s->timer = (uint8_t)kind;
        s->deadline_ms = hd->now_ms + hd->timer_ms[kind];
    } else {
        httpd__loop_timer_set(hd, s, kind);
    }
}
#endif
/** Disarms s's deadline; harmless when none is armed (the unused list of
 *  TIMER_NONE gets the NULLs), so only a fast build tests first. */
void httpd__loop_timer_unlink(struct httpd_data *hd, struct httpd_sess *s);
static inline void httpd__loop_timer_clear(struct httpd_data *hd, struct httpd_sess *s)
{
    if (!HTTPD_SPEED || s->timer != TIMER_NONE) {
        httpd__loop_timer_unlink(hd, s);
    }
}
/** Disarms s's deadline, as httpd__loop_timer_clear(); a fast build pauses an
 *  idle one (TIMER_PAUSED). For a session that stays open. */
static inline void httpd__loop_timer_pause(struct httpd_data *hd, struct httpd_sess *s)
{
#if HTTPD_SPEED
    if ((s->timer & ~TIMER_PAUSED) == TIMER_IDLE) {
        s->timer = (uint8_t)(TIMER_IDLE | TIMER_PAUSED);
        return;
    }
#endif
    httpd__loop_timer_clear(hd, s);
}
/** The oldest session on the linger list, or NULL (it goes first when room is needed). */
static inline struct httpd_sess *httpd__loop_oldest_lingering(struct httpd_data *hd)
{
    return hd->timers[TIMER_LINGER].head;
}

/* ---- workq.c --------------------------------------------------------------------------- */

/** True when h is a running server; if so the registry lock is held and the
 *  caller must call httpd__workq_registry_unlock(). */
bool httpd__workq_registry_lock_valid(httpd_handle_t h);
void httpd__workq_registry_unlock(void);
void httpd__workq_registry_add(struct httpd_data *hd);
/** false when hd was not registered (another thread is stopping it). */
bool httpd__workq_registry_remove(struct httpd_data *hd);
/** True on the server's own thread. */
bool httpd__workq_on_server_thread(const struct httpd_data *hd);
esp_err_t httpd__workq_init(struct httpd_data *hd);
void httpd__workq_free(struct httpd_data *hd);
/** Queues an item and wakes the loop. ESP_OK, ESP_FAIL (full / stopping). */
esp_err_t httpd__workq_push(struct httpd_data *hd, const struct work_item *w);
/** Takes the oldest item and sets *left to the number still queued. false when empty. */
bool httpd__workq_pop(struct httpd_data *hd, struct work_item *w, unsigned *left);
/** Marks the server stopping (no more pushes) and wakes the loop. */
void httpd__workq_stop(struct httpd_data *hd);
/** True once httpd_stop() has begun. A flag that is polled: what must be
 *  ordered around it is (the work queue's lock, the wake-up channel), so the
 *  load needs no barrier. */
static inline bool httpd__workq_stopping(const struct httpd_data *hd)
{
    return atomic_load_explicit(&hd->stopping, memory_order_relaxed);
}

#endif /* HTTPD_PRIV_H */
