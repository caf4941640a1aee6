/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host shim for ESP-IDF's esp_log.h: ESP_LOGE/W/I/D/V with a level that can be
 * changed at run time, globally ("*") or per tag, as esp_log_level_set() does
 * on the target. Lines go to stderr as "<L> (<ms>) <tag>: <message>".
 * The initial level is ESP_LOG_INFO, or the ESP_LOG_LEVEL environment variable
 * (NONE, ERROR, WARN, INFO, DEBUG, VERBOSE or 0..5) when it is set.
 */
#ifndef ESP_LOG_H
#define ESP_LOG_H

#include <stdint.h>
#include <stdarg.h>
#include <inttypes.h>   /* PRIu32 etc., as ESP-IDF's esp_log.h brings in */
#include <sdkconfig.h>  /* CONFIG_LOG_MAXIMUM_LEVEL where the build sets it */

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    ESP_LOG_NONE = 0,
    ESP_LOG_ERROR,
    ESP_LOG_WARN,
    ESP_LOG_INFO,
    ESP_LOG_DEBUG,
    ESP_LOG_VERBOSE,
    ESP_LOG_MAX
} esp_log_level_t;

/** Sets the level for one tag, or for every tag without its own when tag is "*". */
void esp_log_level_set(const char *tag, esp_log_level_t level);
/** The level in force for tag. */
esp_log_level_t esp_log_level_get(const char *tag);
/** Milliseconds since the first log call or since the process started. */
uint32_t esp_log_timestamp(void);
/** Writes one formatted line if level is enabled for tag. */
void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
void esp_log_writev(esp_log_level_t level, const char *tag, const char *format, va_list args);

/* As on ESP-IDF: a file may define LOG_LOCAL_LEVEL before including this header;
 * otherwise the build's maximum (CONFIG_LOG_MAXIMUM_LEVEL) applies, or every level.
 * ESP_LOGx above that level compile to nothing: their strings are not even kept. */
#ifndef LOG_LOCAL_LEVEL
#ifdef CONFIG_LOG_MAXIMUM_LEVEL
#define LOG_LOCAL_LEVEL CONFIG_LOG_MAXIMUM_LEVEL
#else
#define LOG_LOCAL_LEVEL ESP_LOG_VERBOSE
#endif
#endif

#define ESP_LOG_LEVEL_LOCAL(level, tag, format, ...) do {                 \
        if ((level) <= LOG_LOCAL_LEVEL) {                                 \
            esp_log_write((level), (tag), format, ##__VA_ARGS__);         \
        }                                                                 \
    } while (0)

#define ESP_LOGE(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_ERROR,   tag, format, ##__VA_ARGS__)
#define ESP_LOGW(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_WARN,    tag, format, ##__VA_ARGS__)
#define ESP_LOGI(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_INFO,    tag, format, ##__VA_ARGS__)
#define ESP_LOGD(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_DEBUG,   tag, format, ##__VA_ARGS__)
#define ESP_LOGV(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_VERBOSE, tag, format, ##__VA_ARGS__)

#define ESP_EARLY_LOGE ESP_LOGE
#define ESP_EARLY_LOGW ESP_LOGW
#define ESP_EARLY_LOGI ESP_LOGI
#define ESP_EARLY_LOGD ESP_LOGD
#define ESP_EARLY_LOGV ESP_LOGV

#ifdef __cplusplus
}
#endif

#endif /* ESP_LOG_H */
