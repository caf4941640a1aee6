/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: driver/sdmmc_types.h (as upstream, the SD protocol types). */
#ifndef DRIVER_SDMMC_TYPES_H
#define DRIVER_SDMMC_TYPES_H

#include "sd_protocol_types.h"

#endif /* DRIVER_SDMMC_TYPES_H */
