/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: event loops (esp_event.h). A loop is a FreeRTOS
 * queue of posted events (each with a copy of its data) and a list of
 * handlers in registration order. Dispatch follows ESP-IDF's order: the
 * handlers for any base first, then those for the event's base and any id,
 * then those for its base and id; within each group, the order of
 * registration. The list lock is not held while a handler runs, so a handler
 * may register, unregister (itself or another) and post; a handler removed
 * meanwhile is skipped and freed once the dispatch is over. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "esp_event.h"
#include "esp_log.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "sdkconfig.h"

static const char *TAG = "event";

#define EVL_MAGIC 0x65766c70U /* "evlp" */

struct evl_handler {
    struct evl_handler *next;
    esp_event_base_t base;  /* NULL: any base */
    int32_t id;             /* ESP_EVENT_ANY_ID: any id */
    esp_event_handler_t fn;
    void *arg;
    bool instance;          /* registered as an instance (not by function) */
    bool removed;           /* unregistered during a dispatch */
};

struct evl_event {
    esp_event_base_t base;
    int32_t id;
    void *data;             /* a copy, or NULL */
};

struct evl_loop {
    uint32_t magic;
    QueueHandle_t queue;    /* of struct evl_event * (NULL: stop the task) */
    pthread_mutex_t lock;   /* guards the handler list */
    struct evl_handler *handlers;
    int dispatching;        /* dispatches in progress (removal deferred) */
    TaskHandle_t task;      /* NULL: run by esp_event_loop_run() */
    SemaphoreHandle_t task_done;
    char name[configMAX_TASK_NAME_LEN];
};

static pthread_mutex_t evl_default_lock = PTHREAD_MUTEX_INITIALIZER;
static struct evl_loop *evl_default;

static bool evl_valid(const struct evl_loop *loop)
{
    return loop && loop->magic == EVL_MAGIC;
}

static void evl_event_free(struct evl_event *ev)
{
    if (ev) {
        free(ev->data);
        free(ev);
    }
}

/* Frees handlers unregistered during a dispatch; with the lock held. */
static void evl_sweep(struct evl_loop *loop)
{
    struct evl_handler **pp = &loop->handlers;
    while (*pp) {
        struct evl_handler *h = *pp;
        if (h->removed) {
            *pp = h->next;
            free(h);
        } else {
            pp = &h->next;
        }
    }
}

static bool evl_group_matches(const struct evl_handler *h, int group, const struct evl_event *ev)
{
    switch (group) {
    case 0:
        return h->base == NULL;
    case 1:
        return h->base == ev->base && h->id == ESP_EVENT_ANY_ID;
    default:
        return h->base == ev->base && h->id == ev->id;
    }
}

static void evl_dispatch(struct evl_loop *loop, struct evl_event *ev)
{
    pthread_mutex_lock(&loop->lock);
    loop->dispatching++;
    for (int group = 0; group < 3; group++) {
        for (struct evl_handler *h = loop->handlers; h; h = h->next) {
            if (h->removed || !evl_group_matches(h, group, ev)) {
                continue;
            }
            esp_event_handler_t fn = h->fn;
            void *arg = h->arg;
            pthread_mutex_unlock(&loop->lock);
            fn(arg, ev->base, ev->id, ev->data);
            pthread_mutex_lock(&loop->lock);
        }
    }
    if (--loop->dispatching == 0) {
        evl_sweep(loop);
    }
    pthread_mutex_unlock(&loop->lock);
}

static void evl_task(void *arg)
{
    struct evl_loop *loop = arg;
    for (;;) {
        struct evl_event *ev = NULL;
        if (xQueueReceive(loop->queue, &ev, portMAX_DELAY) != pdTRUE) {
            continue;
        }
        if (!ev) {
            break;
        }
        evl_dispatch(loop, ev);
        evl_event_free(ev);
    }
    xSemaphoreGive(loop->task_done);
    vTaskDelete(NULL);
}

