# SPDX-License-Identifier: Apache-2.0
# What the cross toolchain files share: a Debian cross compiler and its sysroot,
# programs run under qemu-user. The including file sets CMAKE_SYSTEM_PROCESSOR,
# HTTPD_CROSS_TRIPLE (the compiler's prefix) and HTTPD_CROSS_QEMU (the emulator).
set(CMAKE_SYSTEM_NAME Linux)
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
set(CMAKE_CROSSCOMPILING_EMULATOR ${HTTPD_CROSS_QEMU} -L ${HTTPD_CROSS_SYSROOT})
