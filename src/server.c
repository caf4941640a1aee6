/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server lifecycle and the loop: httpd_start/stop, the server thread, the
 * private wake-up pipe and httpd_queue_work.
 */
#include "httpd_priv.h"

#include <stdlib.h>
#include <string.h>

static const char *TAG = "httpd";

#define EVENTS_PER_WAIT 64
#ifdef CONFIG_HTTPD_QUEUE_WORK_BLOCKING
#define QUEUE_WORK_BLOCKING 1
#else
#define QUEUE_WORK_BLOCKING 0
#endif
#define HTTPD_MIN_HANDLER_STACK (64u * 1024u)

/* ---- Registry of running servers --------------------------------------------------
 * Lets calls from other threads (stop, queue_work, trigger_close, registration)
 * tell a live handle from a stale one instead of touching freed memory. */
static port_mutex_t g_registry_lock = PORT_MUTEX_INITIALIZER;
static struct httpd_data *g_live;

bool httpd_registry_lock_valid(httpd_handle_t h)
{
    if (!h) {
        return false;
    }
    port_mutex_lock(&g_registry_lock);
    for (struct httpd_data *d = g_live; d; d = d->next_live) {
        if (d == h) {
            return true;
        }
    }
    port_mutex_unlock(&g_registry_lock);
    return false;
}

void httpd_registry_unlock(void)
{
    port_mutex_unlock(&g_registry_lock);
}

static void registry_add(struct httpd_data *hd)
{
    port_mutex_lock(&g_registry_lock);
    hd->next_live = g_live;
    g_live = hd;
    port_mutex_unlock(&g_registry_lock);
}

/* Returns false when hd was not registered (already stopping). */
static bool registry_remove(struct httpd_data *hd)
{
    bool found = false;
    port_mutex_lock(&g_registry_lock);
    for (struct httpd_data **pp = &g_live; *pp; pp = &(*pp)->next_live) {
        if (*pp == hd) {
            *pp = hd->next_live;
            found = true;
            break;
        }
    }
    port_mutex_unlock(&g_registry_lock);
    return found;
}

bool httpd_on_server_thread(const struct httpd_data *hd)
{
    return port_thread_is_current(hd->thread);
}

/* ---- Work queue ------------------------------------------------------------------ */

esp_err_t httpd_work_push(struct httpd_data *hd, const struct work_item *w)
{
    port_mutex_lock(&hd->work_lock);
    if (hd->work_count == CONFIG_HTTPD_WORK_QUEUE_LEN || atomic_load(&hd->stopping)) {
        port_mutex_unlock(&hd->work_lock);
        return ESP_FAIL;
    }
    hd->work[(hd->work_head + hd->work_count) % CONFIG_HTTPD_WORK_QUEUE_LEN] = *w;
    bool was_empty = hd->work_count++ == 0;
    port_mutex_unlock(&hd->work_lock);
    if (was_empty) {
        port_wake_signal(&hd->wake);
    }
    return ESP_OK;
}

/* Runs the items queued when the loop woke, in order; items queued meanwhile
 * wait for the next turn so a work function that re-queues itself cannot
 * starve the sockets. */
static void run_work(struct httpd_data *hd)
{
    port_wake_drain(&hd->wake);
    port_mutex_lock(&hd->work_lock);
    unsigned n = hd->work_count;
    port_mutex_unlock(&hd->work_lock);
    while (n-- > 0 && !atomic_load(&hd->stopping)) {
        port_mutex_lock(&hd->work_lock);
        struct work_item w = hd->work[hd->work_head];
        hd->work_head = (hd->work_head + 1) % CONFIG_HTTPD_WORK_QUEUE_LEN;
        hd->work_count--;
        port_mutex_unlock(&hd->work_lock);
        if (w.kind == WORK_CLOSE) {
            sess_close_by_id(hd, w.fd, w.gen);
        } else if (w.kind == WORK_ASYNC_DONE) {
            sess_async_done(hd, w.arg, w.fd, w.gen);
        } else {
            w.fn(w.arg);
        }
    }
    port_mutex_lock(&hd->work_lock);
    bool more = hd->work_count > 0;
    port_mutex_unlock(&hd->work_lock);
    if (more) {
        port_wake_signal(&hd->wake);
    }
}

esp_err_t httpd_queue_work(httpd_handle_t handle, httpd_work_fn_t work, void *arg)
{
    if (!handle || !work) {
        return ESP_ERR_INVALID_ARG;
    }
    struct work_item w = { .kind = WORK_USER, .fn = work, .arg = arg };
    for (;;) {
        if (!httpd_registry_lock_valid(handle)) {
            return ESP_FAIL;
        }
        /* The registry lock is held across the push, so httpd_stop() cannot
         * free the server in between. */
        struct httpd_data *hd = HTTPD_DATA(handle);
        esp_err_t err = httpd_work_push(hd, &w);
        bool retry = QUEUE_WORK_BLOCKING && err != ESP_OK && !atomic_load(&hd->stopping) &&
                     !httpd_on_server_thread(hd);
        httpd_registry_unlock();
        if (!retry) {
            return err;
        }
        port_sleep_ms(1);   /* queue full: wait for the loop to take some */
    }
}

