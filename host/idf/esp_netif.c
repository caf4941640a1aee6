/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: network interfaces (esp_netif.h), Wi-Fi
 * (esp_wifi.h, esp_wifi_default.h) and the examples' connection helper
 * (protocol_examples_common.h, protocol_examples_utils.h). The host's network
 * is already up: an interface is a record reporting the loopback address, and
 * "connecting" posts the events the chip would on the default event loop. */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "esp_eth.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_mac.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "protocol_examples_common.h"
#include "protocol_examples_utils.h"

static const char *TAG = "esp_netif";

ESP_EVENT_DEFINE_BASE(IP_EVENT);
ESP_EVENT_DEFINE_BASE(WIFI_EVENT);
ESP_EVENT_DEFINE_BASE(ETH_EVENT);

#define NETIF_MAGIC 0x6e657466U /* "netf" */

struct esp_netif_obj {
    uint32_t magic;
    struct esp_netif_obj *next;
    char if_key[32];
    char if_desc[32];
    char hostname[64];
    esp_netif_ip_info_t ip_info;
    esp_netif_dns_info_t dns[ESP_NETIF_DNS_MAX];
    uint8_t mac[6];
    int route_prio;
    uint32_t get_ip_event;
    uint32_t lost_ip_event;
    bool up;
    esp_netif_dhcp_status_t dhcpc;
    esp_netif_dhcp_status_t dhcps;
    int index;
};

static pthread_mutex_t netif_lock = PTHREAD_MUTEX_INITIALIZER;
static struct esp_netif_obj *netif_list;
static struct esp_netif_obj *netif_default;
static int netif_next_index = 1;

static bool netif_valid(const esp_netif_t *n)
{
    return n && n->magic == NETIF_MAGIC;
}

/* Copies size bytes between the interface's member at offset and the caller,
 * under netif_lock: out of the interface to `out`, or else from `in` into it. */
static esp_err_t netif_member(esp_netif_t *esp_netif, size_t offset, size_t size, void *out, const void *in)
{
    if (!netif_valid(esp_netif) || (!out && !in)) {
        return ESP_ERR_ESP_NETIF_INVALID_PARAMS;
    }
    unsigned char *member = (unsigned char *)esp_netif + offset;
    pthread_mutex_lock(&netif_lock);
    memcpy(out ? out : member, out ? member : in, size);
    pthread_mutex_unlock(&netif_lock);
    return ESP_OK;
}

esp_err_t esp_netif_init(void)
{
    return ESP_OK;
}

esp_err_t esp_netif_deinit(void)
{
    return ESP_ERR_NOT_SUPPORTED; /* as on the chip */
}

esp_netif_t *esp_netif_new(const esp_netif_config_t *esp_netif_config)
{
    if (!esp_netif_config || !esp_netif_config->base || !esp_netif_config->base->if_key) {
        ESP_LOGE(TAG, "esp_netif_new: a configuration with a base and an if_key is required");
        return NULL;
    }
    const esp_netif_inherent_config_t *base = esp_netif_config->base;
    pthread_mutex_lock(&netif_lock);
    for (struct esp_netif_obj *n = netif_list; n; n = n->next) {
        if (strcmp(n->if_key, base->if_key) == 0) {
            pthread_mutex_unlock(&netif_lock);
            ESP_LOGE(TAG, "an interface with key %s exists already", base->if_key);
            return NULL;
        }
    }
    struct esp_netif_obj *n = calloc(1, sizeof *n);
    if (!n) {
        pthread_mutex_unlock(&netif_lock);
        return NULL;
    }
    n->magic = NETIF_MAGIC;
    strncpy(n->if_key, base->if_key, sizeof n->if_key - 1);
    strncpy(n->if_desc, base->if_desc ? base->if_desc : base->if_key, sizeof n->if_desc - 1);
    strncpy(n->hostname, CONFIG_LWIP_LOCAL_HOSTNAME, sizeof n->hostname - 1);
    if (base->ip_info) {
        n->ip_info = *base->ip_info;
    } else {
        n->ip_info.ip.addr = ESP_NETIF_HOST_DEFAULT_IP;
        n->ip_info.netmask.addr = ESP_IP4TOADDR(255, 0, 0, 0);
        n->ip_info.gw.addr = ESP_NETIF_HOST_DEFAULT_IP;
    }
    memcpy(n->mac, base->mac, sizeof n->mac);
    n->route_prio = base->route_prio;
    n->get_ip_event = base->get_ip_event;
    n->lost_ip_event = base->lost_ip_event;
    n->dhcpc = (base->flags & ESP_NETIF_DHCP_CLIENT) ? ESP_NETIF_DHCP_INIT : ESP_NETIF_DHCP_STOPPED;
    n->dhcps = (base->flags & ESP_NETIF_DHCP_SERVER) ? ESP_NETIF_DHCP_INIT : ESP_NETIF_DHCP_STOPPED;
    n->index = netif_next_index++;
    struct esp_netif_obj **pp = &netif_list;
    while (*pp) {
        pp = &(*pp)->next;
    }
    *pp = n;
    if (!netif_default || n->route_prio > netif_default->route_prio) {
        netif_default = n;
    }
    pthread_mutex_unlock(&netif_lock);
    return n;
}

