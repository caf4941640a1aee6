/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_heap_caps.h. The host has one heap: the
 * allocation calls are malloc()/calloc()/realloc()/aligned_alloc() whatever the
 * capabilities, and the size figures are esp_system.h's simulated heap (every
 * capability sees the same one). */
#ifndef ESP_HEAP_CAPS_H_IDF_HOST
#define ESP_HEAP_CAPS_H_IDF_HOST

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <esp_err.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MALLOC_CAP_EXEC             (1<<0)
#define MALLOC_CAP_32BIT            (1<<1)
#define MALLOC_CAP_8BIT             (1 << 2)
#define MALLOC_CAP_DMA              (1<<3)
#define MALLOC_CAP_PID2             (1<<4)
#define MALLOC_CAP_PID3             (1<<5)
#define MALLOC_CAP_PID4             (1<<6)
#define MALLOC_CAP_PID5             (1<<7)
#define MALLOC_CAP_PID6             (1<<8)
#define MALLOC_CAP_PID7             (1<<9)
#define MALLOC_CAP_SPIRAM           (1<<10)
#define MALLOC_CAP_INTERNAL         (1 << 11)
#define MALLOC_CAP_DEFAULT          (1<<12)
#define MALLOC_CAP_IRAM_8BIT        (1<<13)
#define MALLOC_CAP_RETENTION        (1<<14)
#define MALLOC_CAP_RTCRAM           (1<<15)
#define MALLOC_CAP_SPM              (1<<16)
#define MALLOC_CAP_INVALID          (1U<<31)

typedef struct multi_heap_info {
    size_t total_free_bytes;
    size_t total_allocated_bytes;
    size_t largest_free_block;
    size_t minimum_free_bytes;
    size_t allocated_blocks;
    size_t free_blocks;
    size_t total_blocks;
} multi_heap_info_t;

void *heap_caps_malloc(size_t size, uint32_t caps);
void heap_caps_free(void *ptr);
void *heap_caps_realloc(void *ptr, size_t size, uint32_t caps);
void *heap_caps_aligned_alloc(size_t alignment, size_t size, uint32_t caps);
void *heap_caps_calloc(size_t n, size_t size, uint32_t caps);
size_t heap_caps_get_total_size(uint32_t caps);
size_t heap_caps_get_free_size(uint32_t caps);
size_t heap_caps_get_minimum_free_size(uint32_t caps);
size_t heap_caps_get_largest_free_block(uint32_t caps);
void heap_caps_get_info(multi_heap_info_t *info, uint32_t caps);
void heap_caps_print_heap_info(uint32_t caps);
bool heap_caps_check_integrity_all(bool print_errors);

#ifdef __cplusplus
}
#endif

#endif /* ESP_HEAP_CAPS_H_IDF_HOST */
