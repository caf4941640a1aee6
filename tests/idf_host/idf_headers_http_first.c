/* SPDX-License-Identifier: Apache-2.0 */
/* esp_http_server.h first, every environment header after (test_idf_headers.c
 * has the other order). Before the others come in, what ESP-IDF's
 * esp_http_server.h brings in transitively must already be there: FreeRTOS
 * tasks, esp_event, sdkconfig.h. */
#include "esp_http_server.h"

int idf_headers_transitive(void);

int idf_headers_transitive(void)
{
    TaskHandle_t self = xTaskGetCurrentTaskHandle();
    esp_event_base_t base = NULL;
    esp_err_t (*create)(void) = esp_event_loop_create_default;
    return self != NULL && base == NULL && create != NULL && CONFIG_IDF_TARGET_LINUX == 1;
}

#include "idf_headers_list.h"

int idf_headers_http_first(void);

int idf_headers_http_first(void)
{
    httpd_config_t config = HTTPD_DEFAULT_CONFIG();
    esp_event_base_t base = IP_EVENT;
    return idf_headers_transitive() && config.core_id == tskNO_AFFINITY && base != NULL;
}
