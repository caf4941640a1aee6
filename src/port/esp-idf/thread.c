/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ESP-IDF port, threads: pthreads, as the lwIP port's port_platform.h defines
 * them (joining, identity, mutexes and condition variables stay inline there),
 * each one created through ESP-IDF's esp_pthread configuration so that the
 * FreeRTOS task behind it gets the name, stack size, priority and core asked
 * for: the server task honours httpd_config_t's task_priority, stack_size and
 * core_id as upstream's does. Built only by ESP-IDF (cmake/idf_component.cmake),
 * in place of src/port/lwip/thread.c.
 */
#include "port/port.h"

#include <errno.h>
#include <pthread.h>

#include "esp_err.h"
#include "esp_pthread.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

/* The configuration for a thread with options o, starting from ESP-IDF's
 * defaults (menuconfig's "PThreads" settings) for whatever o leaves open. */
static esp_pthread_cfg_t thread_cfg(const struct port_thread_opts *o)
{
    esp_pthread_cfg_t cfg = esp_pthread_get_default_config();
    cfg.inherit_cfg = false;
    if (!o) {
        return cfg;
    }
    cfg.thread_name = o->name;
    /* Bytes, exactly (a FreeRTOS stack is never more than asked), within what
     * esp_pthread_set_cfg() accepts. */
    if (o->stack_size) {
        cfg.stack_size = o->stack_size < (size_t)PTHREAD_STACK_MIN ? (size_t)PTHREAD_STACK_MIN : o->stack_size;
    }
    /* esp_pthread reads priority 0 as "the default": a thread that asks for
     * none (a coroutine acting for the server task) runs at its creator's. */
    UBaseType_t prio = o->priority ? (UBaseType_t)o->priority : uxTaskPriorityGet(NULL);
    cfg.prio = prio < configMAX_PRIORITIES ? prio : configMAX_PRIORITIES - 1;
    if (o->core_id != PORT_ANY_CORE) {
        cfg.pin_to_core = o->core_id;   /* out of range: esp_pthread keeps the default core */
    }
    return cfg;
}

int httpd__port_thread_create(port_thread_t *t, const struct port_thread_opts *o, void *(*fn)(void *), void *arg)
{
    /* The configuration belongs to the calling task and applies to its next
     * pthread_create(): keep the caller's and put it back afterwards (there
     * is no call to remove one; a caller that had none gets the defaults,
     * which create the same threads). */
    esp_pthread_cfg_t saved;
    bool had_cfg = esp_pthread_get_cfg(&saved) == ESP_OK;
    esp_pthread_cfg_t cfg = thread_cfg(o);
    int rc = esp_pthread_set_cfg(&cfg) == ESP_OK ? 0 : ENOMEM;
    if (rc == 0) {
        rc = pthread_create(t, NULL, fn, arg);   /* NULL attributes: the configuration's stack size holds */
    }
    if (had_cfg) {
        (void)esp_pthread_set_cfg(&saved);
    } else {
        esp_pthread_cfg_t def = esp_pthread_get_default_config();
        (void)esp_pthread_set_cfg(&def);
    }
    if (rc != 0) {
        errno = rc;   /* for httpd__port_last_error() */
        return PORT_FAIL;
    }
    return PORT_OK;
}
