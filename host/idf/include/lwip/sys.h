/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: <lwip/sys.h> as firmware includes it: nothing of
 * lwIP's OS layer is used on the host, but what ESP-IDF's sys_arch.h brings in
 * (the FreeRTOS headers) firmware relies on. */
#ifndef LWIP_SYS_H_IDF_HOST
#define LWIP_SYS_H_IDF_HOST
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "lwip/err.h"
#endif