void esp_netif_destroy(esp_netif_t *esp_netif)
{
    pthread_mutex_lock(&netif_lock);
    for (struct esp_netif_obj **pp = &netif_list; *pp; pp = &(*pp)->next) {
        if (*pp == esp_netif) {
            *pp = esp_netif->next;
            if (netif_default == esp_netif) {
                netif_default = netif_list;
            }
            esp_netif->magic = 0;
            free(esp_netif);
            break;
        }
    }
    pthread_mutex_unlock(&netif_lock);
}

esp_err_t esp_netif_set_default_netif(esp_netif_t *esp_netif)
{
    if (!netif_valid(esp_netif)) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&netif_lock);
    netif_default = esp_netif;
    pthread_mutex_unlock(&netif_lock);
    return ESP_OK;
}

esp_netif_t *esp_netif_get_default_netif(void)
{
    pthread_mutex_lock(&netif_lock);
    esp_netif_t *n = netif_default;
    pthread_mutex_unlock(&netif_lock);
    return n;
}

esp_err_t esp_netif_set_mac(esp_netif_t *esp_netif, uint8_t mac[])
{
    return netif_member(esp_netif, offsetof(struct esp_netif_obj, mac), sizeof esp_netif->mac, NULL, mac);
}

esp_err_t esp_netif_get_mac(esp_netif_t *esp_netif, uint8_t mac[])
{
    return netif_member(esp_netif, offsetof(struct esp_netif_obj, mac), sizeof esp_netif->mac, mac, NULL);
}

esp_err_t esp_netif_set_hostname(esp_netif_t *esp_netif, const char *hostname)
{
    if (!netif_valid(esp_netif) || !hostname) {
        return ESP_ERR_ESP_NETIF_INVALID_PARAMS;
    }
    if (strlen(hostname) >= sizeof esp_netif->hostname) {
        return ESP_ERR_ESP_NETIF_INVALID_PARAMS;
    }
    pthread_mutex_lock(&netif_lock);
    strcpy(esp_netif->hostname, hostname);
    pthread_mutex_unlock(&netif_lock);
    return ESP_OK;
}

esp_err_t esp_netif_get_hostname(esp_netif_t *esp_netif, const char **hostname)
{
    if (!netif_valid(esp_netif) || !hostname) {
        return ESP_ERR_ESP_NETIF_INVALID_PARAMS;
    }
    *hostname = esp_netif->hostname;
    return ESP_OK;
}

bool esp_netif_is_netif_up(esp_netif_t *esp_netif)
{
    return netif_valid(esp_netif) && esp_netif->up;
}

esp_err_t esp_netif_get_ip_info(esp_netif_t *esp_netif, esp_netif_ip_info_t *ip_info)
{
    return netif_member(esp_netif, offsetof(struct esp_netif_obj, ip_info), sizeof *ip_info, ip_info, NULL);
}

esp_err_t esp_netif_set_ip_info(esp_netif_t *esp_netif, const esp_netif_ip_info_t *ip_info)
{
    return netif_member(esp_netif, offsetof(struct esp_netif_obj, ip_info), sizeof *ip_info, NULL, ip_info);
}

int esp_netif_get_netif_impl_index(esp_netif_t *esp_netif)
{
    return netif_valid(esp_netif) ? esp_netif->index : -1;
}

esp_err_t esp_netif_get_netif_impl_name(esp_netif_t *esp_netif, char *name)
{
    if (!netif_valid(esp_netif) || !name) {
        return ESP_ERR_ESP_NETIF_INVALID_PARAMS;
    }
    strcpy(name, "lo");
    return ESP_OK;
}

