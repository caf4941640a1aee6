/* SPDX-License-Identifier: Apache-2.0 */
/* FreeRTOS on POSIX threads (ESP-IDF host environment): the base header, with
 * ESP-IDF 5.x's FreeRTOS (v10.5) types, configuration values and projdefs.
 * Differs from the chip: configTICK_RATE_HZ is 1000 (a tick is a millisecond of
 * CLOCK_MONOTONIC), and priorities and stack sizes are accepted but not used
 * (tasks are threads scheduled by the host). */
#ifndef INC_FREERTOS_H
#define INC_FREERTOS_H

#include <stddef.h>
#include <stdint.h>
#include <limits.h>

/* ---- Configuration (FreeRTOSConfig.h on the chip) ------------------------------- */
#ifndef configTICK_RATE_HZ
#define configTICK_RATE_HZ                  1000
#endif
#define configMAX_PRIORITIES                25
#define configMINIMAL_STACK_SIZE            768
#define configMAX_TASK_NAME_LEN             16
#define configNUMBER_OF_CORES               1
#define configNUM_CORES                     configNUMBER_OF_CORES
#define configSTACK_DEPTH_TYPE              uint32_t
#define configUSE_MUTEXES                   1
#define configUSE_RECURSIVE_MUTEXES         1
#define configUSE_COUNTING_SEMAPHORES       1
#define configUSE_TIMERS                    1
#define configUSE_TASK_NOTIFICATIONS        1
#define INCLUDE_vTaskSuspend                1
#define INCLUDE_xTaskGetHandle              1
#define INCLUDE_eTaskGetState               1
#define INCLUDE_xTimerPendFunctionCall      1
#define configSUPPORT_DYNAMIC_ALLOCATION    1
#define configSUPPORT_STATIC_ALLOCATION     1
#define configUSE_16_BIT_TICKS              0
#define configTIMER_TASK_PRIORITY           1
#define configTIMER_QUEUE_LENGTH            10
#define configTIMER_TASK_STACK_DEPTH        2048
#ifndef configASSERT
#include <assert.h>
#define configASSERT( x )                   assert( x )
#endif

#include "freertos/portmacro.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- projdefs.h ------------------------------------------------------------------ */
typedef void (*TaskFunction_t)( void * );

#ifndef pdMS_TO_TICKS
#define pdMS_TO_TICKS( xTimeInMs )    ( ( TickType_t ) ( ( ( uint64_t ) ( xTimeInMs ) * ( uint64_t ) configTICK_RATE_HZ ) / ( uint64_t ) 1000U ) )
#endif
#ifndef pdTICKS_TO_MS
#define pdTICKS_TO_MS( xTicks )       ( ( TickType_t ) ( ( uint64_t ) ( xTicks ) * 1000U / configTICK_RATE_HZ ) )
#endif

#define pdFALSE                                  ( ( BaseType_t ) 0 )
#define pdTRUE                                   ( ( BaseType_t ) 1 )
#define pdPASS                                   ( pdTRUE )
#define pdFAIL                                   ( pdFALSE )
#define errQUEUE_EMPTY                           ( ( BaseType_t ) 0 )
#define errQUEUE_FULL                            ( ( BaseType_t ) 0 )
#define errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY    ( -1 )
#define errQUEUE_BLOCKED                         ( -4 )
#define errQUEUE_YIELD                           ( -5 )

/* task.h's values, defined here too because esp_http_server.h (whose host
 * fallbacks these replace) needs them with FreeRTOS.h alone. */
#undef tskIDLE_PRIORITY
#define tskIDLE_PRIORITY    ( ( UBaseType_t ) 0U )
#undef tskNO_AFFINITY
#define tskNO_AFFINITY      ( ( BaseType_t ) 0x7FFFFFFF )

#ifdef __cplusplus
}
#endif

#endif /* INC_FREERTOS_H */
