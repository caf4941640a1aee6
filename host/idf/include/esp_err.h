/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_err.h as firmware sees it on the chip. The
 * codes and esp_err_to_name() are the server library's esp_err.h (included
 * next); this wrapper adds what ESP-IDF's esp_err.h brings in besides
 * (<stdint.h>, <assert.h>, esp_compiler.h's likely/unlikely). */
#ifndef ESP_ERR_H_IDF_HOST
#define ESP_ERR_H_IDF_HOST

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "esp_compiler.h"
#include_next <esp_err.h>

#endif /* ESP_ERR_H_IDF_HOST */
