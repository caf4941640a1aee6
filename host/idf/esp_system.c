/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: esp_system.h (restart, reset reason, shutdown
 * handlers, simulated heap figures), esp_heap_caps.h, esp_random.h,
 * esp_chip_info.h and esp_mac.h. */
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "esp_system.h"
#include "esp_chip_info.h"
#include "esp_heap_caps.h"
#include "esp_log.h"
#include "esp_mac.h"
#include "esp_random.h"

static const char *TAG = "system";

/* The environment variable that carries the reset reason into the next run. */
#define SYS_RESET_ENV "IDF_HOST_RESET_REASON"

static pthread_mutex_t sys_lock = PTHREAD_MUTEX_INITIALIZER;
static shutdown_handler_t sys_shutdown[IDF_HOST_SHUTDOWN_HANDLERS];
static esp_reset_reason_t sys_reset_reason = ESP_RST_POWERON;
static int sys_argc;
static char **sys_argv;
static size_t sys_heap_base;        /* bytes in use when the program started */
static uint32_t sys_heap_min = UINT32_MAX;

static size_t sys_heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* Runs before main(): keeps the arguments for esp_restart() (glibc passes
 * them to constructors), takes the reset reason the previous run left, and
 * notes the heap in use at the start. */
__attribute__((constructor)) static void sys_start(int argc, char **argv)
{
    sys_argc = argc;
    sys_argv = argv;
    const char *r = getenv(SYS_RESET_ENV);
    if (r) {
        int v = atoi(r);
        sys_reset_reason = v > ESP_RST_UNKNOWN && v <= ESP_RST_CPU_LOCKUP ? (esp_reset_reason_t)v : ESP_RST_UNKNOWN;
        unsetenv(SYS_RESET_ENV);
    }
    sys_heap_base = sys_heap_in_use();
}

esp_err_t esp_register_shutdown_handler(shutdown_handler_t handle)
{
    if (!handle) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&sys_lock);
    esp_err_t err = ESP_ERR_NO_MEM;
    for (int i = 0; i < IDF_HOST_SHUTDOWN_HANDLERS; i++) {
        if (sys_shutdown[i] == handle) {
            err = ESP_ERR_INVALID_STATE;
            break;
        }
    }
    for (int i = 0; err == ESP_ERR_NO_MEM && i < IDF_HOST_SHUTDOWN_HANDLERS; i++) {
        if (!sys_shutdown[i]) {
            sys_shutdown[i] = handle;
            err = ESP_OK;
        }
    }
    pthread_mutex_unlock(&sys_lock);
    return err;
}

esp_err_t esp_unregister_shutdown_handler(shutdown_handler_t handle)
{
    pthread_mutex_lock(&sys_lock);
    esp_err_t err = ESP_ERR_INVALID_STATE;
    for (int i = 0; handle && i < IDF_HOST_SHUTDOWN_HANDLERS; i++) {
        if (sys_shutdown[i] == handle) {
            sys_shutdown[i] = NULL;
            err = ESP_OK;
            break;
        }
    }
    pthread_mutex_unlock(&sys_lock);
    return err;
}

void esp_restart(void)
{
    for (int i = IDF_HOST_SHUTDOWN_HANDLERS - 1; i >= 0; i--) {
        pthread_mutex_lock(&sys_lock);
        shutdown_handler_t h = sys_shutdown[i];
        pthread_mutex_unlock(&sys_lock);
        if (h) {
            h();
        }
    }
    ESP_LOGI(TAG, "restarting");
    fflush(NULL);
    char reason[8];
    snprintf(reason, sizeof reason, "%d", (int)ESP_RST_SW);
    setenv(SYS_RESET_ENV, reason, 1);
    if (sys_argv && sys_argc > 0) {
        execv("/proc/self/exe", sys_argv);
    }
    ESP_LOGE(TAG, "cannot re-execute the program; exiting");
    _exit(1);
}

esp_reset_reason_t esp_reset_reason(void)
{
    return sys_reset_reason;
}

static size_t sys_heap_total(void)
{
    const char *s = getenv("IDF_HOST_HEAP_SIZE");
    if (s && *s) {
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (*end == '\0' && v > 0 && v <= UINT32_MAX) {
            return (size_t)v;
        }
    }
    return IDF_HOST_DEFAULT_HEAP_SIZE;
}

static uint32_t sys_heap_free(void)
{
    size_t total = sys_heap_total();
    size_t now = sys_heap_in_use();
    size_t used = now > sys_heap_base ? now - sys_heap_base : 0;
    uint32_t free_bytes = (uint32_t)(used < total ? total - used : 0);
    pthread_mutex_lock(&sys_lock);
    if (free_bytes < sys_heap_min) {
        sys_heap_min = free_bytes;
    }
    pthread_mutex_unlock(&sys_lock);
    return free_bytes;
}

uint32_t esp_get_free_heap_size(void)
{
    return sys_heap_free();
}

uint32_t esp_get_free_internal_heap_size(void)
{
    return sys_heap_free();
}

uint32_t esp_get_minimum_free_heap_size(void)
{
    sys_heap_free();
    pthread_mutex_lock(&sys_lock);
    uint32_t min = sys_heap_min;
    pthread_mutex_unlock(&sys_lock);
    return min;
}

void esp_system_abort(const char *details)
{
    fprintf(stderr, "abort() was called: %s\n", details ? details : "");
    abort();
}