/* ---- The loop -------------------------------------------------------------------- */

static void *server_thread(void *arg)
{
    struct httpd_data *hd = arg;
    poller_event_t evs[EVENTS_PER_WAIT];

    while (!atomic_load(&hd->stopping)) {
        int n = poller_wait(hd->poller, evs, EVENTS_PER_WAIT, sess_next_timeout(hd));
        if (n < 0) {
            ESP_LOGE(TAG, "poller_wait: %s", port_last_error());
            break;
        }
        /* Work queued before these events arrived runs first: a request that
         * follows a queued item in time never overtakes it. */
        for (int i = 0; i < n; i++) {
            if (evs[i].udata == &hd->wake) {
                run_work(hd);
                break;
            }
        }
        for (int i = 0; i < n && !atomic_load(&hd->stopping); i++) {
            void *u = evs[i].udata;
            if (u == &hd->wake) {
                continue;
            } else if (u == hd) {
                sess_accept_ready(hd);
            } else {
                sess_on_event(hd, u, evs[i].events);
            }
        }
        sess_expire_timers(hd);
    }
    sess_close_all(hd);
    return NULL;
}

/* ---- Lifecycle ------------------------------------------------------------------- */

static void free_global_ctx(void *ctx, httpd_free_ctx_fn_t fn)
{
    if (ctx) {
        if (fn) {
            fn(ctx);
        } else {
            free(ctx);
        }
    }
}

static void server_free(struct httpd_data *hd)
{
    if (!hd) {
        return;
    }
    if (hd->poller) {
        poller_destroy(hd->poller);
    }
#if HTTPD_CORO
    coro_pool_destroy(hd->coro_pool);
#endif
    port_close(hd->listen_fd);
    port_wake_close(&hd->wake);
    sess_table_free(hd);
    router_free(hd);
    port_mutex_destroy(&hd->uri_lock);
    port_mutex_destroy(&hd->sess_lock);
    port_mutex_destroy(&hd->work_lock);
    free(hd);
}

esp_err_t httpd_start(httpd_handle_t *handle, const httpd_config_t *config)
{
    if (!handle || !config) {
        return ESP_ERR_INVALID_ARG;
    }
    if (config->max_open_sockets == 0 || config->max_uri_handlers == 0 ||
        (config->max_req_hdr_len != 0 && config->max_req_hdr_len < 16) ||
        (config->max_uri_len != 0 && config->max_uri_len < 16)) {
        ESP_LOGE(TAG, "invalid configuration");
        return ESP_ERR_INVALID_ARG;
    }

    struct httpd_data *hd = calloc(1, sizeof *hd);
    if (!hd) {
        return ESP_ERR_HTTPD_ALLOC_MEM;
    }
    hd->config = *config;
    hd->listen_fd = -1;
    hd->wake = (port_wake_t)PORT_WAKE_INITIALIZER;
    hd->max_line = config->max_uri_len ? config->max_uri_len : CONFIG_HTTPD_MAX_URI_LEN;
    hd->max_hdr = config->max_req_hdr_len ? config->max_req_hdr_len : CONFIG_HTTPD_MAX_REQ_HDR_LEN;
    port_mutex_init(&hd->uri_lock);
    port_mutex_init(&hd->sess_lock);
    port_mutex_init(&hd->work_lock);
    atomic_init(&hd->stopping, false);
    atomic_init(&hd->state, HTTP_SERVER_EVENT_ERROR);
    atomic_init(&hd->async_out, 0);

    esp_err_t err = router_init(hd);
    if (err == ESP_OK) {
        err = sess_table_init(hd);
    }
    if (err == ESP_OK) {
        hd->poller = poller_create((unsigned)config->max_open_sockets + 2u);
        if (!hd->poller) {
            err = ESP_ERR_HTTPD_ALLOC_MEM;
        }
    }
#if HTTPD_CORO
    if (err == ESP_OK) {
        /* stack_size is what a handler may use (upstream's meaning), but glibc
         * needs far more than the ESP32's 4 KiB: never less than 64 KiB. */
        size_t stack = config->stack_size > HTTPD_MIN_HANDLER_STACK ? config->stack_size : HTTPD_MIN_HANDLER_STACK;
        hd->coro_pool = coro_pool_create(stack);
        if (!hd->coro_pool) {
            err = ESP_ERR_HTTPD_ALLOC_MEM;
        }
    }
#endif
    if (err != ESP_OK) {
        server_free(hd);
        return err;
    }

    struct port_listen_opts lo = {
        .port = config->server_port,
        .backlog = config->backlog_conn,
        .ifname = (config->if_name && config->if_name->ifr_name[0]) ? config->if_name->ifr_name : NULL,
    };
    hd->listen_fd = port_listen(&lo);
    if (hd->listen_fd < 0) {
        ESP_LOGE(TAG, "cannot listen on port %u: %s", (unsigned)config->server_port, port_last_error());
        server_free(hd);
        return ESP_FAIL;
    }
    if (port_wake_open(&hd->wake) != PORT_OK) {
        ESP_LOGE(TAG, "cannot create the control pipe: %s", port_last_error());
        server_free(hd);
        return ESP_FAIL;
    }
    /* Poller user data: the server itself for the listening socket, the
     * wake channel's address for it, a session's address for its socket. */
    if (poller_add(hd->poller, port_wake_fd(&hd->wake), POLLER_IN, &hd->wake) < 0 ||
        poller_add(hd->poller, hd->listen_fd, POLLER_IN, hd) < 0) {
        server_free(hd);
        return ESP_ERR_HTTPD_ALLOC_MEM;
    }

    atomic_store(&hd->state, HTTP_SERVER_EVENT_START);
    registry_add(hd);
    /* stack_size is the ESP32's task stack; glibc handlers need more, so it
     * only ever raises the default. */
    int rc = port_thread_create(&hd->thread, config->stack_size, server_thread, hd);
    if (rc != PORT_OK) {
        ESP_LOGE(TAG, "cannot create the server thread: %s", port_last_error());
        registry_remove(hd);
        server_free(hd);
        return ESP_ERR_HTTPD_TASK;
    }
#if HTTPD_CORO
    ESP_LOGD(TAG, "started on port %u (%s backend, %s handler coroutines)", (unsigned)config->server_port,
             poller_name(), coro_backend());
#else
    ESP_LOGW(TAG, "built without handler coroutines: a slow client blocks the server while its handler waits");
#endif
    *handle = hd;
    return ESP_OK;
}

