/* SPDX-License-Identifier: Apache-2.0 */
/*
 * URI handler registry and lookup. Registration may happen from any thread,
 * also from inside a handler, so the table is guarded by a mutex. Lookups run
 * on the server thread against its own copy of the table, taken under the
 * mutex whenever a change was published (uri_gen), so a request takes no lock
 * (a size-optimised build, HTTPD_SPEED 0, looks up under the mutex instead);
 * they copy what the dispatcher needs so a handler may unregister itself while
 * running.
 */
#include "httpd_priv.h"

#include <stdlib.h>
#include <string.h>

#define TAG "httpd_uri"   /* (a macro: one translation unit may hold every file) */

esp_err_t httpd__router_init(struct httpd_data *hd)
{
    hd->handlers = calloc(hd->config.max_uri_handlers, sizeof *hd->handlers);
    if (!hd->handlers) {
        return ESP_ERR_HTTPD_ALLOC_MEM;
    }
    httpd__port_mutex_init(&hd->uri_lock);
#if HTTPD_SPEED
    atomic_init(&hd->uri_gen, 1u);   /* the copy (generation 0) starts stale */
#endif
    return ESP_OK;
}

void httpd__router_free(struct httpd_data *hd)
{
    if (!hd->handlers) {
        return;
    }
    for (struct uri_entry *e = hd->handlers; e < hd->handlers + hd->config.max_uri_handlers; e++) {
        free(e->uri);   /* (the subprotocol is in the same block) */
    }
    free(hd->handlers);   /* (no field is reset: the server's memory goes next) */
#if HTTPD_SPEED
    free(hd->snap);
#endif
    httpd__port_mutex_destroy(&hd->uri_lock);
}

/* Whether entry e's template matches uri[0..len): match (the server's
 * uri_match_fn), or when NULL an exact comparison using the stored template
 * length. */
