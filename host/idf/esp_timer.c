/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_timer (esp_timer.h). Timers are kept in one
 * list under one lock; one FreeRTOS task ("esp_timer") sleeps until the
 * earliest alarm on a CLOCK_MONOTONIC condition variable, then runs that
 * timer's callback without the lock held. A timer deleted while its callback
 * runs is freed once the callback returns. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esp_timer.h"
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos_priv.h"

static const char *TAG = "esp_timer";

#define ETM_MAGIC 0x65746d72U /* "etmr" */

struct esp_timer {
    uint32_t magic;
    struct esp_timer *next;
    esp_timer_cb_t callback;
    void *arg;
    const char *name;
    bool skip_unhandled_events;
    bool armed;
    bool delete_pending;    /* esp_timer_delete() while the callback ran */
    uint64_t alarm;         /* esp_timer_get_time() of the next expiry */
    uint64_t period;        /* 0: one-shot */
};

static pthread_once_t etm_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t etm_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t etm_cond;         /* the list changed */
static pthread_cond_t etm_done;         /* a callback returned */
static struct esp_timer *etm_list;
static struct esp_timer *etm_running;   /* whose callback runs now */
static TaskHandle_t etm_task;
static struct timespec etm_start;

static void etm_init_once(void)
{
    clock_gettime(CLOCK_MONOTONIC, &etm_start);
    idf_host__fr_cond_init(&etm_cond);
    idf_host__fr_cond_init(&etm_done);
}

/* The clock starts when the program does, as the chip's starts at boot. */
__attribute__((constructor)) static void etm_start_clock(void)
{
    pthread_once(&etm_once, etm_init_once);
}

int64_t esp_timer_get_time(void)
{
    pthread_once(&etm_once, etm_init_once);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - etm_start.tv_sec) * 1000000 + (now.tv_nsec - etm_start.tv_nsec) / 1000;
}

static void etm_us_to_timespec(uint64_t us, struct timespec *ts)
{
    uint64_t ns = (uint64_t)etm_start.tv_nsec + (us % 1000000u) * 1000u;
    ts->tv_sec = etm_start.tv_sec + (time_t)(us / 1000000u) + (time_t)(ns / 1000000000u);
    ts->tv_nsec = (long)(ns % 1000000000u);
}

static struct esp_timer *etm_earliest(void)
{
    struct esp_timer *best = NULL;
    for (struct esp_timer *t = etm_list; t; t = t->next) {
        if (t->armed && (!best || t->alarm < best->alarm)) {
            best = t;
        }
    }
    return best;
}

static void etm_unlink(struct esp_timer *timer)
{
    for (struct esp_timer **pp = &etm_list; *pp; pp = &(*pp)->next) {
        if (*pp == timer) {
            *pp = timer->next;
            return;
        }
    }
}

static void etm_free(struct esp_timer *timer)
{
    etm_unlink(timer);
    timer->magic = 0;
    free(timer);
}

static void etm_task_fn(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&etm_lock);
    for (;;) {
        struct esp_timer *t = etm_earliest();
        if (!t) {
            pthread_cond_wait(&etm_cond, &etm_lock);
            continue;
        }
        uint64_t now = (uint64_t)esp_timer_get_time();
        if (t->alarm > now) {
            struct timespec ts;
            etm_us_to_timespec(t->alarm, &ts);
            pthread_cond_timedwait(&etm_cond, &etm_lock, &ts);
            continue;
        }
        if (t->period) {
            t->alarm = t->skip_unhandled_events ? now + t->period : t->alarm + t->period;
        } else {
            t->armed = false;
        }
        etm_running = t;
        esp_timer_cb_t cb = t->callback;
        void *cb_arg = t->arg;
        pthread_mutex_unlock(&etm_lock);
        cb(cb_arg);
        pthread_mutex_lock(&etm_lock);
        etm_running = NULL;
        if (t->delete_pending) {
            etm_free(t);
        }
        pthread_cond_broadcast(&etm_done);
    }
}

/* Starts the timer task; with etm_lock held. */
static esp_err_t etm_start_task(void)
{
    if (etm_task) {
        return ESP_OK;
    }
    if (xTaskCreate(etm_task_fn, "esp_timer", CONFIG_ESP_TIMER_TASK_STACK_SIZE, NULL, 22, &etm_task) != pdPASS) {
        etm_task = NULL;
        ESP_LOGE(TAG, "cannot start the timer task");
        return ESP_ERR_NO_MEM;
    }
    return ESP_OK;
}