static esp_err_t netif_dhcp_option(esp_netif_t *esp_netif, esp_netif_dhcp_option_mode_t opt_op, void *opt_val)
{
    if (!netif_valid(esp_netif) || (unsigned)opt_op >= (unsigned)ESP_NETIF_OP_MAX ||
        (opt_op != ESP_NETIF_OP_START && !opt_val)) {
        return ESP_ERR_ESP_NETIF_INVALID_PARAMS;
    }
    return ESP_OK; /* there is no DHCP on the host: options are accepted and not used */
}

esp_err_t esp_netif_dhcps_option(esp_netif_t *esp_netif, esp_netif_dhcp_option_mode_t opt_op,
                                 esp_netif_dhcp_option_id_t opt_id, void *opt_val, uint32_t opt_len)
{
    (void)opt_id;
    (void)opt_len;
    return netif_dhcp_option(esp_netif, opt_op, opt_val);
}

esp_err_t esp_netif_dhcpc_option(esp_netif_t *esp_netif, esp_netif_dhcp_option_mode_t opt_op,
                                 esp_netif_dhcp_option_id_t opt_id, void *opt_val, uint32_t opt_len)
{
    (void)opt_id;
    (void)opt_len;
    return netif_dhcp_option(esp_netif, opt_op, opt_val);
}

static esp_err_t netif_dhcp_set(esp_netif_t *esp_netif, bool server, bool start)
{
    if (!netif_valid(esp_netif)) {
        return ESP_ERR_ESP_NETIF_INVALID_PARAMS;
    }
    pthread_mutex_lock(&netif_lock);
    esp_netif_dhcp_status_t *st = server ? &esp_netif->dhcps : &esp_netif->dhcpc;
    esp_err_t err = ESP_OK;
    if (start && *st == ESP_NETIF_DHCP_STARTED) {
        err = ESP_ERR_ESP_NETIF_DHCP_ALREADY_STARTED;
    } else if (!start && *st == ESP_NETIF_DHCP_STOPPED) {
        err = ESP_ERR_ESP_NETIF_DHCP_ALREADY_STOPPED;
    } else {
        *st = start ? ESP_NETIF_DHCP_STARTED : ESP_NETIF_DHCP_STOPPED;
    }
    pthread_mutex_unlock(&netif_lock);
    return err;
}

esp_err_t esp_netif_dhcpc_start(esp_netif_t *esp_netif) { return netif_dhcp_set(esp_netif, false, true); }
esp_err_t esp_netif_dhcpc_stop(esp_netif_t *esp_netif) { return netif_dhcp_set(esp_netif, false, false); }
esp_err_t esp_netif_dhcps_start(esp_netif_t *esp_netif) { return netif_dhcp_set(esp_netif, true, true); }
esp_err_t esp_netif_dhcps_stop(esp_netif_t *esp_netif) { return netif_dhcp_set(esp_netif, true, false); }

static esp_err_t netif_dhcp_status(esp_netif_t *esp_netif, bool server, esp_netif_dhcp_status_t *status)
{
    size_t offset = server ? offsetof(struct esp_netif_obj, dhcps) : offsetof(struct esp_netif_obj, dhcpc);
    return netif_member(esp_netif, offset, sizeof *status, status, NULL);
}

esp_err_t esp_netif_dhcpc_get_status(esp_netif_t *esp_netif, esp_netif_dhcp_status_t *status)
{
    return netif_dhcp_status(esp_netif, false, status);
}

esp_err_t esp_netif_dhcps_get_status(esp_netif_t *esp_netif, esp_netif_dhcp_status_t *status)
{
    return netif_dhcp_status(esp_netif, true, status);
}

/* The offset of the DNS server of type in an interface; the caller checks type. */
static size_t netif_dns_offset(esp_netif_dns_type_t type)
{
    return offsetof(struct esp_netif_obj, dns) + (size_t)type * sizeof(esp_netif_dns_info_t);
}

esp_err_t esp_netif_set_dns_info(esp_netif_t *esp_netif, esp_netif_dns_type_t type, esp_netif_dns_info_t *dns)
{
    if ((unsigned)type >= (unsigned)ESP_NETIF_DNS_MAX) {
        return ESP_ERR_ESP_NETIF_INVALID_PARAMS;
    }
    return netif_member(esp_netif, netif_dns_offset(type), sizeof *dns, NULL, dns);
}

