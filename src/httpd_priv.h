/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private structures and the functions the server's files share.
 *
 * Ownership: the server (struct httpd_data) owns the session table, the
 * handler registry, the work queue and the pool of request slots. A session
 * (struct httpd_sess) owns its socket, contexts and, only while bytes of a
 * request are in flight, one request slot (struct httpd_req_aux: the buffer,
 * the parser, the httpd_req_t handlers see, and the response state).
 */
#ifndef HTTPD_PRIV_H
#define HTTPD_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

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

/* ---- Request slot ---------------------------------------------------------------- */

struct httpd_sess;

struct resp_hdr {
    const char *field;
    const char *value;
};

/* Head + body window layout of buf:
 *   [0, head_len)            the request head (kept intact until the handler returns)
 *   [head_len, dec_wr)       chunked: decoded body bytes, [dec_rd, dec_wr) not yet delivered
 *   [raw_rd, len)            bytes received but not yet consumed (body, then next requests) */
struct httpd_req_aux {
    httpd_req_t        req;          /* first: the pointer handlers get */
    struct httpd_sess *sess;
    struct httpd_req_aux *next_free; /* pool link */

    char    *buf;
    size_t   cap;
    size_t   len;
    size_t   head_len;
    size_t   raw_rd;
    size_t   dec_rd;
    size_t   dec_wr;

    http_parser_t parser;
    bool     head_started;           /* at least one byte of the current head arrived */

    /* Request */
    char    *hdrs;                   /* compacted "name\0value\0" pairs inside buf */
    size_t   hdrs_len;
    bool     hdrs_raw;               /* not compacted yet: done on the first lookup */
    size_t   path_len;               /* routing path: req->uri[path_off .. path_off + path_len) */
    size_t   path_off;
    int      version_minor;
    uint64_t body_left;              /* Content-Length bytes not yet taken from the socket/buffer */
    bool     chunked;
    bool     body_done;              /* chunked: terminator seen */
    http_chunked_t chunk;
    bool     expect_continue;
    bool     continue_sent;
    bool     in_handler;
    bool     async;                  /* handed to httpd_req_async_handler_begin() */
    uint8_t  job;                    /* enum sess_job: what the coroutine runs */
    uint8_t  job_err;                /* httpd_err_code_t for JOB_PARSE_ERROR */
    bool     job_keep;               /* the job's verdict: keep the connection */
#if CONFIG_HTTPD_WS_SUPPORT
    ws_frame_hdr_t ws_hdr;           /* the frame being received */
    uint64_t ws_left;                /* its payload bytes not yet read */
    bool     ws_frame;               /* a frame header is parsed and its payload pending */
    bool     ws_text;                /* the payload belongs to a text message (validate UTF-8) */
    uint16_t ws_fail;                /* close code to send once the handler returns, or 0 */
#endif
    int      async_fd;               /* the session an async copy belongs to */
    uint32_t async_gen;

    /* Response */
    const char *status;
    const char *content_type;
    struct resp_hdr *resp_hdrs;      /* max_resp_headers entries */
    unsigned n_resp_hdrs;
    bool     user_conn_hdr;          /* the handler set a Connection header */
    bool     chunk_head_sent;        /* the chunked response head went out */
    bool     chunk_term_sent;        /* ... and its terminating chunk */
    bool     close_after;            /* close the connection once this request is done */
    bool     broken;                 /* the stream cannot be resynchronised */
};

/* ---- Session ----------------------------------------------------------------------- */

enum sess_state {
    SESS_FREE = 0,
    SESS_IDLE,        /* between requests (a head may be partly buffered) */
    SESS_BUSY,        /* a handler is running for it */
    SESS_DRAIN,       /* discarding the unread rest of a body */
    SESS_LINGER,      /* response sent, FIN sent, discarding input until the peer closes */
    SESS_ASYNC,       /* a copy of the request is being served by another thread */
};

enum timer_kind {
    TIMER_NONE = 0,
    TIMER_RECV,       /* head arrival, drain inactivity, a handler waiting to read: recv_wait_timeout */
    TIMER_SEND,       /* a handler waiting to write: send_wait_timeout */
    TIMER_LINGER,     /* lingering close */
    TIMER_KINDS
};

/* Why a suspended handler was resumed. */
enum wait_result {
    WAIT_PENDING = 0,
    WAIT_READY,
    WAIT_TIMEOUT,
    WAIT_STOP,
};

