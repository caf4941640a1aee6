#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds and runs every test: the library and tests with gcc + ASan/UBSan
# (ctest, then the pytest black-box suite against real loopback sockets), and
# again with clang + ASan/UBSan (ctest). Warnings are errors in both builds.
set -u
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
status=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

step() { printf '\n==== %s\n' "$*"; }

build() { # dir compiler
    CC=$2 cmake -S . -B "$1" -DCMAKE_BUILD_TYPE=Debug -DHTTPD_SANITIZE=ON -DHTTPD_WERROR=ON >"$1.configure.log" 2>&1 \
        || { cat "$1.configure.log"; return 1; }
    cmake --build "$1" -j"$JOBS" >"$1.build.log" 2>&1 || { cat "$1.build.log"; return 1; }
}

mkdir -p "$BUILD"
for cc in gcc clang; do
    dir="$BUILD/asan-$cc"
    step "build ($cc, ASan+UBSan, -Werror)"
    if ! build "$dir" "$cc"; then status=1; continue; fi
    step "ctest ($cc)"
    (cd "$dir" && ctest --output-on-failure -j"$JOBS") || status=1
done

step "pytest (gcc build)"
HTTPD_BUILD_DIR="$root/$BUILD/asan-gcc" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/pytest
rc=$?
[ $rc -eq 0 ] || status=1

if [ $status -eq 0 ]; then step "all tests passed"; else step "FAILURES (see above)"; fi
exit $status