esp_err_t esp_netif_get_dns_info(esp_netif_t *esp_netif, esp_netif_dns_type_t type, esp_netif_dns_info_t *dns)
{
    if ((unsigned)type >= (unsigned)ESP_NETIF_DNS_MAX) {
        return ESP_ERR_ESP_NETIF_INVALID_PARAMS;
    }
    return netif_member(esp_netif, netif_dns_offset(type), sizeof *dns, dns, NULL);
}

esp_err_t esp_netif_create_ip6_linklocal(esp_netif_t *esp_netif)
{
    return netif_valid(esp_netif) ? ESP_OK : ESP_ERR_ESP_NETIF_INVALID_PARAMS;
}

int esp_netif_get_all_ip6(esp_netif_t *esp_netif, esp_ip6_addr_t if_ip6[])
{
    (void)esp_netif;
    (void)if_ip6;
    return 0; /* no IPv6 address on host interfaces */
}

esp_ip6_addr_type_t esp_netif_ip6_get_addr_type(const esp_ip6_addr_t *ip6_addr)
{
    (void)ip6_addr;
    return ESP_IP6_ADDR_IS_UNKNOWN;
}

void esp_netif_set_ip4_addr(esp_ip4_addr_t *addr, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    if (addr) {
        addr->addr = ESP_IP4TOADDR(a, b, c, d);
    }
}

char *esp_ip4addr_ntoa(const esp_ip4_addr_t *addr, char *buf, int buflen)
{
    if (!addr || !buf || buflen <= 0) {
        return NULL;
    }
    struct in_addr in = { .s_addr = addr->addr };
    return inet_ntop(AF_INET, &in, buf, (socklen_t)buflen) ? buf : NULL;
}

uint32_t esp_ip4addr_aton(const char *addr)
{
    struct in_addr in;
    if (!addr || inet_pton(AF_INET, addr, &in) != 1) {
        return 0;
    }
    return in.s_addr;
}

esp_err_t esp_netif_str_to_ip4(const char *src, esp_ip4_addr_t *dst)
{
    struct in_addr in;
    if (!src || !dst || inet_pton(AF_INET, src, &in) != 1) {
        return ESP_ERR_INVALID_ARG;
    }
    dst->addr = in.s_addr;
    return ESP_OK;
}

/* A search for the interface whose string member at offset is value. */
struct netif_match {
    size_t offset;
    const char *value;
};

static bool netif_member_is(esp_netif_t *esp_netif, void *ctx)
{
    const struct netif_match *m = ctx;
    return strcmp((const char *)esp_netif + m->offset, m->value) == 0;
}

static esp_netif_t *netif_find_member(size_t offset, const char *value)
{
    if (!value) {
        return NULL;
    }
    struct netif_match m = { offset, value };
    return esp_netif_find_if(netif_member_is, &m);
}

esp_netif_t *esp_netif_get_handle_from_ifkey(const char *if_key)
{
    return netif_find_member(offsetof(struct esp_netif_obj, if_key), if_key);
}

const char *esp_netif_get_ifkey(esp_netif_t *esp_netif)
{
    return netif_valid(esp_netif) ? esp_netif->if_key : NULL;
}

const char *esp_netif_get_desc(esp_netif_t *esp_netif)
{
    return netif_valid(esp_netif) ? esp_netif->if_desc : NULL;
}

int esp_netif_get_route_prio(esp_netif_t *esp_netif)
{
    return netif_valid(esp_netif) ? esp_netif->route_prio : -1;
}

int32_t esp_netif_get_event_id(esp_netif_t *esp_netif, esp_netif_ip_event_type_t event_type)
{
    if (!netif_valid(esp_netif)) {
        return -1;
    }
    return (int32_t)(event_type == ESP_NETIF_IP_EVENT_GOT_IP ? esp_netif->get_ip_event : esp_netif->lost_ip_event);
}

esp_netif_t *esp_netif_next_unsafe(esp_netif_t *esp_netif)
{
    if (!esp_netif) {
        return netif_list;
    }
    return netif_valid(esp_netif) ? esp_netif->next : NULL;
}

