/* SPDX-License-Identifier: Apache-2.0 */
/* The FreeRTOS additions behave as on the chip: a notification wakes a task
 * (give/take counting, bits, overwrite rules), a suspended task does not run
 * until resumed, vTaskSuspendAll() holds other tasks at their next kernel
 * call, xTaskGetHandle/eTaskGetState, the ...Static creation calls,
 * xEventGroupSync as a rendezvous, xTimerPendFunctionCall on the timer task. */
#include <stdatomic.h>
#include <string.h>

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "freertos/event_groups.h"
#include "freertos/timers.h"

#include "../unit/check.h"

static int wait_for(atomic_int *v, int want, int max_ms)
{
    for (int i = 0; i < max_ms && atomic_load(v) < want; i++) {
        vTaskDelay(pdMS_TO_TICKS(1));
    }
    return atomic_load(v) >= want;
}

/* ---- notifications ---------------------------------------------------------------- */
static atomic_int took, took_value, waited, waited_value;
static atomic_uint took_tick, waited_tick;
static TaskHandle_t main_task;

static void taker(void *arg)
{
    (void)arg;
    uint32_t v = ulTaskNotifyTake(pdTRUE, pdMS_TO_TICKS(2000));
    atomic_store(&took_tick, xTaskGetTickCount());
    atomic_store(&took_value, (int)v);
    atomic_store(&took, 1);
    uint32_t bits = 0;
    BaseType_t ok = xTaskNotifyWait(0, 0xffffffffu, &bits, pdMS_TO_TICKS(2000));
    atomic_store(&waited_tick, xTaskGetTickCount());
    atomic_store(&waited_value, ok == pdTRUE ? (int)bits : -1);
    atomic_store(&waited, 1);
    xTaskNotifyGive(main_task);
    vTaskDelete(NULL);
}

static void test_notifications(void)
{
    main_task = xTaskGetCurrentTaskHandle();
    TaskHandle_t t = NULL;
    CHECK_EQ_INT(xTaskCreate(taker, "taker", 2048, NULL, 5, &t), pdPASS);
    vTaskDelay(pdMS_TO_TICKS(30));
    CHECK_EQ_INT(atomic_load(&took), 0);           /* blocked in ulTaskNotifyTake */
    CHECK_EQ_INT(eTaskGetState(t), eBlocked);
    TickType_t gave = xTaskGetTickCount();
    CHECK_EQ_INT(xTaskNotifyGive(t), pdPASS);
    CHECK(wait_for(&took, 1, 2000));
    CHECK_EQ_INT(atomic_load(&took_value), 1);
    CHECK(atomic_load(&took_tick) - gave < pdMS_TO_TICKS(500)); /* woken, not timed out */
    vTaskDelay(pdMS_TO_TICKS(20));
    CHECK_EQ_INT(atomic_load(&waited), 0);
    uint32_t prev = 0xdead;
    gave = xTaskGetTickCount();   /* before the notification: the task may take it (and read the clock) at once */
    CHECK_EQ_INT(xTaskNotifyAndQuery(t, 0x5, eSetBits, &prev), pdPASS);
    CHECK(wait_for(&waited, 1, 2000));
    CHECK_EQ_INT(atomic_load(&waited_value), 0x5);
    CHECK(atomic_load(&waited_tick) - gave < pdMS_TO_TICKS(500));
    /* the task's give reaches us */
    CHECK_EQ_INT(ulTaskNotifyTake(pdFALSE, pdMS_TO_TICKS(2000)), 1);
    CHECK_EQ_INT(ulTaskNotifyTake(pdFALSE, 0), 0);

    /* on ourselves: counting, overwrite rules, clearing */
    TaskHandle_t me = xTaskGetCurrentTaskHandle();
    xTaskNotifyGive(me);
    xTaskNotifyGive(me);
    xTaskNotifyGive(me);
    CHECK_EQ_INT(ulTaskNotifyTake(pdFALSE, 0), 3);  /* decrements */
    CHECK_EQ_INT(ulTaskNotifyTake(pdTRUE, 0), 2);   /* clears */
    CHECK_EQ_INT(ulTaskNotifyTake(pdTRUE, 0), 0);
    CHECK_EQ_INT(xTaskNotify(me, 10, eSetValueWithoutOverwrite), pdPASS);
    CHECK_EQ_INT(xTaskNotify(me, 11, eSetValueWithoutOverwrite), pdFAIL);
    uint32_t v = 0;
    CHECK_EQ_INT(xTaskNotifyWait(0, 0, &v, 0), pdTRUE);
    CHECK_EQ_INT(v, 10);
    CHECK_EQ_INT(xTaskNotifyWait(0, 0, &v, 0), pdFALSE); /* nothing pending any more */
    CHECK_EQ_INT(xTaskNotify(me, 12, eSetValueWithOverwrite), pdPASS);
    CHECK_EQ_INT(xTaskNotifyStateClear(me), pdPASS);
    CHECK_EQ_INT(xTaskNotifyStateClear(me), pdFAIL);
    CHECK_EQ_INT(ulTaskNotifyValueClear(me, 0xffffffffu), 12);
    int64_t t0 = (int64_t)xTaskGetTickCount();
    CHECK_EQ_INT(xTaskNotifyWait(0, 0, &v, pdMS_TO_TICKS(30)), pdFALSE);
    CHECK((int64_t)xTaskGetTickCount() - t0 >= 29);
    BaseType_t woken = pdFALSE;
    vTaskNotifyGiveFromISR(me, &woken);
    CHECK_EQ_INT(ulTaskNotifyTake(pdTRUE, 0), 1);
    CHECK_EQ_INT(xTaskNotifyGive(NULL), pdFAIL);
}

