/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Footprint builds only (scripts/footprint.sh): lwIP's operating-system
 * types (NO_SYS=0) as opaque handles, as an RTOS port (FreeRTOS on ESP-IDF)
 * has them. Declarations only.
 */
#ifndef HTTPD_FOOTPRINT_ARCH_SYS_ARCH_H
#define HTTPD_FOOTPRINT_ARCH_SYS_ARCH_H

#include <stddef.h>

#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL  NULL

typedef struct sys_sem    *sys_sem_t;
typedef struct sys_mutex  *sys_mutex_t;
typedef struct sys_mbox   *sys_mbox_t;
typedef struct sys_thread *sys_thread_t;

#define sys_sem_valid(sem)             (((sem) != NULL) && (*(sem) != NULL))
#define sys_sem_valid_val(sem)         ((sem) != NULL)
#define sys_sem_set_invalid(sem)       do { if ((sem) != NULL) { *(sem) = NULL; } } while (0)
#define sys_sem_set_invalid_val(sem)   do { (sem) = NULL; } while (0)
#define sys_mutex_valid(mutex)         sys_sem_valid(mutex)
#define sys_mutex_set_invalid(mutex)   sys_sem_set_invalid(mutex)
#define sys_mbox_valid(mbox)           sys_sem_valid(mbox)
#define sys_mbox_valid_val(mbox)       sys_sem_valid_val(mbox)
#define sys_mbox_set_invalid(mbox)     sys_sem_set_invalid(mbox)
#define sys_mbox_set_invalid_val(mbox) sys_sem_set_invalid_val(mbox)

#endif /* HTTPD_FOOTPRINT_ARCH_SYS_ARCH_H */
