/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF host environment: soc/soc_caps.h, the capabilities firmware tests
 * for the storage drivers the host stands in for (an SD card through SDMMC
 * or SPI, both mapped to a host folder). Pin routing through the GPIO matrix
 * (SOC_SDMMC_USE_GPIO_MATRIX) is not claimed, so no pin options are needed. */
#ifndef SOC_SOC_CAPS_H
#define SOC_SOC_CAPS_H

#define SOC_SDMMC_HOST_SUPPORTED 1
#define SOC_SDMMC_NUM_SLOTS      2

#endif /* SOC_SOC_CAPS_H */
