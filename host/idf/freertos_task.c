/* SPDX-License-Identifier: Apache-2.0 */
/* Host FreeRTOS: tasks, ticks, delays and critical sections on POSIX threads.
 * A task is a detached pthread with a control block kept in thread-specific
 * data (freed when its thread ends); a thread that was not created by
 * xTaskCreate() gets a control block when it first asks for its handle.
 * Differs from the chip: no priorities, no stack sizes, no cores (everything
 * is "core 0"); deleting or suspending another task only sets a flag that
 * the task acts on at its next vTaskDelay()/xTaskDelayUntil() (woken at once
 * if it sleeps in one) or its next call that may block, where it also waits
 * while another task holds vTaskSuspendAll(); a notification is a value and a
 * state under the task's lock; a task whose function returns ends
 * as if it had called vTaskDelete(NULL) (the chip aborts); critical sections
 * are one process-wide recursive mutex. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos_priv.h"

#define FR_TASK_MAGIC 0x7461736bU /* "task" */

struct tskTaskControlBlock {
    uint32_t magic;
    char name[configMAX_TASK_NAME_LEN];
    TaskFunction_t fn;
    void *arg;
    _Atomic UBaseType_t priority;
    atomic_int delete_requested;
    atomic_int suspended;
    int blocked;                /* in a delay or a notification wait (under lock) */
    pthread_mutex_t lock;       /* guards the delay and notification waits */
    pthread_cond_t wake;        /* signalled by vTaskDelete(), vTaskResume(), a notification */
    uint32_t notify_value;      /* under lock */
    uint8_t notify_state;       /* FR_NOTIFY_* (under lock) */
    struct tskTaskControlBlock *next_task;  /* fr_tasks list */
};

#define FR_NOTIFY_NONE      0
#define FR_NOTIFY_WAITING   1
#define FR_NOTIFY_RECEIVED  2

static pthread_once_t fr_once = PTHREAD_ONCE_INIT;
static pthread_key_t fr_task_key;
static pthread_mutex_t fr_critical;
static uint64_t fr_start_ms;
static atomic_uint fr_task_count;
static pthread_mutex_t fr_tasks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tskTaskControlBlock *fr_tasks;   /* every live task, for look-ups */
static pthread_mutex_t fr_sched;                /* held by vTaskSuspendAll() */

static uint64_t fr_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void fr_task_free(void *p)
{
    struct tskTaskControlBlock *t = p;
    if (!t) {
        return;
    }
    pthread_mutex_lock(&fr_tasks_lock);
    for (struct tskTaskControlBlock **pp = &fr_tasks; *pp; pp = &(*pp)->next_task) {
        if (*pp == t) {
            *pp = t->next_task;
            break;
        }
    }
    pthread_mutex_unlock(&fr_tasks_lock);
    t->magic = 0;
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    free(t);
    atomic_fetch_sub(&fr_task_count, 1u);
}

static void fr_init(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&fr_critical, &attr);
    pthread_mutex_init(&fr_sched, &attr);
    pthread_mutexattr_destroy(&attr);
    pthread_key_create(&fr_task_key, fr_task_free);
    fr_start_ms = fr_clock_ms();
}

uint64_t idf_host__fr_now_ms(void)
{
    pthread_once(&fr_once, fr_init);
    return fr_clock_ms() - fr_start_ms;
}

void idf_host__fr_ms_to_timespec(uint64_t ms, struct timespec *ts)
{
    pthread_once(&fr_once, fr_init);
    uint64_t abs_ms = ms + fr_start_ms;
    ts->tv_sec = (time_t)(abs_ms / 1000u);
    ts->tv_nsec = (long)(abs_ms % 1000u) * 1000000L;
}