/* Ends a change made under etm_lock: wakes the timer task if it succeeded,
 * then releases the lock. */
static esp_err_t etm_end_change(esp_err_t err)
{
    if (err == ESP_OK) {
        pthread_cond_broadcast(&etm_cond);
    }
    pthread_mutex_unlock(&etm_lock);
    return err;
}

esp_err_t esp_timer_early_init(void)
{
    pthread_once(&etm_once, etm_init_once);
    return ESP_OK;
}

esp_err_t esp_timer_init(void)
{
    pthread_once(&etm_once, etm_init_once);
    pthread_mutex_lock(&etm_lock);
    esp_err_t err = etm_start_task();
    pthread_mutex_unlock(&etm_lock);
    return err;
}

esp_err_t esp_timer_deinit(void)
{
    pthread_mutex_lock(&etm_lock);
    esp_err_t err = etm_list ? ESP_ERR_INVALID_STATE : ESP_OK;
    pthread_mutex_unlock(&etm_lock);
    return err;
}

static bool etm_valid(const struct esp_timer *t)
{
    return t && t->magic == ETM_MAGIC && !t->delete_pending;
}

/* What an operation needs of a timer besides being valid. */
typedef enum { ETM_ANY, ETM_ARMED, ETM_IDLE } etm_need_t;

/* With etm_lock held: ESP_ERR_INVALID_ARG for an invalid timer,
 * ESP_ERR_INVALID_STATE for one not armed or idle as need says. */
static esp_err_t etm_check(const struct esp_timer *t, etm_need_t need)
{
    if (!etm_valid(t)) {
        return ESP_ERR_INVALID_ARG;
    }
    if ((need == ETM_ARMED && !t->armed) || (need == ETM_IDLE && t->armed)) {
        return ESP_ERR_INVALID_STATE;
    }
    return ESP_OK;
}

esp_err_t esp_timer_create(const esp_timer_create_args_t *create_args, esp_timer_handle_t *out_handle)
{
    if (!create_args || !create_args->callback || !out_handle ||
        (unsigned)create_args->dispatch_method >= (unsigned)ESP_TIMER_MAX) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_once(&etm_once, etm_init_once);
    struct esp_timer *t = calloc(1, sizeof *t);
    if (!t) {
        return ESP_ERR_NO_MEM;
    }
    t->magic = ETM_MAGIC;
    t->callback = create_args->callback;
    t->arg = create_args->arg;
    t->name = create_args->name;
    t->skip_unhandled_events = create_args->skip_unhandled_events;
    pthread_mutex_lock(&etm_lock);
    esp_err_t err = etm_start_task();
    if (err != ESP_OK) {
        pthread_mutex_unlock(&etm_lock);
        free(t);
        return err;
    }
    t->next = etm_list;
    etm_list = t;
    pthread_mutex_unlock(&etm_lock);
    *out_handle = t;
    return ESP_OK;
}

static esp_err_t etm_arm(esp_timer_handle_t timer, uint64_t alarm, uint64_t period)
{
    pthread_mutex_lock(&etm_lock);
    esp_err_t err = etm_check(timer, ETM_IDLE);
    if (err == ESP_OK) {
        timer->alarm = alarm;
        timer->period = period;
        timer->armed = true;
    }
    return etm_end_change(err);
}

static uint64_t etm_min_period(uint64_t period)
{
    return period < IDF_HOST_ESP_TIMER_MIN_PERIOD_US ? IDF_HOST_ESP_TIMER_MIN_PERIOD_US : period;
}

esp_err_t esp_timer_start_once(esp_timer_handle_t timer, uint64_t timeout_us)
{
    return etm_arm(timer, (uint64_t)esp_timer_get_time() + timeout_us, 0);
}

esp_err_t esp_timer_start_once_at(esp_timer_handle_t timer, uint64_t alarm_us)
{
    if (alarm_us + IDF_HOST_ESP_TIMER_MIN_PERIOD_US < (uint64_t)esp_timer_get_time()) {
        return ESP_ERR_INVALID_ARG;
    }
    return etm_arm(timer, alarm_us, 0);
}

