/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP port, coroutine stack memory: plain heap blocks. lwIP targets have no
 * virtual memory to map, so there is no guard page: the "page" is 16 bytes
 * (the stack alignment the coroutine code needs; it aligns the stack top
 * itself) and a stack that overflows writes into the heap below it. Handler
 * stacks must be sized with that in mind (httpd_config_t.stack_size).
 */
#include "port/lwip/lwip_port.h"

#include <stdlib.h>

size_t httpd__port_page_size(void)
{
    return 16u;
}

void *httpd__port_stack_map(size_t len)
{
    return malloc(len);
}

void httpd__port_stack_unmap(void *map, size_t len)
{
    (void)len;
    free(map);
}
