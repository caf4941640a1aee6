/* SPDX-License-Identifier: Apache-2.0 */
/* FreeRTOS event groups on POSIX threads (ESP-IDF host environment). As on
 * the chip, the top 8 bits of an EventBits_t are reserved (set/clear/wait
 * ignore them), a waiter whose condition a set meets is released with the
 * bits of that moment (and its clear-on-exit bits cleared at once), and
 * deleting a group releases its waiters with 0. Differs from the chip:
 * ...FromISR() set/clear act at once (not through the timer task);
 * xEventGroupSync() is not provided. */
#ifndef EVENT_GROUPS_H
#define EVENT_GROUPS_H

#ifndef INC_FREERTOS_H
#error "include FreeRTOS.h must appear in source files before include event_groups.h"
#endif

#include "freertos/timers.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct EventGroupDef_t *EventGroupHandle_t;
typedef TickType_t EventBits_t;

typedef struct xSTATIC_EVENT_GROUP {
    void *pxDummy[8];
} StaticEventGroup_t;

EventGroupHandle_t xEventGroupCreate( void );
/* The buffer is checked, not used: the host allocates the group. */
EventGroupHandle_t xEventGroupCreateStatic( StaticEventGroup_t *pxEventGroupBuffer );
EventBits_t xEventGroupSync( EventGroupHandle_t xEventGroup,
                             const EventBits_t uxBitsToSet,
                             const EventBits_t uxBitsToWaitFor,
                             TickType_t xTicksToWait );
EventBits_t xEventGroupWaitBits( EventGroupHandle_t xEventGroup,
                                 const EventBits_t uxBitsToWaitFor,
                                 const BaseType_t xClearOnExit,
                                 const BaseType_t xWaitForAllBits,
                                 TickType_t xTicksToWait );
EventBits_t xEventGroupClearBits( EventGroupHandle_t xEventGroup,
                                  const EventBits_t uxBitsToClear );
EventBits_t xEventGroupSetBits( EventGroupHandle_t xEventGroup,
                                const EventBits_t uxBitsToSet );
BaseType_t xEventGroupSetBitsFromISR( EventGroupHandle_t xEventGroup,
                                      const EventBits_t uxBitsToSet,
                                      BaseType_t *pxHigherPriorityTaskWoken );
BaseType_t xEventGroupClearBitsFromISR( EventGroupHandle_t xEventGroup,
                                        const EventBits_t uxBitsToClear );
EventBits_t xEventGroupGetBitsFromISR( EventGroupHandle_t xEventGroup );
#define xEventGroupGetBits( xEventGroup )    xEventGroupClearBits( ( xEventGroup ), 0 )
void vEventGroupDelete( EventGroupHandle_t xEventGroup );

#ifdef __cplusplus
}
#endif

#endif /* EVENT_GROUPS_H */
