/* SPDX-License-Identifier: Apache-2.0 */
/* Host FreeRTOS port layer (ESP-IDF host environment): the port types and
 * macros of ESP-IDF's Xtensa/RISC-V ports (int-sized BaseType_t, 32-bit ticks,
 * portMUX_TYPE critical sections). Differs from the chip: a critical section is
 * one process-wide recursive mutex (interrupts are not masked and the mux
 * argument is only checked for NULL); there is one "core", xPortGetCoreID() is 0.
 * Included by FreeRTOS.h; not meant to be included on its own. */
#ifndef PORTMACRO_H
#define PORTMACRO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define portCHAR          int8_t
#define portFLOAT         float
#define portDOUBLE        double
#define portLONG          int32_t
#define portSHORT         int16_t
#define portSTACK_TYPE    uint8_t
#define portBASE_TYPE     int

typedef portSTACK_TYPE    StackType_t;
typedef portBASE_TYPE     BaseType_t;
typedef unsigned int      UBaseType_t;
typedef uint32_t          TickType_t;

#define portMAX_DELAY               ( ( TickType_t ) 0xffffffffUL )
#define portTICK_TYPE_IS_ATOMIC     1
#define portSTACK_GROWTH            ( -1 )
#define portBYTE_ALIGNMENT          4
#define portNUM_PROCESSORS          1
#define portTICK_PERIOD_MS          ( ( TickType_t ) 1000 / configTICK_RATE_HZ )

/* A critical-section lock as ESP-IDF declares them; on the host every one
 * stands for the same process-wide recursive mutex. */
typedef struct {
    uint32_t owner;
    uint32_t count;
} portMUX_TYPE;
#define portMUX_FREE_VAL                0xB33FFFFF
#define portMUX_INITIALIZER_UNLOCKED    { portMUX_FREE_VAL, 0 }
#define portMUX_INITIALIZE( mux )       do { ( mux )->owner = portMUX_FREE_VAL; ( mux )->count = 0; } while( 0 )
#define spinlock_initialize( mux )      portMUX_INITIALIZE( mux )

void vPortEnterCritical( portMUX_TYPE *mux );
void vPortExitCritical( portMUX_TYPE *mux );
BaseType_t xPortGetCoreID( void );
void vPortYield( void );
BaseType_t xPortInIsrContext( void );

#define portENTER_CRITICAL( mux )           vPortEnterCritical( mux )
#define portEXIT_CRITICAL( mux )            vPortExitCritical( mux )
#define portENTER_CRITICAL_ISR( mux )       vPortEnterCritical( mux )
#define portEXIT_CRITICAL_ISR( mux )        vPortExitCritical( mux )
#define portENTER_CRITICAL_SAFE( mux )      vPortEnterCritical( mux )
#define portEXIT_CRITICAL_SAFE( mux )       vPortExitCritical( mux )
#define portYIELD()                         vPortYield()
#define portYIELD_WITHIN_API()              vPortYield()
#define portYIELD_FROM_ISR( x )             do { ( void ) ( x ); } while( 0 )
#define portEND_SWITCHING_ISR( x )          do { ( void ) ( x ); } while( 0 )
#define portGET_CORE_ID()                   xPortGetCoreID()
#define portCHECK_IF_IN_ISR()               xPortInIsrContext()
#define portTASK_FUNCTION_PROTO( vFunction, pvParameters )    void vFunction( void *pvParameters )
#define portTASK_FUNCTION( vFunction, pvParameters )          void vFunction( void *pvParameters )

#ifdef __cplusplus
}
#endif

#endif /* PORTMACRO_H */
