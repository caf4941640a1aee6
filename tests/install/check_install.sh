#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the build into a scratch prefix, then builds and runs a consumer
# program through pkg-config and through find_package(esp_http_server).
# usage: check_install.sh SOURCE_DIR BUILD_DIR EXTRA_CFLAGS
set -eu
src=$1 build=$2 extra=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
libdir=$(ls -d "$tmp"/prefix/lib*/ | head -1)
test -f "$tmp/prefix/include/esp_http_server/esp_http_server.h"
test -f "$tmp/prefix/include/esp_http_server/esp_http_server_config.h"
test -f "$libdir/pkgconfig/esp_http_server.pc"
test -f "$libdir/cmake/esp_http_server/esp_http_serverConfig.cmake"

# 1. pkg-config, shared library
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046,SC2086
cc -std=c11 -Wall -Wextra -Werror $extra $(pkg-config --cflags esp_http_server) \
   "$src/tests/install/consumer/main.c" -o "$tmp/pc_consumer" $(pkg-config --libs esp_http_server) -pthread
LD_LIBRARY_PATH="$libdir" "$tmp/pc_consumer"
# The same program finds the shared library through an rpath (no LD_LIBRARY_PATH),
# and links the static one through esp_http_server_static.pc (no shared one at all).
# shellcheck disable=SC2046,SC2086
cc -std=c11 -Wall -Wextra -Werror $extra $(pkg-config --cflags esp_http_server) \
   "$src/tests/install/consumer/main.c" -o "$tmp/pc_rpath" $(pkg-config --libs esp_http_server) -pthread \
   -Wl,-rpath,"$(pkg-config --variable=libdir esp_http_server)"
env -u LD_LIBRARY_PATH "$tmp/pc_rpath"
# shellcheck disable=SC2046,SC2086
cc -std=c11 -Wall -Wextra -Werror $extra $(pkg-config --cflags esp_http_server_static) \
   "$src/tests/install/consumer/main.c" -o "$tmp/pc_static" $(pkg-config --libs esp_http_server_static)
if ldd "$tmp/pc_static" | grep -q libesp_http_server; then
    echo "the consumer linked through esp_http_server_static.pc needs the shared library" >&2
    exit 1
fi
env -u LD_LIBRARY_PATH "$tmp/pc_static"
grep -q "CONFIG_HTTPD_MAX_URI_LEN  *$(sed -n 's/^CONFIG_HTTPD_MAX_URI_LEN:STRING=//p' "$build/CMakeCache.txt")" \
   "$tmp/prefix/include/esp_http_server/esp_http_server_config.h"

# 2. find_package, shared and static targets
cmake -S "$src/tests/install/consumer" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
      -DCMAKE_C_FLAGS="$extra" -DCMAKE_EXE_LINKER_FLAGS="$extra" >/dev/null
cmake --build "$tmp/cm" >/dev/null
LD_LIBRARY_PATH="$libdir" "$tmp/cm/consumer_shared"
"$tmp/cm/consumer_static"
# An application without TLS links no mbedTLS.
if ldd "$tmp/pc_consumer" | grep -q mbed; then
    echo "the plain consumer links mbedTLS" >&2
    exit 1
fi

# 3. The HTTPS library, when it was built: pkg-config (esp_https_server.pc and
#    esp_https_server_static.pc) and the CMake targets.
if [ -f "$libdir/pkgconfig/esp_https_server.pc" ]; then
    test -f "$tmp/prefix/include/esp_http_server/esp_https_server.h"
    # shellcheck disable=SC2046,SC2086
    cc -std=c11 -Wall -Wextra -Werror $extra $(pkg-config --cflags esp_https_server) \
       "$src/tests/install/consumer/tls_main.c" -o "$tmp/pc_tls" $(pkg-config --libs esp_https_server) -pthread
    LD_LIBRARY_PATH="$libdir" "$tmp/pc_tls"
    # shellcheck disable=SC2046,SC2086
    cc -std=c11 -Wall -Wextra -Werror $extra $(pkg-config --cflags esp_https_server_static) \
       "$src/tests/install/consumer/tls_main.c" -o "$tmp/pc_tls_static" $(pkg-config --libs esp_https_server_static)
    "$tmp/pc_tls_static"
    LD_LIBRARY_PATH="$libdir" "$tmp/cm/tls_consumer_shared"
    "$tmp/cm/tls_consumer_static"
fi
# 4. The ESP-IDF host environment, when it was built: a firmware with only
#    app_main() (FreeRTOS, NVS, a SPIFFS mount mapped to a host folder, the
#    server), through esp_idf_host.pc (shared), esp_idf_host_static.pc and the
#    CMake target.
if [ -f "$libdir/pkgconfig/esp_idf_host.pc" ]; then
    test -f "$tmp/prefix/include/esp_idf_host/freertos/FreeRTOS.h"
    for pc in esp_idf_host esp_idf_host_static; do
        # shellcheck disable=SC2046,SC2086
        cc -std=c11 -Wall -Wextra -Werror $extra $(pkg-config --cflags $pc) \
           "$src/tests/install/consumer/idf_main.c" -o "$tmp/idf_$pc" $(pkg-config --libs $pc) -pthread
    done
    for prog in "$tmp/idf_esp_idf_host" "$tmp/idf_esp_idf_host_static" "$tmp/cm/idf_consumer_static"; do
        rm -rf "$tmp/fs" "$tmp/nvs.bin"
        LD_LIBRARY_PATH="$libdir" ESP_IDF_HOST_FS_ROOT="$tmp/fs" ESP_IDF_HOST_NVS="$tmp/nvs.bin" \
            timeout 30 "$prog" > "$tmp/idf.log" 2>&1 || { cat "$tmp/idf.log" >&2; exit 1; }
        grep -q IDF_CONSUMER_OK "$tmp/idf.log" || { cat "$tmp/idf.log" >&2; exit 1; }
        grep -q "hello from app_main" "$tmp/fs/data/hello.txt"
        test -s "$tmp/nvs.bin"
    done
fi
echo "install check passed"
