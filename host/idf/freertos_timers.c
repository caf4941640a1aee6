/* SPDX-License-Identifier: Apache-2.0 */
/* Host FreeRTOS: software timers. One timer-service task ("Tmr Svc", made by
 * xTaskCreate() on the first xTimerCreate()) sleeps until the earliest
 * expiry and runs the callbacks one at a time, as the chip's timer task does;
 * an auto-reload timer's next expiry is its last plus its period (a late
 * callback does not shift the rhythm). Differs from the chip: commands act at
 * once under one lock in the calling thread instead of passing through the
 * timer queue (xTicksToWait is never needed); a timer deleted while its
 * callback runs is freed when the callback returns; xTimerPendFunctionCall()
 * and static timers are not provided. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/timers.h"
#include "freertos_priv.h"

#define FR_TIMER_MAGIC 0x746d7272U /* "tmrr" */

struct tmrTimerControl {
    uint32_t magic;
    const char *name;
    TickType_t period;
    BaseType_t auto_reload;
    void *id;
    TimerCallbackFunction_t callback;
    int active;
    int deleted;                /* deleted while its callback ran: free it after */
    uint64_t expiry_ms;         /* on idf_host__fr_now_ms()'s scale, when active */
    struct tmrTimerControl *next;
};

static pthread_mutex_t fr_timers_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fr_timers_changed;
static struct tmrTimerControl *fr_timers;       /* every timer not deleted */
static struct tmrTimerControl *fr_running;      /* the timer whose callback runs */
static TaskHandle_t fr_service;
static int fr_service_started;

static int fr_valid(const struct tmrTimerControl *t)
{
    return t && t->magic == FR_TIMER_MAGIC;
}

static void fr_unlink(struct tmrTimerControl *t)
{
    for (struct tmrTimerControl **pp = &fr_timers; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            return;
        }
    }
}

static void fr_timer_free(struct tmrTimerControl *t)
{
    t->magic = 0;
    free(t);
}

/* The active timer due first, or NULL; the caller holds the lock. */
static struct tmrTimerControl *fr_earliest(void)
{
    struct tmrTimerControl *best = NULL;
    for (struct tmrTimerControl *t = fr_timers; t; t = t->next) {
        if (t->active && (!best || t->expiry_ms < best->expiry_ms)) {
            best = t;
        }
    }
    return best;
}

static void fr_timer_service(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&fr_timers_lock);
    for (;;) {
        struct tmrTimerControl *t = fr_earliest();
        if (!t) {
            pthread_cond_wait(&fr_timers_changed, &fr_timers_lock);
            continue;
        }
        if (t->expiry_ms > idf_host__fr_now_ms()) {
            struct timespec ts;
            idf_host__fr_ms_to_timespec(t->expiry_ms, &ts);
            pthread_cond_timedwait(&fr_timers_changed, &fr_timers_lock, &ts);
            continue; /* a command may have changed the timers */
        }
        if (t->auto_reload) {
            t->expiry_ms += idf_host__fr_ticks_to_ms(t->period);
        } else {
            t->active = 0;
        }
        fr_running = t;
        pthread_mutex_unlock(&fr_timers_lock);
        t->callback(t);
        pthread_mutex_lock(&fr_timers_lock);
        fr_running = NULL;
        if (t->deleted) {
            fr_timer_free(t);
        }
    }
}

/* xOptionalValue of a start or reset is the tick of the command, where the
 * period starts, as on the chip; on the 64-bit millisecond scale. */
static uint64_t fr_command_time_ms(TickType_t tick)
{
    uint64_t now = idf_host__fr_now_ms();
    uint64_t ago = idf_host__fr_ticks_to_ms((TickType_t)(xTaskGetTickCount() - tick));
    return ago < now ? now - ago : 0;
}

static void fr_timers_init(void)
{
    idf_host__fr_cond_init(&fr_timers_changed);
}

