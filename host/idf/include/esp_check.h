/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_check.h, the error-checking macros. Each
 * evaluates its expression once; on an error (a code other than ESP_OK, or a
 * false condition) it logs "<function>(<line>): <message>" with ESP_LOGE
 * under the given tag and returns the code (..._RETURN_...), returns nothing
 * (..._RETURN_VOID_...), or stores the code in a local variable `ret` and
 * jumps to a label (..._GOTO_...). The ..._ISR forms log the same way (there
 * are no interrupts on the host). With CONFIG_COMPILER_OPTIMIZATION_CHECKS_SILENT
 * nothing is logged, as on the chip. */
#ifndef ESP_CHECK_H_IDF_HOST
#define ESP_CHECK_H_IDF_HOST

#include <esp_err.h>
#include "esp_log.h"
#include "esp_compiler.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CONFIG_COMPILER_OPTIMIZATION_CHECKS_SILENT)
#define ESP_CHECK_LOG_(log_tag, format, ...)    do { (void)(log_tag); } while (0)
#define ESP_CHECK_LOG_ISR_(log_tag, format, ...) do { (void)(log_tag); } while (0)
#else
#define ESP_CHECK_LOG_(log_tag, format, ...) \
    ESP_LOGE(log_tag, "%s(%d): " format, __FUNCTION__, __LINE__, ##__VA_ARGS__)
#define ESP_CHECK_LOG_ISR_(log_tag, format, ...) \
    ESP_EARLY_LOGE(log_tag, "%s(%d): " format, __FUNCTION__, __LINE__, ##__VA_ARGS__)
#endif

#define ESP_RETURN_ON_ERROR(x, log_tag, format, ...) do {                        \
        esp_err_t err_rc_ = (x);                                                 \
        if (unlikely(err_rc_ != ESP_OK)) {                                       \
            ESP_CHECK_LOG_(log_tag, format, ##__VA_ARGS__);                      \
            return err_rc_;                                                      \
        }                                                                        \
    } while (0)

#define ESP_RETURN_ON_ERROR_ISR(x, log_tag, format, ...) do {                    \
        esp_err_t err_rc_ = (x);                                                 \
        if (unlikely(err_rc_ != ESP_OK)) {                                       \
            ESP_CHECK_LOG_ISR_(log_tag, format, ##__VA_ARGS__);                  \
            return err_rc_;                                                      \
        }                                                                        \
    } while (0)

#define ESP_RETURN_VOID_ON_ERROR(x, log_tag, format, ...) do {                   \
        esp_err_t err_rc_ = (x);                                                 \
        if (unlikely(err_rc_ != ESP_OK)) {                                       \
            ESP_CHECK_LOG_(log_tag, format, ##__VA_ARGS__);                      \
            return;                                                              \
        }                                                                        \
    } while (0)

#define ESP_RETURN_VOID_ON_ERROR_ISR(x, log_tag, format, ...) do {               \
        esp_err_t err_rc_ = (x);                                                 \
        if (unlikely(err_rc_ != ESP_OK)) {                                       \
            ESP_CHECK_LOG_ISR_(log_tag, format, ##__VA_ARGS__);                  \
            return;                                                              \
        }                                                                        \
    } while (0)

#define ESP_GOTO_ON_ERROR(x, goto_tag, log_tag, format, ...) do {                \
        esp_err_t err_rc_ = (x);                                                 \
        if (unlikely(err_rc_ != ESP_OK)) {                                       \
            ESP_CHECK_LOG_(log_tag, format, ##__VA_ARGS__);                      \
            ret = err_rc_;                                                       \
            goto goto_tag;                                                       \
        }                                                                        \
    } while (0)

#define ESP_GOTO_ON_ERROR_ISR(x, goto_tag, log_tag, format, ...) do {            \
        esp_err_t err_rc_ = (x);                                                 \
        if (unlikely(err_rc_ != ESP_OK)) {                                       \
            ESP_CHECK_LOG_ISR_(log_tag, format, ##__VA_ARGS__);                  \
            ret = err_rc_;                                                       \
            goto goto_tag;                                                       \
        }                                                                        \
    } while (0)

#define ESP_RETURN_ON_FALSE(a, err_code, log_tag, format, ...) do {              \
        if (unlikely(!(a))) {                                                    \
            ESP_CHECK_LOG_(log_tag, format, ##__VA_ARGS__);                      \
            return err_code;                                                     \
        }                                                                        \
    } while (0)

#define ESP_RETURN_ON_FALSE_ISR(a, err_code, log_tag, format, ...) do {          \
        if (unlikely(!(a))) {                                                    \
            ESP_CHECK_LOG_ISR_(log_tag, format, ##__VA_ARGS__);                  \
            return err_code;                                                     \
        }                                                                        \
    } while (0)

#define ESP_RETURN_VOID_ON_FALSE(a, log_tag, format, ...) do {                   \
        if (unlikely(!(a))) {                                                    \
            ESP_CHECK_LOG_(log_tag, format, ##__VA_ARGS__);                      \
            return;                                                              \
        }                                                                        \
    } while (0)

#define ESP_RETURN_VOID_ON_FALSE_ISR(a, log_tag, format, ...) do {               \
        if (unlikely(!(a))) {                                                    \
            ESP_CHECK_LOG_ISR_(log_tag, format, ##__VA_ARGS__);                  \
            return;                                                              \
        }                                                                        \
    } while (0)

#define ESP_GOTO_ON_FALSE(a, err_code, goto_tag, log_tag, format, ...) do {      \
        if (unlikely(!(a))) {                                                    \
            ESP_CHECK_LOG_(log_tag, format, ##__VA_ARGS__);                      \
            ret = err_code;                                                      \
            goto goto_tag;                                                       \
        }                                                                        \
    } while (0)

#define ESP_GOTO_ON_FALSE_ISR(a, err_code, goto_tag, log_tag, format, ...) do {  \
        if (unlikely(!(a))) {                                                    \
            ESP_CHECK_LOG_ISR_(log_tag, format, ##__VA_ARGS__);                  \
            ret = err_code;                                                      \
            goto goto_tag;                                                       \
        }                                                                        \
    } while (0)

/* Runs the cleanup statements given after x (err_rc_ holds the code), then
 * returns the code; logs nothing itself. */
#define ESP_RETURN_ON_ERROR_CLEANUP(x, ...) do {                                 \
        esp_err_t err_rc_ = (x);                                                 \
        if (unlikely(err_rc_ != ESP_OK)) {                                       \
            __VA_ARGS__;                                                         \
            return err_rc_;                                                      \
        }                                                                        \
    } while (0)

#ifdef __cplusplus
}
#endif

#endif /* ESP_CHECK_H_IDF_HOST */