struct timer_list {
    struct httpd_sess *head;
    struct httpd_sess *tail;
};

struct httpd_sess {
    int       fd;
    uint8_t   state;              /* enum sess_state */
    uint8_t   timer;              /* enum timer_kind the session is queued on */
    uint32_t  gen;                /* bumps each time the slot is reused */
    uint64_t  lru_counter;
    uint64_t  deadline_ms;
    struct httpd_sess *tprev, *tnext;

    void               *ctx;
    httpd_free_ctx_fn_t free_ctx;
    bool                ignore_sess_ctx_changes;
    void               *transport_ctx;
    httpd_free_ctx_fn_t free_transport_ctx;

    httpd_send_func_t    send_fn;
    httpd_recv_func_t    recv_fn;
    httpd_pending_func_t pending_fn;

    struct httpd_req_aux *io;     /* request slot, only while bytes are in flight */
    struct httpd_sess *next_free; /* while FREE: the free list */
    bool      close_pending;      /* trigger_close arrived while BUSY or ASYNC */
    bool      closing;            /* sess_close() is running its callbacks (set under sess_lock) */
    uint8_t   poll_events;        /* interest registered with the poller */
    uint8_t   wait_result;        /* enum wait_result */
    bool      sending;            /* a handler's send is in progress (it may be suspended in it) */
    bool      cork;               /* the request has complete successors buffered: hold responses */
    uint16_t  out_len;            /* held response bytes in io's out buffer (then io != NULL) */
    struct deferred_send *deferred; /* sends from the loop that wait for that send to finish */
#if CONFIG_HTTPD_WS_SUPPORT
    bool      ws;                 /* WebSocket handshake done */
    bool      ws_closing;         /* a close frame went out: no more frames */
    bool      ws_control;         /* handle_ws_control_frames */
    uint8_t   ws_msg_op;          /* opcode of the fragmented message in progress, 0 = none */
    esp_err_t (*ws_handler)(httpd_req_t *r);
    void     *ws_user_ctx;
    char     *ws_uri;             /* the handshake's URI, shown to frame handlers */
    ws_utf8_t ws_utf8;            /* validator state across a text message's fragments */
#endif
#if HTTPD_CORO
    coro_t   *co;                 /* the handler's coroutine while one is in flight */
#endif
};

/* ---- Server ------------------------------------------------------------------------ */

struct uri_entry {
    char           *uri;          /* strdup'd template; NULL = free slot */
    size_t          uri_len;
    httpd_method_t  method;
    esp_err_t     (*handler)(httpd_req_t *r);
    void           *user_ctx;
#if CONFIG_HTTPD_WS_SUPPORT
    bool            is_websocket;
    bool            ws_control;   /* handle_ws_control_frames */
    char           *subprotocol;  /* strdup'd supported_subprotocol, or NULL */
#if CONFIG_HTTPD_WS_PRE_HANDSHAKE_CB_SUPPORT
    esp_err_t     (*ws_pre_handshake_cb)(httpd_req_t *req);
#endif
#if CONFIG_HTTPD_WS_POST_HANDSHAKE_CB_SUPPORT
    esp_err_t     (*ws_post_handshake_cb)(httpd_req_t *req);
#endif
#endif
};

#define WS_SUBPROTO_MAX 64

/* What a lookup hands the dispatcher: copies, so a handler may be
 * unregistered (by any thread) while its request runs. */
struct route {
    esp_err_t (*handler)(httpd_req_t *r);
    void      *user_ctx;
#if CONFIG_HTTPD_WS_SUPPORT
    bool       is_websocket;
    bool       ws_control;
    char       subprotocol[WS_SUBPROTO_MAX];   /* "" when none */
#if CONFIG_HTTPD_WS_PRE_HANDSHAKE_CB_SUPPORT
    esp_err_t (*ws_pre_handshake_cb)(httpd_req_t *req);
#endif
#if CONFIG_HTTPD_WS_POST_HANDSHAKE_CB_SUPPORT
    esp_err_t (*ws_post_handshake_cb)(httpd_req_t *req);
#endif
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
    httpd_work_fn_t fn;
    void           *arg;
    int             fd;
    uint32_t        gen;
};

