/* SPDX-License-Identifier: Apache-2.0 */
/* Host FreeRTOS: event groups. Each waiter puts a record on the group's list;
 * xEventGroupSetBits() decides under the group's lock which waiters it
 * releases, hands each the bits of that moment and clears their clear-on-exit
 * bits, as the chip's does, so a released waiter's result cannot be undone by
 * a later clear. vEventGroupDelete() releases waiters with 0 and frees the
 * group once they have left. The top 8 bits are reserved, as on the chip
 * (ignored here where the chip asserts). Differs from the chip: the
 * ...FromISR() calls act at once instead of through the timer task, and
 * xEventGroupSync() is not provided. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>

#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"
#include "freertos_priv.h"

#define FR_EVENT_GROUP_MAGIC   0x65766772U /* "evgr" */
#define FR_EVENT_CONTROL_BITS  ( ( EventBits_t ) 0xff000000UL )

struct fr_waiter {
    EventBits_t want;
    int all;
    int clear;
    int released;
    EventBits_t result;
    struct fr_waiter *next;
};

struct EventGroupDef_t {
    uint32_t magic;
    EventBits_t bits;
    int deleting;
    struct fr_waiter *waiters;
    pthread_mutex_t lock;
    pthread_cond_t changed;     /* waiters released, or the last waiter left a group being deleted */
};

static int fr_valid(const struct EventGroupDef_t *g)
{
    return g && g->magic == FR_EVENT_GROUP_MAGIC;
}

static int fr_met(EventBits_t bits, EventBits_t want, int all)
{
    return all ? (bits & want) == want : (bits & want) != 0;
}

EventGroupHandle_t xEventGroupCreate(void)
{
    struct EventGroupDef_t *g = calloc(1, sizeof *g);
    if (!g) {
        return NULL;
    }
    g->magic = FR_EVENT_GROUP_MAGIC;
    pthread_mutex_init(&g->lock, NULL);
    idf_host__fr_cond_init(&g->changed);
    return g;
}

static void fr_unlink(struct EventGroupDef_t *g, struct fr_waiter *w)
{
    for (struct fr_waiter **pp = &g->waiters; *pp; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            return;
        }
    }
}

/* Sets bits and releases the waiters they satisfy; with g->lock held. */
static void fr_set_locked(struct EventGroupDef_t *g, EventBits_t uxBitsToSet)
{
    g->bits |= uxBitsToSet & ~FR_EVENT_CONTROL_BITS;
    EventBits_t to_clear = 0;
    int released = 0;
    for (struct fr_waiter *w = g->waiters; w; w = w->next) {
        if (!w->released && fr_met(g->bits, w->want, w->all)) {
            w->released = 1;
            w->result = g->bits;
            if (w->clear) {
                to_clear |= w->want;
            }
            released = 1;
        }
    }
    g->bits &= ~to_clear;
    if (released) {
        pthread_cond_broadcast(&g->changed);
    }
}

/* xEventGroupWaitBits() and, with sync, xEventGroupSync(): with sync, sets
 * to_set and starts to wait in one step, as on the chip. Returns the bits that
 * satisfied the wait (before clearing), or those at the time it gave up. */
static EventBits_t fr_wait(EventGroupHandle_t xEventGroup, int sync, EventBits_t to_set, EventBits_t bits,
                           int clear, int all, TickType_t xTicksToWait)
{
    EventBits_t want = bits & ~FR_EVENT_CONTROL_BITS;
    if (!fr_valid(xEventGroup) || want == 0) {
        return 0;
    }
    if (xTicksToWait != 0) {
        idf_host__fr_task_check_deleted();
    }
    struct EventGroupDef_t *g = xEventGroup;
    pthread_mutex_lock(&g->lock);
    EventBits_t seen = g->bits;
    if (sync) {
        fr_set_locked(g, to_set);
        seen |= to_set & ~FR_EVENT_CONTROL_BITS;    /* ours count even if a waiter cleared them */
    }
    if (fr_met(seen, want, all)) {
        if (clear) {
            g->bits &= ~want;
        }
        pthread_mutex_unlock(&g->lock);
        return seen;
    }
    if (xTicksToWait == 0 || g->deleting) {
        seen = g->bits;
        pthread_mutex_unlock(&g->lock);
        return seen;
    }
    struct fr_waiter w = { want, all, clear, 0, 0, g->waiters };
    g->waiters = &w;
    struct timespec ts;
    const struct timespec *deadline = idf_host__fr_deadline(xTicksToWait, &ts);
    while (!w.released) {
        if (idf_host__fr_cond_wait(&g->changed, &g->lock, deadline) == ETIMEDOUT) {
            break;
        }
    }
    fr_unlink(g, &w);
    /* timed out: the bits now, none cleared, as on the chip */
    EventBits_t result = w.released ? w.result : g->bits;
    if (g->deleting && !g->waiters) {
        pthread_cond_broadcast(&g->changed);
    }
    pthread_mutex_unlock(&g->lock);
    return result;
}

