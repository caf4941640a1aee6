/* SPDX-License-Identifier: Apache-2.0 */
/* Host FreeRTOS: queues, and the semaphores and mutexes built on them (as on
 * the chip, a semaphore is a queue of zero-size items whose count is the
 * semaphore's; a mutex is a binary semaphore with a holder). One pthread
 * mutex and two condition variables (CLOCK_MONOTONIC) per queue.
 * Differs from the chip: waiters wake in no particular order (not highest
 * priority first), a mutex does not lend its holder priority, ...FromISR()
 * calls never block and never set *pxHigherPriorityTaskWoken, overwriting a
 * queue longer than one item fails (the chip asserts), and a wrong call for
 * the kind of queue (taking a queue of items, giving a mutex one does not
 * hold) fails where the chip asserts. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "freertos_priv.h"

#define FR_QUEUE_MAGIC 0x71756575U /* "queu" */

struct QueueDefinition {
    uint32_t magic;
    uint8_t type;               /* queueQUEUE_TYPE_* */
    UBaseType_t length;         /* items it holds (the maximum count of a semaphore) */
    UBaseType_t item_size;      /* 0 for semaphores and mutexes */
    UBaseType_t count;          /* items in it (a semaphore's count) */
    UBaseType_t head;           /* index of the oldest item */
    unsigned char *items;       /* length * item_size bytes, a ring */
    TaskHandle_t holder;        /* a mutex's holder */
    UBaseType_t recursion;      /* a recursive mutex's depth */
    pthread_mutex_t lock;
    pthread_cond_t not_empty;   /* an item arrived (or a semaphore was given) */
    pthread_cond_t not_full;    /* an item left (or a semaphore was taken) */
};

static int fr_is_mutex(const struct QueueDefinition *q)
{
    return q->type == queueQUEUE_TYPE_MUTEX || q->type == queueQUEUE_TYPE_RECURSIVE_MUTEX;
}

static int fr_valid(const struct QueueDefinition *q)
{
    return q && q->magic == FR_QUEUE_MAGIC;
}

static struct QueueDefinition *fr_queue_new(UBaseType_t length, UBaseType_t item_size, uint8_t type)
{
    if (length == 0 || (item_size && length > SIZE_MAX / item_size)) {
        return NULL;
    }
    struct QueueDefinition *q = calloc(1, sizeof *q);
    if (!q) {
        return NULL;
    }
    if (item_size) {
        q->items = malloc((size_t)length * item_size);
        if (!q->items) {
            free(q);
            return NULL;
        }
    }
    q->magic = FR_QUEUE_MAGIC;
    q->type = type;
    q->length = length;
    q->item_size = item_size;
    pthread_mutex_init(&q->lock, NULL);
    idf_host__fr_cond_init(&q->not_empty);
    idf_host__fr_cond_init(&q->not_full);
    return q;
}

QueueHandle_t xQueueGenericCreate(const UBaseType_t uxQueueLength, const UBaseType_t uxItemSize,
                                  const uint8_t ucQueueType)
{
    if (ucQueueType == queueQUEUE_TYPE_MUTEX || ucQueueType == queueQUEUE_TYPE_RECURSIVE_MUTEX) {
        return xQueueCreateMutex(ucQueueType);
    }
    if (ucQueueType > queueQUEUE_TYPE_RECURSIVE_MUTEX) {
        return NULL;
    }
    return fr_queue_new(uxQueueLength, uxItemSize, ucQueueType);
}

QueueHandle_t xQueueCreateMutex(const uint8_t ucQueueType)
{
    if (ucQueueType != queueQUEUE_TYPE_MUTEX && ucQueueType != queueQUEUE_TYPE_RECURSIVE_MUTEX) {
        return NULL;
    }
    struct QueueDefinition *q = fr_queue_new(1, 0, ucQueueType);
    if (q) {
        q->count = 1; /* a new mutex is free */
    }
    return q;
}

