/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_http_server.h as firmware sees it on the chip,
 * where it brings in FreeRTOS, esp_event and more, which examples rely on
 * without including them. These come first, then the server library's own
 * header (included next). */
#ifndef ESP_HTTP_SERVER_H_IDF_HOST
#define ESP_HTTP_SERVER_H_IDF_HOST

#include <stdio.h>
#include <string.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "http_parser.h"
#include <sdkconfig.h>
#include <esp_err.h>
#include "esp_event.h"
#include "esp_event_base.h"
#include "esp_heap_caps.h"

#include_next <esp_http_server.h>

#endif /* ESP_HTTP_SERVER_H_IDF_HOST */
