/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: the common calls of the mDNS component
 * (espressif/mdns) for firmware that announces itself. On the host nothing is
 * announced: the calls check their arguments, remember the names, log what a
 * chip would announce and succeed (the host's own name service answers for it). */
#ifndef MDNS_H_IDF_HOST
#define MDNS_H_IDF_HOST

#include <stddef.h>
#include <stdint.h>

#include <esp_err.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *key;
    const char *value;
} mdns_txt_item_t;

esp_err_t mdns_init(void);
void mdns_free(void);
/** ESP_ERR_INVALID_STATE before mdns_init(); ESP_ERR_INVALID_ARG for NULL or a name over 63 bytes. */
esp_err_t mdns_hostname_set(const char *hostname);
esp_err_t mdns_instance_name_set(const char *instance_name);
/** ESP_ERR_INVALID_STATE before mdns_init(); ESP_ERR_INVALID_ARG without a type or protocol. */
esp_err_t mdns_service_add(const char *instance_name, const char *service_type, const char *proto,
                           uint16_t port, mdns_txt_item_t txt[], size_t num_items);
esp_err_t mdns_service_remove(const char *service_type, const char *proto);

#ifdef __cplusplus
}
#endif
#endif /* MDNS_H_IDF_HOST */