struct httpd_data {
    httpd_config_t config;
    size_t   max_line;            /* effective max_uri_len */
    size_t   max_hdr;             /* effective max_req_hdr_len */
    size_t   slot_buf_cap;

    int      listen_fd;
    port_wake_t wake;
    port_thread_t thread;
    atomic_bool stopping;
    atomic_int  state;            /* esp_http_server_event_id_t */

    poller_t *poller;
    bool      listen_muted;

    struct httpd_sess *sessions;  /* max_open_sockets */
    struct httpd_sess *free_sess; /* FREE sessions, linked by next_free: accept takes one in O(1) */
    struct httpd_sess **by_fd;    /* by_fd[fd] for fd < by_fd_cap (others: a scan): lookups by fd in O(1) */
    unsigned  by_fd_cap;
    port_mutex_t      sess_lock;  /* guards a slot's fd/gen/state changes against
                                     lookups from other threads (trigger_close) */
    unsigned  n_open;
    uint64_t  lru_clock;
    struct timer_list timers[TIMER_KINDS];  /* by enum timer_kind */
#if HTTPD_CORO
    coro_pool_t *coro_pool;       /* handler stacks */
#endif

    struct httpd_req_aux *free_slots;
    unsigned  n_free_slots;

    port_mutex_t      uri_lock;
    struct uri_entry *handlers;   /* max_uri_handlers, guarded by uri_lock */
    atomic_uint       uri_gen;    /* bumped (under uri_lock) by every change to handlers */
    /* The server thread's private copy of the table (entries, then their strings
     * in the same block), rebuilt when uri_gen moves: lookups take no lock. */
    struct uri_entry *snap;
    unsigned          snap_n;
    unsigned          snap_gen;
    httpd_err_handler_func_t err_handlers[HTTPD_ERR_CODE_MAX];

    port_mutex_t      work_lock;
    struct work_item  work[CONFIG_HTTPD_WORK_QUEUE_LEN];
    unsigned          work_head;
    unsigned          work_count;

    atomic_uint       async_out;  /* async request copies not yet handed back */

    struct httpd_data *next_live; /* registry of running servers */
};

/* A send the loop could not make because the session's handler is suspended in
 * the middle of its own (bytes would interleave); run once that one finishes. */
struct deferred_send {
    struct deferred_send *next;
    void (*run)(struct deferred_send *d);
};

/* ---- server.c ---------------------------------------------------------------------- */

/** True when h is a running server; if so the registry lock is held and the
 *  caller must call httpd_registry_unlock(). */
bool httpd_registry_lock_valid(httpd_handle_t h);
void httpd_registry_unlock(void);
/** True on the server's own thread. */
bool httpd_on_server_thread(const struct httpd_data *hd);
/** Queues an internal or user work item. ESP_OK, ESP_FAIL (full / stopping). */
esp_err_t httpd_work_push(struct httpd_data *hd, const struct work_item *w);

/* ---- session.c --------------------------------------------------------------------- */

esp_err_t sess_table_init(struct httpd_data *hd);
void sess_table_free(struct httpd_data *hd);
/** Accepts waiting connections (LRU purge when full and enabled). */
void sess_accept_ready(struct httpd_data *hd);
/** Handles readiness of a session's socket. */
void sess_on_event(struct httpd_data *hd, struct httpd_sess *s, unsigned events);
/** Milliseconds until the nearest session deadline (-1: none). */
int sess_next_timeout(struct httpd_data *hd);
/** Acts on every expired deadline. */
void sess_expire_timers(struct httpd_data *hd);
/** Stores what a handler did with the session context (upstream's rules). */
void sess_ctx_commit(struct httpd_sess *s, httpd_req_t *r);
/** Parks d until the session's in-progress send ends (false: nothing in
 *  progress, send now). */
bool sess_defer_send(struct httpd_sess *s, struct deferred_send *d);
/** Closes a session at once: close_fn (or close), then the contexts. */
void sess_close(struct httpd_data *hd, struct httpd_sess *s);
/** Closes every session (server stop) except those whose request copy is
 *  still with a worker: those are shut down (sends fail) but keep their fd
 *  until sess_close_async_all(), after the copies came back. */
