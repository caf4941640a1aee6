/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the host FreeRTOS files (not installed): time in ticks and
 * CLOCK_MONOTONIC deadlines, condition variables on that clock, and the
 * deletion check a task makes before it may block. */
#ifndef FREERTOS_HOST_PRIV_H
#define FREERTOS_HOST_PRIV_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "freertos/FreeRTOS.h"

/* Ticks as milliseconds, without pdTICKS_TO_MS()'s cut to TickType_t. */
static inline uint64_t idf_host__fr_ticks_to_ms(TickType_t ticks)
{
    return (uint64_t)ticks * 1000u / configTICK_RATE_HZ;
}

/* Milliseconds of CLOCK_MONOTONIC since the first use of the library. */
uint64_t idf_host__fr_now_ms(void);
/* The deadline xTicksToWait from now; NULL (wait forever) for portMAX_DELAY. */
const struct timespec *idf_host__fr_deadline(TickType_t ticks, struct timespec *ts);
/* The absolute time `ms` (on idf_host__fr_now_ms()'s scale) as a deadline. */
void idf_host__fr_ms_to_timespec(uint64_t ms, struct timespec *ts);
/* A condition variable that waits on CLOCK_MONOTONIC. */
void idf_host__fr_cond_init(pthread_cond_t *cond);
/* pthread_cond_wait, or pthread_cond_timedwait when deadline is not NULL. */
int idf_host__fr_cond_wait(pthread_cond_t *cond, pthread_mutex_t *lock, const struct timespec *deadline);
/* Ends the calling task when another task has deleted it (vTaskDelete). Call
 * before blocking, holding no lock. */
void idf_host__fr_task_check_deleted(void);

#endif /* FREERTOS_HOST_PRIV_H */
