/* SPDX-License-Identifier: Apache-2.0 */
/* mdns.c: mdns.h and lwip/apps/netbiosns.h on the host (see mdns.h): argument
 * checks, the names remembered and logged, nothing announced. */
#include "mdns.h"
#include "lwip/apps/netbiosns.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "esp_log.h"

static const char *TAG = "mdns";

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static bool s_up;
static char s_host[64];

esp_err_t mdns_init(void)
{
    pthread_mutex_lock(&s_lock);
    s_up = true;
    pthread_mutex_unlock(&s_lock);
    ESP_LOGI(TAG, "host: mDNS is not announced (the host's own name service answers)");
    return ESP_OK;
}

void mdns_free(void)
{
    pthread_mutex_lock(&s_lock);
    s_up = false;
    s_host[0] = '\0';
    pthread_mutex_unlock(&s_lock);
}

esp_err_t mdns_hostname_set(const char *hostname)
{
    if (!hostname || strlen(hostname) >= sizeof s_host) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&s_lock);
    esp_err_t err = s_up ? ESP_OK : ESP_ERR_INVALID_STATE;
    if (err == ESP_OK) {
        strcpy(s_host, hostname);
    }
    pthread_mutex_unlock(&s_lock);
    if (err == ESP_OK) {
        ESP_LOGI(TAG, "hostname %s.local (not announced on the host)", hostname);
    }
    return err;
}

esp_err_t mdns_instance_name_set(const char *instance_name)
{
    if (!instance_name) {
        return ESP_ERR_INVALID_ARG;
    }
    return s_up ? ESP_OK : ESP_ERR_INVALID_STATE;
}

esp_err_t mdns_service_add(const char *instance_name, const char *service_type, const char *proto,
                           uint16_t port, mdns_txt_item_t txt[], size_t num_items)
{
    (void)txt;
    if (!service_type || !proto || (num_items && !txt)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!s_up) {
        return ESP_ERR_INVALID_STATE;
    }
    ESP_LOGI(TAG, "service %s %s.%s port %u (not announced on the host)",
             instance_name ? instance_name : "", service_type, proto, (unsigned)port);
    return ESP_OK;
}

esp_err_t mdns_service_remove(const char *service_type, const char *proto)
{
    if (!service_type || !proto) {
        return ESP_ERR_INVALID_ARG;
    }
    return s_up ? ESP_OK : ESP_ERR_INVALID_STATE;
}

void netbiosns_init(void)
{
    ESP_LOGI(TAG, "host: NetBIOS names are not answered");
}

void netbiosns_set_name(const char *hostname)
{
    ESP_LOGI(TAG, "NetBIOS name %s (not answered on the host)", hostname ? hostname : "");
}

void netbiosns_stop(void)
{
}
