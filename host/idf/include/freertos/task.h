/* SPDX-License-Identifier: Apache-2.0 */
/* FreeRTOS tasks on POSIX threads (ESP-IDF host environment): each task is a
 * detached pthread. Differs from the chip: priorities and the core are kept
 * but not used; the stack size is ignored (the host's default thread stack);
 * uxTaskGetStackHighWaterMark() returns tskHOST_STACK_HIGH_WATER_MARK; a task
 * deleted by another task exits at its next vTaskDelay()/xTaskDelayUntil() (at
 * once if it is in one) or at its next call that may block; vTaskSuspend(),
 * vTaskResume(), task notifications and vTaskSuspendAll() are not provided.
 * A thread not created by xTaskCreate() (main(), say) is a task too: it has a
 * handle (named "main" or "pthread") so it can hold a mutex. */
#ifndef INC_TASK_H
#define INC_TASK_H

#ifndef INC_FREERTOS_H
#error "include FreeRTOS.h must appear in source files before include task.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define tskKERNEL_VERSION_NUMBER    "V10.5.1"
#define tskKERNEL_VERSION_MAJOR     10
#define tskKERNEL_VERSION_MINOR     5
#define tskKERNEL_VERSION_BUILD     1

/* What uxTaskGetStackHighWaterMark() answers on the host (bytes): threads
 * have the host's stack, so there is nothing to measure. */
#define tskHOST_STACK_HIGH_WATER_MARK    ( ( UBaseType_t ) 4096U )

typedef struct tskTaskControlBlock *TaskHandle_t;

#define taskYIELD()                         portYIELD()
#define taskENTER_CRITICAL( x )             portENTER_CRITICAL( x )
#define taskEXIT_CRITICAL( x )              portEXIT_CRITICAL( x )
#define taskENTER_CRITICAL_ISR( x )         portENTER_CRITICAL_ISR( x )
#define taskEXIT_CRITICAL_ISR( x )          portEXIT_CRITICAL_ISR( x )
#define taskENTER_CRITICAL_SAFE( x )        portENTER_CRITICAL_SAFE( x )
#define taskEXIT_CRITICAL_SAFE( x )         portEXIT_CRITICAL_SAFE( x )
#define taskDISABLE_INTERRUPTS()            do { } while( 0 )
#define taskENABLE_INTERRUPTS()             do { } while( 0 )

#define taskSCHEDULER_SUSPENDED             ( ( BaseType_t ) 0 )
#define taskSCHEDULER_NOT_STARTED           ( ( BaseType_t ) 1 )
#define taskSCHEDULER_RUNNING               ( ( BaseType_t ) 2 )

BaseType_t xTaskCreatePinnedToCore( TaskFunction_t pxTaskCode,
                                    const char * const pcName,
                                    const configSTACK_DEPTH_TYPE usStackDepth,
                                    void * const pvParameters,
                                    UBaseType_t uxPriority,
                                    TaskHandle_t * const pxCreatedTask,
                                    const BaseType_t xCoreID );

static inline BaseType_t xTaskCreate( TaskFunction_t pxTaskCode,
                                      const char * const pcName,
                                      const configSTACK_DEPTH_TYPE usStackDepth,
                                      void * const pvParameters,
                                      UBaseType_t uxPriority,
                                      TaskHandle_t * const pxCreatedTask )
{
    return xTaskCreatePinnedToCore( pxTaskCode, pcName, usStackDepth, pvParameters,
                                    uxPriority, pxCreatedTask, tskNO_AFFINITY );
}

void vTaskDelete( TaskHandle_t xTaskToDelete );
void vTaskDelay( const TickType_t xTicksToDelay );
BaseType_t xTaskDelayUntil( TickType_t * const pxPreviousWakeTime,
                            const TickType_t xTimeIncrement );
#define vTaskDelayUntil( pxPreviousWakeTime, xTimeIncrement )          \
    do {                                                               \
        ( void ) xTaskDelayUntil( ( pxPreviousWakeTime ), ( xTimeIncrement ) ); \
    } while( 0 )

TickType_t xTaskGetTickCount( void );
TickType_t xTaskGetTickCountFromISR( void );
TaskHandle_t xTaskGetCurrentTaskHandle( void );
TaskHandle_t xTaskGetCurrentTaskHandleForCore( BaseType_t xCoreID );
char *pcTaskGetName( TaskHandle_t xTaskToQuery );
UBaseType_t uxTaskPriorityGet( const TaskHandle_t xTask );
void vTaskPrioritySet( TaskHandle_t xTask, UBaseType_t uxNewPriority );
BaseType_t xTaskGetCoreID( TaskHandle_t xTask );
UBaseType_t uxTaskGetStackHighWaterMark( TaskHandle_t xTask );
UBaseType_t uxTaskGetNumberOfTasks( void );
BaseType_t xTaskGetSchedulerState( void );
void vTaskStartScheduler( void );

#ifdef __cplusplus
}
#endif

#endif /* INC_TASK_H */
