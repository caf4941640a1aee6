/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Registration against a concurrent httpd_stop(): worker threads register and
 * unregister URI handlers (and an error handler) on whatever server this thread
 * published last, without any synchronisation with it, while this thread starts
 * a server, lets them work on it for a moment and stops it, again and again
 * (bounded: a few seconds). The handle the workers use is often stale, or stops
 * under them. Every call must return one of its documented codes and never
 * touch the freed server (AddressSanitizer, under which ctest runs this, reports
 * any heap-use-after-free); a call on a stopped handle returns ESP_ERR_INVALID_ARG.
 *
 * The table is pre-filled and matched with the wildcard matcher, so each change
 * walks a few hundred templates: a change is long enough to overlap a stop.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "esp_http_server.h"
#include "check.h"
#include "loopback.h"

#define WORKERS      6
#define PER_WORKER   8
#define PREFILL      200
#define MAX_HANDLERS (PREFILL + WORKERS * PER_WORKER + 8)
#define RUN_MS       3000
#define MAX_CYCLES   2000

static _Atomic(httpd_handle_t) s_cur;
static atomic_bool s_stop;
static atomic_long s_ok, s_invalid, s_other, s_unexpected;

static esp_err_t handler(httpd_req_t *req)
{
    return httpd_resp_sendstr(req, "x");
}

static esp_err_t err_handler(httpd_req_t *req, httpd_err_code_t err)
{
    (void)err;
    return httpd_resp_sendstr(req, "e");
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Counts a result; anything outside what the API documents is a failure. */
static void tally(esp_err_t err)
{
    switch (err) {
    case ESP_OK:
        atomic_fetch_add(&s_ok, 1);
        break;
    case ESP_ERR_INVALID_ARG:
        atomic_fetch_add(&s_invalid, 1);
        break;
    case ESP_ERR_NOT_FOUND:
    case ESP_ERR_HTTPD_HANDLER_EXISTS:
    case ESP_ERR_HTTPD_HANDLERS_FULL:
        atomic_fetch_add(&s_other, 1);
        break;
    default:
        if (atomic_fetch_add(&s_unexpected, 1) < 5) {
            fprintf(stderr, "unexpected result %d (%s)\n", err, esp_err_to_name(err));
        }
        break;
    }
}

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    char uri[PER_WORKER][32];
    for (int i = 0; i < PER_WORKER; i++) {
        snprintf(uri[i], sizeof uri[i], "/w%d/%d", id, i);
    }
    while (!atomic_load(&s_stop)) {
        httpd_handle_t h = atomic_load(&s_cur);
        if (!h) {
            usleep(50);
            continue;
        }
        bool stale = false;
        for (int i = 0; i < PER_WORKER; i++) {
            httpd_uri_t u = { .uri = uri[i], .method = HTTP_GET, .handler = handler };
            esp_err_t err = httpd_register_uri_handler(h, &u);
            tally(err);
            stale = stale || err == ESP_ERR_INVALID_ARG;
        }
        tally(httpd_register_err_handler(h, HTTPD_404_NOT_FOUND, (id & 1) ? err_handler : NULL));
        for (int i = 0; i < PER_WORKER; i++) {
            tally((i & 1) ? httpd_unregister_uri(h, uri[i]) : httpd_unregister_uri_handler(h, uri[i], HTTP_GET));
        }
        if (stale) {
            usleep(100);   /* until the next server: leave the registry's lock to httpd_start() */
        }
    }
    return NULL;
}

int main(void)
{
    pthread_t t[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        CHECK_EQ_INT(pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i), 0);
    }
    srand(12345);
    httpd_config_t cfg = HTTPD_DEFAULT_CONFIG();
    cfg.max_uri_handlers = MAX_HANDLERS;
    cfg.uri_match_fn = httpd_uri_match_wildcard;
    int cycles = 0, start_failures = 0, stale_ok = 0;
    long deadline = now_ms() + RUN_MS;
    while (now_ms() < deadline && cycles < MAX_CYCLES) {
        httpd_handle_t h = lb_start(&cfg);
        if (!h) {
            start_failures++;
            continue;
        }
        char uri[32];
        for (int i = 0; i < PREFILL; i++) {
            snprintf(uri, sizeof uri, "/fill/%d/*", i);   /* copied at registration */
            httpd_uri_t u = { .uri = uri, .method = HTTP_POST, .handler = handler };
            httpd_register_uri_handler(h, &u);
        }
        atomic_store(&s_cur, h);   /* the workers pick it up; the old one is long gone */
        usleep((useconds_t)(rand() % 2000));
        CHECK_EQ_INT(httpd_stop(h), ESP_OK);
        cycles++;
        /* Stopped (and no other server runs): every call on it is refused. */
        httpd_uri_t u = { .uri = "/after", .method = HTTP_GET, .handler = handler };
        esp_err_t e1 = httpd_register_uri_handler(h, &u);
        esp_err_t e2 = httpd_unregister_uri_handler(h, "/after", HTTP_GET);
        esp_err_t e3 = httpd_unregister_uri(h, "/after");
        esp_err_t e4 = httpd_register_err_handler(h, HTTPD_404_NOT_FOUND, err_handler);
        if (e1 != ESP_ERR_INVALID_ARG || e2 != ESP_ERR_INVALID_ARG || e3 != ESP_ERR_INVALID_ARG ||
            e4 != ESP_ERR_INVALID_ARG) {
            if (stale_ok++ < 5) {
                fprintf(stderr, "after stop: register %d, unregister %d, unregister_uri %d, err handler %d\n",
                        e1, e2, e3, e4);
            }
        }
    }
    atomic_store(&s_stop, true);
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(t[i], NULL);
    }
    printf("cycles %d (start failures %d); worker calls: ok %ld, invalid handle %ld, other documented %ld, "
           "unexpected %ld\n", cycles, start_failures, atomic_load(&s_ok), atomic_load(&s_invalid),
           atomic_load(&s_other), atomic_load(&s_unexpected));
    CHECK(cycles >= 5);
    CHECK_EQ_INT(start_failures, 0);
    CHECK_EQ_INT(stale_ok, 0);
    CHECK_EQ_INT(atomic_load(&s_unexpected), 0);
    CHECK(atomic_load(&s_ok) > 0);        /* the workers did reach live servers */
    CHECK(atomic_load(&s_invalid) > 0);   /* ... and stopped ones */
    return check_summary();
}
