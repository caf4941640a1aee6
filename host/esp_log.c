/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The esp_log.h shim: run-time log levels (a default, plus up to
 * LOG_MAX_TAG_OVERRIDES per-tag levels), millisecond timestamps, and one
 * line per message on stderr: "<L> (<ms>) <tag>: <message>\n".
 *
 * Each line is formatted into a stack buffer and written with one fwrite(),
 * so lines of different threads do not interleave. Lines longer than the
 * buffer end in "...".
 *
 * The lock and the clock come from the port. errno is touched here only to
 * leave the caller's value as it was (vsnprintf and fwrite may change it):
 * this file is the host stand-in for ESP-IDF's esp_log, which the target
 * build uses instead, and a host program expects logging to keep errno.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "esp_log.h"
#include "port/port.h"

#define LOG_MAX_TAG_OVERRIDES   32
#define LOG_LINE_MAX            512

/* Declared again with the format attribute so that the compiler knows that
 * the va_list variant takes a printf format. */
void esp_log_writev(esp_log_level_t level, const char *tag, const char *format, va_list args)
    __attribute__((format(printf, 3, 0)));

typedef struct {
    char *tag;                  /* owned copy; NULL when the slot is free */
    esp_log_level_t level;
} tag_level_t;

static port_mutex_t s_lock = PORT_MUTEX_INITIALIZER;
static tag_level_t s_tags[LOG_MAX_TAG_OVERRIDES];   /* guarded by s_lock */
static atomic_int s_tag_count;                      /* used slots; written under s_lock */
static atomic_int s_default_level = ESP_LOG_INFO;

static atomic_bool s_ready;                         /* log_init() has run */
static uint64_t s_start_ms;

/* Level named by the ESP_LOG_LEVEL environment variable, or -1. */
static int level_from_env(const char *s)
{
    static const char *const names[] = { "NONE", "ERROR", "WARN", "INFO", "DEBUG", "VERBOSE" };

    if (s == NULL) {
        return -1;
    }
    while (isspace((unsigned char)*s)) {
        s++;
    }
    if (s[0] >= '0' && s[0] <= '5' && (s[1] == '\0' || isspace((unsigned char)s[1]))) {
        return s[0] - '0';
    }
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        n--;
    }
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++) {
        if (n == strlen(names[i]) && strncasecmp(s, names[i], n) == 0) {
            return i;
        }
    }
    if (n == 7 && strncasecmp(s, "WARNING", 7) == 0) {
        return ESP_LOG_WARN;
    }
    return -1;
}

static void log_init(void)
{
    s_start_ms = httpd__port_now_ms();
    const int env_level = level_from_env(getenv("ESP_LOG_LEVEL"));
    if (env_level >= 0) {
        atomic_store_explicit(&s_default_level, env_level, memory_order_relaxed);
    }
}

/* Once per process, from whichever thread logs first. */
static void ensure_init(void)
{
    if (atomic_load_explicit(&s_ready, memory_order_acquire)) {
        return;
    }
    httpd__port_mutex_lock(&s_lock);
    if (!atomic_load_explicit(&s_ready, memory_order_relaxed)) {
        log_init();
        atomic_store_explicit(&s_ready, true, memory_order_release);
    }
    httpd__port_mutex_unlock(&s_lock);
}

/* Index of tag in s_tags, or -1. Call with s_lock held. */
static int find_tag_locked(const char *tag)
{
    for (int i = 0; i < LOG_MAX_TAG_OVERRIDES; i++) {
        if (s_tags[i].tag != NULL && strcmp(s_tags[i].tag, tag) == 0) {
            return i;
        }
    }
    return -1;
}