TimerHandle_t xTimerCreate(const char * const pcTimerName, const TickType_t xTimerPeriodInTicks,
                           const BaseType_t xAutoReload, void * const pvTimerID,
                           TimerCallbackFunction_t pxCallbackFunction)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    if (xTimerPeriodInTicks == 0 || !pxCallbackFunction) {
        return NULL;
    }
    pthread_once(&once, fr_timers_init);
    struct tmrTimerControl *t = calloc(1, sizeof *t);
    if (!t) {
        return NULL;
    }
    t->magic = FR_TIMER_MAGIC;
    t->name = pcTimerName;      /* kept by pointer, as on the chip */
    t->period = xTimerPeriodInTicks;
    t->auto_reload = xAutoReload != pdFALSE;
    t->id = pvTimerID;
    t->callback = pxCallbackFunction;
    pthread_mutex_lock(&fr_timers_lock);
    if (!fr_service_started) {
        if (xTaskCreate(fr_timer_service, "Tmr Svc", configTIMER_TASK_STACK_DEPTH, NULL,
                        configTIMER_TASK_PRIORITY, &fr_service) != pdPASS) {
            pthread_mutex_unlock(&fr_timers_lock);
            fr_timer_free(t);
            return NULL;
        }
        fr_service_started = 1;
    }
    t->next = fr_timers;
    fr_timers = t;
    pthread_mutex_unlock(&fr_timers_lock);
    return t;
}

BaseType_t xTimerGenericCommand(TimerHandle_t xTimer, const BaseType_t xCommandID, const TickType_t xOptionalValue,
                                BaseType_t * const pxHigherPriorityTaskWoken, const TickType_t xTicksToWait)
{
    (void)pxHigherPriorityTaskWoken;
    (void)xTicksToWait;
    if (!fr_valid(xTimer)) {
        return pdFAIL;
    }
    BaseType_t rc = pdPASS;
    pthread_mutex_lock(&fr_timers_lock);
    switch (xCommandID) {
    case tmrCOMMAND_START_DONT_TRACE:
    case tmrCOMMAND_START:
    case tmrCOMMAND_RESET:
    case tmrCOMMAND_START_FROM_ISR:
    case tmrCOMMAND_RESET_FROM_ISR:
        xTimer->expiry_ms = fr_command_time_ms(xOptionalValue) + idf_host__fr_ticks_to_ms(xTimer->period);
        xTimer->active = 1;
        break;
    case tmrCOMMAND_STOP:
    case tmrCOMMAND_STOP_FROM_ISR:
        xTimer->active = 0;
        break;
    case tmrCOMMAND_CHANGE_PERIOD:
    case tmrCOMMAND_CHANGE_PERIOD_FROM_ISR:
        if (xOptionalValue == 0) {
            rc = pdFAIL;
            break;
        }
        xTimer->period = xOptionalValue;
        xTimer->expiry_ms = idf_host__fr_now_ms() + idf_host__fr_ticks_to_ms(xOptionalValue);
        xTimer->active = 1;
        break;
    case tmrCOMMAND_DELETE:
        fr_unlink(xTimer);
        xTimer->active = 0;
        xTimer->magic = 0;
        if (fr_running == xTimer) {
            xTimer->deleted = 1;
        } else {
            fr_timer_free(xTimer);
        }
        break;
    default:
        rc = pdFAIL;
        break;
    }
    pthread_cond_broadcast(&fr_timers_changed);
    pthread_mutex_unlock(&fr_timers_lock);
    return rc;
}

void *pvTimerGetTimerID(const TimerHandle_t xTimer)
{
    if (!fr_valid(xTimer)) {
        return NULL;
    }
    pthread_mutex_lock(&fr_timers_lock);
    void *id = xTimer->id;
    pthread_mutex_unlock(&fr_timers_lock);
    return id;
}

void vTimerSetTimerID(TimerHandle_t xTimer, void *pvNewID)
{
    if (!fr_valid(xTimer)) {
        return;
    }
    pthread_mutex_lock(&fr_timers_lock);
    xTimer->id = pvNewID;
    pthread_mutex_unlock(&fr_timers_lock);
}

BaseType_t xTimerIsTimerActive(TimerHandle_t xTimer)
{
    if (!fr_valid(xTimer)) {
        return pdFALSE;
    }
    pthread_mutex_lock(&fr_timers_lock);
    BaseType_t active = xTimer->active ? pdTRUE : pdFALSE;
    pthread_mutex_unlock(&fr_timers_lock);
    return active;
}