esp_err_t esp_event_loop_create(const esp_event_loop_args_t *event_loop_args, esp_event_loop_handle_t *event_loop)
{
    if (!event_loop_args || !event_loop || event_loop_args->queue_size <= 0) {
        return ESP_ERR_INVALID_ARG;
    }
    struct evl_loop *loop = calloc(1, sizeof *loop);
    if (!loop) {
        return ESP_ERR_NO_MEM;
    }
    loop->magic = EVL_MAGIC;
    pthread_mutex_init(&loop->lock, NULL);
    loop->queue = xQueueCreate((UBaseType_t)event_loop_args->queue_size, sizeof(struct evl_event *));
    if (!loop->queue) {
        goto no_mem;
    }
    if (event_loop_args->task_name) {
        strncpy(loop->name, event_loop_args->task_name, sizeof loop->name - 1);
        loop->task_done = xSemaphoreCreateBinary();
        if (!loop->task_done) {
            goto no_mem;
        }
        if (xTaskCreatePinnedToCore(evl_task, event_loop_args->task_name, event_loop_args->task_stack_size, loop,
                                    event_loop_args->task_priority, &loop->task,
                                    event_loop_args->task_core_id) != pdPASS) {
            goto no_mem;
        }
    }
    *event_loop = loop;
    return ESP_OK;
no_mem:
    if (loop->task_done) {
        vSemaphoreDelete(loop->task_done);
    }
    if (loop->queue) {
        vQueueDelete(loop->queue);
    }
    pthread_mutex_destroy(&loop->lock);
    free(loop);
    ESP_LOGE(TAG, "no memory for an event loop");
    return ESP_ERR_NO_MEM;
}

esp_err_t esp_event_loop_delete(esp_event_loop_handle_t event_loop)
{
    struct evl_loop *loop = event_loop;
    if (!evl_valid(loop)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (loop->task) {
        if (xTaskGetCurrentTaskHandle() == loop->task) {
            ESP_LOGE(TAG, "an event loop cannot delete itself from its own task");
            return ESP_ERR_INVALID_STATE;
        }
        struct evl_event *stop = NULL;
        xQueueSendToFront(loop->queue, &stop, portMAX_DELAY);
        xSemaphoreTake(loop->task_done, portMAX_DELAY);
        vSemaphoreDelete(loop->task_done);
    }
    loop->magic = 0;
    struct evl_event *ev;
    while (xQueueReceive(loop->queue, &ev, 0) == pdTRUE) {
        evl_event_free(ev);
    }
    vQueueDelete(loop->queue);
    while (loop->handlers) {
        struct evl_handler *h = loop->handlers;
        loop->handlers = h->next;
        free(h);
    }
    pthread_mutex_destroy(&loop->lock);
    free(loop);
    return ESP_OK;
}

esp_err_t esp_event_loop_run(esp_event_loop_handle_t event_loop, TickType_t ticks_to_run)
{
    struct evl_loop *loop = event_loop;
    if (!evl_valid(loop)) {
        return ESP_ERR_INVALID_ARG;
    }
    TickType_t start = xTaskGetTickCount();
    TickType_t left = ticks_to_run;
    for (;;) {
        struct evl_event *ev = NULL;
        if (xQueueReceive(loop->queue, &ev, left) != pdTRUE) {
            break;
        }
        if (ev) {
            evl_dispatch(loop, ev);
            evl_event_free(ev);
        }
        if (ticks_to_run != portMAX_DELAY) {
            TickType_t spent = xTaskGetTickCount() - start;
            if (spent >= ticks_to_run) {
                break;
            }
            left = ticks_to_run - spent;
        }
    }
    return ESP_OK;
}

esp_err_t esp_event_loop_create_default(void)
{
    pthread_mutex_lock(&evl_default_lock);
    if (evl_default) {
        pthread_mutex_unlock(&evl_default_lock);
        return ESP_ERR_INVALID_STATE;
    }
    esp_event_loop_args_t args = {
        .queue_size = CONFIG_ESP_SYSTEM_EVENT_QUEUE_SIZE,
        .task_name = "sys_evt",
        .task_priority = 20,
        .task_stack_size = CONFIG_ESP_SYSTEM_EVENT_TASK_STACK_SIZE,
        .task_core_id = 0,
    };
    esp_event_loop_handle_t loop = NULL;
    esp_err_t err = esp_event_loop_create(&args, &loop);
    if (err == ESP_OK) {
        evl_default = loop;
    }
    pthread_mutex_unlock(&evl_default_lock);
    return err;
}

esp_err_t esp_event_loop_delete_default(void)
{
    pthread_mutex_lock(&evl_default_lock);
    struct evl_loop *loop = evl_default;
    if (!loop) {
        pthread_mutex_unlock(&evl_default_lock);
        return ESP_ERR_INVALID_STATE;
    }
    evl_default = NULL;
    pthread_mutex_unlock(&evl_default_lock);
    esp_err_t err = esp_event_loop_delete(loop);
    if (err != ESP_OK) {
        pthread_mutex_lock(&evl_default_lock);
        evl_default = loop;
        pthread_mutex_unlock(&evl_default_lock);
    }
    return err;
}

static struct evl_loop *evl_get_default(void)
{
    pthread_mutex_lock(&evl_default_lock);
    struct evl_loop *loop = evl_default;
    pthread_mutex_unlock(&evl_default_lock);
    return loop;
}

static esp_err_t evl_register(struct evl_loop *loop, esp_event_base_t base, int32_t id, esp_event_handler_t fn,
                              void *arg, esp_event_handler_instance_t *instance)
{
    if (!evl_valid(loop) || !fn || (base == ESP_EVENT_ANY_BASE && id != ESP_EVENT_ANY_ID) ||
        id < ESP_EVENT_ANY_ID) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&loop->lock);
    struct evl_handler **pp = &loop->handlers;
    for (; *pp; pp = &(*pp)->next) {
        struct evl_handler *h = *pp;
        if (!instance && !h->instance && !h->removed && h->fn == fn && h->base == base && h->id == id) {
            h->arg = arg; /* as on the chip: registering again replaces the argument */
            pthread_mutex_unlock(&loop->lock);
            ESP_LOGW(TAG, "handler already registered, overwriting");
            return ESP_OK;
        }
    }
    struct evl_handler *h = calloc(1, sizeof *h);
    if (!h) {
        pthread_mutex_unlock(&loop->lock);
        return ESP_ERR_NO_MEM;
    }
    h->base = base;
    h->id = id;
    h->fn = fn;
    h->arg = arg;
    h->instance = instance != NULL;
    *pp = h;
    if (instance) {
        *instance = h;
    }
    pthread_mutex_unlock(&loop->lock);
    return ESP_OK;
}

