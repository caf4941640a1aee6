/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WebSocket broadcast, groups and client enumeration (httpd_ws_broadcast.h),
 * on the public API only.
 *
 * A broadcast is one allocation (job + payload copy) and one item of the
 * server's work queue: httpd_ws_send_data_async() with an empty frame for a
 * socket no session has, whose callback the server always runs (on the server
 * thread, or in httpd_stop() when it stopped first, see docs/compat.md). The
 * callback does the real work on the server thread: it lists the targets, then
 * sends to each with httpd_ws_send_data(), which there queues the frame on the
 * session without waiting. So the job is freed in every case, the caller never
 * waits, and membership is checked where sessions close: on the server thread.
 *
 * Membership ends with the session: joining installs a small tag as session
 * context whose free function (run on the server thread at close) removes the
 * session from every group, so a reused fd number is never taken for a member.
 */
#include "httpd_ws_broadcast.h"

#if CONFIG_HTTPD_WS_SUPPORT

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"

static const char *TAG = "httpd_ws_bcast";

#define CARRIER_FD INT_MAX          /* no session has it: the send fails, its callback runs */
#define LIST_MAX   4096u            /* the most sessions httpd_ws_client_list() asks about */

struct tag {                        /* a joined session's context */
    int fd;
};

struct member {
    int fd;
    struct tag *tag;                /* NULL: the application's own context, it calls leave */
};

struct httpd_ws_group {
    httpd_handle_t server;
    struct httpd_ws_group *next;    /* g_groups */
    unsigned refs;                  /* the owner (until delete) and each broadcast under way */
    size_t n, max;
    struct member m[];
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;   /* every group and its members */
static struct httpd_ws_group *g_groups;

/* ---- Groups --------------------------------------------------------------------------- */

static void member_remove(struct httpd_ws_group *g, size_t i)
{
    g->m[i] = g->m[--g->n];
}

/* The session of a tag closes (server thread): it leaves every group. */
static void tag_free(void *ctx)
{
    pthread_mutex_lock(&g_lock);
    for (struct httpd_ws_group *g = g_groups; g; g = g->next) {
        for (size_t i = 0; i < g->n;) {
            if (g->m[i].tag == ctx) {
                member_remove(g, i);
            } else {
                i++;
            }
        }
    }
    pthread_mutex_unlock(&g_lock);
    free(ctx);
}

static void group_unref(struct httpd_ws_group *g)   /* g_lock held */
{
    if (--g->refs == 0) {
        for (struct httpd_ws_group **pp = &g_groups; *pp; pp = &(*pp)->next) {
            if (*pp == g) {
                *pp = g->next;
                break;
            }
        }
        free(g);
    }
}

esp_err_t httpd_ws_group_create(httpd_handle_t server, size_t max_members, httpd_ws_group_t **out)
{
    if (!server || !out) {
        return ESP_ERR_INVALID_ARG;
    }
    if (max_members == 0) {
        max_members = 16;
    }
    if (max_members > (SIZE_MAX - sizeof(struct httpd_ws_group)) / sizeof(struct member)) {
        return ESP_ERR_INVALID_ARG;
    }
    struct httpd_ws_group *g = calloc(1, sizeof *g + max_members * sizeof(struct member));
    if (!g) {
        return ESP_ERR_NO_MEM;
    }
    g->server = server;
    g->max = max_members;
    g->refs = 1;
    pthread_mutex_lock(&g_lock);
    g->next = g_groups;
    g_groups = g;
    pthread_mutex_unlock(&g_lock);
    *out = g;
    return ESP_OK;
}

esp_err_t httpd_ws_group_delete(httpd_ws_group_t *g)
{
    if (!g) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&g_lock);
    g->n = 0;   /* broadcasts under way find nobody */
    group_unref(g);
    pthread_mutex_unlock(&g_lock);
    return ESP_OK;
}

esp_err_t httpd_ws_group_join(httpd_ws_group_t *g, httpd_req_t *req)
{
    int fd = req ? httpd_req_to_sockfd(req) : -1;
    if (!g || fd < 0 || req->handle != g->server) {
        return ESP_ERR_INVALID_ARG;
    }
    struct tag *t = NULL;
    if (req->sess_ctx && req->free_ctx == tag_free) {
        t = req->sess_ctx;   /* joined a group before */
    } else if (!req->sess_ctx) {
        if (!(t = malloc(sizeof *t))) {
            return ESP_ERR_NO_MEM;
        }
        t->fd = fd;
        req->sess_ctx = t;   /* the session keeps it when the handler returns */
        req->free_ctx = tag_free;
    }
    esp_err_t err = ESP_OK;
    pthread_mutex_lock(&g_lock);
    size_t i = 0;
    while (i < g->n && g->m[i].fd != fd) {
        i++;
    }
    if (i < g->n) {
        g->m[i].tag = t;
    } else if (g->n == g->max) {
        err = ESP_ERR_NO_MEM;
    } else {
        g->m[g->n++] = (struct member){ .fd = fd, .tag = t };
    }
    pthread_mutex_unlock(&g_lock);
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "fd %d: group full (%zu)", fd, g->max);
    }
    return err;
}