QueueHandle_t xQueueCreateCountingSemaphore(const UBaseType_t uxMaxCount, const UBaseType_t uxInitialCount)
{
    if (uxMaxCount == 0 || uxInitialCount > uxMaxCount) {
        return NULL;
    }
    struct QueueDefinition *q = fr_queue_new(uxMaxCount, 0, queueQUEUE_TYPE_COUNTING_SEMAPHORE);
    if (q) {
        q->count = uxInitialCount;
    }
    return q;
}

void vQueueDelete(QueueHandle_t xQueue)
{
    if (!fr_valid(xQueue)) {
        return;
    }
    xQueue->magic = 0;
    pthread_cond_destroy(&xQueue->not_full);
    pthread_cond_destroy(&xQueue->not_empty);
    pthread_mutex_destroy(&xQueue->lock);
    free(xQueue->items);
    free(xQueue);
}

/* Puts an item in (the caller holds the lock and has checked there is room,
 * or is overwriting a queue of one). */
static void fr_put(struct QueueDefinition *q, const void *item, BaseType_t pos)
{
    if (q->item_size) {
        UBaseType_t slot;
        if (pos == queueOVERWRITE && q->count == q->length) {
            slot = (q->head + q->count - 1) % q->length;  /* the newest item */
            q->count--;
        } else if (pos == queueSEND_TO_FRONT) {
            q->head = (q->head + q->length - 1) % q->length;
            slot = q->head;
        } else {
            slot = (q->head + q->count) % q->length;
        }
        memcpy(q->items + (size_t)slot * q->item_size, item, q->item_size);
    } else if (pos == queueOVERWRITE && q->count == q->length) {
        q->count--;
    }
    q->count++;
    pthread_cond_broadcast(&q->not_empty);
}

/* Takes (or, peeking, copies) the oldest item; the caller holds the lock and
 * has checked there is one. */
static void fr_get(struct QueueDefinition *q, void *buf, int peek)
{
    if (q->item_size && buf) {
        memcpy(buf, q->items + (size_t)q->head * q->item_size, q->item_size);
    }
    if (!peek) {
        q->head = (q->head + 1) % q->length;
        q->count--;
        pthread_cond_broadcast(&q->not_full);
    }
}

/* Gives a mutex back; the caller holds the lock. */
static BaseType_t fr_mutex_release(struct QueueDefinition *q)
{
    if (q->count != 0 || q->holder != xTaskGetCurrentTaskHandle()) {
        return pdFAIL; /* not taken, or taken by another task */
    }
    q->holder = NULL;
    q->recursion = 0;
    q->count = 1;
    pthread_cond_broadcast(&q->not_empty);
    return pdPASS;
}

static BaseType_t fr_send(struct QueueDefinition *q, const void *item, TickType_t ticks, BaseType_t pos)
{
    if (!fr_valid(q) || (q->item_size && !item) || pos < queueSEND_TO_BACK || pos > queueOVERWRITE ||
        (pos == queueOVERWRITE && q->length != 1)) {
        return pdFAIL;
    }
    if (ticks != 0) {
        idf_host__fr_task_check_deleted();
    }
    struct timespec ts;
    const struct timespec *deadline = NULL;
    int deadline_set = 0;
    pthread_mutex_lock(&q->lock);
    if (fr_is_mutex(q)) {
        BaseType_t rc = fr_mutex_release(q);
        pthread_mutex_unlock(&q->lock);
        return rc;
    }
    for (;;) {
        if (q->count < q->length || pos == queueOVERWRITE) {
            fr_put(q, item, pos);
            pthread_mutex_unlock(&q->lock);
            return pdPASS;
        }
        if (ticks == 0) {
            break;
        }
        if (!deadline_set) {
            deadline = idf_host__fr_deadline(ticks, &ts);
            deadline_set = 1;
        }
        if (idf_host__fr_cond_wait(&q->not_full, &q->lock, deadline) == ETIMEDOUT && q->count >= q->length) {
            break;
        }
    }
    pthread_mutex_unlock(&q->lock);
    return errQUEUE_FULL;
}

