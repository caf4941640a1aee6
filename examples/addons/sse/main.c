/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server-Sent Events example (httpd_sse.h): a page with an EventSource on
 * /events, a clock thread that broadcasts the uptime every second, and
 * POST /say that broadcasts its body to every open page.
 *
 *   PORT=8080 ./example_addon_sse     then open http://localhost:8080/
 *   curl -N http://localhost:8080/events
 *   curl -d 'hello everyone' http://localhost:8080/say
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* sigwait, pthread_sigmask */
#endif
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "httpd_sse.h"

static const char *TAG = "sse_example";

static httpd_sse_route_t *s_events;
static atomic_bool s_stopping;

static const char PAGE[] =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>SSE</title></head><body>\n"
    "<p>Uptime: <b id=\"up\">?</b> s</p><ul id=\"said\"></ul>\n"
    "<script>\n"
    "const es = new EventSource('/events');\n"
    "es.addEventListener('uptime', e => document.getElementById('up').textContent = e.data);\n"
    "es.addEventListener('say', e => { const li = document.createElement('li');\n"
    "  li.textContent = e.data; document.getElementById('said').appendChild(li); });\n"
    "</script></body></html>\n";

static esp_err_t page_get(httpd_req_t *req)
{
    httpd_resp_set_type(req, "text/html; charset=utf-8");
    return httpd_resp_send(req, PAGE, sizeof PAGE - 1);
}

/* POST /say: the body (up to 256 bytes) goes to every subscriber. */
static esp_err_t say_post(httpd_req_t *req)
{
    char text[257];
    if (req->content_len >= sizeof text) {
        return httpd_resp_send_err(req, HTTPD_413_CONTENT_TOO_LARGE, "256 bytes at most");
    }
    size_t got = 0;
    while (got < req->content_len) {
        int n = httpd_req_recv(req, text + got, req->content_len - got);
        if (n <= 0) {
            return ESP_FAIL;
        }
        got += (size_t)n;
    }
    text[got] = '\0';
    size_t queued = 0;
    httpd_sse_broadcast(s_events, "say", text, NULL, &queued);   /* never waits for a client */
    char reply[32];
    snprintf(reply, sizeof reply, "sent to %zu\n", queued);
    return httpd_resp_sendstr(req, reply);
}

/* A new subscriber: greet it alone; Last-Event-ID says what it saw before. */
static esp_err_t on_subscribe(httpd_sse_route_t *route, httpd_req_t *req, int fd, const char *last_id, void *ctx)
{
    (void)req;
    (void)ctx;
    ESP_LOGI(TAG, "fd %d subscribed (Last-Event-ID %s)", fd, last_id ? last_id : "none");
    return httpd_sse_send(route, fd, "say", "welcome", NULL);
}

static void *clock_main(void *arg)
{
    (void)arg;
    for (unsigned long s = 1; !atomic_load(&s_stopping); s++) {
        sleep(1);
        char n[24];
        snprintf(n, sizeof n, "%lu", s);
        httpd_sse_broadcast(s_events, "uptime", n, n, NULL);   /* from any thread */
    }
    return NULL;
}

int main(void)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    const char *port = getenv("PORT");
    config.server_port = (uint16_t)(port ? atoi(port) : 8080);
    config.max_open_sockets = 12;   /* each subscriber keeps one */
    httpd_handle_t server = NULL;
    if (httpd_start(&server, &config) != ESP_OK) {
        return 1;
    }
    static const httpd_uri_t uris[] = {
        { .uri = "/", .method = HTTP_GET, .handler = page_get },
        { .uri = "/say", .method = HTTP_POST, .handler = say_post },
    };
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
        httpd_register_uri_handler(server, &uris[i]);
    }
    httpd_sse_config_t sse = HTTPD_SSE_DEFAULT_CONFIG();
    sse.on_subscribe = on_subscribe;
    sse.retry_ms = 2000;
    esp_err_t err = httpd_sse_register(server, "/events", &sse, &s_events);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "httpd_sse_register: %s", esp_err_to_name(err));
        httpd_stop(server);
        return 1;
    }
    pthread_t clock;
    pthread_create(&clock, NULL, clock_main, NULL);
    ESP_LOGI(TAG, "serving on port %u", (unsigned)config.server_port);

    int sig;
    sigwait(&stop, &sig);
    atomic_store(&s_stopping, true);
    pthread_join(clock, NULL);
    httpd_stop(server);          /* subscribers still attached are closed */
    httpd_sse_delete(s_events);  /* then the route goes */
    return 0;
}