esp_netif_t *esp_netif_find_if(esp_netif_find_predicate_t fn, void *ctx)
{
    if (!fn) {
        return NULL;
    }
    pthread_mutex_lock(&netif_lock);
    struct esp_netif_obj *n = netif_list;
    while (n && !fn(n, ctx)) {
        n = n->next;
    }
    pthread_mutex_unlock(&netif_lock);
    return n;
}

size_t esp_netif_get_nr_of_ifs(void)
{
    pthread_mutex_lock(&netif_lock);
    size_t count = 0;
    for (struct esp_netif_obj *n = netif_list; n; n = n->next) {
        count++;
    }
    pthread_mutex_unlock(&netif_lock);
    return count;
}

esp_err_t esp_netif_tcpip_exec(esp_netif_callback_fn fn, void *ctx)
{
    if (!fn) {
        return ESP_ERR_INVALID_ARG;
    }
    return fn(ctx);
}

/* ---- esp_wifi_default.h ------------------------------------------------------------ */
static esp_netif_t *netif_create_default(const char *key, const char *desc, esp_mac_type_t mac_type,
                                         int prio, esp_netif_flags_t flags, uint32_t got, uint32_t lost)
{
    esp_netif_t *existing = esp_netif_get_handle_from_ifkey(key);
    if (existing) {
        ESP_LOGE(TAG, "%s exists already", key);
        return NULL;
    }
    esp_netif_inherent_config_t base = {
        .flags = flags, .get_ip_event = got, .lost_ip_event = lost,
        .if_key = key, .if_desc = desc, .route_prio = prio,
    };
    esp_read_mac(base.mac, mac_type);
    esp_netif_config_t cfg = { .base = &base };
    return esp_netif_new(&cfg);
}

esp_netif_t *esp_netif_create_default_wifi_sta(void)
{
    return netif_create_default("WIFI_STA_DEF", "sta", ESP_MAC_WIFI_STA, 100,
                                ESP_NETIF_DHCP_CLIENT | ESP_NETIF_FLAG_GARP | ESP_NETIF_FLAG_EVENT_IP_MODIFIED,
                                IP_EVENT_STA_GOT_IP, IP_EVENT_STA_LOST_IP);
}

esp_netif_t *esp_netif_create_default_wifi_ap(void)
{
    esp_netif_t *n = netif_create_default("WIFI_AP_DEF", "ap", ESP_MAC_WIFI_SOFTAP, 10,
                                          ESP_NETIF_DHCP_SERVER | ESP_NETIF_FLAG_AUTOUP, 0, 0);
    if (n) {
        n->up = true;
    }
    return n;
}

void esp_netif_destroy_default_wifi(void *esp_netif)
{
    esp_netif_destroy(esp_netif);
}

esp_err_t esp_netif_create_default_wifi_mesh_netifs(esp_netif_t **p_netif_sta, esp_netif_t **p_netif_ap)
{
    if (!p_netif_sta || !p_netif_ap) {
        return ESP_ERR_INVALID_ARG;
    }
    *p_netif_sta = esp_netif_create_default_wifi_sta();
    *p_netif_ap = esp_netif_create_default_wifi_ap();
    return *p_netif_sta && *p_netif_ap ? ESP_OK : ESP_FAIL;
}

/* ---- esp_wifi.h -------------------------------------------------------------------- */
static pthread_mutex_t wifi_lock = PTHREAD_MUTEX_INITIALIZER;
static bool wifi_inited, wifi_started, wifi_connected;
static wifi_mode_t wifi_mode = WIFI_MODE_STA;
static wifi_config_t wifi_cfg[2];
static wifi_ps_type_t wifi_ps = WIFI_PS_MIN_MODEM;

/* Posts to the default loop when there is one (ESP_ERR_INVALID_STATE is no loop). */
static void wifi_post(esp_event_base_t base, int32_t id, const void *data, size_t size)
{
    esp_err_t err = esp_event_post(base, id, data, size, portMAX_DELAY);
    if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) {
        ESP_LOGW(TAG, "cannot post event %s:%ld: %s", base, (long)id, esp_err_to_name(err));
    }
}

esp_err_t esp_wifi_init(const wifi_init_config_t *config)
{
    if (!config || config->magic != WIFI_INIT_CONFIG_MAGIC) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&wifi_lock);
    wifi_inited = true;
    pthread_mutex_unlock(&wifi_lock);
    return ESP_OK;
}

