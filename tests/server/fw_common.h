/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fw_common.h: the scaffolding every test firmware program of tests/server/ shares
 * (test_server, sess_server, async_server, ws_server, stall_server).
 *
 * Only static inline functions: CMake builds every .c file of tests/server into a program
 * of its own, so this header is all there is, and a program uses what it needs.
 *
 * The protocol with tests/pytest (conftest.Firmware):
 *   - stdout "START_FAILED <esp_err_to_name>" and exit 2 when the server cannot start
 *     (e.g. the port is taken: the test retries on another port),
 *   - stdout "READY <port>" once the server runs with every handler registered,
 *   - SIGTERM / SIGINT: stop the server, print the program's FINAL report, exit 0.
 * The stop signals are blocked in main before any thread exists, so every thread
 * inherits the mask and only main's sigwait() ever sees them.
 */
#ifndef FW_COMMON_H
#define FW_COMMON_H

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_http_server.h"

/* A decimal number in [min, max] into *out; false (and *out untouched) when s is not
 * one, or out of range. */
static inline bool fw_parse_num(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

/* A command line value for a uint16_t field of httpd_config_t (port, socket count,
 * time-outs): fw_parse_num() in [min, max] (max at most UINT16_MAX) into *field. */
static inline bool fw_parse_u16(const char *s, unsigned long min, unsigned long max, uint16_t *field)
{
    unsigned long v = 0;
    if (!fw_parse_num(s, min, max, &v)) {
        return false;
    }
    *field = (uint16_t)v;
    return true;
}

/* Blocks SIGTERM and SIGINT in the calling thread (call it before any thread exists)
 * and fills *set with them for fw_wait_stop_signal(). false: the reason is on stderr. */
static inline bool fw_block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    int rc = pthread_sigmask(SIG_BLOCK, set, NULL);
    if (rc != 0) {
        fprintf(stderr, "pthread_sigmask: %s\n", strerror(rc));
        return false;
    }
    return true;
}

/* Waits for one of the signals of set; returns it (0 if sigwait failed, reported on
 * stderr). */
static inline int fw_wait_stop_signal(const sigset_t *set)
{
    int sig = 0;
    for (;;) {
        int rc = sigwait(set, &sig);
        if (rc == 0) {
            break;
        }
        if (rc != EINTR) {
            fprintf(stderr, "sigwait: %s\n", strerror(rc));
            break;
        }
    }
    return sig;
}

/* Prints "START_FAILED <name of err>" on stdout (flushed). */
static inline void fw_print_start_failed(esp_err_t err)
{
    printf("START_FAILED %s\n", esp_err_to_name(err));
    fflush(stdout);
}

/* Prints "READY <port>" on stdout (flushed): the program serves. */
static inline void fw_print_ready(uint16_t port)
{
    printf("READY %u\n", (unsigned)port);
    fflush(stdout);
}

/* httpd_start() and then every handler of uris[0..n); on failure prints START_FAILED,
 * stops the server if it had started (*server is NULL then) and returns the error. */
static inline esp_err_t fw_start(httpd_handle_t *server, const httpd_config_t *config,
                                 const httpd_uri_t *uris, size_t n)
{
    esp_err_t err = httpd_start(server, config);
    for (size_t i = 0; err == ESP_OK && i < n; i++) {
        err = httpd_register_uri_handler(*server, &uris[i]);
    }
    if (err != ESP_OK) {
        fw_print_start_failed(err);
        if (*server != NULL) {
            httpd_stop(*server);
            *server = NULL;
        }
    }
    return err;
}

/* httpd_stop(), its failure reported on stderr. */
static inline esp_err_t fw_stop(httpd_handle_t server)
{
    esp_err_t err = httpd_stop(server);
    if (err != ESP_OK) {
        fprintf(stderr, "httpd_stop: %s\n", esp_err_to_name(err));
    }
    return err;
}

#endif /* FW_COMMON_H */
