/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server lifecycle: httpd_start builds the server (handler registry, session
 * table, work queue, listening socket, loop, job stacks) and runs the loop on
 * its own thread; httpd_stop ends it. Also the loop's handlers (which file
 * each kind of event goes to) and httpd_queue_work.
 */
#include "httpd_priv.h"

#include <stdlib.h>

#define TAG "httpd"   /* (a macro: one translation unit may hold every file) */

#ifdef CONFIG_HTTPD_QUEUE_WORK_BLOCKING
#define QUEUE_WORK_BLOCKING 1
#else
#define QUEUE_WORK_BLOCKING 0
#endif

/* ---- The loop's handlers -------------------------------------------------------- */

/* Runs the items queued when the loop woke, in order; items queued meanwhile
 * wait for the next turn so a work function that re-queues itself cannot
 * starve the sockets. */
static void on_wake(struct httpd_data *hd)
{
    struct work_item w;
    unsigned left = 0;
    unsigned budget = 0;   /* set by the first item: how many were queued with it */
    while (!httpd__workq_stopping(hd) && httpd__workq_pop(hd, &w, &left)) {
        if (budget == 0) {
            budget = left + 1;
        }
        if (w.kind == WORK_CLOSE) {
            httpd__sess_close_by_id(hd, w.fd, w.gen);
        } else if (w.kind == WORK_ASYNC_DONE) {
            httpd__conn_async_done(hd, w.arg, w.fd, w.gen);
        } else {
            w.fn(w.arg);
        }
        if (--budget == 0) {
            break;
        }
    }
    /* Still queued after the last one taken: a push seeing a non-empty queue
     * did not wake the loop, so wake it for the next turn. (An item queued
     * after the queue ran empty woke it itself.) */
    if (left > 0) {
        httpd__port_wake_signal(&hd->wake);
    }
}

static const struct loop_handlers HANDLERS = {
    .on_wake = on_wake,
    .on_listen = httpd__sess_accept_ready,
    .on_session = httpd__conn_on_event,
    .on_timer = httpd__conn_on_timer,
};

static void *server_thread(void *arg)
{
    struct httpd_data *hd = arg;
    httpd__loop_run(hd, &HANDLERS);
    httpd__conn_close_all(hd);
    return NULL;
}

esp_err_t httpd_queue_work(httpd_handle_t handle, httpd_work_fn_t work, void *arg)
{
    if (!handle || !work) {
        return ESP_ERR_INVALID_ARG;
    }
    struct work_item w = { .kind = WORK_USER, .fn = work, .arg = arg };
    for (;;) {
        if (!httpd__workq_registry_lock_valid(handle)) {
            return ESP_FAIL;
        }
        /* The registry lock is held across the push, so httpd_stop() cannot
         * free the server in between. */
        struct httpd_data *hd = HTTPD_DATA(handle);
        esp_err_t err = httpd__workq_push(hd, &w);
        bool retry = QUEUE_WORK_BLOCKING && err != ESP_OK && !httpd__workq_stopping(hd) &&
                     !httpd__workq_on_server_thread(hd);
        httpd__workq_registry_unlock();
        if (!retry) {
            return err;
        }
        httpd__port_sleep_ms(1);   /* queue full: wait for the loop to take some */
    }
}

/* ---- Lifecycle ------------------------------------------------------------------- */

/* Each part frees what it built, once (no field is reset: the memory goes next). */
static void server_free(struct httpd_data *hd)
{
    httpd__port_server_release();   /* taken first thing in server_build() */
    httpd__loop_free(hd);
#if HTTPD_CORO
    httpd__coro_pool_destroy(hd->coro_pool);
#endif
    httpd__port_close(hd->listen_fd);
    httpd__workq_free(hd);
    httpd__sess_table_free(hd);
    httpd__router_free(hd);
    free(hd);
}

static bool config_valid(const httpd_config_t *config)
{
    return config->max_open_sockets != 0 && config->max_uri_handlers != 0 &&
           (config->max_req_hdr_len == 0 || config->max_req_hdr_len >= 16) &&
           (config->max_uri_len == 0 || config->max_uri_len >= 16);
}