esp_err_t esp_wifi_deinit(void)
{
    pthread_mutex_lock(&wifi_lock);
    esp_err_t err = !wifi_inited ? ESP_ERR_WIFI_NOT_INIT : wifi_started ? ESP_ERR_WIFI_NOT_STOPPED : ESP_OK;
    if (err == ESP_OK) {
        wifi_inited = false;
    }
    pthread_mutex_unlock(&wifi_lock);
    return err;
}

/* Copies size bytes under wifi_lock, once Wi-Fi is initialized where need_init
 * (ESP_ERR_INVALID_ARG for a NULL pointer). */
static esp_err_t wifi_copy(void *to, const void *from, size_t size, bool need_init)
{
    if (!to || !from) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&wifi_lock);
    esp_err_t err = wifi_inited || !need_init ? ESP_OK : ESP_ERR_WIFI_NOT_INIT;
    if (err == ESP_OK) {
        memcpy(to, from, size);
    }
    pthread_mutex_unlock(&wifi_lock);
    return err;
}

esp_err_t esp_wifi_set_mode(wifi_mode_t mode)
{
    if ((unsigned)mode >= (unsigned)WIFI_MODE_MAX) {
        return ESP_ERR_INVALID_ARG;
    }
    return wifi_copy(&wifi_mode, &mode, sizeof mode, true);
}

esp_err_t esp_wifi_get_mode(wifi_mode_t *mode)
{
    return wifi_copy(mode, &wifi_mode, sizeof *mode, true);
}

static bool wifi_has_sta(wifi_mode_t m) { return m == WIFI_MODE_STA || m == WIFI_MODE_APSTA; }
static bool wifi_has_ap(wifi_mode_t m) { return m == WIFI_MODE_AP || m == WIFI_MODE_APSTA; }

/* esp_wifi_start() and esp_wifi_stop(): the events go out on a change. */
static esp_err_t wifi_run(bool start)
{
    pthread_mutex_lock(&wifi_lock);
    if (!wifi_inited) {
        pthread_mutex_unlock(&wifi_lock);
        return ESP_ERR_WIFI_NOT_INIT;
    }
    bool was = wifi_started;
    wifi_started = start;
    if (!start) {
        wifi_connected = false;
    }
    wifi_mode_t mode = wifi_mode;
    pthread_mutex_unlock(&wifi_lock);
    if (was != start) {
        if (wifi_has_sta(mode)) {
            wifi_post(WIFI_EVENT, start ? WIFI_EVENT_STA_START : WIFI_EVENT_STA_STOP, NULL, 0);
        }
        if (wifi_has_ap(mode)) {
            wifi_post(WIFI_EVENT, start ? WIFI_EVENT_AP_START : WIFI_EVENT_AP_STOP, NULL, 0);
        }
    }
    return ESP_OK;
}

esp_err_t esp_wifi_start(void)
{
    return wifi_run(true);
}

esp_err_t esp_wifi_stop(void)
{
    return wifi_run(false);
}

esp_err_t esp_wifi_restore(void)
{
    pthread_mutex_lock(&wifi_lock);
    esp_err_t err = wifi_inited ? ESP_OK : ESP_ERR_WIFI_NOT_INIT;
    if (err == ESP_OK) {
        memset(wifi_cfg, 0, sizeof wifi_cfg);
        wifi_mode = WIFI_MODE_STA;
    }
    pthread_mutex_unlock(&wifi_lock);
    return err;
}

/* Posts "got IP" for the station interface, with its address. */
static void wifi_post_got_ip(void)
{
    esp_netif_t *sta = esp_netif_get_handle_from_ifkey("WIFI_STA_DEF");
    ip_event_got_ip_t ev = { .esp_netif = sta, .ip_changed = true };
    if (sta) {
        sta->up = true;
        esp_netif_get_ip_info(sta, &ev.ip_info);
    } else {
        ev.ip_info.ip.addr = ESP_NETIF_HOST_DEFAULT_IP;
        ev.ip_info.netmask.addr = ESP_IP4TOADDR(255, 0, 0, 0);
        ev.ip_info.gw.addr = ESP_NETIF_HOST_DEFAULT_IP;
    }
    wifi_post(IP_EVENT, IP_EVENT_STA_GOT_IP, &ev, sizeof ev);
}

