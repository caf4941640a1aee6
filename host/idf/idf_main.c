/* SPDX-License-Identifier: Apache-2.0 */
/*
 * idf_main.c: main() for firmware that has only app_main(), as every ESP-IDF
 * application does. On the chip the start-up code runs app_main() in the
 * "main" task and the other tasks go on after it returns; here main() does
 * the same, then waits for SIGINT or SIGTERM and exits with status 0.
 *
 * This file holds main() alone: a program that defines its own main() never
 * pulls it out of the static library, and its own main wins over the shared
 * library's. app_main is a weak reference, so programs without one (tests,
 * tools) still link.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

void app_main(void) __attribute__((weak));
int main(void);

static const char *TAG = "idf_host";

/* ESP-IDF's CONFIG_ESP_MAIN_TASK_STACK_SIZE and its priority (the host ignores both). */
#define MAIN_TASK_STACK 3584
#define MAIN_TASK_PRIO  1

static void main_task(void *arg)
{
    (void)arg;
    app_main();
    ESP_LOGI(TAG, "Returned from app_main()");
    vTaskDelete(NULL);
}

int main(void)
{
    if (!app_main) {
        fprintf(stderr, "idf_host: the program defines neither main() nor app_main()\n");
        return 2;
    }
    /* The stop signals are blocked before any task exists, so every task
     * inherits the mask and only the sigwait() below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &stop, NULL) != 0 ||
        xTaskCreate(main_task, "main", MAIN_TASK_STACK, NULL, MAIN_TASK_PRIO, NULL) != pdPASS) {
        fprintf(stderr, "idf_host: cannot start the main task\n");
        return 1;
    }
    int sig = 0;
    sigwait(&stop, &sig);
    ESP_LOGI(TAG, "signal %d: exiting", sig);
    fflush(NULL);
    exit(0);
}