static esp_err_t listen_start(struct httpd_data *hd)
{
    const httpd_config_t *config = &hd->config;
    struct port_listen_opts lo = {
        .port = config->server_port,
        .backlog = config->backlog_conn,
        .ifname = (config->if_name && config->if_name->ifr_name[0]) ? config->if_name->ifr_name : NULL,
    };
    hd->listen_fd = httpd__port_listen(&lo);
    if (hd->listen_fd < 0) {
        ESP_LOGE(TAG, "cannot listen on port %u: %s", (unsigned)config->server_port, httpd__port_last_error());
        return ESP_FAIL;
    }
    return ESP_OK;
}

/* Everything but the thread: tables, the registry of handlers, the queue,
 * the listening socket, the loop, the job stacks. */
static esp_err_t server_build(struct httpd_data *hd)
{
    httpd__port_server_hold();
    esp_err_t err = httpd__router_init(hd);
    if (err == ESP_OK) {
        err = httpd__sess_table_init(hd);
    }
    if (err == ESP_OK) {
        err = httpd__workq_init(hd);
    }
    if (err == ESP_OK) {
        err = listen_start(hd);
    }
    if (err == ESP_OK) {
        err = httpd__loop_init(hd);
    }
#if HTTPD_CORO
    if (err == ESP_OK) {
        /* stack_size is what a handler may use (upstream's meaning), but glibc
         * needs far more than the ESP32's 4 KiB: never less than the
         * platform's minimum (64 KiB on POSIX, none on ESP-IDF). */
        size_t stack = hd->config.stack_size > PORT_MIN_HANDLER_STACK ? hd->config.stack_size
                                                                       : PORT_MIN_HANDLER_STACK;
        hd->coro_pool = httpd__coro_pool_create(stack);
        hd->abort_job = httpd__conn_abort_job;
        if (!hd->coro_pool) {
            err = ESP_ERR_HTTPD_ALLOC_MEM;
        }
    }
#endif
    return err;
}

esp_err_t httpd_start(httpd_handle_t *handle, const httpd_config_t *config)
{
    if (!handle || !config) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!config_valid(config)) {
        ESP_LOGE(TAG, "invalid configuration");
        return ESP_ERR_INVALID_ARG;
    }
#ifdef PORT_MAX_OPEN_SOCKETS
    if (config->max_open_sockets > PORT_MAX_OPEN_SOCKETS) {
        ESP_LOGE(TAG, "max_open_sockets is too large (at most %d: 3 of the platform's sockets are the server's own)",
                 PORT_MAX_OPEN_SOCKETS);
        return ESP_ERR_INVALID_ARG;
    }
#endif
    /* the loop's events: one per socket it watches, at most LOOP_EVENTS_PER_WAIT */
    unsigned watched = httpd__loop_watched(config);
    int loop_max = watched < LOOP_EVENTS_PER_WAIT ? (int)watched : LOOP_EVENTS_PER_WAIT;
    struct httpd_data *hd = calloc(1, sizeof *hd + (size_t)loop_max * sizeof hd->loop_evs[0]);
    if (!hd) {
        return ESP_ERR_HTTPD_ALLOC_MEM;
    }
    hd->config = *config;
    hd->loop_max = loop_max;
    hd->listen_fd = -1;   /* (the wake-up channel needs none: only an opened one is used or closed) */
    hd->max_line = config->max_uri_len ? config->max_uri_len : CONFIG_HTTPD_MAX_URI_LEN;
    hd->max_hdr = config->max_req_hdr_len ? config->max_req_hdr_len : CONFIG_HTTPD_MAX_REQ_HDR_LEN;
    hd->parse_limits = (http_parse_limits_t){
        .max_line = hd->max_line,
        .max_target = CONFIG_HTTPD_MAX_URI_LEN,
        .max_headers = hd->max_hdr,
    };
    /* calloc's zeros: stopping false, state HTTP_SERVER_EVENT_ERROR, no async copies out */
    esp_err_t err = server_build(hd);
    if (err == ESP_OK) {
        atomic_store_explicit(&hd->state, HTTP_SERVER_EVENT_START, memory_order_relaxed);   /* read under the registry lock */
        httpd__workq_registry_add(hd);
        /* The server task as upstream makes it; on POSIX stack_size only ever
         * raises the default (glibc handlers need more than an ESP32 task). */
        struct port_thread_opts topts = {
            .name = "httpd", .stack_size = config->stack_size, .priority = config->task_priority,
            .core_id = (config->core_id >= 0 && config->core_id < INT_MAX) ? (int)config->core_id : PORT_ANY_CORE,
        };
        if (httpd__port_thread_create(&hd->thread, &topts, server_thread, hd) != PORT_OK) {
            httpd__workq_registry_remove(hd);
            ESP_LOGE(TAG, "cannot create the server thread: %s", httpd__port_last_error());
            err = ESP_ERR_HTTPD_TASK;
        }
    }
    if (err != ESP_OK) {
        server_free(hd);   /* one exit for every failure */
        return err;
    }
