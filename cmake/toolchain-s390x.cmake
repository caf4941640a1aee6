# SPDX-License-Identifier: Apache-2.0
# Cross build for 64-bit IBM Z Linux (s390x: big-endian, so every byte-order
# assumption shows), with Debian's cross compiler and sysroot:
#   apt-get install gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user
#   cmake -S . -B build/cross-s390x -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-s390x.cmake
# ctest runs each test program through qemu-s390x (CMAKE_CROSSCOMPILING_EMULATOR);
# scripts/test-cross.sh does all of it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR s390x)

set(HTTPD_CROSS_TRIPLE s390x-linux-gnu)
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
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-s390x -L ${HTTPD_CROSS_SYSROOT})