esp_err_t httpd_stop(httpd_handle_t handle)
{
    struct httpd_data *hd = HTTPD_DATA(handle);
    if (!hd) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!httpd_registry_lock_valid(handle)) {
        return ESP_ERR_INVALID_ARG;
    }
    httpd_registry_unlock();
    if (httpd_on_server_thread(hd)) {
        ESP_LOGE(TAG, "httpd_stop called from the server thread");
        return ESP_ERR_INVALID_STATE;
    }
    if (!registry_remove(hd)) {
        return ESP_ERR_INVALID_ARG;   /* another thread is stopping it */
    }
    port_mutex_lock(&hd->work_lock);
    atomic_store(&hd->stopping, true);
    port_mutex_unlock(&hd->work_lock);
    port_wake_signal(&hd->wake);
    port_thread_join(hd->thread);

    /* Work left in the queue is dropped, except handed-back async copies. */
    unsigned dropped = 0;
    port_mutex_lock(&hd->work_lock);
    while (hd->work_count) {
        struct work_item w = hd->work[hd->work_head];
        hd->work_head = (hd->work_head + 1) % CONFIG_HTTPD_WORK_QUEUE_LEN;
        hd->work_count--;
        if (w.kind == WORK_ASYNC_DONE) {
            sess_async_release(hd, w.arg);
        } else if (w.kind == WORK_ALWAYS) {
            w.fn(w.arg);   /* sessions are closed: it fails cleanly and tells its caller */
        } else {
            dropped++;
        }
    }
    port_mutex_unlock(&hd->work_lock);
    if (dropped) {
        ESP_LOGW(TAG, "%u queued work item(s) dropped at stop", dropped);
    }
    /* Workers still holding request copies: their I/O now fails, so they
     * finish soon; wait for them before the memory they use goes away. */
    uint64_t limit = port_now_ms() + 1000u * (5u + (hd->config.recv_wait_timeout > hd->config.send_wait_timeout
                                                    ? hd->config.recv_wait_timeout : hd->config.send_wait_timeout));
    while (atomic_load(&hd->async_out) > 0 && port_now_ms() < limit) {
        port_sleep_ms(5);
    }
    if (atomic_load(&hd->async_out) > 0) {
        ESP_LOGE(TAG, "%u async request(s) never completed: server memory is left allocated",
                 atomic_load(&hd->async_out));
        return ESP_OK;
    }
    sess_close_async_all(hd);
    free_global_ctx(hd->config.global_user_ctx, hd->config.global_user_ctx_free_fn);
    free_global_ctx(hd->config.global_transport_ctx, hd->config.global_transport_ctx_free_fn);
    atomic_store(&hd->state, HTTP_SERVER_EVENT_STOP);
    server_free(hd);
    return ESP_OK;
}

esp_http_server_event_id_t httpd_get_server_state(httpd_handle_t handle)
{
    if (!handle || !httpd_registry_lock_valid(handle)) {
        return handle ? HTTP_SERVER_EVENT_STOP : HTTP_SERVER_EVENT_ERROR;
    }
    esp_http_server_event_id_t st = (esp_http_server_event_id_t)atomic_load(&HTTPD_DATA(handle)->state);
    httpd_registry_unlock();
    return st;
}

void *httpd_get_global_user_ctx(httpd_handle_t handle)
{
    return handle ? HTTPD_DATA(handle)->config.global_user_ctx : NULL;
}

void *httpd_get_global_transport_ctx(httpd_handle_t handle)
{
    return handle ? HTTPD_DATA(handle)->config.global_transport_ctx : NULL;
}
