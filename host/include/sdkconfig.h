/* SPDX-License-Identifier: Apache-2.0 */
/* Host stand-in for ESP-IDF's generated sdkconfig.h: firmware that includes it
 * sees the CONFIG_HTTPD_* values of the library it links. */
#ifndef SDKCONFIG_H_HOST
#define SDKCONFIG_H_HOST
#include "esp_http_server_config.h"
#endif
