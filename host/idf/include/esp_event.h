/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_event.h, event loops (esp_event_base.h has
 * the types). A loop made with a task name runs its handlers on a FreeRTOS
 * task of its own; without one, esp_event_loop_run() runs them in the caller.
 * Handlers run in the order they were registered, each matching handler once
 * per event (a handler for a base and ESP_EVENT_ANY_ID, one for
 * ESP_EVENT_ANY_BASE, one for the exact id); the event data is copied when the
 * event is posted and freed after the last handler.
 * Differs from the chip: esp_event_dump() writes the loops and handlers but no
 * run-time figures; there are no ISRs (esp_event_isr_post() posts without
 * waiting, CONFIG_ESP_EVENT_POST_FROM_ISR or not). */
#ifndef ESP_EVENT_H_
#define ESP_EVENT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <esp_err.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "esp_event_base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t queue_size;         /**< events that may wait in the loop's queue */
    const char *task_name;      /**< the loop's task; NULL: no task (esp_event_loop_run()) */
    UBaseType_t task_priority;  /**< kept, not used on the host */
    uint32_t task_stack_size;   /**< kept, not used on the host */
    BaseType_t task_core_id;    /**< kept, not used on the host */
} esp_event_loop_args_t;

esp_err_t esp_event_loop_create(const esp_event_loop_args_t *event_loop_args, esp_event_loop_handle_t *event_loop);
esp_err_t esp_event_loop_delete(esp_event_loop_handle_t event_loop);
esp_err_t esp_event_loop_create_default(void);
esp_err_t esp_event_loop_delete_default(void);
esp_err_t esp_event_loop_run(esp_event_loop_handle_t event_loop, TickType_t ticks_to_run);

esp_err_t esp_event_handler_register(esp_event_base_t event_base, int32_t event_id,
                                     esp_event_handler_t event_handler, void *event_handler_arg);
esp_err_t esp_event_handler_register_with(esp_event_loop_handle_t event_loop, esp_event_base_t event_base,
                                          int32_t event_id, esp_event_handler_t event_handler,
                                          void *event_handler_arg);
esp_err_t esp_event_handler_instance_register_with(esp_event_loop_handle_t event_loop,
                                                   esp_event_base_t event_base, int32_t event_id,
                                                   esp_event_handler_t event_handler, void *event_handler_arg,
                                                   esp_event_handler_instance_t *instance);
esp_err_t esp_event_handler_instance_register(esp_event_base_t event_base, int32_t event_id,
                                              esp_event_handler_t event_handler, void *event_handler_arg,
                                              esp_event_handler_instance_t *instance);
esp_err_t esp_event_handler_unregister(esp_event_base_t event_base, int32_t event_id,
                                       esp_event_handler_t event_handler);
esp_err_t esp_event_handler_unregister_with(esp_event_loop_handle_t event_loop, esp_event_base_t event_base,
                                            int32_t event_id, esp_event_handler_t event_handler);
esp_err_t esp_event_handler_instance_unregister_with(esp_event_loop_handle_t event_loop,
                                                     esp_event_base_t event_base, int32_t event_id,
                                                     esp_event_handler_instance_t instance);
esp_err_t esp_event_handler_instance_unregister(esp_event_base_t event_base, int32_t event_id,
                                                esp_event_handler_instance_t instance);

esp_err_t esp_event_post(esp_event_base_t event_base, int32_t event_id, const void *event_data,
                         size_t event_data_size, TickType_t ticks_to_wait);
esp_err_t esp_event_post_to(esp_event_loop_handle_t event_loop, esp_event_base_t event_base, int32_t event_id,
                            const void *event_data, size_t event_data_size, TickType_t ticks_to_wait);
esp_err_t esp_event_isr_post(esp_event_base_t event_base, int32_t event_id, const void *event_data,
                             size_t event_data_size, BaseType_t *task_unblocked);
esp_err_t esp_event_isr_post_to(esp_event_loop_handle_t event_loop, esp_event_base_t event_base,
                                int32_t event_id, const void *event_data, size_t event_data_size,
                                BaseType_t *task_unblocked);

esp_err_t esp_event_dump(FILE *file);

#ifdef __cplusplus
}
#endif

#endif /* ESP_EVENT_H_ */
