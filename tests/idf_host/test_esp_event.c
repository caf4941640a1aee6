/* SPDX-License-Identifier: Apache-2.0 */
/* esp_event on the host behaves as on the chip: a posted event reaches the
 * handlers registered for its base and id, for its base and any id, and for
 * any base, in ESP-IDF's order (any base, then base, then base and id; each
 * group in registration order), on the loop's task, with a copy of the data;
 * instances, unregistering (also from a handler), a full queue, loops without
 * a task (esp_event_loop_run), and argument errors. */
#include <stdatomic.h>
#include <string.h>

#include "esp_event.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"

#include "../unit/check.h"

ESP_EVENT_DECLARE_BASE(TEST_EVENT_A);
ESP_EVENT_DEFINE_BASE(TEST_EVENT_A);
ESP_EVENT_DEFINE_BASE(TEST_EVENT_B);

#define LOG_MAX 32

static char order_log[LOG_MAX];
static atomic_int order_len;
static TaskHandle_t handler_task[LOG_MAX];
static int data_seen[LOG_MAX];
static const void *data_ptr[LOG_MAX];
static SemaphoreHandle_t done;

static void record(char tag, void *event_data)
{
    int i = atomic_fetch_add(&order_len, 1);
    if (i < LOG_MAX - 1) {
        order_log[i] = tag;
        handler_task[i] = xTaskGetCurrentTaskHandle();
        data_seen[i] = event_data ? *(int *)event_data : -1;
        data_ptr[i] = event_data;
    }
}

static void handler(void *arg, esp_event_base_t base, int32_t id, void *event_data)
{
    (void)base;
    (void)id;
    record(*(const char *)arg, event_data);
}

static void finish_handler(void *arg, esp_event_base_t base, int32_t id, void *event_data)
{
    (void)arg;
    (void)base;
    (void)id;
    (void)event_data;
    xSemaphoreGive(done);
}

static void reset_log(void)
{
    memset(order_log, 0, sizeof order_log);
    atomic_store(&order_len, 0);
}

enum { ID_ONE = 1, ID_TWO = 2, ID_DONE = 99 };

