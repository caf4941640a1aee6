/* SPDX-License-Identifier: Apache-2.0 */
/* FreeRTOS on POSIX threads (host/idf/) behaves as on the chip: tasks run,
 * delay and delete themselves; queues block, time out and keep their order;
 * semaphores and mutexes wake and exclude; event groups wait for all or any
 * bits; timers fire once or repeatedly. Also: esp_http_server.h included after
 * the FreeRTOS headers (httpd_first.c has the other order). Bounded to a few
 * seconds; timing checks allow generous slack above, none below. */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "freertos/event_groups.h"
#include "freertos/timers.h"
#include "esp_http_server.h"

#include "../unit/check.h"

int httpd_first_check(void);

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits (polling, bounded) until *v reaches want; for counters tasks move. */
static int wait_for(atomic_int *v, int want, int max_ms)
{
    for (int i = 0; i < max_ms && atomic_load(v) < want; i++) {
        vTaskDelay(pdMS_TO_TICKS(1));
    }
    return atomic_load(v) >= want;
}

/* ---- tasks ------------------------------------------------------------------------ */
static atomic_int self_ran, self_after_delete;
static char self_name[configMAX_TASK_NAME_LEN];

static void self_deleting_task(void *arg)
{
    SemaphoreHandle_t done = arg;
    strncpy(self_name, pcTaskGetName(NULL), sizeof self_name - 1);
    atomic_store(&self_ran, 1);
    xSemaphoreGive(done);
    vTaskDelete(NULL);
    atomic_store(&self_after_delete, 1);
}

static atomic_int looper_started;

static void looping_task(void *arg)
{
    (void)arg;
    atomic_store(&looper_started, 1);
    for (;;) {
        vTaskDelay(portMAX_DELAY);
    }
}

static void test_tasks(void)
{
    SemaphoreHandle_t done = xSemaphoreCreateBinary();
    TaskHandle_t h = NULL;
    CHECK_EQ_INT(xTaskCreate(self_deleting_task, "selfdel", 2048, done, 5, &h), pdPASS);
    CHECK(h != NULL);
    CHECK_EQ_INT(xSemaphoreTake(done, pdMS_TO_TICKS(2000)), pdTRUE);
    vTaskDelay(pdMS_TO_TICKS(20));
    CHECK_EQ_INT(atomic_load(&self_ran), 1);
    CHECK_EQ_INT(atomic_load(&self_after_delete), 0);
    CHECK_EQ_STR(self_name, "selfdel");
    vSemaphoreDelete(done);

    /* another task deleted while it sleeps in vTaskDelay(portMAX_DELAY) ends */
    UBaseType_t before = uxTaskGetNumberOfTasks();
    CHECK_EQ_INT(xTaskCreatePinnedToCore(looping_task, "looper", 2048, NULL, 3, &h, 1), pdPASS);
    CHECK(wait_for(&looper_started, 1, 2000));
    CHECK_EQ_INT(uxTaskGetNumberOfTasks(), before + 1);
    vTaskDelete(h);
    for (int i = 0; i < 2000 && uxTaskGetNumberOfTasks() != before; i++) {
        vTaskDelay(1);
    }
    CHECK_EQ_INT(uxTaskGetNumberOfTasks(), before);

    CHECK_EQ_INT(xTaskCreate(NULL, "null", 2048, NULL, 1, NULL), pdFAIL);
    CHECK(xTaskGetCurrentTaskHandle() != NULL);
    CHECK(xTaskGetCurrentTaskHandle() == xTaskGetCurrentTaskHandle());
    CHECK(pcTaskGetName(NULL) != NULL);
    CHECK_EQ_INT(uxTaskGetStackHighWaterMark(NULL), tskHOST_STACK_HIGH_WATER_MARK);
    CHECK_EQ_INT(xPortGetCoreID(), 0);
    vTaskStartScheduler();
    taskYIELD();

    /* critical sections nest */
    static portMUX_TYPE mux = portMUX_INITIALIZER_UNLOCKED;
    taskENTER_CRITICAL(&mux);
    portENTER_CRITICAL(&mux);
    portEXIT_CRITICAL(&mux);
    taskEXIT_CRITICAL(&mux);
    portMUX_TYPE mux2;
    portMUX_INITIALIZE(&mux2);
    portENTER_CRITICAL_SAFE(&mux2);
    portEXIT_CRITICAL_SAFE(&mux2);
}