EventBits_t xEventGroupWaitBits(EventGroupHandle_t xEventGroup, const EventBits_t uxBitsToWaitFor,
                                const BaseType_t xClearOnExit, const BaseType_t xWaitForAllBits,
                                TickType_t xTicksToWait)
{
    return fr_wait(xEventGroup, 0, 0, uxBitsToWaitFor, xClearOnExit != pdFALSE, xWaitForAllBits != pdFALSE,
                   xTicksToWait);
}

EventBits_t xEventGroupSetBits(EventGroupHandle_t xEventGroup, const EventBits_t uxBitsToSet)
{
    if (!fr_valid(xEventGroup)) {
        return 0;
    }
    struct EventGroupDef_t *g = xEventGroup;
    pthread_mutex_lock(&g->lock);
    fr_set_locked(g, uxBitsToSet);
    EventBits_t now = g->bits;
    pthread_mutex_unlock(&g->lock);
    return now;
}

EventBits_t xEventGroupSync(EventGroupHandle_t xEventGroup, const EventBits_t uxBitsToSet,
                            const EventBits_t uxBitsToWaitFor, TickType_t xTicksToWait)
{
    return fr_wait(xEventGroup, 1, uxBitsToSet, uxBitsToWaitFor, 1, 1, xTicksToWait);
}

EventGroupHandle_t xEventGroupCreateStatic(StaticEventGroup_t *pxEventGroupBuffer)
{
    return pxEventGroupBuffer ? xEventGroupCreate() : NULL;
}

EventBits_t xEventGroupClearBits(EventGroupHandle_t xEventGroup, const EventBits_t uxBitsToClear)
{
    if (!fr_valid(xEventGroup)) {
        return 0;
    }
    struct EventGroupDef_t *g = xEventGroup;
    pthread_mutex_lock(&g->lock);
    EventBits_t before = g->bits;
    g->bits &= ~(uxBitsToClear & ~FR_EVENT_CONTROL_BITS);
    pthread_mutex_unlock(&g->lock);
    return before;
}

BaseType_t xEventGroupSetBitsFromISR(EventGroupHandle_t xEventGroup, const EventBits_t uxBitsToSet,
                                     BaseType_t *pxHigherPriorityTaskWoken)
{
    (void)pxHigherPriorityTaskWoken;
    if (!fr_valid(xEventGroup)) {
        return pdFAIL;
    }
    (void)xEventGroupSetBits(xEventGroup, uxBitsToSet);
    return pdPASS;
}

BaseType_t xEventGroupClearBitsFromISR(EventGroupHandle_t xEventGroup, const EventBits_t uxBitsToClear)
{
    if (!fr_valid(xEventGroup)) {
        return pdFAIL;
    }
    (void)xEventGroupClearBits(xEventGroup, uxBitsToClear);
    return pdPASS;
}

EventBits_t xEventGroupGetBitsFromISR(EventGroupHandle_t xEventGroup)
{
    return xEventGroupClearBits(xEventGroup, 0);
}

void vEventGroupDelete(EventGroupHandle_t xEventGroup)
{
    if (!fr_valid(xEventGroup)) {
        return;
    }
    struct EventGroupDef_t *g = xEventGroup;
    pthread_mutex_lock(&g->lock);
    g->deleting = 1;
    for (struct fr_waiter *w = g->waiters; w; w = w->next) {
        w->released = 1;
        w->result = 0;
    }
    pthread_cond_broadcast(&g->changed);
    while (g->waiters) {
        pthread_cond_wait(&g->changed, &g->lock);
    }
    g->magic = 0;
    pthread_mutex_unlock(&g->lock);
    pthread_cond_destroy(&g->changed);
    pthread_mutex_destroy(&g->lock);
    free(g);
}
