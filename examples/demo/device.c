/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated device (device.h). The sensor model is a bounded random walk:
 * each step moves a value by a small random amount and pulls it gently back
 * toward a typical value, so it drifts like a real room without running away.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "device.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "esp_log.h"
#include "ticker.h"

static const char *TAG = "device";

/* Everything below is guarded by s_lock, except s_ticker (owned by start/stop). */
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static device_settings_t s_settings = { .name = "demo-device", .interval_ms = 1000, .unit = 'C' };
static double s_temp_c = 21.4, s_humidity = 45.0, s_light = 312.0;
static bool s_led, s_relay;
static uint32_t s_rng = 0x2545f491u;          /* xorshift32 state, never 0 */
static struct timespec s_boot;
static device_listener_t s_listener;
static void *s_listener_arg;
static bool s_running;
static ticker_t s_ticker;

static uint64_t uptime_locked(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)(now.tv_sec - s_boot.tv_sec) * 1000u + (uint64_t)((now.tv_nsec - s_boot.tv_nsec) / 1000000L);
}

/* A uniform value in [-1, 1] (xorshift32: plenty for a simulation). */
static double jitter(void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 17;
    s_rng ^= s_rng << 5;
    return (double)s_rng / (double)UINT32_MAX * 2.0 - 1.0;
}

/* One step of a walk around typical, within [lo, hi]. */
static double walk(double v, double step, double typical, double lo, double hi)
{
    v += step * jitter() + (typical - v) * 0.02;
    return v < lo ? lo : v > hi ? hi : v;
}

/* Rounded as a sensor would report it: one decimal. */
static double tenths(double v)
{
    long n = (long)(v * 10.0 + (v < 0 ? -0.5 : 0.5));
    return (double)n / 10.0;
}

static void read_locked(device_sample_t *out)
{
    out->t_ms = uptime_locked();
    double t = s_settings.unit == 'F' ? s_temp_c * 9.0 / 5.0 + 32.0 : s_temp_c;
    out->temperature = tenths(t);
    out->humidity = tenths(s_humidity);
    out->light = (int)(s_light + 0.5);
    out->led = s_led;
    out->relay = s_relay;
}

/* The ticker's callback: a new reading, told to the listener. */
static uint32_t sample_tick(void *arg)
{
    (void)arg;
    device_sample_t sample;
    pthread_mutex_lock(&s_lock);
    s_temp_c = walk(s_temp_c, 0.15, 21.5, 15.0, 30.0);
    s_humidity = walk(s_humidity, 0.4, 45.0, 20.0, 80.0);
    s_light = walk(s_light, 12.0, 320.0, 0.0, 1000.0);
    read_locked(&sample);
    device_listener_t listener = s_listener;
    void *arg_l = s_listener_arg;
    uint32_t next = s_settings.interval_ms;
    pthread_mutex_unlock(&s_lock);
    /* Unlocked: the listener may take its time without holding up the API. */
    if (listener) {
        listener("sample", &sample, arg_l);
    }
    return next;
}

esp_err_t device_start(device_listener_t listener, void *arg)
{
    pthread_mutex_lock(&s_lock);
    if (s_running) {
        pthread_mutex_unlock(&s_lock);
        return ESP_ERR_INVALID_STATE;
    }
    clock_gettime(CLOCK_MONOTONIC, &s_boot);
    s_rng ^= (uint32_t)s_boot.tv_nsec | 1u;   /* another walk on each run */
    s_listener = listener;
    s_listener_arg = arg;
    uint32_t first = s_settings.interval_ms;
    s_running = true;
    pthread_mutex_unlock(&s_lock);

    if (ticker_start(&s_ticker, sample_tick, NULL, first) != 0) {
        ESP_LOGE(TAG, "cannot start the sampling thread");
        pthread_mutex_lock(&s_lock);
        s_running = false;
        s_listener = NULL;
        pthread_mutex_unlock(&s_lock);
        return ESP_FAIL;
    }
    return ESP_OK;
}

void device_stop(void)
{
    pthread_mutex_lock(&s_lock);
    bool running = s_running;
    s_running = false;
    s_listener = NULL;     /* a change made from now on is told to nobody */
    pthread_mutex_unlock(&s_lock);
    if (running) {
        ticker_stop(&s_ticker);   /* waits for a sample_tick() in progress */
    }
}

uint64_t device_uptime_ms(void)
{
    pthread_mutex_lock(&s_lock);
    uint64_t ms = uptime_locked();
    pthread_mutex_unlock(&s_lock);
    return ms;
}

void device_read(device_sample_t *out)
{
    pthread_mutex_lock(&s_lock);
    read_locked(out);
    pthread_mutex_unlock(&s_lock);
}

void device_get_settings(device_settings_t *out)
{
    pthread_mutex_lock(&s_lock);
    *out = s_settings;
    pthread_mutex_unlock(&s_lock);
}

bool device_name_valid(const char *name)
{
    size_t n = 0;
    for (; name[n] != '\0'; n++) {
        if (name[n] < 0x20 || name[n] > 0x7e || n == DEVICE_NAME_MAX) {
            return false;
        }
    }
    return n > 0;
}

esp_err_t device_set_settings(const device_settings_t *in)
{
    if (in == NULL || !device_name_valid(in->name) || in->interval_ms < DEVICE_INTERVAL_MIN ||
        in->interval_ms > DEVICE_INTERVAL_MAX || (in->unit != 'C' && in->unit != 'F')) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&s_lock);
    bool new_interval = in->interval_ms != s_settings.interval_ms;
    s_settings = *in;
    bool running = s_running;
    pthread_mutex_unlock(&s_lock);
    ESP_LOGI(TAG, "settings: name \"%s\", interval %u ms, unit %c", in->name, (unsigned)in->interval_ms, in->unit);
    if (new_interval && running) {
        ticker_kick(&s_ticker);   /* a sample now, the next one after the new interval */
    }
    return ESP_OK;
}

/* Sets *output to on; tells the listener when that changed something. */
static void set_output(bool *output, bool on)
{
    device_sample_t sample;
    pthread_mutex_lock(&s_lock);
    bool changed = *output != on;
    *output = on;
    read_locked(&sample);
    device_listener_t listener = s_listener;
    void *arg = s_listener_arg;
    pthread_mutex_unlock(&s_lock);
    if (changed && listener) {
        listener("state", &sample, arg);
    }
}

void device_set_led(bool on)
{
    set_output(&s_led, on);
}

void device_set_relay(bool on)
{
    set_output(&s_relay, on);
}