const struct timespec *idf_host__fr_deadline(TickType_t ticks, struct timespec *ts)
{
    if (ticks == portMAX_DELAY) {
        return NULL;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t ms = idf_host__fr_ticks_to_ms(ticks);
    ts->tv_sec = now.tv_sec + (time_t)(ms / 1000u);
    ts->tv_nsec = now.tv_nsec + (long)(ms % 1000u) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
    return ts;
}

void idf_host__fr_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

int idf_host__fr_cond_wait(pthread_cond_t *cond, pthread_mutex_t *lock, const struct timespec *deadline)
{
    if (!deadline) {
        return pthread_cond_wait(cond, lock);
    }
    return pthread_cond_timedwait(cond, lock, deadline);
}

static struct tskTaskControlBlock *fr_task_alloc(const char *name)
{
    struct tskTaskControlBlock *t = calloc(1, sizeof *t);
    if (!t) {
        return NULL;
    }
    t->magic = FR_TASK_MAGIC;
    if (name) {
        strncpy(t->name, name, sizeof t->name - 1);
    }
    pthread_mutex_init(&t->lock, NULL);
    idf_host__fr_cond_init(&t->wake);
    atomic_fetch_add(&fr_task_count, 1u);
    pthread_mutex_lock(&fr_tasks_lock);
    t->next_task = fr_tasks;
    fr_tasks = t;
    pthread_mutex_unlock(&fr_tasks_lock);
    return t;
}

/* The calling thread's control block, made on first use for threads that
 * xTaskCreate() did not start. NULL only when out of memory. */
static struct tskTaskControlBlock *fr_self(void)
{
    pthread_once(&fr_once, fr_init);
    struct tskTaskControlBlock *t = pthread_getspecific(fr_task_key);
    if (!t) {
        static atomic_int main_named;
        t = fr_task_alloc(atomic_exchange(&main_named, 1) ? "pthread" : "main");
        if (t) {
            pthread_setspecific(fr_task_key, t);
        }
    }
    return t;
}

void idf_host__fr_task_check_deleted(void)
{
    pthread_once(&fr_once, fr_init);
    /* held here while another task has the scheduler suspended */
    pthread_mutex_lock(&fr_sched);
    pthread_mutex_unlock(&fr_sched);
    struct tskTaskControlBlock *t = pthread_getspecific(fr_task_key);
    if (!t) {
        return;
    }
    if (atomic_load(&t->suspended)) {
        pthread_mutex_lock(&t->lock);
        while (atomic_load(&t->suspended) && !atomic_load(&t->delete_requested)) {
            pthread_cond_wait(&t->wake, &t->lock);
        }
        pthread_mutex_unlock(&t->lock);
    }
    if (atomic_load(&t->delete_requested)) {
        pthread_exit(NULL); /* the key's destructor frees t */
    }
}

/* How long the creator of a higher-priority task steps aside (ms). */
#define FR_HEAD_START_MS 2

static void *fr_task_main(void *p)
{
    struct tskTaskControlBlock *t = p;
    pthread_setspecific(fr_task_key, t);
    t->fn(t->arg);
    return NULL; /* the key's destructor frees t */
}

BaseType_t xTaskCreatePinnedToCore(TaskFunction_t pxTaskCode, const char * const pcName,
                                   const configSTACK_DEPTH_TYPE usStackDepth, void * const pvParameters,
                                   UBaseType_t uxPriority, TaskHandle_t * const pxCreatedTask,
                                   const BaseType_t xCoreID)
{
    (void)usStackDepth;
    (void)xCoreID;
    if (!pxTaskCode) {
        return pdFAIL;
    }
    pthread_once(&fr_once, fr_init);
    struct tskTaskControlBlock *t = fr_task_alloc(pcName);
    if (!t) {
        return errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY;
    }
    t->fn = pxTaskCode;
    t->arg = pvParameters;
    t->priority = uxPriority < configMAX_PRIORITIES ? uxPriority : configMAX_PRIORITIES - 1;
    /* The handle is out before the task runs, as on the chip (a task may use it at once). */
    if (pxCreatedTask) {
        *pxCreatedTask = t;
    }
    /* (decided before the task exists: once it runs it may end and free t) */
    int head_start = t->priority > fr_self()->priority;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    int rc = pthread_create(&thread, &attr, fr_task_main, t);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        if (pxCreatedTask) {
            *pxCreatedTask = NULL;
        }
        fr_task_free(t);
        return errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY;
    }
    /* On the chip a task created with a higher priority than its creator runs
     * at once, before the creator's next line. Threads are not pre-empted that
     * way; a head start of FR_HEAD_START_MS lets it reach its first wait first
     * in practice (firmware and its tests often rely on that order). */
    if (head_start) {
        struct timespec ts = { 0, FR_HEAD_START_MS * 1000000L };
        nanosleep(&ts, NULL);
    }
    return pdPASS;
}