BaseType_t xQueueGenericSend(QueueHandle_t xQueue, const void * const pvItemToQueue, TickType_t xTicksToWait,
                             const BaseType_t xCopyPosition)
{
    return fr_send(xQueue, pvItemToQueue, xTicksToWait, xCopyPosition);
}

BaseType_t xQueueGenericSendFromISR(QueueHandle_t xQueue, const void * const pvItemToQueue,
                                    BaseType_t * const pxHigherPriorityTaskWoken, const BaseType_t xCopyPosition)
{
    (void)pxHigherPriorityTaskWoken;
    if (fr_valid(xQueue) && fr_is_mutex(xQueue)) {
        return pdFAIL; /* mutexes are not for interrupts */
    }
    return fr_send(xQueue, pvItemToQueue, 0, xCopyPosition);
}

BaseType_t xQueueGiveFromISR(QueueHandle_t xQueue, BaseType_t * const pxHigherPriorityTaskWoken)
{
    if (fr_valid(xQueue) && xQueue->item_size != 0) {
        return pdFAIL;
    }
    return xQueueGenericSendFromISR(xQueue, NULL, pxHigherPriorityTaskWoken, queueSEND_TO_BACK);
}

/* Receives, peeks, or takes a semaphore/mutex, waiting up to `ticks`. */
static BaseType_t fr_receive(struct QueueDefinition *q, void *buf, TickType_t ticks, int peek)
{
    if (!fr_valid(q) || (q->item_size && !buf)) {
        return pdFAIL;
    }
    if (ticks != 0) {
        idf_host__fr_task_check_deleted();
    }
    struct timespec ts;
    const struct timespec *deadline = NULL;
    int deadline_set = 0;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        if (q->count > 0) {
            fr_get(q, buf, peek);
            if (fr_is_mutex(q) && !peek) {
                q->holder = xTaskGetCurrentTaskHandle();
                q->recursion = 1;
            }
            pthread_mutex_unlock(&q->lock);
            return pdPASS;
        }
        if (ticks == 0) {
            break;
        }
        if (!deadline_set) {
            deadline = idf_host__fr_deadline(ticks, &ts);
            deadline_set = 1;
        }
        if (idf_host__fr_cond_wait(&q->not_empty, &q->lock, deadline) == ETIMEDOUT && q->count == 0) {
            break;
        }
    }
    pthread_mutex_unlock(&q->lock);
    return errQUEUE_EMPTY;
}

BaseType_t xQueueReceive(QueueHandle_t xQueue, void * const pvBuffer, TickType_t xTicksToWait)
{
    return fr_receive(xQueue, pvBuffer, xTicksToWait, 0);
}

BaseType_t xQueuePeek(QueueHandle_t xQueue, void * const pvBuffer, TickType_t xTicksToWait)
{
    return fr_receive(xQueue, pvBuffer, xTicksToWait, 1);
}

BaseType_t xQueueReceiveFromISR(QueueHandle_t xQueue, void * const pvBuffer,
                                BaseType_t * const pxHigherPriorityTaskWoken)
{
    (void)pxHigherPriorityTaskWoken;
    if (fr_valid(xQueue) && fr_is_mutex(xQueue)) {
        return pdFAIL;
    }
    return fr_receive(xQueue, pvBuffer, 0, 0);
}

BaseType_t xQueuePeekFromISR(QueueHandle_t xQueue, void * const pvBuffer)
{
    return fr_receive(xQueue, pvBuffer, 0, 1);
}

BaseType_t xQueueSemaphoreTake(QueueHandle_t xQueue, TickType_t xTicksToWait)
{
    if (!fr_valid(xQueue) || xQueue->item_size != 0) {
        return pdFAIL;
    }
    return fr_receive(xQueue, NULL, xTicksToWait, 0);
}