static void test_delays(void)
{
    CHECK_EQ_INT(configTICK_RATE_HZ, 1000);
    CHECK_EQ_INT(portTICK_PERIOD_MS, 1);
    CHECK_EQ_INT(pdMS_TO_TICKS(250), 250);
    CHECK_EQ_INT(pdTICKS_TO_MS(250), 250);

    int64_t t0 = now_ms();
    TickType_t k0 = xTaskGetTickCount();
    vTaskDelay(pdMS_TO_TICKS(100));
    int64_t waited = now_ms() - t0;
    CHECK(waited >= 100);
    CHECK(waited < 1000);
    CHECK((TickType_t)(xTaskGetTickCount() - k0) >= 100);

    /* three periods of 30 ticks from one start: no drift */
    TickType_t last = xTaskGetTickCount();
    TickType_t start = last;
    t0 = now_ms();
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(xTaskDelayUntil(&last, pdMS_TO_TICKS(30)), pdTRUE);
    }
    CHECK_EQ_INT(last, start + 90);
    CHECK(now_ms() - t0 >= 89);
    vTaskDelayUntil(&last, 1);
    /* a wake time already past: no delay, pdFALSE */
    TickType_t old = xTaskGetTickCount() - 500;
    CHECK_EQ_INT(xTaskDelayUntil(&old, 10), pdFALSE);
}

/* ---- queues ----------------------------------------------------------------------- */
struct recv_arg {
    QueueHandle_t q;
    QueueHandle_t result;   /* gets the value and the milliseconds waited */
};

static void receiver_task(void *p)
{
    struct recv_arg *a = p;
    int64_t t0 = now_ms();
    int v = 0;
    int64_t r[2] = { -1, -1 };
    if (xQueueReceive(a->q, &v, portMAX_DELAY) == pdTRUE) {
        r[0] = v;
        r[1] = now_ms() - t0;
    }
    xQueueSend(a->result, r, portMAX_DELAY);
    vTaskDelete(NULL);
}

static void test_queue_blocking(void)
{
    QueueHandle_t q = xQueueCreate(4, sizeof(int));
    QueueHandle_t result = xQueueCreate(1, sizeof(int64_t[2]));
    CHECK(q && result);
    struct recv_arg a = { q, result };
    CHECK_EQ_INT(xTaskCreate(receiver_task, "rx", 4096, &a, 5, NULL), pdPASS);
    vTaskDelay(pdMS_TO_TICKS(60));
    CHECK_EQ_INT(uxQueueMessagesWaiting(result), 0);     /* still blocked */
    int v = 42;
    CHECK_EQ_INT(xQueueSend(q, &v, 0), pdPASS);
    int64_t r[2] = { 0, 0 };
    CHECK_EQ_INT(xQueueReceive(result, r, pdMS_TO_TICKS(2000)), pdTRUE);
    CHECK_EQ_INT(r[0], 42);
    CHECK(r[1] >= 50);

    /* empty: times out after the ticks asked */
    int64_t t0 = now_ms();
    CHECK_EQ_INT(xQueueReceive(q, &v, pdMS_TO_TICKS(50)), errQUEUE_EMPTY);
    int64_t waited = now_ms() - t0;
    CHECK(waited >= 50);
    CHECK(waited < 1000);
    CHECK_EQ_INT(xQueueReceive(q, &v, 0), pdFALSE);
    vQueueDelete(q);
    vQueueDelete(result);
}

