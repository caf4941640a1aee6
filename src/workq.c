/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The registry of running servers and each server's work queue: the only
 * ways other threads reach a server. The registry lets calls from any thread
 * (stop, queue_work, trigger_close, registration, WebSocket sends) tell a
 * live handle from a stale one instead of touching freed memory; the queue
 * carries their requests to the server thread, which the wake-up channel
 * rouses.
 */
#include "httpd_priv.h"

#define TAG "httpd_workq"   /* (a macro: one translation unit may hold every file) */

static port_mutex_t g_registry_lock = PORT_MUTEX_INITIALIZER;
static struct httpd_data *g_live;

/* ---- Registry ------------------------------------------------------------------------ */

bool httpd__workq_registry_lock_valid(httpd_handle_t h)
{
    if (!h) {
        return false;
    }
    httpd__port_mutex_lock(&g_registry_lock);
    for (struct httpd_data *d = g_live; d; d = d->next_live) {
        if (d == h) {
            return true;
        }
    }
    httpd__port_mutex_unlock(&g_registry_lock);
    return false;
}

void httpd__workq_registry_unlock(void)
{
    httpd__port_mutex_unlock(&g_registry_lock);
}

void httpd__workq_registry_add(struct httpd_data *hd)
{
    httpd__port_mutex_lock(&g_registry_lock);
    hd->next_live = g_live;
    g_live = hd;
    httpd__port_mutex_unlock(&g_registry_lock);
}

bool httpd__workq_registry_remove(struct httpd_data *hd)
{
    bool found = false;
    httpd__port_mutex_lock(&g_registry_lock);
    for (struct httpd_data **pp = &g_live; *pp; pp = &(*pp)->next_live) {
        if (*pp == hd) {
            *pp = hd->next_live;
            found = true;
            break;
        }
    }
    httpd__port_mutex_unlock(&g_registry_lock);
    return found;
}

/* A handler counts as the server thread: with the thread coroutine switch it
 * runs on a coroutine thread of its own, acting for the server thread. */
bool httpd__workq_on_server_thread(const struct httpd_data *hd)
{
#if HTTPD_CORO
    if (httpd__coro_on_behalf(hd->coro_pool)) {
        return true;
    }
#endif
    return httpd__port_thread_is_current(hd->thread);
}

/* ---- Queue ----------------------------------------------------------------------------- */

esp_err_t httpd__workq_init(struct httpd_data *hd)
{
    if (httpd__port_wake_open(&hd->wake) != PORT_OK) {
        ESP_LOGE(TAG, "cannot create the wake-up channel: %s", httpd__port_last_error());
        return ESP_FAIL;
    }
    httpd__port_mutex_init(&hd->work_lock);
    hd->work_ready = true;
    return ESP_OK;
}

void httpd__workq_free(struct httpd_data *hd)
{
    if (hd->work_ready) {
        httpd__port_wake_close(&hd->wake);
        httpd__port_mutex_destroy(&hd->work_lock);
    }
}

esp_err_t httpd__workq_push(struct httpd_data *hd, const struct work_item *w)
{
    httpd__port_mutex_lock(&hd->work_lock);
    if (hd->work_count == CONFIG_HTTPD_WORK_QUEUE_LEN || httpd__workq_stopping(hd)) {
        httpd__port_mutex_unlock(&hd->work_lock);
        return ESP_FAIL;
    }
    hd->work[(hd->work_head + hd->work_count) % CONFIG_HTTPD_WORK_QUEUE_LEN] = *w;
    bool was_empty = hd->work_count++ == 0;
    httpd__port_mutex_unlock(&hd->work_lock);
    if (was_empty) {
        httpd__port_wake_signal(&hd->wake);
    }
    return ESP_OK;
}

bool httpd__workq_pop(struct httpd_data *hd, struct work_item *w, unsigned *left)
{
    httpd__port_mutex_lock(&hd->work_lock);
    bool any = hd->work_count > 0;
    if (any) {
        *w = hd->work[hd->work_head];
        hd->work_head = (hd->work_head + 1) % CONFIG_HTTPD_WORK_QUEUE_LEN;
        hd->work_count--;
    }
    *left = hd->work_count;
    httpd__port_mutex_unlock(&hd->work_lock);
    return any;
}

void httpd__workq_stop(struct httpd_data *hd)
{
    httpd__port_mutex_lock(&hd->work_lock);
    atomic_store_explicit(&hd->stopping, true, memory_order_relaxed);   /* the unlock publishes it */
    httpd__port_mutex_unlock(&hd->work_lock);
    httpd__port_wake_signal(&hd->wake);
}
