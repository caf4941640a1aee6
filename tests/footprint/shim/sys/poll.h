/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Footprint builds only (scripts/footprint.sh --addons): poll() over lwIP's,
 * as ESP-IDF provides <sys/poll.h> on the target (newlib's generic headers
 * have none).
 */
#ifndef HTTPD_FOOTPRINT_SYS_POLL_H
#define HTTPD_FOOTPRINT_SYS_POLL_H

#include "lwip/sockets.h"

static inline int poll(struct pollfd *fds, nfds_t nfds, int timeout) { return lwip_poll(fds, nfds, timeout); }

#endif