void vTaskDelete(TaskHandle_t xTaskToDelete)
{
    struct tskTaskControlBlock *self = fr_self();
    if (!xTaskToDelete || xTaskToDelete == self) {
        pthread_exit(NULL); /* the key's destructor frees the control block */
    }
    if (xTaskToDelete->magic != FR_TASK_MAGIC) {
        return;
    }
    pthread_mutex_lock(&xTaskToDelete->lock);
    atomic_store(&xTaskToDelete->delete_requested, 1);
    pthread_cond_broadcast(&xTaskToDelete->wake);
    pthread_mutex_unlock(&xTaskToDelete->lock);
}

/* Sleeps until `until_ms` (idf_host__fr_now_ms()'s scale), or until deleted. */
static void fr_sleep_until(uint64_t until_ms)
{
    struct tskTaskControlBlock *t = fr_self();
    idf_host__fr_task_check_deleted();
    if (!t) {
        struct timespec ts;
        idf_host__fr_ms_to_timespec(until_ms, &ts);
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
        }
        return;
    }
    struct timespec ts;
    idf_host__fr_ms_to_timespec(until_ms, &ts);
    pthread_mutex_lock(&t->lock);
    t->blocked++;
    while (!atomic_load(&t->delete_requested) &&
           idf_host__fr_cond_wait(&t->wake, &t->lock, &ts) != ETIMEDOUT) {
    }
    t->blocked--;
    pthread_mutex_unlock(&t->lock);
    idf_host__fr_task_check_deleted();
}

void vTaskDelay(const TickType_t xTicksToDelay)
{
    if (xTicksToDelay == 0) {
        idf_host__fr_task_check_deleted();
        sched_yield();
        return;
    }
    /* portMAX_DELAY here is a number of ticks (about 49 days), as on the chip */
    fr_sleep_until(idf_host__fr_now_ms() + idf_host__fr_ticks_to_ms(xTicksToDelay));
}

BaseType_t xTaskDelayUntil(TickType_t * const pxPreviousWakeTime, const TickType_t xTimeIncrement)
{
    if (!pxPreviousWakeTime || xTimeIncrement == 0) {
        return pdFALSE;
    }
    TickType_t now = xTaskGetTickCount();
    TickType_t wake = *pxPreviousWakeTime + xTimeIncrement;
    *pxPreviousWakeTime = wake;
    /* how far ahead the wake time is, with tick-count wrap-around */
    TickType_t ahead = wake - now;
    if (ahead == 0 || ahead > (TickType_t)(portMAX_DELAY / 2)) {
        idf_host__fr_task_check_deleted();
        return pdFALSE; /* already past: no delay, as on the chip */
    }
    fr_sleep_until(idf_host__fr_now_ms() + idf_host__fr_ticks_to_ms(ahead));
    return pdTRUE;
}

TickType_t xTaskGetTickCount(void)
{
    return (TickType_t)pdMS_TO_TICKS(idf_host__fr_now_ms());
}

TickType_t xTaskGetTickCountFromISR(void)
{
    return xTaskGetTickCount();
}

TaskHandle_t xTaskGetCurrentTaskHandle(void)
{
    return fr_self();
}

TaskHandle_t xTaskGetCurrentTaskHandleForCore(BaseType_t xCoreID)
{
    return xCoreID == 0 ? fr_self() : NULL;
}

char *pcTaskGetName(TaskHandle_t xTaskToQuery)
{
    struct tskTaskControlBlock *t = xTaskToQuery ? xTaskToQuery : fr_self();
    if (!t || t->magic != FR_TASK_MAGIC) {
        return NULL;
    }
    return t->name;
}

