/* SPDX-License-Identifier: Apache-2.0 */
/* esp_system and friends on the host: esp_restart() runs the shutdown
 * handlers and re-executes the program with its arguments, and the new run's
 * esp_reset_reason() is ESP_RST_SW (a child copy of this test restarts once);
 * a first start is ESP_RST_POWERON; the simulated heap shrinks as memory is
 * allocated; esp_random, esp_chip_info, esp_read_mac and heap_caps_*. */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "esp_chip_info.h"
#include "esp_heap_caps.h"
#include "esp_mac.h"
#include "esp_random.h"
#include "esp_system.h"

#include "../unit/check.h"

static void on_shutdown(void)
{
    printf("shutdown handler ran\n");
}

static void on_shutdown_2(void)
{
    printf("second handler ran\n");
}

/* The child: restarts once, then reports how it started. */
static int child_main(char **argv)
{
    esp_reset_reason_t reason = esp_reset_reason();
    if (reason == ESP_RST_POWERON) {
        esp_register_shutdown_handler(on_shutdown);
        esp_register_shutdown_handler(on_shutdown_2);
        printf("first run\n");
        fflush(stdout);
        esp_restart();
    }
    printf("second run reason=%d arg=%s env=%s\n", (int)reason, argv[1],
           getenv("IDF_HOST_RESET_REASON") ? "set" : "unset");
    return 0;
}

static void test_restart(const char *self)
{
    int fds[2];
    CHECK_EQ_INT(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl(self, self, "--restart-child", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char out[1024] = "";
    size_t len = 0;
    struct pollfd p = { .fd = fds[0], .events = POLLIN };
    for (int i = 0; i < 100 && len < sizeof out - 1; i++) { /* 10 s at most */
        if (poll(&p, 1, 100) <= 0) {
            continue;
        }
        ssize_t n = read(fds[0], out + len, sizeof out - 1 - len);
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
        out[len] = '\0';
    }
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    printf("child said:\n%s", out);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    const char *first = strstr(out, "first run");
    const char *h2 = strstr(out, "second handler ran");
    const char *h1 = strstr(out, "shutdown handler ran");
    const char *second = strstr(out, "second run reason=3 arg=--restart-child env=unset");
    CHECK(first && h1 && h2 && second);
    /* handlers run last registered first, all before the new run */
    CHECK(first && h2 && h1 && second && first < h2 && h2 < h1 && h1 < second);
}

static void test_shutdown_handlers(void)
{
    CHECK_EQ_INT(esp_register_shutdown_handler(NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(esp_register_shutdown_handler(on_shutdown), ESP_OK);
    CHECK_EQ_INT(esp_register_shutdown_handler(on_shutdown), ESP_ERR_INVALID_STATE);
    CHECK_EQ_INT(esp_unregister_shutdown_handler(on_shutdown), ESP_OK);
    CHECK_EQ_INT(esp_unregister_shutdown_handler(on_shutdown), ESP_ERR_INVALID_STATE);
}

/* A sanitizer's allocator is not what mallinfo2() counts: gcc says so with
 * __SANITIZE_ADDRESS__ / __SANITIZE_THREAD__, clang with __has_feature(). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HEAP_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HEAP_UNDER_SANITIZER 1
#endif
#endif

static void test_heap(void)
{
    uint32_t before = esp_get_free_heap_size();
    CHECK(before > 0 && before <= IDF_HOST_DEFAULT_HEAP_SIZE);
    CHECK_EQ_INT(heap_caps_get_total_size(MALLOC_CAP_8BIT), IDF_HOST_DEFAULT_HEAP_SIZE);
    void *p = heap_caps_malloc(64 * 1024, MALLOC_CAP_8BIT | MALLOC_CAP_INTERNAL);
    CHECK(p != NULL);
    memset(p, 1, 64 * 1024);
    uint32_t during = esp_get_free_heap_size();
#ifdef HEAP_UNDER_SANITIZER
    (void)during; /* the sanitizer's allocator is not counted */
#else
    CHECK(during + 60 * 1024 <= before);
    CHECK(esp_get_minimum_free_heap_size() <= during);
#endif
    heap_caps_free(p);
    CHECK(esp_get_free_heap_size() >= during);
    CHECK(heap_caps_get_free_size(MALLOC_CAP_8BIT) > 0);
    void *a = heap_caps_aligned_alloc(64, 100, MALLOC_CAP_DMA);
    CHECK(a != NULL && ((uintptr_t)a & 63) == 0);
    heap_caps_free(a);
    CHECK(heap_caps_aligned_alloc(48, 100, MALLOC_CAP_DMA) == NULL);
    multi_heap_info_t info;
    heap_caps_get_info(&info, MALLOC_CAP_DEFAULT);
    CHECK(info.total_free_bytes > 0);
}

static void test_misc(void)
{
    uint32_t r1 = esp_random(), r2 = esp_random(), r3 = esp_random();
    CHECK(!(r1 == r2 && r2 == r3));
    unsigned char buf[64] = { 0 };
    esp_fill_random(buf, sizeof buf);
    int nonzero = 0;
    for (size_t i = 0; i < sizeof buf; i++) {
        nonzero += buf[i] != 0;
    }
    CHECK(nonzero > 40);

    esp_chip_info_t chip;
    esp_chip_info(&chip);
    CHECK_EQ_INT(chip.model, CHIP_POSIX_LINUX);
    CHECK(chip.cores >= 1);

    uint8_t sta[6], ap[6], base[6];
    CHECK_EQ_INT(esp_read_mac(sta, ESP_MAC_WIFI_STA), ESP_OK);
    CHECK_EQ_INT(esp_read_mac(ap, ESP_MAC_WIFI_SOFTAP), ESP_OK);
    CHECK_EQ_INT(esp_base_mac_addr_get(base), ESP_OK);
    CHECK(memcmp(sta, base, 6) == 0);
    CHECK_EQ_INT(ap[5], (uint8_t)(sta[5] + 1));
    char s[32];
    snprintf(s, sizeof s, MACSTR, MAC2STR(sta));
    CHECK_EQ_STR(s, "02:00:00:00:00:01");
    CHECK_EQ_INT(esp_read_mac(NULL, ESP_MAC_WIFI_STA), ESP_ERR_INVALID_ARG);
    const uint8_t multicast[6] = { 0x01, 0, 0, 0, 0, 0 };
    CHECK_EQ_INT(esp_base_mac_addr_set(multicast), ESP_ERR_INVALID_ARG);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--restart-child") == 0) {
        return child_main(argv);
    }
    CHECK_EQ_INT(esp_reset_reason(), ESP_RST_POWERON);
    test_shutdown_handlers();
    test_restart("/proc/self/exe");
    test_heap();
    test_misc();
    return check_summary();
}