esp_err_t esp_timer_start_periodic(esp_timer_handle_t timer, uint64_t period)
{
    period = etm_min_period(period);
    return etm_arm(timer, (uint64_t)esp_timer_get_time() + period, period);
}

esp_err_t esp_timer_start_periodic_at(esp_timer_handle_t timer, uint64_t period_us, uint64_t first_alarm_us)
{
    if (first_alarm_us + IDF_HOST_ESP_TIMER_MIN_PERIOD_US < (uint64_t)esp_timer_get_time()) {
        return ESP_ERR_INVALID_ARG;
    }
    return etm_arm(timer, first_alarm_us, etm_min_period(period_us));
}

esp_err_t esp_timer_restart(esp_timer_handle_t timer, uint64_t timeout_us)
{
    pthread_mutex_lock(&etm_lock);
    esp_err_t err = etm_check(timer, ETM_ARMED);
    if (err == ESP_OK) {
        uint64_t now = (uint64_t)esp_timer_get_time();
        if (timer->period) {
            /* a periodic timer keeps running with timeout_us as its new period */
            timer->period = etm_min_period(timeout_us);
            timer->alarm = now + timer->period;
        } else {
            timer->alarm = now + timeout_us;
        }
    }
    return etm_end_change(err);
}

esp_err_t esp_timer_stop(esp_timer_handle_t timer)
{
    pthread_mutex_lock(&etm_lock);
    esp_err_t err = etm_check(timer, ETM_ARMED);
    if (err == ESP_OK) {
        timer->armed = false;
    }
    return etm_end_change(err);
}

esp_err_t esp_timer_delete(esp_timer_handle_t timer)
{
    pthread_mutex_lock(&etm_lock);
    esp_err_t err = etm_check(timer, ETM_IDLE);
    if (err == ESP_OK && etm_running == timer) {
        timer->delete_pending = true; /* freed by the timer task after the callback */
    } else if (err == ESP_OK) {
        etm_free(timer);
    }
    pthread_mutex_unlock(&etm_lock);
    return err;
}

int64_t esp_timer_get_next_alarm(void)
{
    pthread_mutex_lock(&etm_lock);
    struct esp_timer *t = etm_earliest();
    int64_t next = t ? (int64_t)t->alarm : INT64_MAX;
    pthread_mutex_unlock(&etm_lock);
    return next;
}

int64_t esp_timer_get_next_alarm_for_wake_up(void)
{
    return esp_timer_get_next_alarm();
}

esp_err_t esp_timer_get_period(esp_timer_handle_t timer, uint64_t *period)
{
    if (!period) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&etm_lock);
    esp_err_t err = etm_check(timer, ETM_ANY);
    if (err == ESP_OK) {
        *period = timer->period;
    }
    pthread_mutex_unlock(&etm_lock);
    return err;
}

esp_err_t esp_timer_get_expiry_time(esp_timer_handle_t timer, uint64_t *expiry)
{
    if (!expiry) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&etm_lock);
    esp_err_t err = etm_check(timer, ETM_ANY);
    if (err == ESP_OK && timer->period) {
        err = ESP_ERR_NOT_SUPPORTED;    /* a periodic timer has no one expiry */
    } else if (err == ESP_OK) {
        err = etm_check(timer, ETM_ARMED);
    }
    if (err == ESP_OK) {
        *expiry = timer->alarm;
    }
    pthread_mutex_unlock(&etm_lock);
    return err;
}

bool esp_timer_is_active(esp_timer_handle_t timer)
{
    pthread_mutex_lock(&etm_lock);
    bool active = etm_valid(timer) && timer->armed;
    pthread_mutex_unlock(&etm_lock);
    return active;
}

esp_err_t esp_timer_dump(FILE *stream)
{
    if (!stream) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&etm_lock);
    fprintf(stream, "Timer stats:\nName                  Period      Alarm\n");
    for (struct esp_timer *t = etm_list; t; t = t->next) {
        fprintf(stream, "%-20s  %-10llu  %-12lld\n", t->name ? t->name : "NULL",
                (unsigned long long)t->period, t->armed ? (long long)t->alarm : 0LL);
    }
    pthread_mutex_unlock(&etm_lock);
    return ESP_OK;
}
