#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make soak: builds the library with ASan + UBSan (so memory errors surface during the
# load, and LeakSanitizer checks the server at exit), builds tests/soak/soak_server.c
# against its static archive, and runs tests/soak/soak.py: SOAK_SECONDS (default 300) of
# mixed load after a SOAK_WARMUP (default and minimum 20) second warm-up. Exit 0 only when nothing
# was lost or corrupted, the server's fds came back and its RSS stayed flat.
# Environment: BUILD (default build), JOBS (default 2), CC (default gcc), SOAK_SECONDS,
# SOAK_WARMUP, SOAK_SEED (repeat a run's random choices).
set -eu
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
CC=${CC:-gcc}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p "$BUILD"
dir=$(cd "$BUILD" && pwd)/soak

echo "==== build (ASan + UBSan, $CC) in $dir"
# Only the static library: the soak server is one file, compiled below with the same
# flags, which keeps the soak out of the CMake project (and of make test).
CC=$CC cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DHTTPD_SANITIZE=ON -DHTTPD_WERROR=ON \
    -DHTTPD_BUILD_TESTS=OFF -DHTTPD_BUILD_EXAMPLES=OFF >"$dir.configure.log" 2>&1 \
    || { cat "$dir.configure.log"; exit 1; }
cmake --build "$dir" -j"$JOBS" --target esp_http_server_static >"$dir.build.log" 2>&1 \
    || { cat "$dir.build.log"; exit 1; }
"$CC" -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
    -fno-sanitize-recover=undefined -Wall -Wextra -Wshadow -Wstrict-prototypes \
    -Wmissing-prototypes -Wformat=2 -Werror \
    -Iinclude -Ihost/include -I"$dir/generated" \
    tests/soak/soak_server.c "$dir/libesp_http_server.a" -lpthread -o "$dir/soak_server"

export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
echo "==== soak (${SOAK_SECONDS:-300} s; failures: $dir/soak-failures.log, server stderr: $dir/soak-server.stderr.log)"
exec /usr/bin/python3 tests/soak/soak.py --server "$dir/soak_server" \
    --seconds "${SOAK_SECONDS:-300}" --warmup "${SOAK_WARMUP:-20}" \
    --log "$dir/soak-failures.log" --server-log "$dir/soak-server.stderr.log"