BaseType_t xQueueTakeMutexRecursive(QueueHandle_t xMutex, TickType_t xTicksToWait)
{
    if (!fr_valid(xMutex) || xMutex->type != queueQUEUE_TYPE_RECURSIVE_MUTEX) {
        return pdFAIL;
    }
    pthread_mutex_lock(&xMutex->lock);
    if (xMutex->count == 0 && xMutex->holder == xTaskGetCurrentTaskHandle()) {
        xMutex->recursion++;
        pthread_mutex_unlock(&xMutex->lock);
        return pdPASS;
    }
    pthread_mutex_unlock(&xMutex->lock);
    return fr_receive(xMutex, NULL, xTicksToWait, 0);
}

BaseType_t xQueueGiveMutexRecursive(QueueHandle_t xMutex)
{
    if (!fr_valid(xMutex) || xMutex->type != queueQUEUE_TYPE_RECURSIVE_MUTEX) {
        return pdFAIL;
    }
    BaseType_t rc = pdFAIL;
    pthread_mutex_lock(&xMutex->lock);
    if (xMutex->count == 0 && xMutex->holder == xTaskGetCurrentTaskHandle()) {
        rc = pdPASS;
        if (--xMutex->recursion == 0) {
            rc = fr_mutex_release(xMutex);
        }
    }
    pthread_mutex_unlock(&xMutex->lock);
    return rc;
}

TaskHandle_t xQueueGetMutexHolder(QueueHandle_t xSemaphore)
{
    if (!fr_valid(xSemaphore) || !fr_is_mutex(xSemaphore)) {
        return NULL;
    }
    pthread_mutex_lock(&xSemaphore->lock);
    TaskHandle_t holder = xSemaphore->holder;
    pthread_mutex_unlock(&xSemaphore->lock);
    return holder;
}

BaseType_t xQueueGenericReset(QueueHandle_t xQueue, BaseType_t xNewQueue)
{
    (void)xNewQueue;
    if (!fr_valid(xQueue)) {
        return pdFAIL;
    }
    pthread_mutex_lock(&xQueue->lock);
    if (!fr_is_mutex(xQueue)) {
        xQueue->count = 0;
        xQueue->head = 0;
        pthread_cond_broadcast(&xQueue->not_full);
    }
    pthread_mutex_unlock(&xQueue->lock);
    return pdPASS;
}

UBaseType_t uxQueueMessagesWaiting(const QueueHandle_t xQueue)
{
    if (!fr_valid(xQueue)) {
        return 0;
    }
    pthread_mutex_lock(&xQueue->lock);
    UBaseType_t n = xQueue->count;
    pthread_mutex_unlock(&xQueue->lock);
    return n;
}

UBaseType_t uxQueueMessagesWaitingFromISR(const QueueHandle_t xQueue)
{
    return uxQueueMessagesWaiting(xQueue);
}

UBaseType_t uxQueueSpacesAvailable(const QueueHandle_t xQueue)
{
    if (!fr_valid(xQueue)) {
        return 0;
    }
    pthread_mutex_lock(&xQueue->lock);
    UBaseType_t n = xQueue->length - xQueue->count;
    pthread_mutex_unlock(&xQueue->lock);
    return n;
}

BaseType_t xQueueIsQueueEmptyFromISR(const QueueHandle_t xQueue)
{
    return fr_valid(xQueue) && uxQueueMessagesWaiting(xQueue) == 0 ? pdTRUE : pdFALSE;
}

BaseType_t xQueueIsQueueFullFromISR(const QueueHandle_t xQueue)
{
    return fr_valid(xQueue) && uxQueueSpacesAvailable(xQueue) == 0 ? pdTRUE : pdFALSE;
}

uint8_t ucQueueGetQueueType(QueueHandle_t xQueue)
{
    return fr_valid(xQueue) ? xQueue->type : queueQUEUE_TYPE_BASE;
}
