/* SPDX-License-Identifier: Apache-2.0 */
/* An ESP-IDF style firmware built against the installed ESP-IDF host
 * environment: only app_main(), FreeRTOS, NVS and a SPIFFS mount whose files
 * land in a host folder. It stops itself with SIGTERM when all went well, so
 * the environment's main() exits 0; any failure exits 1. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esp_http_server.h"
#include "esp_spiffs.h"
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/task.h"
#include "nvs_flash.h"

void app_main(void);

static void fail(const char *what)
{
    fprintf(stderr, "idf consumer: %s failed\n", what);
    exit(1);
}

static void producer(void *arg)
{
    int v = 42;
    xQueueSend((QueueHandle_t)arg, &v, portMAX_DELAY);
    vTaskDelete(NULL);
}

void app_main(void)
{
    QueueHandle_t q = xQueueCreate(1, sizeof(int));
    int got = 0;
    if (!q || xTaskCreate(producer, "producer", 4096, q, 5, NULL) != pdPASS ||
        xQueueReceive(q, &got, pdMS_TO_TICKS(2000)) != pdTRUE || got != 42) {
        fail("the FreeRTOS queue");
    }
    vQueueDelete(q);
    nvs_handle_t h;
    if (nvs_flash_init() != ESP_OK || nvs_open("app", NVS_READWRITE, &h) != ESP_OK ||
        nvs_set_u32(h, "boots", 1) != ESP_OK || nvs_commit(h) != ESP_OK) {
        fail("NVS");
    }
    nvs_close(h);
    esp_vfs_spiffs_conf_t conf = { .base_path = "/data", .max_files = 4, .format_if_mount_failed = true };
    if (esp_vfs_spiffs_register(&conf) != ESP_OK) {
        fail("the SPIFFS mount");
    }
    FILE *f = fopen("/data/hello.txt", "w");
    if (!f || fputs("hello from app_main\n", f) < 0 || fclose(f) != 0) {
        fail("writing /data/hello.txt");
    }
    httpd_handle_t server = NULL;
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    config.server_port = 0;   /* any free port */
    if (httpd_start(&server, &config) != ESP_OK || httpd_stop(server) != ESP_OK) {
        fail("httpd_start/httpd_stop");
    }
    printf("IDF_CONSUMER_OK\n");
    fflush(stdout);
    kill(getpid(), SIGTERM);
}
