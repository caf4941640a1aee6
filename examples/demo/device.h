/* SPDX-License-Identifier: Apache-2.0 */
/*
 * device.h: the simulated device: three sensors, an LED, a relay and its settings.
 *
 * On a real board the sensors would be read by drivers and the settings kept in
 * NVS; here the sensor values take a random walk within plausible ranges, once per
 * settings.interval_ms, on a ticker thread, and the settings live in memory. Every
 * function is thread-safe (the HTTP and HTTPS servers call them from their threads).
 */
#ifndef DEMO_DEVICE_H
#define DEMO_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "esp_err.h"

#define DEVICE_NAME_MAX      32      /* settings.name: 1..32 printable ASCII characters */
#define DEVICE_INTERVAL_MIN  200     /* settings.interval_ms range */
#define DEVICE_INTERVAL_MAX  10000

typedef struct {
    char     name[DEVICE_NAME_MAX + 1];
    uint32_t interval_ms;            /* sampling period */
    char     unit;                   /* 'C' or 'F': the unit of sample.temperature */
} device_settings_t;

/** One reading of the device. */
typedef struct {
    uint64_t t_ms;                   /* uptime when it was taken */
    double   temperature;            /* in settings.unit */
    double   humidity;               /* % relative humidity */
    int      light;                  /* lux */
    bool     led;
    bool     relay;
} device_sample_t;

/** Told of each new sample (event "sample", on the ticker thread) and of each LED or
 *  relay change (event "state", on the thread that made it). */
typedef void (*device_listener_t)(const char *event, const device_sample_t *sample, void *arg);

/** Starts sampling; listener (may be NULL) hears of every sample and change.
 *  @return ESP_OK; ESP_ERR_INVALID_STATE (running); ESP_FAIL (no thread). */
esp_err_t device_start(device_listener_t listener, void *arg);

/** Stops sampling; the listener is not called any more when it returns. */
void device_stop(void);

/** Milliseconds since device_start() (the device's uptime). */
uint64_t device_uptime_ms(void);

/** The latest sample (LED and relay as they are now). */
void device_read(device_sample_t *out);

void device_get_settings(device_settings_t *out);

/** Checks and stores settings; a new interval takes effect at once.
 *  @return ESP_OK; ESP_ERR_INVALID_ARG (a value out of range: nothing changed). */
esp_err_t device_set_settings(const device_settings_t *in);

/** true when name is 1..DEVICE_NAME_MAX printable ASCII characters. */
bool device_name_valid(const char *name);

/** Switches the LED or the relay; the listener hears "state" when it changed. */
void device_set_led(bool on);
void device_set_relay(bool on);

#endif /* DEMO_DEVICE_H */
