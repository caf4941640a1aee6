# SPDX-License-Identifier: Apache-2.0
# Cross build for 32-bit ARM Linux (armv7-a, hard float, little-endian: the word
# size and byte order of the ESP32), with Debian's cross compiler and sysroot:
#   apt-get install gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user
#   cmake -S . -B build/cross-armhf -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-armhf.cmake
# ctest runs each test program through qemu-arm (CMAKE_CROSSCOMPILING_EMULATOR);
# scripts/test-cross.sh does all of it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)

set(HTTPD_CROSS_TRIPLE arm-linux-gnueabihf)
set(HTTPD_CROSS_SYSROOT /usr/${HTTPD_CROSS_TRIPLE})

set(CMAKE_C_COMPILER ${HTTPD_CROSS_TRIPLE}-gcc)
set(CMAKE_ASM_COMPILER ${HTTPD_CROSS_TRIPLE}-gcc)

# Libraries and headers from the sysroot only; programs (python3, sh) from the host.
set(CMAKE_FIND_ROOT_PATH ${HTTPD_CROSS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config must not hand the host's .pc files (x86-64 libraries) to this build.
set(ENV{PKG_CONFIG_LIBDIR} "${HTTPD_CROSS_SYSROOT}/lib/pkgconfig:${HTTPD_CROSS_SYSROOT}/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# qemu-user runs the target's programs; -L points it at the target's dynamic loader and libc.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -L ${HTTPD_CROSS_SYSROOT})
