/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_compiler.h's branch hints (likely/unlikely)
 * and ESP_COMPILER_DESIGNATED_INIT_AGGREGATE_TYPE_EMPTY, as ESP-IDF defines
 * them for GCC and Clang. */
#ifndef ESP_COMPILER_H_IDF_HOST
#define ESP_COMPILER_H_IDF_HOST

#if defined(__GNUC__) || defined(__clang__)
#ifndef likely
#define likely(x)      __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x)    __builtin_expect(!!(x), 0)
#endif
#else
#ifndef likely
#define likely(x)      (x)
#endif
#ifndef unlikely
#define unlikely(x)    (x)
#endif
#endif

#ifndef ESP_COMPILER_DESIGNATED_INIT_AGGREGATE_TYPE_EMPTY
#define ESP_COMPILER_DESIGNATED_INIT_AGGREGATE_TYPE_EMPTY(member)
#endif

#endif /* ESP_COMPILER_H_IDF_HOST */