static esp_err_t evl_unregister(struct evl_loop *loop, esp_event_base_t base, int32_t id, esp_event_handler_t fn,
                                esp_event_handler_instance_t instance)
{
    if (!evl_valid(loop) || (!fn && !instance) || (base == ESP_EVENT_ANY_BASE && id != ESP_EVENT_ANY_ID)) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&loop->lock);
    for (struct evl_handler **pp = &loop->handlers; *pp; pp = &(*pp)->next) {
        struct evl_handler *h = *pp;
        bool match = instance ? (h == instance) : (!h->instance && h->fn == fn);
        if (match && !h->removed && h->base == base && h->id == id) {
            if (loop->dispatching) {
                h->removed = true;
            } else {
                *pp = h->next;
                free(h);
            }
            pthread_mutex_unlock(&loop->lock);
            return ESP_OK;
        }
    }
    pthread_mutex_unlock(&loop->lock);
    return ESP_ERR_NOT_FOUND;
}

esp_err_t esp_event_handler_register_with(esp_event_loop_handle_t event_loop, esp_event_base_t event_base,
                                          int32_t event_id, esp_event_handler_t event_handler,
                                          void *event_handler_arg)
{
    return evl_register(event_loop, event_base, event_id, event_handler, event_handler_arg, NULL);
}

esp_err_t esp_event_handler_instance_register_with(esp_event_loop_handle_t event_loop,
                                                   esp_event_base_t event_base, int32_t event_id,
                                                   esp_event_handler_t event_handler, void *event_handler_arg,
                                                   esp_event_handler_instance_t *instance)
{
    if (!instance) {
        return ESP_ERR_INVALID_ARG;
    }
    return evl_register(event_loop, event_base, event_id, event_handler, event_handler_arg, instance);
}

esp_err_t esp_event_handler_unregister_with(esp_event_loop_handle_t event_loop, esp_event_base_t event_base,
                                            int32_t event_id, esp_event_handler_t event_handler)
{
    if (!event_handler) {
        return ESP_ERR_INVALID_ARG;
    }
    return evl_unregister(event_loop, event_base, event_id, event_handler, NULL);
}

esp_err_t esp_event_handler_instance_unregister_with(esp_event_loop_handle_t event_loop,
                                                     esp_event_base_t event_base, int32_t event_id,
                                                     esp_event_handler_instance_t instance)
{
    if (!instance) {
        return ESP_ERR_INVALID_ARG;
    }
    return evl_unregister(event_loop, event_base, event_id, NULL, instance);
}

esp_err_t esp_event_handler_register(esp_event_base_t event_base, int32_t event_id,
                                     esp_event_handler_t event_handler, void *event_handler_arg)
{
    struct evl_loop *loop = evl_get_default();
    if (!loop) {
        return ESP_ERR_INVALID_STATE;
    }
    return esp_event_handler_register_with(loop, event_base, event_id, event_handler, event_handler_arg);
}

