/* SPDX-License-Identifier: Apache-2.0 */
/* esp_timer on the host behaves as on the chip: esp_timer_get_time() counts
 * microseconds, a one-shot timer fires once, a periodic one fires every period
 * until stopped, callbacks run on the "esp_timer" task, restart moves the
 * alarm, and the state errors are ESP-IDF's. */
#include <stdatomic.h>
#include <stdint.h>

#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

#include "../unit/check.h"

static atomic_int fired;
static atomic_llong fired_at;
static TaskHandle_t cb_task;

static void on_timer(void *arg)
{
    atomic_store(&fired_at, esp_timer_get_time());
    cb_task = xTaskGetCurrentTaskHandle();
    atomic_fetch_add(&fired, 1);
    (void)arg;
}

static int wait_count(int want, int max_ms)
{
    for (int i = 0; i < max_ms && atomic_load(&fired) < want; i++) {
        vTaskDelay(pdMS_TO_TICKS(1));
    }
    return atomic_load(&fired);
}

static esp_timer_handle_t self_deleting;
static atomic_int self_deleted_rc = -1;

static void delete_self(void *arg)
{
    (void)arg;
    atomic_store(&self_deleted_rc, esp_timer_delete(self_deleting));
}

int main(void)
{
    /* the clock: microseconds, monotonic, matching a sleep */
    int64_t t0 = esp_timer_get_time();
    vTaskDelay(pdMS_TO_TICKS(20));
    int64_t t1 = esp_timer_get_time();
    CHECK(t0 >= 0);
    CHECK(t1 - t0 >= 19000 && t1 - t0 < 500000);

    esp_timer_create_args_t args = { .callback = on_timer, .name = "test" };
    esp_timer_handle_t timer = NULL;
    CHECK_EQ_INT(esp_timer_create(NULL, &timer), ESP_ERR_INVALID_ARG);
    esp_timer_create_args_t no_cb = { .callback = NULL };
    CHECK_EQ_INT(esp_timer_create(&no_cb, &timer), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_timer_create(&args, NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_timer_create(&args, &timer), ESP_OK);
    CHECK_EQ_INT(esp_timer_get_next_alarm(), INT64_MAX);

    /* one-shot: fires once, after its timeout */
    CHECK_EQ_INT(esp_timer_stop(timer), ESP_ERR_INVALID_STATE);
    CHECK_EQ_INT(esp_timer_restart(timer, 1000), ESP_ERR_INVALID_STATE);
    int64_t start = esp_timer_get_time();
    CHECK_EQ_INT(esp_timer_start_once(timer, 30000), ESP_OK);
    CHECK(esp_timer_is_active(timer));
    CHECK_EQ_INT(esp_timer_start_once(timer, 30000), ESP_ERR_INVALID_STATE);
    int64_t next = esp_timer_get_next_alarm();
    CHECK(next >= start + 30000 && next < start + 40000);
    uint64_t expiry = 0;
    CHECK_EQ_INT(esp_timer_get_expiry_time(timer, &expiry), ESP_OK);
    CHECK_EQ_INT((int64_t)expiry, next);
    CHECK_EQ_INT(esp_timer_delete(timer), ESP_ERR_INVALID_STATE);
    CHECK_EQ_INT(wait_count(1, 2000), 1);
    CHECK(atomic_load(&fired_at) - start >= 30000);
    CHECK(cb_task != xTaskGetCurrentTaskHandle());
    CHECK_EQ_STR(pcTaskGetName(cb_task), "esp_timer");
    vTaskDelay(pdMS_TO_TICKS(60));
    CHECK_EQ_INT(atomic_load(&fired), 1);
    CHECK(!esp_timer_is_active(timer));

    /* restart moves a one-shot alarm later */
    atomic_store(&fired, 0);
    start = esp_timer_get_time();
    CHECK_EQ_INT(esp_timer_start_once(timer, 20000), ESP_OK);
    vTaskDelay(pdMS_TO_TICKS(10));
    CHECK_EQ_INT(esp_timer_restart(timer, 50000), ESP_OK);
    CHECK_EQ_INT(wait_count(1, 2000), 1);
    CHECK(atomic_load(&fired_at) - start >= 59000);

    /* periodic: fires every period until stopped */
    atomic_store(&fired, 0);
    uint64_t period = 0;
    CHECK_EQ_INT(esp_timer_start_periodic(timer, 10000), ESP_OK);
    CHECK_EQ_INT(esp_timer_get_period(timer, &period), ESP_OK);
    CHECK_EQ_INT(period, 10000);
    CHECK_EQ_INT(esp_timer_get_expiry_time(timer, &expiry), ESP_ERR_NOT_SUPPORTED);
    vTaskDelay(pdMS_TO_TICKS(105));
    CHECK_EQ_INT(esp_timer_stop(timer), ESP_OK);
    int n = atomic_load(&fired);
    CHECK(n >= 7 && n <= 11);
    vTaskDelay(pdMS_TO_TICKS(40));
    CHECK_EQ_INT(atomic_load(&fired), n);
    CHECK_EQ_INT(esp_timer_delete(timer), ESP_OK);

    /* a timer may delete itself from its callback */
    esp_timer_create_args_t sargs = { .callback = delete_self, .name = "self" };
    CHECK_EQ_INT(esp_timer_create(&sargs, &self_deleting), ESP_OK);
    CHECK_EQ_INT(esp_timer_start_once(self_deleting, 1000), ESP_OK);
    for (int i = 0; i < 2000 && atomic_load(&self_deleted_rc) == -1; i++) {
        vTaskDelay(pdMS_TO_TICKS(1));
    }
    CHECK_EQ_INT(atomic_load(&self_deleted_rc), ESP_OK);

    CHECK_EQ_INT(esp_timer_start_once(NULL, 1), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_timer_delete(NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_timer_dump(stdout), ESP_OK);
    return check_summary();
}
