# SPDX-License-Identifier: Apache-2.0
# Cross build for 64-bit IBM Z Linux (s390x: big-endian, so every byte-order
# assumption shows), with Debian's cross compiler and sysroot:
#   apt-get install gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user
#   cmake -S . -B build/cross-s390x -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-s390x.cmake
# ctest runs each test program through qemu-s390x (CMAKE_CROSSCOMPILING_EMULATOR);
# scripts/test-cross.sh does all of it.
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(HTTPD_CROSS_TRIPLE s390x-linux-gnu)
set(HTTPD_CROSS_QEMU qemu-s390x)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-cross-linux.cmake)
