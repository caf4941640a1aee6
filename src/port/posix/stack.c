/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX port, coroutine stack memory: anonymous mappings with the lowest page
 * made inaccessible, so a stack that overflows faults at once instead of
 * writing into its neighbour.
 */
#include "port/posix/posix.h"

#include <unistd.h>
#include <sys/mman.h>

size_t httpd__port_page_size(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    return pg > 0 ? (size_t)pg : 4096u;
}

void *httpd__port_stack_map(size_t len)
{
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        return NULL;
    }
    if (mprotect(m, httpd__port_page_size(), PROT_NONE) != 0) {   /* the guard page */
        int e = errno;   /* kept for httpd__port_last_error() */
        munmap(m, len);
        errno = e;
        return NULL;
    }
    return m;
}

void httpd__port_stack_unmap(void *map, size_t len)
{
    if (map) {
        (void)munmap(map, len);
    }
}