UBaseType_t uxTaskPriorityGet(const TaskHandle_t xTask)
{
    struct tskTaskControlBlock *t = xTask ? xTask : fr_self();
    return t && t->magic == FR_TASK_MAGIC ? atomic_load(&t->priority) : tskIDLE_PRIORITY;
}

void vTaskPrioritySet(TaskHandle_t xTask, UBaseType_t uxNewPriority)
{
    struct tskTaskControlBlock *t = xTask ? xTask : fr_self();
    if (t && t->magic == FR_TASK_MAGIC) {
        atomic_store(&t->priority, uxNewPriority < configMAX_PRIORITIES ? uxNewPriority : configMAX_PRIORITIES - 1);
    }
}

BaseType_t xTaskGetCoreID(TaskHandle_t xTask)
{
    (void)xTask;
    return 0;
}

UBaseType_t uxTaskGetStackHighWaterMark(TaskHandle_t xTask)
{
    (void)xTask;
    return tskHOST_STACK_HIGH_WATER_MARK;
}

UBaseType_t uxTaskGetNumberOfTasks(void)
{
    return atomic_load(&fr_task_count);
}

BaseType_t xTaskGetSchedulerState(void)
{
    return taskSCHEDULER_RUNNING;
}

void vTaskStartScheduler(void)
{
    /* Tasks run from their creation on the host; nothing to start. */
}

void vPortYield(void)
{
    sched_yield();
}

BaseType_t xPortGetCoreID(void)
{
    return 0;
}

BaseType_t xPortInIsrContext(void)
{
    return pdFALSE;
}

void vPortEnterCritical(portMUX_TYPE *mux)
{
    (void)mux;
    pthread_once(&fr_once, fr_init);
    pthread_mutex_lock(&fr_critical);
}

void vPortExitCritical(portMUX_TYPE *mux)
{
    (void)mux;
    pthread_mutex_unlock(&fr_critical);
}

/* ---- Static creation ------------------------------------------------------------- */
TaskHandle_t xTaskCreateStaticPinnedToCore(TaskFunction_t pxTaskCode, const char * const pcName,
                                           const uint32_t ulStackDepth, void * const pvParameters,
                                           UBaseType_t uxPriority, StackType_t * const puxStackBuffer,
                                           StaticTask_t * const pxTaskBuffer, const BaseType_t xCoreID)
{
    if (!puxStackBuffer || !pxTaskBuffer) {
        return NULL;
    }
    TaskHandle_t handle = NULL;
    if (xTaskCreatePinnedToCore(pxTaskCode, pcName, ulStackDepth, pvParameters, uxPriority, &handle,
                                xCoreID) != pdPASS) {
        return NULL;
    }
    return handle;
}

/* ---- Suspension -------------------------------------------------------------------- */
static struct tskTaskControlBlock *fr_live(TaskHandle_t t)
{
    if (!t) {
        return fr_self();
    }
    pthread_mutex_lock(&fr_tasks_lock);
    struct tskTaskControlBlock *it = fr_tasks;
    while (it && it != t) {
        it = it->next_task;
    }
    pthread_mutex_unlock(&fr_tasks_lock);
    return it;
}

void vTaskSuspend(TaskHandle_t xTaskToSuspend)
{
    struct tskTaskControlBlock *t = fr_live(xTaskToSuspend);
    if (!t) {
        return;
    }
    atomic_store(&t->suspended, 1);
    if (t == fr_self()) {
        idf_host__fr_task_check_deleted(); /* waits until resumed */
    }
}

void vTaskResume(TaskHandle_t xTaskToResume)
{
    struct tskTaskControlBlock *t = fr_live(xTaskToResume);
    if (!t || t == fr_self()) {
        return;
    }
    pthread_mutex_lock(&t->lock);
    atomic_store(&t->suspended, 0);
    pthread_cond_broadcast(&t->wake);
    pthread_mutex_unlock(&t->lock);
}

BaseType_t xTaskResumeFromISR(TaskHandle_t xTaskToResume)
{
    struct tskTaskControlBlock *t = fr_live(xTaskToResume);
    BaseType_t was = t && atomic_load(&t->suspended) ? pdTRUE : pdFALSE;
    vTaskResume(xTaskToResume);
    return was;
}