static void test_queue_order(void)
{
    QueueHandle_t q = xQueueCreate(3, sizeof(int));
    int v;
    CHECK_EQ_INT(uxQueueSpacesAvailable(q), 3);
    for (v = 1; v <= 3; v++) {
        CHECK_EQ_INT(xQueueSend(q, &v, 0), pdPASS);
    }
    CHECK_EQ_INT(uxQueueMessagesWaiting(q), 3);
    CHECK_EQ_INT(uxQueueSpacesAvailable(q), 0);
    v = 4;
    CHECK_EQ_INT(xQueueSend(q, &v, 0), errQUEUE_FULL);
    int64_t t0 = now_ms();
    CHECK_EQ_INT(xQueueSendToBack(q, &v, pdMS_TO_TICKS(30)), errQUEUE_FULL);
    CHECK(now_ms() - t0 >= 30);
    CHECK_EQ_INT(xQueueOverwrite(q, &v), pdFAIL);        /* only for queues of one */
    CHECK_EQ_INT(xQueuePeek(q, &v, 0), pdTRUE);
    CHECK_EQ_INT(v, 1);
    for (int want = 1; want <= 3; want++) {
        CHECK_EQ_INT(xQueueReceive(q, &v, 0), pdTRUE);
        CHECK_EQ_INT(v, want);
    }
    /* to the front: received first */
    v = 10; xQueueSendToBack(q, &v, 0);
    v = 11; xQueueSendToBack(q, &v, 0);
    v = 9;  CHECK_EQ_INT(xQueueSendToFront(q, &v, 0), pdPASS);
    for (int want = 9; want <= 11; want++) {
        CHECK_EQ_INT(xQueueReceive(q, &v, 0), pdTRUE);
        CHECK_EQ_INT(v, want);
    }
    v = 5; xQueueSend(q, &v, 0);
    CHECK_EQ_INT(xQueueReset(q), pdPASS);
    CHECK_EQ_INT(uxQueueMessagesWaiting(q), 0);
    /* ISR variants never block */
    BaseType_t woken = pdFALSE;
    v = 7;
    CHECK_EQ_INT(xQueueSendFromISR(q, &v, &woken), pdPASS);
    v = 0;
    CHECK_EQ_INT(xQueueReceiveFromISR(q, &v, &woken), pdPASS);
    CHECK_EQ_INT(v, 7);
    CHECK_EQ_INT(xQueueReceiveFromISR(q, &v, &woken), pdFAIL);
    vQueueDelete(q);

    /* overwrite: a queue of one keeps the newest */
    QueueHandle_t box = xQueueCreate(1, sizeof(int));
    v = 1; CHECK_EQ_INT(xQueueOverwrite(box, &v), pdPASS);
    v = 2; CHECK_EQ_INT(xQueueOverwrite(box, &v), pdPASS);
    CHECK_EQ_INT(uxQueueMessagesWaiting(box), 1);
    CHECK_EQ_INT(xQueueReceive(box, &v, 0), pdTRUE);
    CHECK_EQ_INT(v, 2);
    vQueueDelete(box);

    /* a full queue blocks a sender until a receiver makes room */
    QueueHandle_t one = xQueueCreate(1, sizeof(int));
    struct recv_arg a = { one, xQueueCreate(1, sizeof(int64_t[2])) };
    v = 100; xQueueSend(one, &v, 0);
    CHECK_EQ_INT(xTaskCreate(receiver_task, "rx2", 4096, &a, 5, NULL), pdPASS);
    v = 101;
    CHECK_EQ_INT(xQueueSend(one, &v, pdMS_TO_TICKS(2000)), pdPASS);
    int64_t r[2];
    CHECK_EQ_INT(xQueueReceive(a.result, r, pdMS_TO_TICKS(2000)), pdTRUE);
    CHECK_EQ_INT(r[0], 100);
    CHECK_EQ_INT(xQueueReceive(one, &v, 0), pdTRUE);
    CHECK_EQ_INT(v, 101);
    vQueueDelete(one);
    vQueueDelete(a.result);

    /* bad arguments fail, never crash */
    CHECK(xQueueCreate(0, 4) == NULL);
    CHECK_EQ_INT(xQueueSend(NULL, &v, 0), pdFAIL);
    CHECK_EQ_INT(xQueueReceive(NULL, &v, 10), pdFAIL);
    CHECK_EQ_INT(xQueuePeek(NULL, &v, 0), pdFAIL);
    CHECK_EQ_INT(uxQueueMessagesWaiting(NULL), 0);
    CHECK_EQ_INT(uxQueueSpacesAvailable(NULL), 0);
    CHECK_EQ_INT(xQueueReset(NULL), pdFAIL);
    vQueueDelete(NULL);
}

/* ---- semaphores and mutexes ------------------------------------------------------- */
static void giver_task(void *p)
{
    vTaskDelay(pdMS_TO_TICKS(40));
    xSemaphoreGive((SemaphoreHandle_t)p);
    vTaskDelete(NULL);
}

