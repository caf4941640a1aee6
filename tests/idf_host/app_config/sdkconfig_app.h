/* SPDX-License-Identifier: Apache-2.0 */
/* An application's own configuration values, as the host environment's
 * sdkconfig.h picks them up (test_idf_headers): one of its options and an
 * override of an environment default. */
#ifndef SDKCONFIG_APP_H
#define SDKCONFIG_APP_H
#define CONFIG_EXAMPLE_TEST_VALUE 7
#define CONFIG_LWIP_MAX_SOCKETS 16
#endif
