/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_netif.h, network interfaces. The host's own
 * network stack does the work, so an interface here is a record: a key
 * ("WIFI_STA_DEF", "WIFI_AP_DEF", ...), a description, an IP address (the
 * loopback address 127.0.0.1/8 unless set), a MAC address and a hostname.
 * Differs from the chip: nothing is sent or received through an interface;
 * DHCP client/server calls only track their state; there is no IPv6 address. */
#ifndef _ESP_NETIF_H_
#define _ESP_NETIF_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sdkconfig.h>
#include <esp_err.h>
#include "esp_netif_ip_addr.h"
#include "esp_netif_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The loopback address every host interface reports until set otherwise. */
#define ESP_NETIF_HOST_DEFAULT_IP  ESP_IP4TOADDR(127, 0, 0, 1)

esp_err_t esp_netif_init(void);
esp_err_t esp_netif_deinit(void);
esp_netif_t *esp_netif_new(const esp_netif_config_t *esp_netif_config);
void esp_netif_destroy(esp_netif_t *esp_netif);

esp_err_t esp_netif_set_default_netif(esp_netif_t *esp_netif);
esp_netif_t *esp_netif_get_default_netif(void);
esp_err_t esp_netif_set_mac(esp_netif_t *esp_netif, uint8_t mac[]);
esp_err_t esp_netif_get_mac(esp_netif_t *esp_netif, uint8_t mac[]);
esp_err_t esp_netif_set_hostname(esp_netif_t *esp_netif, const char *hostname);
esp_err_t esp_netif_get_hostname(esp_netif_t *esp_netif, const char **hostname);
bool esp_netif_is_netif_up(esp_netif_t *esp_netif);
esp_err_t esp_netif_get_ip_info(esp_netif_t *esp_netif, esp_netif_ip_info_t *ip_info);
esp_err_t esp_netif_set_ip_info(esp_netif_t *esp_netif, const esp_netif_ip_info_t *ip_info);
int esp_netif_get_netif_impl_index(esp_netif_t *esp_netif);
esp_err_t esp_netif_get_netif_impl_name(esp_netif_t *esp_netif, char *name);

esp_err_t esp_netif_dhcps_option(esp_netif_t *esp_netif, esp_netif_dhcp_option_mode_t opt_op,
                                 esp_netif_dhcp_option_id_t opt_id, void *opt_val, uint32_t opt_len);
esp_err_t esp_netif_dhcpc_option(esp_netif_t *esp_netif, esp_netif_dhcp_option_mode_t opt_op,
                                 esp_netif_dhcp_option_id_t opt_id, void *opt_val, uint32_t opt_len);
esp_err_t esp_netif_dhcpc_start(esp_netif_t *esp_netif);
esp_err_t esp_netif_dhcpc_stop(esp_netif_t *esp_netif);
esp_err_t esp_netif_dhcpc_get_status(esp_netif_t *esp_netif, esp_netif_dhcp_status_t *status);
esp_err_t esp_netif_dhcps_get_status(esp_netif_t *esp_netif, esp_netif_dhcp_status_t *status);
esp_err_t esp_netif_dhcps_start(esp_netif_t *esp_netif);
esp_err_t esp_netif_dhcps_stop(esp_netif_t *esp_netif);
esp_err_t esp_netif_set_dns_info(esp_netif_t *esp_netif, esp_netif_dns_type_t type, esp_netif_dns_info_t *dns);
esp_err_t esp_netif_get_dns_info(esp_netif_t *esp_netif, esp_netif_dns_type_t type, esp_netif_dns_info_t *dns);
esp_err_t esp_netif_create_ip6_linklocal(esp_netif_t *esp_netif);
int esp_netif_get_all_ip6(esp_netif_t *esp_netif, esp_ip6_addr_t if_ip6[]);

void esp_netif_set_ip4_addr(esp_ip4_addr_t *addr, uint8_t a, uint8_t b, uint8_t c, uint8_t d);
char *esp_ip4addr_ntoa(const esp_ip4_addr_t *addr, char *buf, int buflen);
uint32_t esp_ip4addr_aton(const char *addr);
esp_err_t esp_netif_str_to_ip4(const char *src, esp_ip4_addr_t *dst);

esp_netif_t *esp_netif_get_handle_from_ifkey(const char *if_key);
const char *esp_netif_get_ifkey(esp_netif_t *esp_netif);
const char *esp_netif_get_desc(esp_netif_t *esp_netif);
int esp_netif_get_route_prio(esp_netif_t *esp_netif);
int32_t esp_netif_get_event_id(esp_netif_t *esp_netif, esp_netif_ip_event_type_t event_type);
esp_netif_t *esp_netif_next_unsafe(esp_netif_t *esp_netif);
esp_netif_t *esp_netif_find_if(esp_netif_find_predicate_t fn, void *ctx);
size_t esp_netif_get_nr_of_ifs(void);
esp_err_t esp_netif_tcpip_exec(esp_netif_callback_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* _ESP_NETIF_H_ */
