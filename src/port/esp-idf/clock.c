/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ESP-IDF port, clock and sleep: esp_timer's microseconds since boot (64 bits,
 * monotonic, no wrap to handle) and FreeRTOS's vTaskDelay(). Built only by
 * ESP-IDF (cmake/idf_component.cmake), in place of src/port/lwip/clock.c.
 */
#include "port/port.h"

#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

uint64_t httpd__port_now_ms(void)
{
    return (uint64_t)esp_timer_get_time() / 1000u;
}

void httpd__port_sleep_ms(unsigned ms)
{
    /* Whole ticks, rounded up, and at least one: vTaskDelay(0) would only let
     * tasks of the same priority run, and the sleeper waits on the others. */
    TickType_t ticks = (TickType_t)(((uint64_t)ms * configTICK_RATE_HZ + 999u) / 1000u);
    vTaskDelay(ticks > 0 ? ticks : 1);
}