void sess_close_all(struct httpd_data *hd);
void sess_close_async_all(struct httpd_data *hd);
/** A copy handed back after the server stopped: free it. */
void sess_async_release(struct httpd_data *hd, struct httpd_req_aux *copy);
/** The session for fd, or NULL. */
struct httpd_sess *sess_find(struct httpd_data *hd, int fd);
/** Closes the session fd/gen if it still exists (trigger_close). */
void sess_close_by_id(struct httpd_data *hd, int fd, uint32_t gen);

/** Held output: responses to pipelined requests wait here (after the slot's
 *  receive buffer, at buf + cap) and leave with the batch's last one. */
#define HTTPD_OUT_CAP 2048u
#define SLOT_OUT(aux) ((aux)->buf + (aux)->cap)

/** Size of a request slot (struct, response-header array, buffer, held output). */
size_t sess_slot_size(const struct httpd_data *hd);
/** Sends any held output now (waiting as a send does). 0 or HTTPD_SOCK_ERR_*. */
int sess_flush_held(struct httpd_data *hd, struct httpd_sess *s);
/** Server thread: the async copy came back; it becomes the session's slot and
 *  the connection carries on (drain, next request). */
void sess_async_done(struct httpd_data *hd, struct httpd_req_aux *copy, int fd, uint32_t gen);

/** Send / receive through the session's functions, waiting (up to the
 *  send/recv time-out) while the socket is not ready. These are the calls that
 *  will suspend a handler instead of waiting once handlers are coroutines. */
int sess_send_wait(struct httpd_data *hd, struct httpd_sess *s, const char *buf, size_t len, int flags);
int sess_recv_wait(struct httpd_data *hd, struct httpd_sess *s, char *buf, size_t len, int flags);
/** Sends every byte of the iovecs (one sendmsg on the default transport),
 *  after any held output; while s->cork is set a response that fits is held
 *  instead. 0, or an HTTPD_SOCK_ERR_* code. */
int sess_sendv_all(struct httpd_data *hd, struct httpd_sess *s, struct iovec *iov, int iovcnt);

/* ---- router.c ---------------------------------------------------------------------- */

esp_err_t router_init(struct httpd_data *hd);
void router_free(struct httpd_data *hd);
/** Finds the handler for path/method; copies what the dispatcher needs.
 *  Returns 0 (found), HTTPD_404_NOT_FOUND or HTTPD_405_METHOD_NOT_ALLOWED. */
int router_lookup(struct httpd_data *hd, const char *path, size_t path_len, int method,
                  struct route *out);

/* ---- ws.c ------------------------------------------------------------------------- */
#if CONFIG_HTTPD_WS_SUPPORT
/** In a request job: true when the request asks for a WebSocket upgrade; then
 *  the handshake (or its error response) is done and aux->job_keep set. */
bool ws_handshake(struct httpd_data *hd, struct httpd_sess *s, const struct route *rt);
/** Job for a WebSocket session with bytes waiting: read one frame header,
 *  answer control frames, or run the handler for it. */
void ws_frame_job(struct httpd_data *hd, struct httpd_sess *s);
/** Sets up the request object frame handlers see. */
void ws_req_setup(struct httpd_data *hd, struct httpd_sess *s);
/** Releases a session's WebSocket state (on close). */
void ws_sess_free(struct httpd_sess *s);
#endif

/* ---- request.c --------------------------------------------------------------------- */

/** Sets up a request with no head behind it (errors found before a handler
 *  could run, WebSocket frames): empty URI, no headers, no body, default
 *  response; keeps the connection unless the caller says otherwise. */
void req_setup_bare(struct httpd_data *hd, struct httpd_req_aux *aux, int method);
/** Fills req and the request state of aux from a parsed head. */
void req_setup(struct httpd_data *hd, struct httpd_req_aux *aux);
/** Consumes the body the handler left unread from the buffer and, without
 *  blocking, from the socket. 1 = done, 0 = needs more input, -1 = broken. */
int req_drain(struct httpd_data *hd, struct httpd_req_aux *aux, bool from_socket);
/** Finds a request header (compacting the block on first use). */
bool req_find_hdr(struct httpd_req_aux *aux, const char *field, const char **val, size_t *len);
/** True when the request's body has been read completely. */
bool req_body_complete(const struct httpd_req_aux *aux);

/* ---- response.c -------------------------------------------------------------------- */

#define HTTPD_AUX(r) ((struct httpd_req_aux *)(r)->aux)
#define HTTPD_DATA(h) ((struct httpd_data *)(h))

#endif /* HTTPD_PRIV_H */
