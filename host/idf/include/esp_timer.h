/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_timer.h, high-resolution software timers.
 * esp_timer_get_time() is microseconds of CLOCK_MONOTONIC since the library's
 * first use. Callbacks run one at a time on one FreeRTOS task ("esp_timer"),
 * started by the first esp_timer_create() (or esp_timer_init()), as with
 * ESP_TIMER_TASK dispatch on the chip; a periodic timer that falls behind
 * runs its callback once per missed period unless skip_unhandled_events is
 * set. The shortest period is IDF_HOST_ESP_TIMER_MIN_PERIOD_US (50 us, as on
 * the chip).
 * Differs from the chip: there is no ISR dispatch (ESP_TIMER_ISR is not
 * defined), timing follows the host's scheduler (expect tens of
 * microseconds of lateness or more), esp_timer_dump() prints no profiling
 * figures. */
#ifndef ESP_TIMER_H_IDF_HOST
#define ESP_TIMER_H_IDF_HOST

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <esp_err.h>
#include <sdkconfig.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IDF_HOST_ESP_TIMER_MIN_PERIOD_US  50

typedef struct esp_timer *esp_timer_handle_t;
typedef void (*esp_timer_cb_t)(void *arg);

typedef enum {
    ESP_TIMER_TASK,
    ESP_TIMER_MAX,
} esp_timer_dispatch_t;

typedef struct {
    esp_timer_cb_t callback;
    void *arg;
    esp_timer_dispatch_t dispatch_method;
    const char *name;
    bool skip_unhandled_events;
} esp_timer_create_args_t;

esp_err_t esp_timer_early_init(void);
esp_err_t esp_timer_init(void);
esp_err_t esp_timer_deinit(void);
esp_err_t esp_timer_create(const esp_timer_create_args_t *create_args, esp_timer_handle_t *out_handle);
esp_err_t esp_timer_start_once(esp_timer_handle_t timer, uint64_t timeout_us);
esp_err_t esp_timer_start_once_at(esp_timer_handle_t timer, uint64_t alarm_us);
esp_err_t esp_timer_start_periodic(esp_timer_handle_t timer, uint64_t period);
esp_err_t esp_timer_start_periodic_at(esp_timer_handle_t timer, uint64_t period_us, uint64_t first_alarm_us);
esp_err_t esp_timer_restart(esp_timer_handle_t timer, uint64_t timeout_us);
esp_err_t esp_timer_stop(esp_timer_handle_t timer);
esp_err_t esp_timer_delete(esp_timer_handle_t timer);
int64_t esp_timer_get_time(void);
int64_t esp_timer_get_next_alarm(void);
int64_t esp_timer_get_next_alarm_for_wake_up(void);
esp_err_t esp_timer_get_period(esp_timer_handle_t timer, uint64_t *period);
esp_err_t esp_timer_get_expiry_time(esp_timer_handle_t timer, uint64_t *expiry);
esp_err_t esp_timer_dump(FILE *stream);
bool esp_timer_is_active(esp_timer_handle_t timer);

#ifdef __cplusplus
}
#endif

#endif /* ESP_TIMER_H_IDF_HOST */
