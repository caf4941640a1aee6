/* SPDX-License-Identifier: Apache-2.0 */
/* esp_http_server.h first, the FreeRTOS headers after (test_freertos.c has
 * the other order): the names both define must agree, without a warning. */
#include "esp_http_server.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"

int httpd_first_check(void);

int httpd_first_check(void)
{
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    BaseType_t core = config.core_id;
    UBaseType_t prio = tskIDLE_PRIORITY;
    return core == tskNO_AFFINITY && config.task_priority == prio + 5 && sizeof(BaseType_t) == sizeof(int);
}