#if HTTPD_CORO
    ESP_LOGD(TAG, "started on port %u (%s backend, %s handler coroutines)", (unsigned)config->server_port,
             httpd__poller_name(), httpd__coro_backend());
#else
    ESP_LOGW(TAG, "built without handler coroutines: a slow client blocks the server while its handler waits");
#endif
    *handle = hd;
    return ESP_OK;
}

/* After the loop ended: work left in the queue is dropped, except handed-back
 * async copies (freed) and internal items that must report (run). */
static void drop_queued_work(struct httpd_data *hd)
{
    unsigned dropped = 0;
    struct work_item w;
    unsigned left;
    while (httpd__workq_pop(hd, &w, &left)) {
        if (w.kind == WORK_ASYNC_DONE) {
            httpd__slot_clone_free(hd, w.arg);
        } else if (w.kind == WORK_ALWAYS) {
            w.fn(w.arg);   /* sessions are closed: it fails cleanly and tells its caller */
        } else {
            dropped++;
        }
    }
    if (dropped) {
        ESP_LOGW(TAG, "%u queued work item(s) dropped at stop", dropped);
    }
}

/* Async request copies not yet handed back; once none, what their workers wrote is ours. */
static unsigned copies_out(struct httpd_data *hd)
{
    return atomic_load_explicit(&hd->async_out, memory_order_acquire);
}

/* Workers still holding request copies: their I/O now fails, so they finish
 * soon; wait for them before the memory they use goes away. */
static bool async_copies_returned(struct httpd_data *hd)
{
    unsigned wait_s = hd->config.recv_wait_timeout > hd->config.send_wait_timeout ? hd->config.recv_wait_timeout
                                                                                  : hd->config.send_wait_timeout;
    uint32_t start = (uint32_t)httpd__port_now_ms();
    unsigned out;
    while ((out = copies_out(hd)) > 0 && (uint32_t)httpd__port_now_ms() - start < 1000u * (5u + wait_s)) {
        httpd__port_sleep_ms(5);
    }
    if (out > 0) {
        ESP_LOGE(TAG, "%u async request(s) never completed: server memory is left allocated", out);
        return false;
    }
    return true;
}

esp_err_t httpd_stop(httpd_handle_t handle)
{
    struct httpd_data *hd = HTTPD_DATA(handle);
    if (!httpd__workq_registry_lock_valid(handle)) {   /* NULL included */
        return ESP_ERR_INVALID_ARG;
    }
    httpd__workq_registry_unlock();
    if (httpd__workq_on_server_thread(hd)) {
        ESP_LOGE(TAG, "httpd_stop called from the server thread");
        return ESP_ERR_INVALID_STATE;
    }
    if (!httpd__workq_registry_remove(hd)) {
        return ESP_ERR_INVALID_ARG;   /* another thread is stopping it */
    }
    httpd__workq_stop(hd);
    httpd__port_thread_join(hd->thread);
    drop_queued_work(hd);
    if (!async_copies_returned(hd)) {
        return ESP_OK;
    }
    httpd__sess_close_all(hd, false);
    httpd__sess_free_ctx(&hd->config.global_user_ctx, hd->config.global_user_ctx_free_fn);
    httpd__sess_free_ctx(&hd->config.global_transport_ctx, hd->config.global_transport_ctx_free_fn);
    atomic_store_explicit(&hd->state, HTTP_SERVER_EVENT_STOP, memory_order_relaxed);
    server_free(hd);
    return ESP_OK;
}

esp_http_server_event_id_t httpd_get_server_state(httpd_handle_t handle)
{
    if (!handle || !httpd__workq_registry_lock_valid(handle)) {
        return handle ? HTTP_SERVER_EVENT_STOP : HTTP_SERVER_EVENT_ERROR;
    }
    struct httpd_data *hd = HTTPD_DATA(handle);
    esp_http_server_event_id_t st = (esp_http_server_event_id_t)atomic_load_explicit(&hd->state, memory_order_relaxed);
    httpd__workq_registry_unlock();
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
