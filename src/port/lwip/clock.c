/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP port, clock and sleep: lwIP's sys layer. sys_now() counts milliseconds
 * in 32 bits and wraps after 49.7 days; the 64-bit clock counts the wraps in
 * its high half, so it stays monotonic across them as long as it is read at
 * least once per wrap (the loop reads it whenever a deadline is armed). The
 * two words change together under lwIP's own light lock (SYS_ARCH_PROTECT: a
 * critical section on an RTOS), which lwIP used from several threads has
 * (SYS_LIGHTWEIGHT_PROT); without it, under a mutex.
 */
#include "port/lwip/lwip_port.h"

#if !SYS_LIGHTWEIGHT_PROT
static port_mutex_t clock_lock = PORT_MUTEX_INITIALIZER;
#undef SYS_ARCH_DECL_PROTECT
#undef SYS_ARCH_PROTECT
#undef SYS_ARCH_UNPROTECT
#define SYS_ARCH_DECL_PROTECT(lev)
#define SYS_ARCH_PROTECT(lev)   httpd__port_mutex_lock(&clock_lock)
#define SYS_ARCH_UNPROTECT(lev) httpd__port_mutex_unlock(&clock_lock)
#endif

static struct {
    uint32_t last;    /* sys_now() when last read */
    uint32_t wraps;   /* the high half */
} clk;

uint64_t httpd__port_now_ms(void)
{
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    uint32_t now = sys_now();
    clk.wraps += now < clk.last;
    clk.last = now;
    uint64_t t = (uint64_t)clk.wraps << 32 | now;
    SYS_ARCH_UNPROTECT(lev);
    return t;
}

void httpd__port_sleep_ms(unsigned ms)
{
    sys_msleep((u32_t)ms);
}
