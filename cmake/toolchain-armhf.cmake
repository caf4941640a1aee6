# SPDX-License-Identifier: Apache-2.0
# Cross build for 32-bit ARM Linux (armv7-a, hard float, little-endian: the word
# size and byte order of the ESP32), with Debian's cross compiler and sysroot:
#   apt-get install gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user
#   cmake -S . -B build/cross-armhf -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-armhf.cmake
# ctest runs each test program through qemu-arm (CMAKE_CROSSCOMPILING_EMULATOR);
# scripts/test-cross.sh does all of it.
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(HTTPD_CROSS_TRIPLE arm-linux-gnueabihf)
set(HTTPD_CROSS_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-cross-linux.cmake)