/* esp_wifi_connect() and esp_wifi_disconnect(). */
static esp_err_t wifi_link(bool connect)
{
    pthread_mutex_lock(&wifi_lock);
    esp_err_t err = !wifi_inited ? ESP_ERR_WIFI_NOT_INIT : !wifi_started ? ESP_ERR_WIFI_NOT_STARTED
                    : connect && !wifi_has_sta(wifi_mode) ? ESP_ERR_WIFI_MODE : ESP_OK;
    wifi_sta_config_t sta = wifi_cfg[WIFI_IF_STA].sta;
    if (err == ESP_OK) {
        wifi_connected = connect;
    }
    pthread_mutex_unlock(&wifi_lock);
    if (err != ESP_OK) {
        return err;
    }
    uint8_t ssid_len = (uint8_t)strnlen((const char *)sta.ssid, sizeof sta.ssid);
    if (connect) {
        wifi_event_sta_connected_t ev = { .channel = 1, .authmode = sta.threshold.authmode, .aid = 1 };
        memcpy(ev.ssid, sta.ssid, sizeof ev.ssid);
        ev.ssid_len = ssid_len;
        wifi_post(WIFI_EVENT, WIFI_EVENT_STA_CONNECTED, &ev, sizeof ev);
        wifi_post_got_ip();
    } else {
        wifi_event_sta_disconnected_t ev = { .reason = WIFI_REASON_ASSOC_LEAVE };
        memcpy(ev.ssid, sta.ssid, sizeof ev.ssid);
        ev.ssid_len = ssid_len;
        wifi_post(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED, &ev, sizeof ev);
    }
    return ESP_OK;
}

esp_err_t esp_wifi_connect(void)
{
    return wifi_link(true);
}

esp_err_t esp_wifi_disconnect(void)
{
    return wifi_link(false);
}

static bool wifi_if_valid(wifi_interface_t ifx)
{
    return ifx == WIFI_IF_STA || ifx == WIFI_IF_AP;
}

esp_err_t esp_wifi_set_config(wifi_interface_t interface, wifi_config_t *conf)
{
    if (!conf || !wifi_if_valid(interface)) {
        return ESP_ERR_INVALID_ARG;
    }
    return wifi_copy(&wifi_cfg[interface], conf, sizeof *conf, true);
}

esp_err_t esp_wifi_get_config(wifi_interface_t interface, wifi_config_t *conf)
{
    if (!conf || !wifi_if_valid(interface)) {
        return ESP_ERR_INVALID_ARG;
    }
    return wifi_copy(conf, &wifi_cfg[interface], sizeof *conf, true);
}

esp_err_t esp_wifi_set_ps(wifi_ps_type_t type)
{
    if ((unsigned)type > (unsigned)WIFI_PS_MAX_MODEM) {
        return ESP_ERR_INVALID_ARG;
    }
    return wifi_copy(&wifi_ps, &type, sizeof type, false);
}

esp_err_t esp_wifi_get_ps(wifi_ps_type_t *type)
{
    return wifi_copy(type, &wifi_ps, sizeof *type, false);
}

esp_err_t esp_wifi_set_storage(wifi_storage_t storage)
{
    return (unsigned)storage <= (unsigned)WIFI_STORAGE_RAM ? ESP_OK : ESP_ERR_INVALID_ARG;
}

esp_err_t esp_wifi_get_mac(wifi_interface_t ifx, uint8_t mac[6])
{
    if (!mac || !wifi_if_valid(ifx)) {
        return ESP_ERR_INVALID_ARG;
    }
    return esp_read_mac(mac, ifx == WIFI_IF_STA ? ESP_MAC_WIFI_STA : ESP_MAC_WIFI_SOFTAP);
}

esp_err_t esp_wifi_set_mac(wifi_interface_t ifx, const uint8_t mac[6])
{
    if (!mac || !wifi_if_valid(ifx) || (mac[0] & 0x01)) {
        return ESP_ERR_INVALID_ARG;
    }
    return ESP_OK;
}

/* ---- protocol_examples_common.h ------------------------------------------------------ */
static const char *EX_TAG = "example_connect";
static const char *EX_COMMON_TAG = "example_common";
static bool ex_owns_netif;  /* example_connect() made the interface (example_disconnect() removes it) */

esp_netif_t *get_example_netif_from_desc(const char *desc)
{
    return netif_find_member(offsetof(struct esp_netif_obj, if_desc), desc);
}

