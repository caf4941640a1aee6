/* SPDX-License-Identifier: Apache-2.0 */
/* A firmware with app_main() and no main(), as ESP-IDF applications are: the
 * environment's main() runs it in the "main" task, the task it starts goes on
 * after app_main() returns, and SIGTERM ends the program with status 0
 * (tests/idf_host/check_app_main.sh). */
#include <stdio.h>

#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

void app_main(void);   /* (ESP-IDF declares it nowhere; -Wmissing-prototypes wants one) */

static const char *TAG = "app";

static void ticker(void *arg)
{
    (void)arg;
    for (int i = 0;; i++) {
        printf("tick %d\n", i);
        fflush(stdout);
        vTaskDelay(pdMS_TO_TICKS(20));
    }
}

void app_main(void)
{
    ESP_LOGI(TAG, "app_main in task %s", pcTaskGetName(NULL));
    xTaskCreate(ticker, "ticker", 4096, NULL, 5, NULL);
}