void vTaskSuspendAll(void)
{
    pthread_once(&fr_once, fr_init);
    pthread_mutex_lock(&fr_sched);
}

BaseType_t xTaskResumeAll(void)
{
    pthread_once(&fr_once, fr_init);
    pthread_mutex_unlock(&fr_sched);
    return pdFALSE;
}

TaskHandle_t xTaskGetHandle(const char *pcNameToQuery)
{
    if (!pcNameToQuery) {
        return NULL;
    }
    pthread_once(&fr_once, fr_init);
    pthread_mutex_lock(&fr_tasks_lock);
    struct tskTaskControlBlock *it = fr_tasks;
    while (it && (atomic_load(&it->delete_requested) || strncmp(it->name, pcNameToQuery, sizeof it->name - 1) != 0)) {
        it = it->next_task;
    }
    pthread_mutex_unlock(&fr_tasks_lock);
    return it;
}

eTaskState eTaskGetState(TaskHandle_t xTask)
{
    if (!xTask) {
        return eInvalid;
    }
    struct tskTaskControlBlock *t = fr_live(xTask);
    if (!t || atomic_load(&t->delete_requested)) {
        return eDeleted;
    }
    if (t == fr_self()) {
        return eRunning;
    }
    if (atomic_load(&t->suspended)) {
        return eSuspended;
    }
    pthread_mutex_lock(&t->lock);
    int blocked = t->blocked;
    pthread_mutex_unlock(&t->lock);
    return blocked ? eBlocked : eReady;
}

/* ---- Notifications ----------------------------------------------------------------- */
BaseType_t xTaskGenericNotify(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify, uint32_t ulValue,
                              eNotifyAction eAction, uint32_t *pulPreviousNotificationValue)
{
    struct tskTaskControlBlock *t = xTaskToNotify ? fr_live(xTaskToNotify) : NULL;
    if (!t || uxIndexToNotify >= configTASK_NOTIFICATION_ARRAY_ENTRIES) {
        return pdFAIL;
    }
    BaseType_t ret = pdPASS;
    pthread_mutex_lock(&t->lock);
    if (pulPreviousNotificationValue) {
        *pulPreviousNotificationValue = t->notify_value;
    }
    uint8_t before = t->notify_state;
    switch (eAction) {
    case eSetBits:
        t->notify_value |= ulValue;
        break;
    case eIncrement:
        t->notify_value++;
        break;
    case eSetValueWithOverwrite:
        t->notify_value = ulValue;
        break;
    case eSetValueWithoutOverwrite:
        if (before == FR_NOTIFY_RECEIVED) {
            ret = pdFAIL;
        } else {
            t->notify_value = ulValue;
        }
        break;
    case eNoAction:
    default:
        break;
    }
    if (ret == pdPASS) {
        t->notify_state = FR_NOTIFY_RECEIVED;
        pthread_cond_broadcast(&t->wake);
    }
    pthread_mutex_unlock(&t->lock);
    return ret;
}

BaseType_t xTaskGenericNotifyFromISR(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify, uint32_t ulValue,
                                     eNotifyAction eAction, uint32_t *pulPreviousNotificationValue,
                                     BaseType_t *pxHigherPriorityTaskWoken)
{
    (void)pxHigherPriorityTaskWoken;
    return xTaskGenericNotify(xTaskToNotify, uxIndexToNotify, ulValue, eAction, pulPreviousNotificationValue);
}

void vTaskGenericNotifyGiveFromISR(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify,
                                   BaseType_t *pxHigherPriorityTaskWoken)
{
    (void)pxHigherPriorityTaskWoken;
    (void)xTaskGenericNotify(xTaskToNotify, uxIndexToNotify, 0, eIncrement, NULL);
}

