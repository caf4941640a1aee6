/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Footprint builds only (scripts/footprint.sh): lwIP's compiler and platform
 * definitions for a bare-metal 32-bit target whose C library is newlib (as on
 * ESP-IDF). Errno values and struct timeval come from the libc, byte order
 * from the compiler. Declarations only.
 */
#ifndef HTTPD_FOOTPRINT_ARCH_CC_H
#define HTTPD_FOOTPRINT_ARCH_CC_H

#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/types.h>

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define BYTE_ORDER BIG_ENDIAN
#else
#define BYTE_ORDER LITTLE_ENDIAN
#endif

/* errno and its values from <errno.h> (newlib), not lwIP's own copy */
#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_ERRNO_INCLUDE    <errno.h>

/* ssize_t comes from <sys/types.h> above */
#ifndef SSIZE_MAX
#define SSIZE_MAX INT32_MAX
#endif

typedef uint32_t sys_prot_t;

#define LWIP_RAND() ((u32_t)rand())
#define LWIP_PLATFORM_DIAG(x) do { } while (0)
#define LWIP_PLATFORM_ASSERT(x) abort()

#endif /* HTTPD_FOOTPRINT_ARCH_CC_H */