esp_err_t example_connect(void)
{
#ifdef CONFIG_EXAMPLE_WIFI_SSID
    const char *ssid = CONFIG_EXAMPLE_WIFI_SSID;
#else
    const char *ssid = "host";
#endif
    ESP_LOGI(EX_TAG, "Start example_connect.");
    esp_netif_t *netif = get_example_netif_from_desc(EXAMPLE_NETIF_DESC_STA);
    if (!netif) {
        esp_netif_inherent_config_t base = {
            .flags = ESP_NETIF_DHCP_CLIENT, .get_ip_event = IP_EVENT_STA_GOT_IP, .lost_ip_event = IP_EVENT_STA_LOST_IP,
            .if_key = "WIFI_STA_DEF", .if_desc = EXAMPLE_NETIF_DESC_STA, .route_prio = 128,
        };
        esp_read_mac(base.mac, ESP_MAC_WIFI_STA);
        esp_netif_config_t cfg = { .base = &base };
        netif = esp_netif_new(&cfg);
        ex_owns_netif = netif != NULL;
        if (!netif) {
            /* "WIFI_STA_DEF" exists already (esp_netif_create_default_wifi_sta()): take it */
            netif = esp_netif_get_handle_from_ifkey("WIFI_STA_DEF");
            if (!netif) {
                return ESP_FAIL;
            }
            pthread_mutex_lock(&netif_lock);
            strncpy(netif->if_desc, EXAMPLE_NETIF_DESC_STA, sizeof netif->if_desc - 1);
            pthread_mutex_unlock(&netif_lock);
        }
    }
    ESP_LOGI(EX_TAG, "Connecting to %s...", ssid);
    ESP_LOGI(EX_TAG, "Waiting for IP(s)");
    netif->up = true;
    esp_netif_ip_info_t ip = { 0 };
    esp_netif_get_ip_info(netif, &ip);
    ESP_LOGI(EX_TAG, "Got IPv4 event: Interface \"%s\" address: " IPSTR, esp_netif_get_desc(netif), IP2STR(&ip.ip));
    ip_event_got_ip_t ev = { .esp_netif = netif, .ip_info = ip, .ip_changed = true };
    wifi_post(IP_EVENT, IP_EVENT_STA_GOT_IP, &ev, sizeof ev);
    ESP_LOGI(EX_COMMON_TAG, "Connected to %s", esp_netif_get_desc(netif));
    ESP_LOGI(EX_COMMON_TAG, "- IPv4 address: " IPSTR ",", IP2STR(&ip.ip));
    return ESP_OK;
}

esp_err_t example_disconnect(void)
{
    esp_netif_t *netif = get_example_netif_from_desc(EXAMPLE_NETIF_DESC_STA);
    if (!netif) {
        return ESP_ERR_INVALID_STATE;
    }
    ESP_LOGI(EX_TAG, "Disconnecting from %s", esp_netif_get_desc(netif));
    wifi_event_sta_disconnected_t ev = { .reason = WIFI_REASON_ASSOC_LEAVE };
    wifi_post(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED, &ev, sizeof ev);
    if (ex_owns_netif) {
        esp_netif_destroy(netif);
        ex_owns_netif = false;
    } else {
        netif->up = false;
        pthread_mutex_lock(&netif_lock);
        strncpy(netif->if_desc, "sta", sizeof netif->if_desc - 1);
        pthread_mutex_unlock(&netif_lock);
    }
    return ESP_OK;
}

esp_err_t example_configure_stdin_stdout(void)
{
    return ESP_OK; /* the host's stdin and stdout work as they are */
}

/* ---- protocol_examples_utils.h ------------------------------------------------------- */
uint32_t example_uri_encode(char *dest, const char *src, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!dest || !src) {
        return 0;
    }
    uint32_t out = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            dest[out++] = (char)c;
        } else {
            dest[out++] = '%';
            dest[out++] = hex[c >> 4];
            dest[out++] = hex[c & 15];
        }
    }
    return out;
}

static int ex_hex(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void example_uri_decode(char *dest, const char *src, size_t len)
{
    if (!dest || !src) {
        return;
    }
    size_t out = 0;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '%' && i + 2 < len && ex_hex((unsigned char)src[i + 1]) >= 0 &&
            ex_hex((unsigned char)src[i + 2]) >= 0) {
            dest[out++] = (char)(ex_hex((unsigned char)src[i + 1]) * 16 + ex_hex((unsigned char)src[i + 2]));
            i += 2;
        } else {
            dest[out++] = src[i];
        }
    }
}