TaskHandle_t xTimerGetTimerDaemonTaskHandle(void)
{
    pthread_mutex_lock(&fr_timers_lock);
    TaskHandle_t h = fr_service;
    pthread_mutex_unlock(&fr_timers_lock);
    return h;
}

const char *pcTimerGetName(TimerHandle_t xTimer)
{
    return fr_valid(xTimer) ? xTimer->name : NULL;
}

void vTimerSetReloadMode(TimerHandle_t xTimer, const BaseType_t xAutoReload)
{
    if (!fr_valid(xTimer)) {
        return;
    }
    pthread_mutex_lock(&fr_timers_lock);
    xTimer->auto_reload = xAutoReload != pdFALSE;
    pthread_mutex_unlock(&fr_timers_lock);
}

BaseType_t xTimerGetReloadMode(TimerHandle_t xTimer)
{
    if (!fr_valid(xTimer)) {
        return pdFALSE;
    }
    pthread_mutex_lock(&fr_timers_lock);
    BaseType_t r = xTimer->auto_reload ? pdTRUE : pdFALSE;
    pthread_mutex_unlock(&fr_timers_lock);
    return r;
}

TickType_t xTimerGetPeriod(TimerHandle_t xTimer)
{
    if (!fr_valid(xTimer)) {
        return 0;
    }
    pthread_mutex_lock(&fr_timers_lock);
    TickType_t p = xTimer->period;
    pthread_mutex_unlock(&fr_timers_lock);
    return p;
}

TickType_t xTimerGetExpiryTime(TimerHandle_t xTimer)
{
    if (!fr_valid(xTimer)) {
        return 0;
    }
    pthread_mutex_lock(&fr_timers_lock);
    TickType_t e = (TickType_t)pdMS_TO_TICKS(xTimer->expiry_ms);
    pthread_mutex_unlock(&fr_timers_lock);
    return e;
}

TimerHandle_t xTimerCreateStatic(const char * const pcTimerName, const TickType_t xTimerPeriodInTicks,
                                 const BaseType_t xAutoReload, void * const pvTimerID,
                                 TimerCallbackFunction_t pxCallbackFunction, StaticTimer_t *pxTimerBuffer)
{
    if (!pxTimerBuffer) {
        return NULL;
    }
    return xTimerCreate(pcTimerName, xTimerPeriodInTicks, xAutoReload, pvTimerID, pxCallbackFunction);
}

struct fr_pended {
    PendedFunction_t fn;
    void *p1;
    uint32_t p2;
};

static void fr_pended_run(TimerHandle_t xTimer)
{
    struct fr_pended *call = pvTimerGetTimerID(xTimer);
    call->fn(call->p1, call->p2);
    free(call);
    xTimerDelete(xTimer, 0); /* freed once this callback returns */
}

BaseType_t xTimerPendFunctionCall(PendedFunction_t xFunctionToPend, void *pvParameter1, uint32_t ulParameter2,
                                  TickType_t xTicksToWait)
{
    (void)xTicksToWait; /* there is no command queue to wait on */
    if (!xFunctionToPend) {
        return pdFAIL;
    }
    struct fr_pended *call = malloc(sizeof *call);
    if (!call) {
        return pdFAIL;
    }
    call->fn = xFunctionToPend;
    call->p1 = pvParameter1;
    call->p2 = ulParameter2;
    TimerHandle_t t = xTimerCreate("pended", 1, pdFALSE, call, fr_pended_run);
    if (!t) {
        free(call);
        return pdFAIL;
    }
    if (xTimerStart(t, 0) != pdPASS) {
        xTimerDelete(t, 0);
        free(call);
        return pdFAIL;
    }
    return pdPASS;
}

BaseType_t xTimerPendFunctionCallFromISR(PendedFunction_t xFunctionToPend, void *pvParameter1,
                                         uint32_t ulParameter2, BaseType_t *pxHigherPriorityTaskWoken)
{
    (void)pxHigherPriorityTaskWoken;
    return xTimerPendFunctionCall(xFunctionToPend, pvParameter1, ulParameter2, 0);
}