static SemaphoreHandle_t counter_mutex, counter_done;
static long counter;

static void counter_task(void *p)
{
    (void)p;
    for (int i = 0; i < 10000; i++) {
        if (xSemaphoreTake(counter_mutex, portMAX_DELAY) == pdTRUE) {
            long c = counter;
            if ((i & 1023) == 0) {
                taskYIELD();
            }
            counter = c + 1;
            xSemaphoreGive(counter_mutex);
        }
    }
    xSemaphoreGive(counter_done);
    vTaskDelete(NULL);
}

static atomic_int try_result;

static void try_take_task(void *p)
{
    int taken = xSemaphoreTakeRecursive((SemaphoreHandle_t)p, 0) == pdTRUE;
    if (taken) {
        xSemaphoreGiveRecursive((SemaphoreHandle_t)p);
    }
    atomic_store(&try_result, taken ? 1 : 2);   /* the mutex is not touched after this */
    vTaskDelete(NULL);
}

static void test_semaphores(void)
{
    /* binary: created empty; a give from another task wakes the waiter */
    SemaphoreHandle_t bin = xSemaphoreCreateBinary();
    CHECK(bin != NULL);
    CHECK_EQ_INT(uxSemaphoreGetCount(bin), 0);
    CHECK_EQ_INT(xSemaphoreTake(bin, 0), pdFALSE);
    int64_t t0 = now_ms();
    CHECK_EQ_INT(xTaskCreate(giver_task, "giver", 2048, bin, 5, NULL), pdPASS);
    CHECK_EQ_INT(xSemaphoreTake(bin, portMAX_DELAY), pdTRUE);
    CHECK(now_ms() - t0 >= 40);
    CHECK_EQ_INT(xSemaphoreGive(bin), pdTRUE);
    CHECK_EQ_INT(xSemaphoreGive(bin), pdFALSE);          /* already given */
    CHECK_EQ_INT(xSemaphoreTake(bin, 0), pdTRUE);
    BaseType_t woken = pdFALSE;
    CHECK_EQ_INT(xSemaphoreGiveFromISR(bin, &woken), pdTRUE);
    CHECK_EQ_INT(xSemaphoreTakeFromISR(bin, &woken), pdTRUE);
    vSemaphoreDelete(bin);
    SemaphoreHandle_t old_style;
    vSemaphoreCreateBinary(old_style);
    CHECK_EQ_INT(uxSemaphoreGetCount(old_style), 1);     /* this one starts given */
    vSemaphoreDelete(old_style);

    /* mutex: two tasks, 10,000 increments each */
    counter_mutex = xSemaphoreCreateMutex();
    counter_done = xSemaphoreCreateCounting(2, 0);
    CHECK(counter_mutex && counter_done);
    CHECK_EQ_INT(uxSemaphoreGetCount(counter_mutex), 1);
    CHECK_EQ_INT(xTaskCreate(counter_task, "count1", 4096, NULL, 5, NULL), pdPASS);
    CHECK_EQ_INT(xTaskCreate(counter_task, "count2", 4096, NULL, 5, NULL), pdPASS);
    CHECK_EQ_INT(xSemaphoreTake(counter_done, pdMS_TO_TICKS(5000)), pdTRUE);
    CHECK_EQ_INT(xSemaphoreTake(counter_done, pdMS_TO_TICKS(5000)), pdTRUE);
    CHECK_EQ_INT(counter, 20000);
    CHECK_EQ_INT(xSemaphoreGive(counter_mutex), pdFALSE); /* not held */
    CHECK_EQ_INT(xSemaphoreTake(counter_mutex, 0), pdTRUE);
    CHECK(xSemaphoreGetMutexHolder(counter_mutex) == xTaskGetCurrentTaskHandle());
    CHECK_EQ_INT(xSemaphoreTake(counter_mutex, pdMS_TO_TICKS(20)), pdFALSE); /* not recursive */
    CHECK_EQ_INT(xSemaphoreGive(counter_mutex), pdTRUE);
    CHECK(xSemaphoreGetMutexHolder(counter_mutex) == NULL);
    vSemaphoreDelete(counter_mutex);
    vSemaphoreDelete(counter_done);

    /* recursive mutex: taken three times, free after three gives */
    SemaphoreHandle_t rec = xSemaphoreCreateRecursiveMutex();
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(xSemaphoreTakeRecursive(rec, 0), pdTRUE);
    }
    CHECK_EQ_INT(xTaskCreate(try_take_task, "try1", 2048, rec, 5, NULL), pdPASS);
    CHECK(wait_for(&try_result, 1, 2000));
    CHECK_EQ_INT(atomic_load(&try_result), 2);            /* held by us */
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(xSemaphoreGiveRecursive(rec), pdTRUE);
    }
    CHECK_EQ_INT(xSemaphoreGiveRecursive(rec), pdFALSE);  /* no longer held */
    atomic_store(&try_result, 0);
    CHECK_EQ_INT(xTaskCreate(try_take_task, "try2", 2048, rec, 5, NULL), pdPASS);
    CHECK(wait_for(&try_result, 1, 2000));
    CHECK_EQ_INT(atomic_load(&try_result), 1);
    vSemaphoreDelete(rec);

    /* counting */
    SemaphoreHandle_t cnt = xSemaphoreCreateCounting(5, 2);
    CHECK_EQ_INT(uxSemaphoreGetCount(cnt), 2);
    CHECK_EQ_INT(xSemaphoreTake(cnt, 0), pdTRUE);
    CHECK_EQ_INT(xSemaphoreTake(cnt, 0), pdTRUE);
    CHECK_EQ_INT(xSemaphoreTake(cnt, 0), pdFALSE);
    for (int i = 0; i < 5; i++) {
        CHECK_EQ_INT(xSemaphoreGive(cnt), pdTRUE);
    }
    CHECK_EQ_INT(xSemaphoreGive(cnt), pdFALSE);
    CHECK_EQ_INT(uxSemaphoreGetCount(cnt), 5);
    vSemaphoreDelete(cnt);
    CHECK(xSemaphoreCreateCounting(2, 3) == NULL);

    CHECK_EQ_INT(xSemaphoreTake(NULL, 10), pdFAIL);
    CHECK_EQ_INT(xSemaphoreGive(NULL), pdFAIL);
    CHECK_EQ_INT(xSemaphoreTakeRecursive(NULL, 0), pdFAIL);
    CHECK_EQ_INT(xSemaphoreGiveRecursive(NULL), pdFAIL);
    CHECK_EQ_INT(xSemaphoreGiveFromISR(NULL, NULL), pdFAIL);
    CHECK_EQ_INT(uxSemaphoreGetCount(NULL), 0);
    vSemaphoreDelete(NULL);
}

