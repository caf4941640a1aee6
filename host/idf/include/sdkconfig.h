/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: the values of ESP-IDF's generated sdkconfig.h that
 * ESP-IDF's headers and examples read, for a Linux host ("linux" target).
 * First an application's own values: a file sdkconfig_app.h on the include
 * path (the CONFIG_EXAMPLE_* options of its Kconfig, say) is included before
 * anything else, and every value below is only a default (#ifndef). Then the
 * server library's sdkconfig.h (its CONFIG_HTTPD_* values). ESP_PLATFORM is
 * not defined: the code is not built for a chip. */
#ifndef SDKCONFIG_H_IDF_HOST
#define SDKCONFIG_H_IDF_HOST

#if defined(__has_include)
#if __has_include("sdkconfig_app.h")
#include "sdkconfig_app.h"
#endif
#endif

#include_next <sdkconfig.h>

/* ---- Target ---------------------------------------------------------------------- */
#ifndef CONFIG_IDF_TARGET
#define CONFIG_IDF_TARGET "linux"
#endif
#ifndef CONFIG_IDF_TARGET_LINUX
#define CONFIG_IDF_TARGET_LINUX 1
#endif
#ifndef CONFIG_IDF_FIRMWARE_CHIP_ID
#define CONFIG_IDF_FIRMWARE_CHIP_ID 0xFFFF
#endif

/* ---- FreeRTOS -------------------------------------------------------------------- */
#ifndef CONFIG_FREERTOS_HZ
#define CONFIG_FREERTOS_HZ 1000
#endif
#ifndef CONFIG_FREERTOS_NUMBER_OF_CORES
#define CONFIG_FREERTOS_NUMBER_OF_CORES 1
#endif
#ifndef CONFIG_FREERTOS_UNICORE
#define CONFIG_FREERTOS_UNICORE 1
#endif
#ifndef CONFIG_FREERTOS_MAX_TASK_NAME_LEN
#define CONFIG_FREERTOS_MAX_TASK_NAME_LEN 16
#endif
#ifndef CONFIG_FREERTOS_TIMER_TASK_PRIORITY
#define CONFIG_FREERTOS_TIMER_TASK_PRIORITY 1
#endif

/* ---- Logging (ESP_LOG_INFO: the chip's default) ------------------------------------ */
#ifndef CONFIG_LOG_DEFAULT_LEVEL
#define CONFIG_LOG_DEFAULT_LEVEL 3
#endif
#ifndef CONFIG_LOG_MAXIMUM_LEVEL
#define CONFIG_LOG_MAXIMUM_LEVEL 3
#endif

/* ---- System, timers, events -------------------------------------------------------- */
#ifndef CONFIG_ESP_MAIN_TASK_STACK_SIZE
#define CONFIG_ESP_MAIN_TASK_STACK_SIZE 3584
#endif
#ifndef CONFIG_ESP_SYSTEM_EVENT_QUEUE_SIZE
#define CONFIG_ESP_SYSTEM_EVENT_QUEUE_SIZE 32
#endif
#ifndef CONFIG_ESP_SYSTEM_EVENT_TASK_STACK_SIZE
#define CONFIG_ESP_SYSTEM_EVENT_TASK_STACK_SIZE 2304
#endif
#ifndef CONFIG_ESP_TIMER_TASK_STACK_SIZE
#define CONFIG_ESP_TIMER_TASK_STACK_SIZE 3584
#endif
#ifndef CONFIG_ESP_TIMER_TASK_AFFINITY
#define CONFIG_ESP_TIMER_TASK_AFFINITY 0x0
#endif

/* ---- Network --------------------------------------------------------------------- */
#ifndef CONFIG_LWIP_MAX_SOCKETS
#define CONFIG_LWIP_MAX_SOCKETS 10
#endif
#ifndef CONFIG_LWIP_IPV4
#define CONFIG_LWIP_IPV4 1
#endif
#ifndef CONFIG_LWIP_LOCAL_HOSTNAME
#define CONFIG_LWIP_LOCAL_HOSTNAME "espressif"
#endif

#endif /* SDKCONFIG_H_IDF_HOST */
