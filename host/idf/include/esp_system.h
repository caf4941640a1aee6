/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_system.h, restart, reset reason, shutdown
 * handlers and heap figures.
 * Differs from the chip: esp_restart() runs the shutdown handlers (last
 * registered first, as on the chip), then re-executes the program with the
 * same arguments (execv of /proc/self/exe); the new run's esp_reset_reason() is
 * ESP_RST_SW, told through the environment variable IDF_HOST_RESET_REASON
 * (read once and removed). A first start is ESP_RST_POWERON. The heap is
 * simulated: IDF_HOST_HEAP_SIZE bytes (environment, default
 * IDF_HOST_DEFAULT_HEAP_SIZE) less what the process has allocated since it
 * started, as glibc counts it (not counted under sanitizers); the minimum is
 * the lowest figure any of these calls saw. */
#ifndef __ESP_SYSTEM_H__
#define __ESP_SYSTEM_H__

#include <stdbool.h>
#include <stdint.h>
#include <esp_err.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The simulated heap when IDF_HOST_HEAP_SIZE is not set: 300 KiB. */
#define IDF_HOST_DEFAULT_HEAP_SIZE  (300u * 1024u)

typedef enum {
    ESP_RST_UNKNOWN,
    ESP_RST_POWERON,
    ESP_RST_EXT,
    ESP_RST_SW,
    ESP_RST_PANIC,
    ESP_RST_INT_WDT,
    ESP_RST_TASK_WDT,
    ESP_RST_WDT,
    ESP_RST_DEEPSLEEP,
    ESP_RST_BROWNOUT,
    ESP_RST_SDIO,
    ESP_RST_USB,
    ESP_RST_JTAG,
    ESP_RST_EFUSE,
    ESP_RST_PWR_GLITCH,
    ESP_RST_CPU_LOCKUP,
} esp_reset_reason_t;

typedef void (*shutdown_handler_t)(void);

/** Registers a function esp_restart() calls before restarting (at most
 *  IDF_HOST_SHUTDOWN_HANDLERS, ESP_ERR_NO_MEM beyond; ESP_ERR_INVALID_STATE if
 *  already registered; ESP_ERR_INVALID_ARG for NULL). */
esp_err_t esp_register_shutdown_handler(shutdown_handler_t handle);
/** ESP_ERR_INVALID_STATE when handle was not registered. */
esp_err_t esp_unregister_shutdown_handler(shutdown_handler_t handle);
#define IDF_HOST_SHUTDOWN_HANDLERS  5

void esp_restart(void) __attribute__((__noreturn__));
esp_reset_reason_t esp_reset_reason(void);
uint32_t esp_get_free_heap_size(void);
uint32_t esp_get_free_internal_heap_size(void);
uint32_t esp_get_minimum_free_heap_size(void);
/** Writes details to stderr and aborts. */
void esp_system_abort(const char *details) __attribute__((__noreturn__));

#ifdef __cplusplus
}
#endif

#endif /* __ESP_SYSTEM_H__ */