/* ---- esp_heap_caps.h ------------------------------------------------------------- */
void *heap_caps_malloc(size_t size, uint32_t caps)
{
    (void)caps;
    return malloc(size);
}

void heap_caps_free(void *ptr)
{
    free(ptr);
}

void *heap_caps_realloc(void *ptr, size_t size, uint32_t caps)
{
    (void)caps;
    return realloc(ptr, size);
}

void *heap_caps_aligned_alloc(size_t alignment, size_t size, uint32_t caps)
{
    (void)caps;
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
        return NULL;
    }
    if (alignment < sizeof(void *)) {
        alignment = sizeof(void *);
    }
    void *p = NULL;
    return posix_memalign(&p, alignment, size) == 0 ? p : NULL;
}

void *heap_caps_calloc(size_t n, size_t size, uint32_t caps)
{
    (void)caps;
    return calloc(n, size);
}

size_t heap_caps_get_total_size(uint32_t caps)
{
    (void)caps;
    return sys_heap_total();
}

size_t heap_caps_get_free_size(uint32_t caps)
{
    (void)caps;
    return sys_heap_free();
}

size_t heap_caps_get_minimum_free_size(uint32_t caps)
{
    (void)caps;
    return esp_get_minimum_free_heap_size();
}

size_t heap_caps_get_largest_free_block(uint32_t caps)
{
    (void)caps;
    return sys_heap_free();
}

void heap_caps_get_info(multi_heap_info_t *info, uint32_t caps)
{
    (void)caps;
    if (!info) {
        return;
    }
    memset(info, 0, sizeof *info);
    info->total_free_bytes = sys_heap_free();
    info->total_allocated_bytes = sys_heap_total() - info->total_free_bytes;
    info->largest_free_block = info->total_free_bytes;
    info->minimum_free_bytes = esp_get_minimum_free_heap_size();
}

void heap_caps_print_heap_info(uint32_t caps)
{
    multi_heap_info_t info;
    heap_caps_get_info(&info, caps);
    printf("Heap summary for capabilities 0x%08" PRIX32 ":\n  free %zu allocated %zu min_free %zu largest_free_block %zu\n",
           caps, info.total_free_bytes, info.total_allocated_bytes, info.minimum_free_bytes,
           info.largest_free_block);
}

bool heap_caps_check_integrity_all(bool print_errors)
{
    (void)print_errors;
    return true;
}

/* ---- esp_random.h ---------------------------------------------------------------- */
void esp_fill_random(void *buf, size_t len)
{
    if (!buf) {
        return;
    }
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n <= 0) {
            continue; /* EINTR; getrandom() does not fail otherwise once the pool is ready */
        }
        p += n;
        len -= (size_t)n;
    }
}

uint32_t esp_random(void)
{
    uint32_t v;
    esp_fill_random(&v, sizeof v);
    return v;
}

/* ---- esp_chip_info.h ------------------------------------------------------------- */
void esp_chip_info(esp_chip_info_t *out_info)
{
    if (!out_info) {
        return;
    }
    memset(out_info, 0, sizeof *out_info);
    out_info->model = CHIP_POSIX_LINUX;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    out_info->cores = (uint8_t)(n < 1 ? 1 : n > 255 ? 255 : n);
}

/* ---- esp_mac.h ------------------------------------------------------------------- */
static uint8_t sys_base_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

esp_err_t esp_base_mac_addr_set(const uint8_t *mac)
{
    if (!mac || (mac[0] & 0x01)) {
        return ESP_ERR_INVALID_ARG; /* a multicast address cannot be a base address */
    }
    pthread_mutex_lock(&sys_lock);
    memcpy(sys_base_mac, mac, 6);
    pthread_mutex_unlock(&sys_lock);
    return ESP_OK;
}

esp_err_t esp_base_mac_addr_get(uint8_t *mac)
{
    if (!mac) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&sys_lock);
    memcpy(mac, sys_base_mac, 6);
    pthread_mutex_unlock(&sys_lock);
    return ESP_OK;
}

esp_err_t esp_efuse_mac_get_default(uint8_t *mac)
{
    return esp_base_mac_addr_get(mac);
}

esp_err_t esp_derive_local_mac(uint8_t *local_mac, const uint8_t *universal_mac)
{
    if (!local_mac || !universal_mac) {
        return ESP_ERR_INVALID_ARG;
    }
    /* the locally administered bit set; flipped with the next bit when the
     * universal address already has it, so the two always differ */
    memcpy(local_mac, universal_mac, 6);
    local_mac[0] = (uint8_t)(universal_mac[0] & 0x02 ? universal_mac[0] ^ 0x04 : universal_mac[0] | 0x02);
    return ESP_OK;
}

esp_err_t esp_read_mac(uint8_t *mac, esp_mac_type_t type)
{
    if (!mac || (unsigned)type > (unsigned)ESP_MAC_EFUSE_EXT) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_base_mac_addr_get(mac);
    uint8_t add;
    switch (type) {
    case ESP_MAC_WIFI_STA:    add = 0; break;
    case ESP_MAC_WIFI_SOFTAP: add = 1; break;
    case ESP_MAC_BT:          add = 2; break;
    case ESP_MAC_ETH:         add = 3; break;
    default:                  add = 0; break;
    }
    mac[5] = (uint8_t)(mac[5] + add);
    return ESP_OK;
}
