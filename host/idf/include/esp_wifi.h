/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_wifi.h. There is no radio: the calls keep the
 * mode and configuration they are given and succeed, in the order the chip
 * requires (esp_wifi_init() first, ESP_ERR_WIFI_NOT_INIT otherwise).
 * esp_wifi_start() posts WIFI_EVENT_STA_START / WIFI_EVENT_AP_START on the
 * default event loop (when one exists) for the mode set; esp_wifi_connect()
 * posts WIFI_EVENT_STA_CONNECTED and IP_EVENT_STA_GOT_IP with the station
 * interface's address (127.0.0.1); esp_wifi_disconnect() posts
 * WIFI_EVENT_STA_DISCONNECTED (reason WIFI_REASON_ASSOC_LEAVE); esp_wifi_stop()
 * posts WIFI_EVENT_STA_STOP / WIFI_EVENT_AP_STOP. */
#ifndef __ESP_WIFI_H__
#define __ESP_WIFI_H__

#include <stdbool.h>
#include <stdint.h>
#include <esp_err.h>
#include "esp_wifi_types.h"
#include "esp_event.h"
#include "esp_wifi_default.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESP_ERR_WIFI_NOT_INIT          (ESP_ERR_WIFI_BASE + 1)
#define ESP_ERR_WIFI_NOT_STARTED       (ESP_ERR_WIFI_BASE + 2)
#define ESP_ERR_WIFI_NOT_STOPPED       (ESP_ERR_WIFI_BASE + 3)
#define ESP_ERR_WIFI_IF                (ESP_ERR_WIFI_BASE + 4)
#define ESP_ERR_WIFI_MODE              (ESP_ERR_WIFI_BASE + 5)
#define ESP_ERR_WIFI_STATE             (ESP_ERR_WIFI_BASE + 6)
#define ESP_ERR_WIFI_CONN              (ESP_ERR_WIFI_BASE + 7)
#define ESP_ERR_WIFI_NVS               (ESP_ERR_WIFI_BASE + 8)
#define ESP_ERR_WIFI_MAC               (ESP_ERR_WIFI_BASE + 9)
#define ESP_ERR_WIFI_SSID              (ESP_ERR_WIFI_BASE + 10)
#define ESP_ERR_WIFI_PASSWORD          (ESP_ERR_WIFI_BASE + 11)
#define ESP_ERR_WIFI_TIMEOUT           (ESP_ERR_WIFI_BASE + 12)
#define ESP_ERR_WIFI_WAKE_FAIL         (ESP_ERR_WIFI_BASE + 13)
#define ESP_ERR_WIFI_WOULD_BLOCK       (ESP_ERR_WIFI_BASE + 14)
#define ESP_ERR_WIFI_NOT_CONNECT       (ESP_ERR_WIFI_BASE + 15)
#define ESP_ERR_WIFI_POST              (ESP_ERR_WIFI_BASE + 18)
#define ESP_ERR_WIFI_INIT_STATE        (ESP_ERR_WIFI_BASE + 19)
#define ESP_ERR_WIFI_STOP_STATE        (ESP_ERR_WIFI_BASE + 20)
#define ESP_ERR_WIFI_NOT_ASSOC         (ESP_ERR_WIFI_BASE + 21)
#define ESP_ERR_WIFI_TX_DISALLOW       (ESP_ERR_WIFI_BASE + 22)

/* Reasons in wifi_event_sta_disconnected_t.reason (a few of ESP-IDF's). */
#define WIFI_REASON_UNSPECIFIED        1
#define WIFI_REASON_AUTH_LEAVE         3
#define WIFI_REASON_ASSOC_LEAVE        8
#define WIFI_REASON_NO_AP_FOUND        201
#define WIFI_REASON_AUTH_FAIL          202

#define WIFI_INIT_CONFIG_MAGIC    0x1F2F3F4F

/** Driver configuration: on the host only `magic` is checked. */
typedef struct {
    int static_rx_buf_num;
    int dynamic_rx_buf_num;
    int tx_buf_type;
    int static_tx_buf_num;
    int dynamic_tx_buf_num;
    int cache_tx_buf_num;
    int csi_enable;
    int ampdu_rx_enable;
    int ampdu_tx_enable;
    int amsdu_tx_enable;
    int nvs_enable;
    int nano_enable;
    int rx_ba_win;
    int wifi_task_core_id;
    int beacon_max_len;
    int mgmt_sbuf_num;
    uint64_t feature_caps;
    bool sta_disconnected_pm;
    int espnow_max_encrypt_num;
    int tx_hetb_queue_num;
    bool dump_hesigb_enable;
    int magic;
} wifi_init_config_t;

#define WIFI_INIT_CONFIG_DEFAULT() { \
        .static_rx_buf_num = 10, \
        .dynamic_rx_buf_num = 32, \
        .tx_buf_type = 1, \
        .static_tx_buf_num = 0, \
        .dynamic_tx_buf_num = 32, \
        .cache_tx_buf_num = 0, \
        .csi_enable = 0, \
        .ampdu_rx_enable = 1, \
        .ampdu_tx_enable = 1, \
        .amsdu_tx_enable = 0, \
        .nvs_enable = 1, \
        .nano_enable = 0, \
        .rx_ba_win = 6, \
        .wifi_task_core_id = 0, \
        .beacon_max_len = 752, \
        .mgmt_sbuf_num = 32, \
        .feature_caps = 0, \
        .sta_disconnected_pm = false, \
        .espnow_max_encrypt_num = 7, \
        .tx_hetb_queue_num = 1, \
        .dump_hesigb_enable = false, \
        .magic = WIFI_INIT_CONFIG_MAGIC \
    }

esp_err_t esp_wifi_init(const wifi_init_config_t *config);
esp_err_t esp_wifi_deinit(void);
esp_err_t esp_wifi_set_mode(wifi_mode_t mode);
esp_err_t esp_wifi_get_mode(wifi_mode_t *mode);
esp_err_t esp_wifi_start(void);
esp_err_t esp_wifi_stop(void);
esp_err_t esp_wifi_restore(void);
esp_err_t esp_wifi_connect(void);
esp_err_t esp_wifi_disconnect(void);
esp_err_t esp_wifi_set_config(wifi_interface_t interface, wifi_config_t *conf);
esp_err_t esp_wifi_get_config(wifi_interface_t interface, wifi_config_t *conf);
esp_err_t esp_wifi_set_ps(wifi_ps_type_t type);
esp_err_t esp_wifi_get_ps(wifi_ps_type_t *type);
esp_err_t esp_wifi_set_storage(wifi_storage_t storage);
esp_err_t esp_wifi_get_mac(wifi_interface_t ifx, uint8_t mac[6]);
esp_err_t esp_wifi_set_mac(wifi_interface_t ifx, const uint8_t mac[6]);

#ifdef __cplusplus
}
#endif

#endif /* __ESP_WIFI_H__ */