static void test_default_loop_order(void)
{
    CHECK_EQ_INT(esp_event_post(TEST_EVENT_A, ID_ONE, NULL, 0, 0), ESP_ERR_INVALID_STATE);
    CHECK_EQ_INT(esp_event_handler_register(TEST_EVENT_A, ID_ONE, handler, "x"), ESP_ERR_INVALID_STATE);
    CHECK_EQ_INT(esp_event_loop_create_default(), ESP_OK);
    CHECK_EQ_INT(esp_event_loop_create_default(), ESP_ERR_INVALID_STATE);

    /* registered out of group order on purpose */
    static const char c1 = '1', c2 = '2', cb = 'b', ca = 'a', cB = 'B';
    CHECK_EQ_INT(esp_event_handler_register(TEST_EVENT_A, ID_ONE, handler, (void *)&c1), ESP_OK);
    CHECK_EQ_INT(esp_event_handler_register(TEST_EVENT_A, ESP_EVENT_ANY_ID, handler, (void *)&cb), ESP_OK);
    CHECK_EQ_INT(esp_event_handler_register(ESP_EVENT_ANY_BASE, ESP_EVENT_ANY_ID, handler, (void *)&ca), ESP_OK);
    esp_event_handler_instance_t inst = NULL;
    CHECK_EQ_INT(esp_event_handler_instance_register(TEST_EVENT_A, ID_ONE, handler, (void *)&c2, &inst), ESP_OK);
    CHECK(inst != NULL);
    CHECK_EQ_INT(esp_event_handler_register(TEST_EVENT_B, ESP_EVENT_ANY_ID, handler, (void *)&cB), ESP_OK);
    CHECK_EQ_INT(esp_event_handler_register(TEST_EVENT_A, ID_DONE, finish_handler, NULL), ESP_OK);

    reset_log();
    int value = 42;
    CHECK_EQ_INT(esp_event_post(TEST_EVENT_A, ID_ONE, &value, sizeof value, portMAX_DELAY), ESP_OK);
    value = 7; /* the loop has its own copy */
    CHECK_EQ_INT(esp_event_post(TEST_EVENT_A, ID_TWO, NULL, 0, portMAX_DELAY), ESP_OK);
    CHECK_EQ_INT(esp_event_post(TEST_EVENT_A, ID_DONE, NULL, 0, portMAX_DELAY), ESP_OK);
    CHECK(xSemaphoreTake(done, pdMS_TO_TICKS(2000)) == pdTRUE);
    /* ID_ONE: any base, base/any id, then the two id handlers in registration
     * order; ID_TWO: any base, base/any id; ID_DONE: any base, base/any id */
    CHECK_EQ_STR(order_log, "ab12abab");
    CHECK_EQ_INT(data_seen[0], 42);
    CHECK_EQ_INT(data_seen[3], 42);
    CHECK(data_ptr[0] != (const void *)&value);
    CHECK(data_ptr[4] == NULL);
    TaskHandle_t me = xTaskGetCurrentTaskHandle();
    CHECK(handler_task[0] != me && handler_task[0] == handler_task[3]);
    CHECK_EQ_STR(pcTaskGetName(handler_task[0]), "sys_evt");

    /* unregistering: the function form and the instance form */
    CHECK_EQ_INT(esp_event_handler_unregister(TEST_EVENT_A, ID_ONE, handler), ESP_OK);
    CHECK_EQ_INT(esp_event_handler_unregister(TEST_EVENT_A, ID_ONE, handler), ESP_ERR_NOT_FOUND);
    CHECK_EQ_INT(esp_event_handler_instance_unregister(TEST_EVENT_A, ID_ONE, inst), ESP_OK);
    CHECK_EQ_INT(esp_event_handler_unregister(ESP_EVENT_ANY_BASE, ESP_EVENT_ANY_ID, handler), ESP_OK);
    reset_log();
    CHECK_EQ_INT(esp_event_post(TEST_EVENT_A, ID_ONE, NULL, 0, portMAX_DELAY), ESP_OK);
    CHECK_EQ_INT(esp_event_post(TEST_EVENT_B, ID_ONE, NULL, 0, portMAX_DELAY), ESP_OK);
    CHECK_EQ_INT(esp_event_post(TEST_EVENT_A, ID_DONE, NULL, 0, portMAX_DELAY), ESP_OK);
    CHECK(xSemaphoreTake(done, pdMS_TO_TICKS(2000)) == pdTRUE);
    CHECK_EQ_STR(order_log, "bBb");

    /* argument errors, as on the chip */
    CHECK_EQ_INT(esp_event_post(ESP_EVENT_ANY_BASE, ID_ONE, NULL, 0, 0), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_event_post(TEST_EVENT_A, ESP_EVENT_ANY_ID, NULL, 0, 0), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_event_handler_register(ESP_EVENT_ANY_BASE, ID_ONE, handler, NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_event_handler_register(TEST_EVENT_A, ID_ONE, NULL, NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_event_handler_instance_register(TEST_EVENT_A, ID_ONE, handler, NULL, NULL), ESP_ERR_INVALID_ARG);

    CHECK_EQ_INT(esp_event_loop_delete_default(), ESP_OK);
    CHECK_EQ_INT(esp_event_loop_delete_default(), ESP_ERR_INVALID_STATE);
    CHECK_EQ_INT(esp_event_post(TEST_EVENT_A, ID_ONE, NULL, 0, 0), ESP_ERR_INVALID_STATE);
}

/* ---- a loop without a task, a full queue, unregistering from a handler ------------- */
static esp_event_loop_handle_t run_loop;
static atomic_int self_removing_calls;

static void self_removing(void *arg, esp_event_base_t base, int32_t id, void *event_data)
{
    (void)arg;
    (void)event_data;
    atomic_fetch_add(&self_removing_calls, 1);
    esp_event_handler_unregister_with(run_loop, base, id, self_removing);
}

static void test_user_loop(void)
{
    esp_event_loop_args_t args = { .queue_size = 2, .task_name = NULL };
    CHECK_EQ_INT(esp_event_loop_create(&args, NULL), ESP_ERR_INVALID_ARG);
    esp_event_loop_args_t bad = { .queue_size = 0 };
    CHECK_EQ_INT(esp_event_loop_create(&bad, &run_loop), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_event_loop_create(&args, &run_loop), ESP_OK);

    static const char cu = 'u';
    CHECK_EQ_INT(esp_event_handler_register_with(run_loop, TEST_EVENT_B, ID_ONE, handler, (void *)&cu), ESP_OK);
    CHECK_EQ_INT(esp_event_handler_register_with(run_loop, TEST_EVENT_B, ID_ONE, self_removing, NULL), ESP_OK);
    reset_log();
    int v = 5;
    CHECK_EQ_INT(esp_event_post_to(run_loop, TEST_EVENT_B, ID_ONE, &v, sizeof v, 0), ESP_OK);
    CHECK_EQ_INT(esp_event_post_to(run_loop, TEST_EVENT_B, ID_ONE, &v, sizeof v, 0), ESP_OK);
    /* the queue holds two: a third waits its ticks and times out */
    TickType_t t0 = xTaskGetTickCount();
    CHECK_EQ_INT(esp_event_post_to(run_loop, TEST_EVENT_B, ID_ONE, &v, sizeof v, pdMS_TO_TICKS(50)),
                 ESP_ERR_TIMEOUT);
    CHECK(xTaskGetTickCount() - t0 >= pdMS_TO_TICKS(45));
    CHECK_EQ_INT(atomic_load(&order_len), 0); /* nothing runs before esp_event_loop_run() */

    CHECK_EQ_INT(esp_event_loop_run(run_loop, pdMS_TO_TICKS(20)), ESP_OK);
    CHECK_EQ_STR(order_log, "uu");
    CHECK_EQ_INT(data_seen[0], 5);
    CHECK(handler_task[0] == xTaskGetCurrentTaskHandle());
    CHECK_EQ_INT(atomic_load(&self_removing_calls), 1);

    /* a loop with pending events and handlers is deleted without leaks */
    CHECK_EQ_INT(esp_event_post_to(run_loop, TEST_EVENT_B, ID_ONE, &v, sizeof v, 0), ESP_OK);
    CHECK_EQ_INT(esp_event_loop_delete(run_loop), ESP_OK);
    CHECK_EQ_INT(esp_event_loop_delete(NULL), ESP_ERR_INVALID_ARG);
}

int main(void)
{
    done = xSemaphoreCreateBinary();
    test_default_loop_order();
    test_user_loop();
    vSemaphoreDelete(done);
    return check_summary();
}
