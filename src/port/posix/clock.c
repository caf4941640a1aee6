/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX port, clock and sleep: CLOCK_MONOTONIC, so deadlines survive changes
 * of the wall clock.
 */
#include "port/posix/posix.h"

#include <time.h>

uint64_t httpd__port_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void httpd__port_sleep_ms(unsigned ms)
{
    struct timespec ts = { .tv_sec = (time_t)(ms / 1000u), .tv_nsec = (long)(ms % 1000u) * 1000000L };
    /* A signal cuts the sleep short: sleep what is left. */
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}