void esp_log_level_set(const char *tag, esp_log_level_t level)
{
    ensure_init();
    if (tag == NULL || (unsigned)level > (unsigned)ESP_LOG_VERBOSE) {   /* a negative level too */
        return;
    }

    httpd__port_mutex_lock(&s_lock);
    if (strcmp(tag, "*") == 0) {
        /* As on the target: "*" sets the level of every tag, dropping the
         * per-tag levels set before. */
        for (int i = 0; i < LOG_MAX_TAG_OVERRIDES; i++) {
            free(s_tags[i].tag);
            s_tags[i].tag = NULL;
        }
        atomic_store_explicit(&s_tag_count, 0, memory_order_relaxed);
        atomic_store_explicit(&s_default_level, (int)level, memory_order_relaxed);
        httpd__port_mutex_unlock(&s_lock);
        return;
    }

    int idx = find_tag_locked(tag);
    if (idx >= 0) {
        s_tags[idx].level = level;
    } else {
        for (int i = 0; i < LOG_MAX_TAG_OVERRIDES; i++) {
            if (s_tags[i].tag == NULL) {
                char *copy = strdup(tag);
                if (copy != NULL) {
                    s_tags[i].tag = copy;
                    s_tags[i].level = level;
                    atomic_fetch_add_explicit(&s_tag_count, 1, memory_order_relaxed);
                }
                break;
            }
        }
        /* Table full (or out of memory): the request is ignored. */
    }
    httpd__port_mutex_unlock(&s_lock);
}

esp_log_level_t esp_log_level_get(const char *tag)
{
    ensure_init();
    esp_log_level_t level =
        (esp_log_level_t)atomic_load_explicit(&s_default_level, memory_order_relaxed);
    if (tag == NULL || atomic_load_explicit(&s_tag_count, memory_order_relaxed) == 0) {
        return level;
    }
    httpd__port_mutex_lock(&s_lock);
    int idx = find_tag_locked(tag);
    if (idx >= 0) {
        level = s_tags[idx].level;
    }
    httpd__port_mutex_unlock(&s_lock);
    return level;
}

uint32_t esp_log_timestamp(void)
{
    ensure_init();
    return (uint32_t)(httpd__port_now_ms() - s_start_ms);
}

static char level_letter(esp_log_level_t level)
{
    switch (level) {
    case ESP_LOG_ERROR:   return 'E';
    case ESP_LOG_WARN:    return 'W';
    case ESP_LOG_INFO:    return 'I';
    case ESP_LOG_DEBUG:   return 'D';
    case ESP_LOG_VERBOSE: return 'V';
    default:              return '?';
    }
}

void esp_log_writev(esp_log_level_t level, const char *tag, const char *format, va_list args)
{
    if ((int)level <= (int)ESP_LOG_NONE || (int)level > (int)ESP_LOG_VERBOSE || format == NULL) {
        return;
    }
    if (tag == NULL) {
        tag = "";
    }
    if ((int)level > (int)esp_log_level_get(tag)) {
        return;
    }

    const int saved_errno = errno;      /* logging must not disturb the caller's errno */
    char line[LOG_LINE_MAX];
    const size_t cap = sizeof line - 1; /* keep one byte for the final '\n' */
    size_t used;
    bool truncated = false;

    int n = snprintf(line, cap, "%c (%u) %s: ", level_letter(level),
                     (unsigned)esp_log_timestamp(), tag);
    if (n < 0) {
        errno = saved_errno;
        return;
    }
    if ((size_t)n >= cap) {
        used = cap - 1;
        truncated = true;
    } else {
        used = (size_t)n;
        int m = vsnprintf(line + used, cap - used, format, args);
        if (m < 0) {
            m = 0;
            line[used] = '\0';
        }
        if ((size_t)m >= cap - used) {
            used = cap - 1;
            truncated = true;
        } else {
            used += (size_t)m;
        }
    }
    if (truncated) {
        memcpy(line + used - 3, "...", 3);
    }
    line[used++] = '\n';

    fwrite(line, 1, used, stderr);
    errno = saved_errno;
}

void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    esp_log_writev(level, tag, format, args);
    va_end(args);
}
