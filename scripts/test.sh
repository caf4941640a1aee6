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

build() { # dir compiler [cmake options...]
    dir=$1 cc=$2
    shift 2
    CC=$cc cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DHTTPD_SANITIZE=ON -DHTTPD_WERROR=ON "$@" >"$dir.configure.log" 2>&1 \
        || { cat "$dir.configure.log"; return 1; }
    cmake --build "$dir" -j"$JOBS" >"$dir.build.log" 2>&1 || { cat "$dir.build.log"; return 1; }
}

mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)   # absolute: pytest runs from the repository root
# gcc: epoll backend, assembly coroutine switch; clang: the portable poll
# backend and the ucontext switch, and small response chunks gathered
# (CONFIG_HTTPD_CHUNK_HOLD_LEN, off by default). Both run every test.
for variant in "gcc auto epoll 0" "clang ucontext poll 98304"; do
    set -- $variant
    cc=$1 switch=$2 poller=$3 hold=$4
    dir="$BUILD/asan-$cc"
    step "build ($cc, ASan+UBSan, -Werror, $poller backend, coroutine switch: $switch)"
    if ! build "$dir" "$cc" -DHTTPD_CORO_SWITCH="$switch" -DHTTPD_POLLER="$poller" \
            -DCONFIG_HTTPD_CHUNK_HOLD_LEN="$hold"; then status=1; continue; fi
    step "ctest ($cc)"
    (cd "$dir" && ctest --output-on-failure -j"$JOBS") || status=1
    step "pytest ($cc build, $poller backend)"
    HTTPD_BUILD_DIR="$dir" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/pytest || status=1
done

# A port without coroutines must still build warning-free and pass the C tests.
step "build and ctest (gcc, -DHTTPD_CORO=OFF: upstream's blocking fallback)"
if build "$BUILD/asan-nocoro" gcc -DHTTPD_CORO=OFF -DHTTPD_BUILD_EXAMPLES=OFF; then
    (cd "$BUILD/asan-nocoro" && ctest --output-on-failure -j"$JOBS") || status=1
else
    status=1
fi

# The switch that needs only threads (each coroutine on a thread of its own),
# built with the size-optimised paths an embedded -Os build takes (HTTPD_SPEED=0)
# and short client limits (idle 4 s, rate grace 3 s), which tests/pytest/test_hardening.py
# needs to run its idle and slow-body tests.
step "build, ctest and pytest (gcc, thread-based coroutine switch, HTTPD_SPEED=0 size paths, files compiled one by one, short limits)"
dir="$BUILD/asan-thread"
if build "$dir" gcc -DHTTPD_CORO_SWITCH=thread -DHTTPD_SPEED=0 -DHTTPD_UNITY=OFF -DHTTPD_BUILD_EXAMPLES=ON \
        -DCONFIG_HTTPD_IDLE_TIMEOUT_S=4 -DCONFIG_HTTPD_RECV_GRACE_S=3; then
    (cd "$dir" && ctest --output-on-failure -j"$JOBS") || status=1
    HTTPD_BUILD_DIR="$dir" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/pytest || status=1
else
    status=1
fi

# ThreadSanitizer: the stress program (HTTP and WebSocket clients, queued work,
# async sends, closes, LRU updates, handler registration, stops under traffic)
# and the C tests, on the assembly switch (coroutines as TSan fibers) and the
# thread switch.
step "ThreadSanitizer (stress + ctest, assembly and thread switches)"
BUILD="$BUILD" JOBS="$JOBS" STRESS_SECONDS=${STRESS_SECONDS:-10} STRESS_ROUNDS=${STRESS_ROUNDS:-2} \
    ./scripts/test-tsan.sh || status=1

# The C tests on a 32-bit little-endian CPU, like the ESP32's (armhf, under qemu-user).
step "build and ctest (armhf under qemu-user: 32-bit little-endian, like the ESP32)"
BUILD="$BUILD" JOBS="$JOBS" ./scripts/test-cross.sh armhf || status=1

step "browser test (headless Chromium drives the demo page)"
HTTPD_BUILD_DIR="$BUILD/asan-gcc" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/browser || status=1

if [ $status -eq 0 ]; then step "all tests passed"; else step "FAILURES (see above)"; fi
exit $status
