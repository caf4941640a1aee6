/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Failure text for logs. Port calls return PORT_* codes; the detail stays in
 * errno, which only this layer reads.
 */
#include "port/posix/posix.h"

#include <string.h>

const char *httpd__port_last_error(void)
{
    return strerror(errno);
}