static bool entry_matches(httpd_uri_match_func_t match, const struct uri_entry *e, const char *uri, size_t len)
{
    if (match) {
        return match(e->uri, uri, len);
    }
    if (e->uri_len != len) {
        return false;
    }
#if HTTPD_SPEED
    if (len >= 4 && len <= 8) {
        /* the usual short path: two 4-byte words, the second overlapping the
         * first, instead of a call */
        uint32_t a0, a1, b0, b1;
        memcpy(&a0, e->uri, 4);
        memcpy(&b0, uri, 4);
        memcpy(&a1, e->uri + len - 4, 4);
        memcpy(&b1, uri + len - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
#endif
    return memcmp(e->uri, uri, len) == 0;
}

/* Locks the handler table of a handle that may be used from any thread. The
 * registry of running servers stays locked until unlock_server(): httpd_stop()
 * takes the server out of it before freeing anything, so it waits until the
 * change is done, and a change after that finds no server. */
static struct httpd_data *lock_server(httpd_handle_t handle)
{
    if (!httpd__workq_registry_lock_valid(handle)) {
        return NULL;
    }
    struct httpd_data *hd = HTTPD_DATA(handle);
    httpd__port_mutex_lock(&hd->uri_lock);
    return hd;
}

/* Unlocks the table and the registry; a change to the table is published
 * first (the server thread's copy is then rebuilt before its next lookup). */
static void unlock_server(struct httpd_data *hd, bool changed)
{
#if HTTPD_SPEED
    if (changed) {
        atomic_fetch_add(&hd->uri_gen, 1u);
    }
#else
    (void)changed;
#endif
    httpd__port_mutex_unlock(&hd->uri_lock);
    httpd__workq_registry_unlock();
}

/* Fills the free entry e from uh, with copies of its strings in one block
 * (the URI's, then the subprotocol's). On failure e stays free. */
static esp_err_t entry_fill(struct uri_entry *e, const httpd_uri_t *uh, size_t ulen)
{
    size_t sl = 0;
#if CONFIG_HTTPD_WS_SUPPORT
    const char *sp = uh->supported_subprotocol ? uh->supported_subprotocol : "";
    if ((sl = strlen(sp) + 1) > WS_SUBPROTO_MAX) {
        return ESP_ERR_INVALID_ARG;
    }
#endif
    char *uri = malloc(ulen + 1 + sl);
    if (!uri) {
        return ESP_ERR_HTTPD_ALLOC_MEM;
    }
    memcpy(uri, uh->uri, ulen + 1);
#if CONFIG_HTTPD_WS_SUPPORT
    e->subprotocol = strcpy(uri + ulen + 1, sp);
    e->f.is_websocket = uh->is_websocket;
    e->f.ws_control = uh->handle_ws_control_frames;
#if CONFIG_HTTPD_WS_PRE_HANDSHAKE_CB_SUPPORT
    e->f.ws_pre_handshake_cb = uh->ws_pre_handshake_cb;
#endif
#if CONFIG_HTTPD_WS_POST_HANDSHAKE_CB_SUPPORT
    e->f.ws_post_handshake_cb = uh->ws_post_handshake_cb;
#endif
#endif
    e->uri = uri;
    e->uri_len = ulen;
    e->method = uh->method;
    e->f.handler = uh->handler;
    e->f.user_ctx = uh->user_ctx;
    return ESP_OK;
}

/* What edit() does with uh: register it, unregister the handler of its URI
 * and method, or every handler of its URI. */
enum edit { EDIT_ADD, EDIT_DEL, EDIT_DEL_ALL };

/* Registration and unregistration share their checks, the locking and the
 * walk over the live entries. */
static esp_err_t edit(httpd_handle_t handle, const httpd_uri_t *uh, enum edit op)
{
    if (!handle || !uh || !uh->uri || (op == EDIT_ADD && !uh->handler)) {
        return ESP_ERR_INVALID_ARG;
    }
    struct httpd_data *hd = lock_server(handle);
    if (!hd) {
        return ESP_ERR_INVALID_ARG;
    }
    /* The table is kept dense and in registration order: entries [0, n) are
     * live, the rest have no uri. */
    esp_err_t err = ESP_ERR_NOT_FOUND;
    size_t ulen = strlen(uh->uri);
    struct uri_entry *e = hd->handlers, *end = e + hd->config.max_uri_handlers;
    httpd_uri_match_func_t match = op == EDIT_ADD ? hd->config.uri_match_fn : NULL;
    while (e < end && e->uri) {
        /* Adding: an entry of the method whose template matches the URI as
         * requests are matched is a duplicate. Removing: the first entry of
         * the URI (exactly) and method, or every one of the URI. */
        if ((op == EDIT_DEL_ALL || (err == ESP_ERR_NOT_FOUND && e->method == uh->method)) &&
            entry_matches(match, e, uh->uri, ulen)) {
            if (op == EDIT_ADD) {
                ESP_LOGW(TAG, "handler %s (method %d) already registered", uh->uri, (int)uh->method);
                err = ESP_ERR_HTTPD_HANDLER_EXISTS;
                break;
            }
            free(e->uri);   /* (the subprotocol's too) */
            err = ESP_OK;
            /* Close the gap, order kept; the last entry is free now. */
            memmove(e, e + 1, (size_t)(end - e - 1) * sizeof *e);
            end[-1].uri = NULL;
            continue;
        }
        e++;
    }
    if (op == EDIT_ADD && err == ESP_ERR_NOT_FOUND) {
        if (e == end) {
            ESP_LOGW(TAG, "no slot left for %s (max_uri_handlers %u)", uh->uri,
                     (unsigned)hd->config.max_uri_handlers);
            err = ESP_ERR_HTTPD_HANDLERS_FULL;
        } else {
            err = entry_fill(e, uh, ulen);
            if (err == ESP_OK) {
                ESP_LOGD(TAG, "registered %s (method %d)", uh->uri, (int)uh->method);
            }
        }
    }
    unlock_server(hd, err == ESP_OK);
    return err;
}

esp_err_t httpd_register_uri_handler(httpd_handle_t handle, const httpd_uri_t *uri_handler)
{
    return edit(handle, uri_handler, EDIT_ADD);
}

__attribute__((noinline)) static esp_err_t unregister(httpd_handle_t handle, const char *uri, httpd_method_t method,
                                                     enum edit op)
{
    httpd_uri_t uh;   /* edit() reads no other field for these */
    uh.uri = uri;
    uh.method = method;
    return edit(handle, &uh, op);
}

esp_err_t httpd_unregister_uri_handler(httpd_handle_t handle, const char *uri, httpd_method_t method)
{
    return unregister(handle, uri, method, EDIT_DEL);
}

esp_err_t httpd_unregister_uri(httpd_handle_t handle, const char *uri)
{
    return unregister(handle, uri, (httpd_method_t)0, EDIT_DEL_ALL);
}

#if HTTPD_SPEED
/* Copies the table (entries and strings, one block) for lock-free lookups on
 * the server thread. False when memory is short: the caller looks up under
 * the lock instead. */
__attribute__((noinline, cold)) static bool snap_refresh(struct httpd_data *hd)
{
    httpd__port_mutex_lock(&hd->uri_lock);
    unsigned gen = atomic_load(&hd->uri_gen);
    unsigned n = 0;
    size_t bytes = 0;
    for (; n < hd->config.max_uri_handlers && hd->handlers[n].uri; n++) {
        bytes += hd->handlers[n].uri_len + 1;
#if CONFIG_HTTPD_WS_SUPPORT
        bytes += strlen(hd->handlers[n].subprotocol) + 1;
#endif
    }
    struct uri_entry *snap = malloc(n * sizeof *snap + bytes + 1);
    if (snap) {
        char *str = (char *)(snap + n);
        for (unsigned i = 0; i < n; i++) {
            const struct uri_entry *e = &hd->handlers[i];
            snap[i] = *e;
            snap[i].uri = memcpy(str, e->uri, e->uri_len + 1);
            str += e->uri_len + 1;
#if CONFIG_HTTPD_WS_SUPPORT
            size_t sl = strlen(e->subprotocol) + 1;
            snap[i].subprotocol = memcpy(str, e->subprotocol, sl);
            str += sl;
#endif
        }
    }
    httpd__port_mutex_unlock(&hd->uri_lock);
    if (!snap) {
        return false;
    }
    free(hd->snap);
    hd->snap = snap;
    hd->snap_n = n;
    hd->snap_gen = gen;
    return true;
}
#endif

/* Whether m is HTTP_ANY as an httpd_method_t holds it: INT_MAX where enums
 * are int-sized, its low bytes where they are short (-fshort-enums, the
 * default of bare-metal ARM toolchains), as the application's own
 * `.method = HTTP_ANY` stored it. */
static bool method_is_any(httpd_method_t m)
{
    unsigned long long any = (unsigned long long)HTTP_ANY & (~0ull >> (64u - 8u * sizeof m));
    return (unsigned long long)m == any;
}

/* Looks the request up in tab[0, n): copies what the dispatcher needs to out
 * and the handler's user_ctx to the request, or when none is found leaves the
 * path's methods in the response's allow (zero since httpd__resp_reset()). */
#if HTTPD_SPEED
__attribute__((always_inline)) inline   /* in each caller: no call of 7 arguments */
#endif
static int lookup_in(const struct httpd_data *hd, const struct uri_entry *tab, unsigned n, struct slot *slot,
                     const char *path, size_t path_len, struct route *out)
{
    int result = HTTPD_404_NOT_FOUND;
    int method = slot->rq.req.method;
    for (const struct uri_entry *e = tab; e < tab + n && e->uri; e++) {
        if (!entry_matches(hd->config.uri_match_fn, e, path, path_len)) {
            continue;
        }
        if ((int)e->method == method || method_is_any(e->method)) {
            out->f = e->f;
            slot->rq.req.user_ctx = e->f.user_ctx;
#if CONFIG_HTTPD_WS_SUPPORT
            /* shorter than WS_SUBPROTO_MAX: checked at registration */
            if (HTTPD_SPEED && !e->subprotocol[0]) {
                out->subprotocol[0] = '\0';   /* the usual empty one, without a call */
            } else {
                strcpy(out->subprotocol, e->subprotocol);
            }
#endif
            return 0;
        }
        if ((unsigned)e->method <= HTTP_UNLINK) {   /* (HTTP_ANY matched above) */
            slot->resp.allow[(unsigned)e->method / 32] |= 1u << ((unsigned)e->method % 32);
        }
        result = HTTPD_405_METHOD_NOT_ALLOWED;
    }
    return result;
}

/* A lookup in the table itself, under its lock (kept out of line: a fast
 * build's lookups use the copy). */
#if HTTPD_SPEED
__attribute__((noinline))
#endif
static int lookup_locked(struct httpd_data *hd, struct slot *slot, const char *path, size_t plen,
                         struct route *rt)
{
    httpd__port_mutex_lock(&hd->uri_lock);
    int result = lookup_in(hd, hd->handlers, hd->config.max_uri_handlers, slot, path, plen, rt);
    httpd__port_mutex_unlock(&hd->uri_lock);
    return result;
}

/* Server thread only (the copy is its own). The routing path is in req.uri
 * (its user_ctx is NULL since httpd__req_setup()). */
int httpd__req_route(struct httpd_data *hd, struct slot *slot, struct route *rt)
{
    const http_parser_t *p = &slot->rq.parser;
    const char *path = p->path_len ? slot->rq.req.uri + (p->path_off - p->target_off) : "/";
    size_t plen = p->path_len ? p->path_len : 1;
#if HTTPD_SPEED
    if (atomic_load_explicit(&hd->uri_gen, memory_order_relaxed) == hd->snap_gen || snap_refresh(hd)) {
        return lookup_in(hd, hd->snap, hd->snap_n, slot, path, plen, rt);
    }
#endif
    return lookup_locked(hd, slot, path, plen, rt);
}