/* Waits, with t->lock held, until a notification arrives or the time is up. */
static void fr_notify_block(struct tskTaskControlBlock *t, TickType_t ticks)
{
    struct timespec ts;
    const struct timespec *deadline = idf_host__fr_deadline(ticks, &ts);
    t->notify_state = FR_NOTIFY_WAITING;
    t->blocked++;
    while (t->notify_state != FR_NOTIFY_RECEIVED && !atomic_load(&t->delete_requested)) {
        if (idf_host__fr_cond_wait(&t->wake, &t->lock, deadline) == ETIMEDOUT) {
            break;
        }
    }
    t->blocked--;
}

BaseType_t xTaskGenericNotifyWait(UBaseType_t uxIndexToWaitOn, uint32_t ulBitsToClearOnEntry,
                                  uint32_t ulBitsToClearOnExit, uint32_t *pulNotificationValue,
                                  TickType_t xTicksToWait)
{
    struct tskTaskControlBlock *t = fr_self();
    if (!t || uxIndexToWaitOn >= configTASK_NOTIFICATION_ARRAY_ENTRIES) {
        return pdFALSE;
    }
    if (xTicksToWait) {
        idf_host__fr_task_check_deleted();
    }
    pthread_mutex_lock(&t->lock);
    if (t->notify_state != FR_NOTIFY_RECEIVED) {
        t->notify_value &= ~ulBitsToClearOnEntry;
        if (xTicksToWait) {
            fr_notify_block(t, xTicksToWait);
        }
    }
    if (pulNotificationValue) {
        *pulNotificationValue = t->notify_value;
    }
    BaseType_t ret = pdFALSE;
    if (t->notify_state == FR_NOTIFY_RECEIVED) {
        t->notify_value &= ~ulBitsToClearOnExit;
        ret = pdTRUE;
    }
    t->notify_state = FR_NOTIFY_NONE;
    pthread_mutex_unlock(&t->lock);
    if (xTicksToWait) {
        idf_host__fr_task_check_deleted();
    }
    return ret;
}

uint32_t ulTaskGenericNotifyTake(UBaseType_t uxIndexToWaitOn, BaseType_t xClearCountOnExit,
                                 TickType_t xTicksToWait)
{
    struct tskTaskControlBlock *t = fr_self();
    if (!t || uxIndexToWaitOn >= configTASK_NOTIFICATION_ARRAY_ENTRIES) {
        return 0;
    }
    if (xTicksToWait) {
        idf_host__fr_task_check_deleted();
    }
    pthread_mutex_lock(&t->lock);
    if (t->notify_value == 0 && xTicksToWait) {
        fr_notify_block(t, xTicksToWait);
    }
    uint32_t value = t->notify_value;
    if (value != 0) {
        t->notify_value = xClearCountOnExit ? 0 : value - 1;
    }
    t->notify_state = FR_NOTIFY_NONE;
    pthread_mutex_unlock(&t->lock);
    if (xTicksToWait) {
        idf_host__fr_task_check_deleted();
    }
    return value;
}

BaseType_t xTaskGenericNotifyStateClear(TaskHandle_t xTask, UBaseType_t uxIndexToClear)
{
    struct tskTaskControlBlock *t = fr_live(xTask);
    if (!t || uxIndexToClear >= configTASK_NOTIFICATION_ARRAY_ENTRIES) {
        return pdFAIL;
    }
    pthread_mutex_lock(&t->lock);
    BaseType_t ret = t->notify_state == FR_NOTIFY_RECEIVED ? pdPASS : pdFAIL;
    if (ret == pdPASS) {
        t->notify_state = FR_NOTIFY_NONE;
    }
    pthread_mutex_unlock(&t->lock);
    return ret;
}

uint32_t ulTaskGenericNotifyValueClear(TaskHandle_t xTask, UBaseType_t uxIndexToClear, uint32_t ulBitsToClear)
{
    struct tskTaskControlBlock *t = fr_live(xTask);
    if (!t || uxIndexToClear >= configTASK_NOTIFICATION_ARRAY_ENTRIES) {
        return 0;
    }
    pthread_mutex_lock(&t->lock);
    uint32_t before = t->notify_value;
    t->notify_value &= ~ulBitsToClear;
    pthread_mutex_unlock(&t->lock);
    return before;
}