/* ---- suspension ------------------------------------------------------------------- */
static atomic_int ticks_counted;

static void counter(void *arg)
{
    (void)arg;
    for (;;) {
        atomic_fetch_add(&ticks_counted, 1);
        vTaskDelay(pdMS_TO_TICKS(2));
    }
}

static atomic_int self_suspended_done;

static void self_suspender(void *arg)
{
    (void)arg;
    vTaskSuspend(NULL);
    atomic_store(&self_suspended_done, 1);
    vTaskDelete(NULL);
}

static void test_suspend(void)
{
    TaskHandle_t t = NULL;
    CHECK_EQ_INT(xTaskCreate(counter, "counter", 2048, NULL, 5, &t), pdPASS);
    CHECK(wait_for(&ticks_counted, 3, 2000));
    CHECK(xTaskGetHandle("counter") == t);
    CHECK(xTaskGetHandle("no such task") == NULL);
    CHECK_EQ_INT(eTaskGetState(xTaskGetCurrentTaskHandle()), eRunning);
    vTaskSuspend(t);
    vTaskDelay(pdMS_TO_TICKS(10)); /* it stops at its next delay */
    CHECK_EQ_INT(eTaskGetState(t), eSuspended);
    int frozen = atomic_load(&ticks_counted);
    vTaskDelay(pdMS_TO_TICKS(40));
    CHECK_EQ_INT(atomic_load(&ticks_counted), frozen);
    vTaskResume(t);
    CHECK(wait_for(&ticks_counted, frozen + 3, 2000));

    /* the scheduler suspended: the counter stops at its next delay */
    vTaskSuspendAll();
    vTaskDelay(pdMS_TO_TICKS(10));
    frozen = atomic_load(&ticks_counted);
    vTaskDelay(pdMS_TO_TICKS(30));
    int during = atomic_load(&ticks_counted);
    CHECK_EQ_INT(xTaskResumeAll(), pdFALSE);
    CHECK(during <= frozen + 1);
    CHECK(wait_for(&ticks_counted, during + 3, 2000));
    vTaskDelete(t);
    vTaskDelay(pdMS_TO_TICKS(10));
    CHECK_EQ_INT(eTaskGetState(t), eDeleted);

    TaskHandle_t s = NULL;
    CHECK_EQ_INT(xTaskCreate(self_suspender, "selfsusp", 2048, NULL, 5, &s), pdPASS);
    vTaskDelay(pdMS_TO_TICKS(30));
    CHECK_EQ_INT(atomic_load(&self_suspended_done), 0);
    vTaskResume(s);
    CHECK(wait_for(&self_suspended_done, 1, 2000));
}

/* ---- static creation ---------------------------------------------------------------- */
static atomic_int static_ran;

static void static_task(void *arg)
{
    (void)arg;
    atomic_store(&static_ran, 1);
    vTaskDelete(NULL);
}

static void timer_cb(TimerHandle_t t)
{
    (void)t;
}

