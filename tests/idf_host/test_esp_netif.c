/* SPDX-License-Identifier: Apache-2.0 */
/* esp_netif, esp_wifi and protocol_examples_common on the host: interfaces
 * report the loopback address; example_connect() logs the lines ESP-IDF's
 * example tests read ("- IPv4 address: 127.0.0.1,") and posts
 * IP_EVENT_STA_GOT_IP on the default loop; the Wi-Fi calls keep their order
 * and post their events. */
#include <stdatomic.h>
#include <string.h>

#include "esp_event.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "protocol_examples_common.h"
#include "protocol_examples_utils.h"
#include "capture.h"

#include "../unit/check.h"

static SemaphoreHandle_t got_ip_sem;
static ip_event_got_ip_t got_ip;
static atomic_int wifi_events[WIFI_EVENT_MAX];

static void on_got_ip(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    if (base == IP_EVENT && id == IP_EVENT_STA_GOT_IP && data) {
        memcpy(&got_ip, data, sizeof got_ip);
        xSemaphoreGive(got_ip_sem);
    }
}

static void on_wifi(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)data;
    if (base == WIFI_EVENT && id >= 0 && id < WIFI_EVENT_MAX) {
        atomic_fetch_add(&wifi_events[id], 1);
    }
}

ESP_EVENT_DEFINE_BASE(TEST_SYNC_EVENT);
static SemaphoreHandle_t drained_sem;

static void on_drained(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    (void)id;
    (void)data;
    xSemaphoreGive(drained_sem);
}

/* Returns once the default loop has handled everything posted before. */
static int drain_default_loop(void)
{
    if (esp_event_handler_register(TEST_SYNC_EVENT, 1, on_drained, NULL) != ESP_OK ||
        esp_event_post(TEST_SYNC_EVENT, 1, NULL, 0, portMAX_DELAY) != ESP_OK) {
        return 0;
    }
    int ok = xSemaphoreTake(drained_sem, pdMS_TO_TICKS(2000)) == pdTRUE;
    esp_event_handler_unregister(TEST_SYNC_EVENT, 1, on_drained);
    return ok;
}

static void test_example_connect(void)
{
    CHECK_EQ_INT(esp_netif_init(), ESP_OK);
    /* without a default loop it still connects (nothing to post to) */
    char log[4096];
    capture_begin();
    CHECK_EQ_INT(example_connect(), ESP_OK);
    capture_end(log, sizeof log);
    CHECK(strstr(log, "example_common: - IPv4 address: 127.0.0.1,") != NULL);
    CHECK(strstr(log, "example_common: Connected to example_netif_sta") != NULL);
    CHECK(strstr(log, "Got IPv4 event: Interface \"example_netif_sta\" address: 127.0.0.1") != NULL);
    esp_netif_t *netif = get_example_netif_from_desc(EXAMPLE_NETIF_DESC_STA);
    CHECK(netif != NULL);
    CHECK(EXAMPLE_INTERFACE == netif);
    esp_netif_ip_info_t ip;
    CHECK_EQ_INT(esp_netif_get_ip_info(netif, &ip), ESP_OK);
    char buf[IP4ADDR_STRLEN_MAX];
    CHECK_EQ_STR(esp_ip4addr_ntoa(&ip.ip, buf, sizeof buf), "127.0.0.1");
    CHECK_EQ_INT(ip.ip.addr, ESP_IP4TOADDR(127, 0, 0, 1));
    CHECK_EQ_INT(ip.ip.addr, esp_ip4addr_aton("127.0.0.1"));
    CHECK(esp_netif_is_netif_up(netif));
    CHECK_EQ_INT(example_disconnect(), ESP_OK);
    CHECK(get_example_netif_from_desc(EXAMPLE_NETIF_DESC_STA) == NULL);

    /* with the default loop, the handler gets IP_EVENT_STA_GOT_IP */
    CHECK_EQ_INT(esp_event_loop_create_default(), ESP_OK);
    CHECK_EQ_INT(esp_event_handler_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_got_ip, NULL), ESP_OK);
    CHECK_EQ_INT(example_connect(), ESP_OK);
    CHECK(xSemaphoreTake(got_ip_sem, pdMS_TO_TICKS(2000)) == pdTRUE);
    snprintf(buf, sizeof buf, IPSTR, IP2STR(&got_ip.ip_info.ip));
    CHECK_EQ_STR(buf, "127.0.0.1");
    CHECK(got_ip.esp_netif == get_example_netif_from_desc(EXAMPLE_NETIF_DESC_STA));
    CHECK_EQ_INT(example_disconnect(), ESP_OK);
    CHECK(drain_default_loop());
}