esp_err_t httpd_ws_group_leave(httpd_ws_group_t *g, int fd)
{
    if (!g || fd < 0) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_ERR_NOT_FOUND;
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < g->n; i++) {
        if (g->m[i].fd == fd) {
            member_remove(g, i);
            err = ESP_OK;
            break;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return err;
}

size_t httpd_ws_group_count(httpd_ws_group_t *g)
{
    if (!g) {
        return 0;
    }
    pthread_mutex_lock(&g_lock);
    size_t n = g->n;
    pthread_mutex_unlock(&g_lock);
    return n;
}

/* ---- Client list ------------------------------------------------------------------------ */

/* Every session's socket into a malloc'd array (*n entries); NULL: no memory. */
static int *all_sessions(httpd_handle_t server, size_t *n)
{
    for (size_t cap = 16; cap <= LIST_MAX; cap *= 2) {
        int *fds = malloc(cap * sizeof *fds);
        if (!fds) {
            return NULL;
        }
        size_t got = cap;
        if (httpd_get_client_list(server, &got, fds) == ESP_OK) {
            *n = got;
            return fds;
        }
        free(fds);   /* more sessions than cap (or the server is gone: fails again, bounded) */
    }
    *n = 0;
    return NULL;
}

esp_err_t httpd_ws_client_list(httpd_handle_t server, int *fds, size_t *count)
{
    if (!server || !fds || !count || *count == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    size_t n = 0, out = 0;
    int *all = all_sessions(server, &n);
    if (!all) {
        *count = 0;
        return ESP_ERR_NO_MEM;
    }
    esp_err_t err = ESP_OK;
    for (size_t i = 0; i < n; i++) {
        if (httpd_ws_get_fd_info(server, all[i]) == HTTPD_WS_CLIENT_WEBSOCKET) {
            if (out == *count) {
                err = ESP_ERR_INVALID_SIZE;
                break;
            }
            fds[out++] = all[i];
        }
    }
    free(all);
    *count = out;
    return err;
}

/* ---- Broadcast --------------------------------------------------------------------------- */

struct job {
    httpd_handle_t server;
    struct httpd_ws_group *group;
    httpd_ws_broadcast_done_t done;
    void *arg;
    httpd_ws_type_t type;
    size_t len;
    uint8_t data[];
};

/* The targets now: the group's members, or every session (filtered when sent). */
static int *targets(struct job *j, size_t *n)
{
    if (!j->group) {
        return all_sessions(j->server, n);
    }
    pthread_mutex_lock(&g_lock);
    size_t cnt = j->group->n;
    int *fds = malloc((cnt ? cnt : 1) * sizeof *fds);
    for (size_t i = 0; fds && i < cnt; i++) {
        fds[i] = j->group->m[i].fd;
    }
    pthread_mutex_unlock(&g_lock);
    *n = fds ? cnt : 0;
    return fds;
}

/* The carrier send's callback: on the server thread, where sessions open and
 * close, so the targets cannot change while they are served. */
static void job_run(esp_err_t carrier_err, int carrier_fd, void *arg)
{
    (void)carrier_err;
    (void)carrier_fd;
    struct job *j = arg;
    size_t sent = 0, failed = 0, n = 0;
    int *fds = httpd_get_server_state(j->server) == HTTP_SERVER_EVENT_START ? targets(j, &n) : NULL;
    httpd_ws_frame_t f = { .final = true, .type = j->type, .payload = j->data, .len = j->len };
    for (size_t i = 0; i < n; i++) {
        if (httpd_ws_get_fd_info(j->server, fds[i]) != HTTPD_WS_CLIENT_WEBSOCKET) {
            continue;   /* closing, or an HTTP session (the list of all sessions) */
        }
        esp_err_t err = httpd_ws_send_data(j->server, fds[i], &f);   /* server thread: queued, no wait */
        if (err == ESP_OK) {
            sent++;
        } else {
            failed++;
            ESP_LOGD(TAG, "fd %d: %s", fds[i], esp_err_to_name(err));
            if (err == ESP_ERR_NO_MEM) {
                httpd_sess_trigger_close(j->server, fds[i]);   /* its queue is full: it cannot keep up */
            }
        }
    }
    free(fds);
    if (j->done) {
        j->done(sent, failed, j->arg);
    }
    if (j->group) {
        pthread_mutex_lock(&g_lock);
        group_unref(j->group);
        pthread_mutex_unlock(&g_lock);
    }
    free(j);
}

esp_err_t httpd_ws_broadcast_ex(httpd_handle_t server, httpd_ws_group_t *group, httpd_ws_type_t type,
                                const void *data, size_t len, httpd_ws_broadcast_done_t done, void *arg)
{
    bool type_ok = type == HTTPD_WS_TYPE_TEXT || type == HTTPD_WS_TYPE_BINARY ||
                   (type == HTTPD_WS_TYPE_PING && len <= 125);
    if (!server || !type_ok || (!data && len) || (group && group->server != server) ||
        len > SIZE_MAX - sizeof(struct job)) {
        return ESP_ERR_INVALID_ARG;
    }
    struct job *j = malloc(sizeof *j + len);
    if (!j) {
        return ESP_ERR_NO_MEM;
    }
    *j = (struct job){ .server = server, .group = group, .done = done, .arg = arg, .type = type, .len = len };
    if (len) {
        memcpy(j->data, data, len);
    }
    if (group) {
        pthread_mutex_lock(&g_lock);
        group->refs++;
        pthread_mutex_unlock(&g_lock);
    }
    httpd_ws_frame_t carrier = { .final = true, .type = HTTPD_WS_TYPE_PONG, .payload = NULL, .len = 0 };
    esp_err_t err = httpd_ws_send_data_async(server, CARRIER_FD, &carrier, job_run, j);
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "broadcast not queued: %s", esp_err_to_name(err));
        if (group) {
            pthread_mutex_lock(&g_lock);
            group_unref(group);
            pthread_mutex_unlock(&g_lock);
        }
        free(j);
    }
    return err;
}

esp_err_t httpd_ws_broadcast(httpd_handle_t server, httpd_ws_group_t *group, httpd_ws_type_t type,
                             const void *data, size_t len)
{
    return httpd_ws_broadcast_ex(server, group, type, data, len, NULL, NULL);
}

#endif /* CONFIG_HTTPD_WS_SUPPORT */