/* ---- event groups ----------------------------------------------------------------- */
#define BIT0 (1u << 0)
#define BIT1 (1u << 1)
#define BIT2 (1u << 2)
#define BIT3 (1u << 3)
#define BIT4 (1u << 4)

struct wait_arg {
    EventGroupHandle_t g;
    EventBits_t want;
    BaseType_t clear, all;
    atomic_int done;
    EventBits_t got;
};

static void waiter_task(void *p)
{
    struct wait_arg *a = p;
    a->got = xEventGroupWaitBits(a->g, a->want, a->clear, a->all, portMAX_DELAY);
    atomic_store(&a->done, 1);
    vTaskDelete(NULL);
}

static void test_event_groups(void)
{
    EventGroupHandle_t g = xEventGroupCreate();
    CHECK(g != NULL);
    CHECK_EQ_INT(xEventGroupGetBits(g), 0);

    /* all bits, cleared on exit */
    struct wait_arg all = { g, BIT0 | BIT1, pdTRUE, pdTRUE, 0, 0 };
    CHECK_EQ_INT(xTaskCreate(waiter_task, "wall", 2048, &all, 5, NULL), pdPASS);
    vTaskDelay(pdMS_TO_TICKS(20));
    xEventGroupSetBits(g, BIT0);
    vTaskDelay(pdMS_TO_TICKS(30));
    CHECK_EQ_INT(atomic_load(&all.done), 0);               /* BIT1 missing */
    xEventGroupSetBits(g, BIT1 | BIT2);
    CHECK(wait_for(&all.done, 1, 2000));
    CHECK_EQ_INT(all.got, BIT0 | BIT1 | BIT2);
    CHECK_EQ_INT(xEventGroupGetBits(g), BIT2);             /* BIT0|BIT1 cleared */

    /* any bit, not cleared */
    struct wait_arg any = { g, BIT3 | BIT4, pdFALSE, pdFALSE, 0, 0 };
    CHECK_EQ_INT(xTaskCreate(waiter_task, "wany", 2048, &any, 5, NULL), pdPASS);
    vTaskDelay(pdMS_TO_TICKS(20));
    CHECK_EQ_INT(atomic_load(&any.done), 0);
    xEventGroupSetBits(g, BIT3);
    CHECK(wait_for(&any.done, 1, 2000));
    CHECK_EQ_INT(any.got & (BIT3 | BIT4), BIT3);
    CHECK_EQ_INT(xEventGroupGetBits(g), BIT2 | BIT3);

    /* already set: at once; clear returns the bits before */
    CHECK_EQ_INT(xEventGroupWaitBits(g, BIT2, pdTRUE, pdTRUE, 0), BIT2 | BIT3);
    CHECK_EQ_INT(xEventGroupClearBits(g, BIT3), BIT3);
    CHECK_EQ_INT(xEventGroupGetBits(g), 0);

    /* timeout: the bits of the moment, after the ticks asked */
    xEventGroupSetBits(g, BIT0);
    int64_t t0 = now_ms();
    EventBits_t got = xEventGroupWaitBits(g, BIT0 | BIT4, pdTRUE, pdTRUE, pdMS_TO_TICKS(40));
    CHECK(now_ms() - t0 >= 40);
    CHECK_EQ_INT(got, BIT0);
    CHECK_EQ_INT(xEventGroupGetBits(g), BIT0);             /* nothing cleared on timeout */
    /* the top 8 bits are the kernel's */
    xEventGroupSetBits(g, 0xff000000u);
    CHECK_EQ_INT(xEventGroupGetBits(g), BIT0);
    BaseType_t woken = pdFALSE;
    CHECK_EQ_INT(xEventGroupSetBitsFromISR(g, BIT1, &woken), pdPASS);
    CHECK_EQ_INT(xEventGroupGetBitsFromISR(g), BIT0 | BIT1);

    /* deleting the group releases a waiter with 0 */
    struct wait_arg orphan = { g, BIT4, pdFALSE, pdTRUE, 0, 0xffff };
    CHECK_EQ_INT(xTaskCreate(waiter_task, "worph", 2048, &orphan, 5, NULL), pdPASS);
    vTaskDelay(pdMS_TO_TICKS(20));
    vEventGroupDelete(g);
    CHECK(wait_for(&orphan.done, 1, 2000));
    CHECK_EQ_INT(orphan.got, 0);

    CHECK_EQ_INT(xEventGroupSetBits(NULL, BIT0), 0);
    CHECK_EQ_INT(xEventGroupWaitBits(NULL, BIT0, pdTRUE, pdTRUE, 10), 0);
    CHECK_EQ_INT(xEventGroupGetBits(NULL), 0);
    vEventGroupDelete(NULL);
}

