/* SPDX-License-Identifier: Apache-2.0 */
/* FreeRTOS semaphores and mutexes (ESP-IDF host environment): the macros of
 * the chip's semphr.h over the queue functions (host/idf/freertos_queue.c).
 * Differs from the chip as queue.h says (no priority inheritance, waiters
 * woken in no particular order); static creation is not provided. */
#ifndef SEMAPHORE_H
#define SEMAPHORE_H

#ifndef INC_FREERTOS_H
#error "include FreeRTOS.h must appear in source files before include semphr.h"
#endif

#include "freertos/queue.h"

typedef QueueHandle_t SemaphoreHandle_t;

#define semBINARY_SEMAPHORE_QUEUE_LENGTH    ( ( uint8_t ) 1U )
#define semSEMAPHORE_QUEUE_ITEM_LENGTH      ( ( uint8_t ) 0U )
#define semGIVE_BLOCK_TIME                  ( ( TickType_t ) 0U )

#define vSemaphoreCreateBinary( xSemaphore )                                             \
    do {                                                                                 \
        ( xSemaphore ) = xQueueGenericCreate( ( UBaseType_t ) 1, semSEMAPHORE_QUEUE_ITEM_LENGTH, \
                                              queueQUEUE_TYPE_BINARY_SEMAPHORE );       \
        if( ( xSemaphore ) != NULL ) {                                                   \
            ( void ) xSemaphoreGive( ( xSemaphore ) );                                   \
        }                                                                                \
    } while( 0 )
#define xSemaphoreCreateBinary() \
    xQueueGenericCreate( ( UBaseType_t ) 1, semSEMAPHORE_QUEUE_ITEM_LENGTH, queueQUEUE_TYPE_BINARY_SEMAPHORE )
typedef StaticQueue_t StaticSemaphore_t;
#define xSemaphoreCreateBinaryStatic( pxStaticSemaphore ) \
    xQueueGenericCreateStatic( ( UBaseType_t ) 1, semSEMAPHORE_QUEUE_ITEM_LENGTH, NULL, ( pxStaticSemaphore ), queueQUEUE_TYPE_BINARY_SEMAPHORE )
#define xSemaphoreCreateMutexStatic( pxMutexBuffer ) \
    xQueueCreateMutexStatic( queueQUEUE_TYPE_MUTEX, ( pxMutexBuffer ) )
#define xSemaphoreCreateRecursiveMutexStatic( pxStaticSemaphore ) \
    xQueueCreateMutexStatic( queueQUEUE_TYPE_RECURSIVE_MUTEX, ( pxStaticSemaphore ) )
#define xSemaphoreCreateCountingStatic( uxMaxCount, uxInitialCount, pxSemaphoreBuffer ) \
    xQueueCreateCountingSemaphoreStatic( ( uxMaxCount ), ( uxInitialCount ), ( pxSemaphoreBuffer ) )
#define xSemaphoreCreateMutex()             xQueueCreateMutex( queueQUEUE_TYPE_MUTEX )
#define xSemaphoreCreateRecursiveMutex()    xQueueCreateMutex( queueQUEUE_TYPE_RECURSIVE_MUTEX )
#define xSemaphoreCreateCounting( uxMaxCount, uxInitialCount ) \
    xQueueCreateCountingSemaphore( ( uxMaxCount ), ( uxInitialCount ) )
#define xSemaphoreTake( xSemaphore, xBlockTime )         xQueueSemaphoreTake( ( xSemaphore ), ( xBlockTime ) )
#define xSemaphoreTakeRecursive( xMutex, xBlockTime )    xQueueTakeMutexRecursive( ( xMutex ), ( xBlockTime ) )
#define xSemaphoreGive( xSemaphore ) \
    xQueueGenericSend( ( QueueHandle_t ) ( xSemaphore ), NULL, semGIVE_BLOCK_TIME, queueSEND_TO_BACK )
#define xSemaphoreGiveRecursive( xMutex )    xQueueGiveMutexRecursive( ( xMutex ) )
#define xSemaphoreGiveFromISR( xSemaphore, pxHigherPriorityTaskWoken ) \
    xQueueGiveFromISR( ( QueueHandle_t ) ( xSemaphore ), ( pxHigherPriorityTaskWoken ) )
#define xSemaphoreTakeFromISR( xSemaphore, pxHigherPriorityTaskWoken ) \
    xQueueReceiveFromISR( ( QueueHandle_t ) ( xSemaphore ), NULL, ( pxHigherPriorityTaskWoken ) )
#define vSemaphoreDelete( xSemaphore )                  vQueueDelete( ( QueueHandle_t ) ( xSemaphore ) )
#define xSemaphoreGetMutexHolder( xSemaphore )          xQueueGetMutexHolder( ( xSemaphore ) )
#define uxSemaphoreGetCount( xSemaphore )               uxQueueMessagesWaiting( ( QueueHandle_t ) ( xSemaphore ) )
#define uxSemaphoreGetCountFromISR( xSemaphore )        uxQueueMessagesWaitingFromISR( ( QueueHandle_t ) ( xSemaphore ) )

#endif /* SEMAPHORE_H */
