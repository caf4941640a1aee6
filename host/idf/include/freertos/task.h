/* SPDX-License-Identifier: Apache-2.0 */
/* FreeRTOS tasks on POSIX threads (ESP-IDF host environment): each task is a
 * detached pthread. Differs from the chip: priorities and the core are kept
 * but not used; the stack size is ignored (the host's default thread stack);
 * uxTaskGetStackHighWaterMark() returns tskHOST_STACK_HIGH_WATER_MARK; a task
 * deleted or suspended by another task acts on it at its next
 * vTaskDelay()/xTaskDelayUntil() (at once if it is in one) or its next call
 * that may block; vTaskSuspendAll() holds the other tasks at their next such
 * call until xTaskResumeAll(). The ...Static creation calls take the buffers
 * the chip needs (and check them) but allocate as the dynamic ones do.
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

/* What the ...Static creation calls take (the host allocates on its own). */
typedef struct xSTATIC_TCB {
    void *pxDummy[8];
} StaticTask_t;

typedef enum {
    eRunning = 0,
    eReady,
    eBlocked,
    eSuspended,
    eDeleted,
    eInvalid
} eTaskState;

typedef enum {
    eNoAction = 0,
    eSetBits,
    eIncrement,
    eSetValueWithOverwrite,
    eSetValueWithoutOverwrite
} eNotifyAction;

#define configTASK_NOTIFICATION_ARRAY_ENTRIES    1
#define tskDEFAULT_INDEX_TO_NOTIFY               ( 0 )

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

TaskHandle_t xTaskCreateStaticPinnedToCore( TaskFunction_t pxTaskCode, const char * const pcName,
                                            const uint32_t ulStackDepth, void * const pvParameters,
                                            UBaseType_t uxPriority, StackType_t * const puxStackBuffer,
                                            StaticTask_t * const pxTaskBuffer, const BaseType_t xCoreID );
static inline TaskHandle_t xTaskCreateStatic( TaskFunction_t pxTaskCode, const char * const pcName,
                                              const uint32_t ulStackDepth, void * const pvParameters,
                                              UBaseType_t uxPriority, StackType_t * const puxStackBuffer,
                                              StaticTask_t * const pxTaskBuffer )
{
    return xTaskCreateStaticPinnedToCore( pxTaskCode, pcName, ulStackDepth, pvParameters, uxPriority,
                                          puxStackBuffer, pxTaskBuffer, tskNO_AFFINITY );
}

void vTaskSuspend( TaskHandle_t xTaskToSuspend );
void vTaskResume( TaskHandle_t xTaskToResume );
BaseType_t xTaskResumeFromISR( TaskHandle_t xTaskToResume );
void vTaskSuspendAll( void );
BaseType_t xTaskResumeAll( void );
TaskHandle_t xTaskGetHandle( const char *pcNameToQuery );
eTaskState eTaskGetState( TaskHandle_t xTask );

/* ---- Task notifications (one per task, index 0) ---------------------------------- */
BaseType_t xTaskGenericNotify( TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify, uint32_t ulValue,
                               eNotifyAction eAction, uint32_t *pulPreviousNotificationValue );
BaseType_t xTaskGenericNotifyFromISR( TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify, uint32_t ulValue,
                                      eNotifyAction eAction, uint32_t *pulPreviousNotificationValue,
                                      BaseType_t *pxHigherPriorityTaskWoken );
BaseType_t xTaskGenericNotifyWait( UBaseType_t uxIndexToWaitOn, uint32_t ulBitsToClearOnEntry,
                                   uint32_t ulBitsToClearOnExit, uint32_t *pulNotificationValue,
                                   TickType_t xTicksToWait );
void vTaskGenericNotifyGiveFromISR( TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify,
                                    BaseType_t *pxHigherPriorityTaskWoken );
uint32_t ulTaskGenericNotifyTake( UBaseType_t uxIndexToWaitOn, BaseType_t xClearCountOnExit,
                                  TickType_t xTicksToWait );
BaseType_t xTaskGenericNotifyStateClear( TaskHandle_t xTask, UBaseType_t uxIndexToClear );
uint32_t ulTaskGenericNotifyValueClear( TaskHandle_t xTask, UBaseType_t uxIndexToClear, uint32_t ulBitsToClear );

#define xTaskNotify( xTaskToNotify, ulValue, eAction ) \
    xTaskGenericNotify( ( xTaskToNotify ), ( tskDEFAULT_INDEX_TO_NOTIFY ), ( ulValue ), ( eAction ), NULL )
#define xTaskNotifyIndexed( xTaskToNotify, uxIndexToNotify, ulValue, eAction ) \
    xTaskGenericNotify( ( xTaskToNotify ), ( uxIndexToNotify ), ( ulValue ), ( eAction ), NULL )
#define xTaskNotifyAndQuery( xTaskToNotify, ulValue, eAction, pulPreviousNotifyValue ) \
    xTaskGenericNotify( ( xTaskToNotify ), ( tskDEFAULT_INDEX_TO_NOTIFY ), ( ulValue ), ( eAction ), ( pulPreviousNotifyValue ) )
