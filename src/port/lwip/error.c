/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwIP port, failure text for logs. lwIP reports failures in errno as
 * lwip/errno.h defines it (on Linux and ESP-IDF: the C library's, per
 * thread), with the C library's numbering, so strerror() names them.
 */
#include "port/lwip/lwip_port.h"

#include <string.h>

const char *httpd__port_last_error(void)
{
    return strerror(errno);
}