/* ---- timers ----------------------------------------------------------------------- */
static atomic_int one_shot_fired, periodic_fired, self_deleted_fired;
static TaskHandle_t callback_task;

static void one_shot_cb(TimerHandle_t t)
{
    (void)t;
    callback_task = xTaskGetCurrentTaskHandle();
    atomic_fetch_add(&one_shot_fired, 1);
}

static void periodic_cb(TimerHandle_t t)
{
    atomic_int *n = pvTimerGetTimerID(t);
    atomic_fetch_add(n, 1);
}

static void self_deleting_cb(TimerHandle_t t)
{
    atomic_fetch_add(&self_deleted_fired, 1);
    xTimerDelete(t, 0);
}

static void test_timers(void)
{
    TimerHandle_t once = xTimerCreate("once", pdMS_TO_TICKS(30), pdFALSE, NULL, one_shot_cb);
    CHECK(once != NULL);
    CHECK_EQ_STR(pcTimerGetName(once), "once");
    CHECK_EQ_INT(xTimerIsTimerActive(once), pdFALSE);
    CHECK_EQ_INT(xTimerStart(once, 0), pdPASS);
    CHECK_EQ_INT(xTimerIsTimerActive(once), pdTRUE);
    vTaskDelay(pdMS_TO_TICKS(15));
    CHECK_EQ_INT(atomic_load(&one_shot_fired), 0);         /* not before its period */
    CHECK(wait_for(&one_shot_fired, 1, 2000));
    vTaskDelay(pdMS_TO_TICKS(80));
    CHECK_EQ_INT(atomic_load(&one_shot_fired), 1);         /* once */
    CHECK_EQ_INT(xTimerIsTimerActive(once), pdFALSE);
    CHECK(callback_task == xTimerGetTimerDaemonTaskHandle());
    CHECK_EQ_STR(pcTaskGetName(callback_task), "Tmr Svc");
    /* reset restarts it */
    CHECK_EQ_INT(xTimerReset(once, 0), pdPASS);
    CHECK(wait_for(&one_shot_fired, 2, 2000));
    CHECK_EQ_INT(xTimerDelete(once, 0), pdPASS);

    /* auto-reload at about its period */
    TimerHandle_t tick = xTimerCreate("tick", pdMS_TO_TICKS(20), pdTRUE, &periodic_fired, periodic_cb);
    CHECK(pvTimerGetTimerID(tick) == &periodic_fired);
    int64_t t0 = now_ms();
    CHECK_EQ_INT(xTimerStart(tick, portMAX_DELAY), pdPASS);
    CHECK(wait_for(&periodic_fired, 10, 3000));
    int64_t took = now_ms() - t0;
    CHECK(took >= 200);
    CHECK(took < 1000);
    CHECK_EQ_INT(xTimerStop(tick, 0), pdPASS);
    CHECK_EQ_INT(xTimerIsTimerActive(tick), pdFALSE);
    int n = atomic_load(&periodic_fired);
    vTaskDelay(pdMS_TO_TICKS(60));
    CHECK_EQ_INT(atomic_load(&periodic_fired), n);         /* stopped */
    /* a new period starts it again */
    CHECK_EQ_INT(xTimerChangePeriod(tick, pdMS_TO_TICKS(50), 0), pdPASS);
    CHECK_EQ_INT(xTimerGetPeriod(tick), 50);
    CHECK_EQ_INT(xTimerIsTimerActive(tick), pdTRUE);
    vTaskDelay(pdMS_TO_TICKS(30));
    CHECK_EQ_INT(atomic_load(&periodic_fired), n);         /* not yet: 50 ms now */
    CHECK(wait_for(&periodic_fired, n + 2, 2000));
    CHECK_EQ_INT(xTimerChangePeriod(tick, 0, 0), pdFAIL);
    static atomic_int other;
    vTimerSetTimerID(tick, &other);
    CHECK(pvTimerGetTimerID(tick) == &other);
    CHECK_EQ_INT(xTimerDelete(tick, 0), pdPASS);           /* deleting an active timer */
    vTaskDelay(pdMS_TO_TICKS(80));

    /* deleted from its own callback */
    TimerHandle_t self = xTimerCreate("self", 5, pdTRUE, NULL, self_deleting_cb);
    xTimerStart(self, 0);
    CHECK(wait_for(&self_deleted_fired, 1, 2000));
    vTaskDelay(pdMS_TO_TICKS(30));
    CHECK_EQ_INT(atomic_load(&self_deleted_fired), 1);

    CHECK(xTimerCreate("zero", 0, pdFALSE, NULL, one_shot_cb) == NULL);
    CHECK(xTimerCreate("nocb", 10, pdFALSE, NULL, NULL) == NULL);
    CHECK_EQ_INT(xTimerStart(NULL, 0), pdFAIL);
    CHECK_EQ_INT(xTimerStop(NULL, 0), pdFAIL);
    CHECK_EQ_INT(xTimerDelete(NULL, 0), pdFAIL);
    CHECK_EQ_INT(xTimerIsTimerActive(NULL), pdFALSE);
    CHECK(pvTimerGetTimerID(NULL) == NULL);
    CHECK(pcTimerGetName(NULL) == NULL);
    vTimerSetTimerID(NULL, NULL);
}

int main(void)
{
    int64_t t0 = now_ms();
    CHECK(httpd_first_check());
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    CHECK(config.core_id == tskNO_AFFINITY);
    test_tasks();
    test_delays();
    test_queue_blocking();
    test_queue_order();
    test_semaphores();
    test_event_groups();
    test_timers();
    printf("test_freertos: %lld ms\n", (long long)(now_ms() - t0));
    return check_summary();
}