#define xTaskNotifyAndQueryIndexed( xTaskToNotify, uxIndexToNotify, ulValue, eAction, pulPreviousNotifyValue ) \
    xTaskGenericNotify( ( xTaskToNotify ), ( uxIndexToNotify ), ( ulValue ), ( eAction ), ( pulPreviousNotifyValue ) )
#define xTaskNotifyFromISR( xTaskToNotify, ulValue, eAction, pxHigherPriorityTaskWoken ) \
    xTaskGenericNotifyFromISR( ( xTaskToNotify ), ( tskDEFAULT_INDEX_TO_NOTIFY ), ( ulValue ), ( eAction ), NULL, ( pxHigherPriorityTaskWoken ) )
#define xTaskNotifyIndexedFromISR( xTaskToNotify, uxIndexToNotify, ulValue, eAction, pxHigherPriorityTaskWoken ) \
    xTaskGenericNotifyFromISR( ( xTaskToNotify ), ( uxIndexToNotify ), ( ulValue ), ( eAction ), NULL, ( pxHigherPriorityTaskWoken ) )
#define xTaskNotifyAndQueryFromISR( xTaskToNotify, ulValue, eAction, pulPreviousNotificationValue, pxHigherPriorityTaskWoken ) \
    xTaskGenericNotifyFromISR( ( xTaskToNotify ), ( tskDEFAULT_INDEX_TO_NOTIFY ), ( ulValue ), ( eAction ), ( pulPreviousNotificationValue ), ( pxHigherPriorityTaskWoken ) )
#define xTaskNotifyAndQueryIndexedFromISR( xTaskToNotify, uxIndexToNotify, ulValue, eAction, pulPreviousNotificationValue, pxHigherPriorityTaskWoken ) \
    xTaskGenericNotifyFromISR( ( xTaskToNotify ), ( uxIndexToNotify ), ( ulValue ), ( eAction ), ( pulPreviousNotificationValue ), ( pxHigherPriorityTaskWoken ) )
#define xTaskNotifyWait( ulBitsToClearOnEntry, ulBitsToClearOnExit, pulNotificationValue, xTicksToWait ) \
    xTaskGenericNotifyWait( tskDEFAULT_INDEX_TO_NOTIFY, ( ulBitsToClearOnEntry ), ( ulBitsToClearOnExit ), ( pulNotificationValue ), ( xTicksToWait ) )
#define xTaskNotifyWaitIndexed( uxIndexToWaitOn, ulBitsToClearOnEntry, ulBitsToClearOnExit, pulNotificationValue, xTicksToWait ) \
    xTaskGenericNotifyWait( ( uxIndexToWaitOn ), ( ulBitsToClearOnEntry ), ( ulBitsToClearOnExit ), ( pulNotificationValue ), ( xTicksToWait ) )
#define xTaskNotifyGive( xTaskToNotify ) \
    xTaskGenericNotify( ( xTaskToNotify ), ( tskDEFAULT_INDEX_TO_NOTIFY ), ( 0 ), eIncrement, NULL )
#define xTaskNotifyGiveIndexed( xTaskToNotify, uxIndexToNotify ) \
    xTaskGenericNotify( ( xTaskToNotify ), ( uxIndexToNotify ), ( 0 ), eIncrement, NULL )
#define vTaskNotifyGiveFromISR( xTaskToNotify, pxHigherPriorityTaskWoken ) \
    vTaskGenericNotifyGiveFromISR( ( xTaskToNotify ), ( tskDEFAULT_INDEX_TO_NOTIFY ), ( pxHigherPriorityTaskWoken ) )
#define vTaskNotifyGiveIndexedFromISR( xTaskToNotify, uxIndexToNotify, pxHigherPriorityTaskWoken ) \
    vTaskGenericNotifyGiveFromISR( ( xTaskToNotify ), ( uxIndexToNotify ), ( pxHigherPriorityTaskWoken ) )
#define ulTaskNotifyTake( xClearCountOnExit, xTicksToWait ) \
    ulTaskGenericNotifyTake( ( tskDEFAULT_INDEX_TO_NOTIFY ), ( xClearCountOnExit ), ( xTicksToWait ) )
#define ulTaskNotifyTakeIndexed( uxIndexToWaitOn, xClearCountOnExit, xTicksToWait ) \
    ulTaskGenericNotifyTake( ( uxIndexToWaitOn ), ( xClearCountOnExit ), ( xTicksToWait ) )
#define xTaskNotifyStateClear( xTask ) \
    xTaskGenericNotifyStateClear( ( xTask ), ( tskDEFAULT_INDEX_TO_NOTIFY ) )
#define xTaskNotifyStateClearIndexed( xTask, uxIndexToClear ) \
    xTaskGenericNotifyStateClear( ( xTask ), ( uxIndexToClear ) )
#define ulTaskNotifyValueClear( xTask, ulBitsToClear ) \
    ulTaskGenericNotifyValueClear( ( xTask ), ( tskDEFAULT_INDEX_TO_NOTIFY ), ( ulBitsToClear ) )
#define ulTaskNotifyValueClearIndexed( xTask, uxIndexToClear, ulBitsToClear ) \
    ulTaskGenericNotifyValueClear( ( xTask ), ( uxIndexToClear ), ( ulBitsToClear ) )

#ifdef __cplusplus
}
#endif

#endif /* INC_TASK_H */