static void test_wifi(void)
{
    wifi_mode_t mode;
    CHECK_EQ_INT(esp_wifi_set_mode(WIFI_MODE_AP), ESP_ERR_WIFI_NOT_INIT);
    CHECK_EQ_INT(esp_wifi_start(), ESP_ERR_WIFI_NOT_INIT);
    wifi_init_config_t bad = { 0 };
    CHECK_EQ_INT(esp_wifi_init(&bad), ESP_ERR_INVALID_ARG);
    wifi_init_config_t cfg = WIFI_INIT_CONFIG_DEFAULT();
    CHECK_EQ_INT(esp_wifi_init(&cfg), ESP_OK);
    CHECK_EQ_INT(esp_event_handler_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_wifi, NULL), ESP_OK);

    esp_netif_t *sta = esp_netif_create_default_wifi_sta();
    esp_netif_t *ap = esp_netif_create_default_wifi_ap();
    CHECK(sta != NULL && ap != NULL);
    CHECK(esp_netif_get_handle_from_ifkey("WIFI_AP_DEF") == ap);
    CHECK(esp_netif_create_default_wifi_ap() == NULL);
    esp_netif_ip_info_t ip;
    CHECK_EQ_INT(esp_netif_get_ip_info(esp_netif_get_handle_from_ifkey("WIFI_AP_DEF"), &ip), ESP_OK);
    CHECK_EQ_INT(ip.ip.addr, ESP_IP4TOADDR(127, 0, 0, 1));
    CHECK_EQ_INT(esp_netif_dhcps_stop(ap), ESP_OK);
    char uri[] = "http://127.0.0.1";
    CHECK_EQ_INT(esp_netif_dhcps_option(ap, ESP_NETIF_OP_SET, ESP_NETIF_CAPTIVEPORTAL_URI, uri, strlen(uri)), ESP_OK);
    CHECK_EQ_INT(esp_netif_dhcps_start(ap), ESP_OK);
    CHECK_EQ_INT(esp_netif_dhcps_start(ap), ESP_ERR_ESP_NETIF_DHCP_ALREADY_STARTED);
    CHECK_EQ_INT(esp_netif_get_ip_info(NULL, &ip), ESP_ERR_ESP_NETIF_INVALID_PARAMS);

    wifi_config_t wc = { .sta = { .ssid = "myssid", .password = "secret" } };
    CHECK_EQ_INT(esp_wifi_set_mode(WIFI_MODE_APSTA), ESP_OK);
    CHECK_EQ_INT(esp_wifi_get_mode(&mode), ESP_OK);
    CHECK_EQ_INT(mode, WIFI_MODE_APSTA);
    CHECK_EQ_INT(esp_wifi_set_config(WIFI_IF_STA, &wc), ESP_OK);
    wifi_config_t back;
    CHECK_EQ_INT(esp_wifi_get_config(WIFI_IF_STA, &back), ESP_OK);
    CHECK_EQ_STR((const char *)back.sta.ssid, "myssid");
    CHECK_EQ_INT(esp_wifi_connect(), ESP_ERR_WIFI_NOT_STARTED);
    CHECK_EQ_INT(esp_wifi_start(), ESP_OK);
    CHECK_EQ_INT(esp_wifi_connect(), ESP_OK);
    CHECK(xSemaphoreTake(got_ip_sem, pdMS_TO_TICKS(2000)) == pdTRUE);
    CHECK(got_ip.esp_netif == sta);
    CHECK_EQ_INT(esp_wifi_disconnect(), ESP_OK);
    CHECK_EQ_INT(esp_wifi_stop(), ESP_OK);
    CHECK_EQ_INT(esp_wifi_deinit(), ESP_OK);
    CHECK(drain_default_loop());
    CHECK_EQ_INT(atomic_load(&wifi_events[WIFI_EVENT_STA_START]), 1);
    CHECK_EQ_INT(atomic_load(&wifi_events[WIFI_EVENT_AP_START]), 1);
    CHECK_EQ_INT(atomic_load(&wifi_events[WIFI_EVENT_STA_CONNECTED]), 1);
    CHECK_EQ_INT(atomic_load(&wifi_events[WIFI_EVENT_STA_DISCONNECTED]), 1);
    CHECK_EQ_INT(atomic_load(&wifi_events[WIFI_EVENT_STA_STOP]), 1);
    esp_netif_destroy_default_wifi(sta);
    esp_netif_destroy_default_wifi(ap);
    CHECK_EQ_INT(esp_event_loop_delete_default(), ESP_OK);
}

static void test_uri_utils(void)
{
    char dec[32] = { 0 };
    const char *src = "a%20b%2Fc%zz+";
    example_uri_decode(dec, src, strlen(src));
    CHECK_EQ_STR(dec, "a b/c%zz+");
    char enc[64] = { 0 };
    CHECK_EQ_INT(example_uri_encode(enc, "a b/~", 5), 9);
    CHECK_EQ_STR(enc, "a%20b%2F~");
}

int main(void)
{
    got_ip_sem = xSemaphoreCreateBinary();
    drained_sem = xSemaphoreCreateBinary();
    test_example_connect();
    test_wifi();
    test_uri_utils();
    vSemaphoreDelete(got_ip_sem);
    vSemaphoreDelete(drained_sem);
    return check_summary();
}