static void test_static(void)
{
    static StackType_t stack[2048];
    static StaticTask_t tcb;
    CHECK(xTaskCreateStatic(static_task, "static", 2048, NULL, 5, NULL, &tcb) == NULL);
    CHECK(xTaskCreateStatic(static_task, "static", 2048, NULL, 5, stack, &tcb) != NULL);
    CHECK(wait_for(&static_ran, 1, 2000));

    static StaticQueue_t qbuf;
    static uint8_t storage[4 * sizeof(int)];
    QueueHandle_t q = xQueueCreateStatic(4, sizeof(int), storage, &qbuf);
    CHECK(q != NULL);
    int x = 9, y = 0;
    CHECK_EQ_INT(xQueueSend(q, &x, 0), pdPASS);
    CHECK_EQ_INT(xQueueReceive(q, &y, 0), pdPASS);
    CHECK_EQ_INT(y, 9);
    vQueueDelete(q);
    CHECK(xQueueCreateStatic(4, sizeof(int), NULL, &qbuf) == NULL);

    static StaticSemaphore_t sb, mb, rb, cb;
    SemaphoreHandle_t bin = xSemaphoreCreateBinaryStatic(&sb);
    SemaphoreHandle_t mtx = xSemaphoreCreateMutexStatic(&mb);
    SemaphoreHandle_t rec = xSemaphoreCreateRecursiveMutexStatic(&rb);
    SemaphoreHandle_t cnt = xSemaphoreCreateCountingStatic(3, 2, &cb);
    CHECK(bin && mtx && rec && cnt);
    CHECK_EQ_INT(xSemaphoreTake(bin, 0), pdFALSE);
    CHECK_EQ_INT(xSemaphoreTake(mtx, 0), pdTRUE);
    CHECK_EQ_INT(xSemaphoreTakeRecursive(rec, 0), pdTRUE);
    CHECK_EQ_INT(xSemaphoreTakeRecursive(rec, 0), pdTRUE);
    CHECK_EQ_INT(uxSemaphoreGetCount(cnt), 2);
    xSemaphoreGive(mtx);
    xSemaphoreGiveRecursive(rec);
    xSemaphoreGiveRecursive(rec);
    vSemaphoreDelete(bin);
    vSemaphoreDelete(mtx);
    vSemaphoreDelete(rec);
    vSemaphoreDelete(cnt);
    CHECK(xSemaphoreCreateMutexStatic(NULL) == NULL);

    static StaticEventGroup_t egb;
    EventGroupHandle_t eg = xEventGroupCreateStatic(&egb);
    CHECK(eg != NULL);
    vEventGroupDelete(eg);
    CHECK(xEventGroupCreateStatic(NULL) == NULL);

    static StaticTimer_t tb;
    TimerHandle_t tm = xTimerCreateStatic("st", 10, pdFALSE, NULL, timer_cb, &tb);
    CHECK(tm != NULL);
    xTimerDelete(tm, 0);
    CHECK(xTimerCreateStatic("st", 10, pdFALSE, NULL, timer_cb, NULL) == NULL);
}

/* ---- xEventGroupSync ---------------------------------------------------------------- */
#define SYNC_ALL 0x7u
static EventGroupHandle_t sync_group;
static atomic_int sync_passed;

static void sync_task(void *arg)
{
    EventBits_t bit = (EventBits_t)(uintptr_t)arg;
    EventBits_t r = xEventGroupSync(sync_group, bit, SYNC_ALL, pdMS_TO_TICKS(2000));
    if ((r & SYNC_ALL) == SYNC_ALL) {
        atomic_fetch_add(&sync_passed, 1);
    }
    vTaskDelete(NULL);
}

static void test_sync(void)
{
    sync_group = xEventGroupCreate();
    for (int round = 0; round < 20; round++) {
        atomic_store(&sync_passed, 0);
        xTaskCreate(sync_task, "sync1", 2048, (void *)(uintptr_t)0x1, 5, NULL);
        xTaskCreate(sync_task, "sync2", 2048, (void *)(uintptr_t)0x2, 5, NULL);
        EventBits_t r = xEventGroupSync(sync_group, 0x4, SYNC_ALL, pdMS_TO_TICKS(2000));
        CHECK_EQ_INT(r & SYNC_ALL, SYNC_ALL);
        CHECK(wait_for(&sync_passed, 2, 2000));
        CHECK_EQ_INT(xEventGroupGetBits(sync_group) & SYNC_ALL, 0); /* cleared on the way out */
    }
    /* alone, it times out with its own bit set */
    EventBits_t r = xEventGroupSync(sync_group, 0x1, SYNC_ALL, pdMS_TO_TICKS(20));
    CHECK_EQ_INT(r & SYNC_ALL, 0x1);
    vEventGroupDelete(sync_group);
}

/* ---- xTimerPendFunctionCall ---------------------------------------------------------- */
static atomic_int pended_sum;
static TaskHandle_t pended_task;

static void pended(void *p1, uint32_t p2)
{
    pended_task = xTaskGetCurrentTaskHandle();
    atomic_fetch_add(&pended_sum, *(int *)p1 + (int)p2);
}

static void test_pend(void)
{
    static int one = 1;
    CHECK_EQ_INT(xTimerPendFunctionCall(pended, &one, 41, 0), pdPASS);
    CHECK(wait_for(&pended_sum, 42, 2000));
    CHECK(pended_task == xTimerGetTimerDaemonTaskHandle());
    CHECK_EQ_INT(xTimerPendFunctionCall(NULL, NULL, 0, 0), pdFAIL);
}

int main(void)
{
    test_notifications();
    test_suspend();
    test_static();
    test_sync();
    test_pend();
    return check_summary();
}
