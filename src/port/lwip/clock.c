/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP port, clock and sleep: lwIP's sys layer. sys_now() counts milliseconds
 * in 32 bits and wraps after 49.7 days; the 64-bit clock adds up its steps
 * under a lock, so it stays monotonic across the wrap as long as it is read
 * at least once per wrap (the loop reads it whenever a deadline is armed).
 */
#include "port/lwip/lwip_port.h"

static port_mutex_t clock_lock = PORT_MUTEX_INITIALIZER;
static uint32_t     clock_last;
static uint64_t     clock_total;

uint64_t httpd__port_now_ms(void)
{
    httpd__port_mutex_lock(&clock_lock);
    uint32_t now = sys_now();
    clock_total += (uint32_t)(now - clock_last);
    clock_last = now;
    uint64_t t = clock_total;
    httpd__port_mutex_unlock(&clock_lock);
    return t;
}

void httpd__port_sleep_ms(unsigned ms)
{
    sys_msleep((u32_t)ms);
}