esp_err_t esp_event_handler_instance_register(esp_event_base_t event_base, int32_t event_id,
                                              esp_event_handler_t event_handler, void *event_handler_arg,
                                              esp_event_handler_instance_t *instance)
{
    struct evl_loop *loop = evl_get_default();
    if (!loop) {
        return ESP_ERR_INVALID_STATE;
    }
    return esp_event_handler_instance_register_with(loop, event_base, event_id, event_handler,
                                                    event_handler_arg, instance);
}

esp_err_t esp_event_handler_unregister(esp_event_base_t event_base, int32_t event_id,
                                       esp_event_handler_t event_handler)
{
    struct evl_loop *loop = evl_get_default();
    if (!loop) {
        return ESP_ERR_INVALID_STATE;
    }
    return esp_event_handler_unregister_with(loop, event_base, event_id, event_handler);
}

esp_err_t esp_event_handler_instance_unregister(esp_event_base_t event_base, int32_t event_id,
                                                esp_event_handler_instance_t instance)
{
    struct evl_loop *loop = evl_get_default();
    if (!loop) {
        return ESP_ERR_INVALID_STATE;
    }
    return esp_event_handler_instance_unregister_with(loop, event_base, event_id, instance);
}

esp_err_t esp_event_post_to(esp_event_loop_handle_t event_loop, esp_event_base_t event_base, int32_t event_id,
                            const void *event_data, size_t event_data_size, TickType_t ticks_to_wait)
{
    struct evl_loop *loop = event_loop;
    if (!evl_valid(loop) || event_base == ESP_EVENT_ANY_BASE || event_id == ESP_EVENT_ANY_ID) {
        return ESP_ERR_INVALID_ARG;
    }
    struct evl_event *ev = calloc(1, sizeof *ev);
    if (!ev) {
        return ESP_ERR_NO_MEM;
    }
    ev->base = event_base;
    ev->id = event_id;
    if (event_data && event_data_size) {
        ev->data = malloc(event_data_size);
        if (!ev->data) {
            free(ev);
            return ESP_ERR_NO_MEM;
        }
        memcpy(ev->data, event_data, event_data_size);
    }
    if (xQueueSendToBack(loop->queue, &ev, ticks_to_wait) != pdTRUE) {
        evl_event_free(ev);
        return ESP_ERR_TIMEOUT;
    }
    return ESP_OK;
}

esp_err_t esp_event_post(esp_event_base_t event_base, int32_t event_id, const void *event_data,
                         size_t event_data_size, TickType_t ticks_to_wait)
{
    struct evl_loop *loop = evl_get_default();
    if (!loop) {
        return ESP_ERR_INVALID_STATE;
    }
    return esp_event_post_to(loop, event_base, event_id, event_data, event_data_size, ticks_to_wait);
}

esp_err_t esp_event_isr_post_to(esp_event_loop_handle_t event_loop, esp_event_base_t event_base,
                                int32_t event_id, const void *event_data, size_t event_data_size,
                                BaseType_t *task_unblocked)
{
    if (task_unblocked) {
        *task_unblocked = pdFALSE;
    }
    esp_err_t err = esp_event_post_to(event_loop, event_base, event_id, event_data, event_data_size, 0);
    return err == ESP_ERR_TIMEOUT ? ESP_FAIL : err;
}

esp_err_t esp_event_isr_post(esp_event_base_t event_base, int32_t event_id, const void *event_data,
                             size_t event_data_size, BaseType_t *task_unblocked)
{
    struct evl_loop *loop = evl_get_default();
    if (!loop) {
        return ESP_ERR_INVALID_STATE;
    }
    return esp_event_isr_post_to(loop, event_base, event_id, event_data, event_data_size, task_unblocked);
}

esp_err_t esp_event_dump(FILE *file)
{
    if (!file) {
        return ESP_ERR_INVALID_ARG;
    }
    pthread_mutex_lock(&evl_default_lock);
    struct evl_loop *loop = evl_default;
    if (loop) {
        pthread_mutex_lock(&loop->lock);
        fprintf(file, "%p,%s\n", (void *)loop, loop->task ? loop->name : "none");
        for (struct evl_handler *h = loop->handlers; h; h = h->next) {
            if (!h->removed) {
                fprintf(file, "    handler ev:%s,%ld\n", h->base ? h->base : "ESP_EVENT_ANY_BASE", (long)h->id);
            }
        }
        pthread_mutex_unlock(&loop->lock);
    }
    pthread_mutex_unlock(&evl_default_lock);
    return ESP_OK;
}
