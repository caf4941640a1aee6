#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Cross builds of the library and its C tests, run under qemu-user:
#   scripts/test-cross.sh armhf [s390x ...]
#   armhf  32-bit little-endian ARM (the ESP32's word size and byte order)
#   s390x  64-bit big-endian IBM Z (every byte-order assumption shows)
# Per target: configures $BUILD/cross-<target> with cmake/toolchain-<target>.cmake
# (no sanitizers: ASan does not run under qemu-user; warnings are errors),
# builds, and runs ctest, which starts each test program through qemu
# (CMAKE_CROSSCOMPILING_EMULATOR). The C tests start the server in-process
# and talk to it on loopback, so they run whole under the emulator.
# Environment: BUILD (default build), JOBS (default 2), CROSS_CMAKE_ARGS (more
# cmake options, e.g. -DHTTPD_CORO_SWITCH=ucontext), CROSS_TEST_TIMEOUT (seconds).
set -u
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

# Tests that cannot run cross, left to the native builds of scripts/test.sh:
# they run a host program (python3, sh, the host's nm and compilers) on what
# this build produced rather than a target program under qemu: symbols,
# layers and function_length (python checks of the objects and sources),
# install_consumer (installs and compiles a consumer with the host's tools),
# footprint (compiles for bare-metal targets), kconfig* (host-side checks of
# the configuration) and lwip_suite* (links the host's liblwip).
EXCLUDE='^(symbols|layers|function_length|install_consumer)$|kconfig|lwip_suite|footprint'
# qemu translates every instruction: tests without a TIMEOUT of their own get
# this long (those with one keep it; each takes seconds under qemu, far below).
TIMEOUT=${CROSS_TEST_TIMEOUT:-1200}

usage() {
    echo "usage: $0 TARGET...   (targets: armhf, s390x)" >&2
    exit 2
}
[ $# -ge 1 ] || usage

step() { printf '\n==== %s\n' "$*"; }

# target -> GNU triple, qemu program, Debian packages
target_info() {
    case $1 in
    armhf) triple=arm-linux-gnueabihf qemu=qemu-arm pkgs="gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user" ;;
    s390x) triple=s390x-linux-gnu qemu=qemu-s390x pkgs="gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user" ;;
    *) echo "$0: unknown target '$1' (targets: armhf, s390x)" >&2; return 1 ;;
    esac
}

# Every tool of every target first, so a missing package is named before any build.
missing_pkgs=""
for target in "$@"; do
    target_info "$target" || usage
    for tool in cmake ctest "$triple-gcc" "$qemu"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "$0: $tool not found (target $target)" >&2
            missing_pkgs="$missing_pkgs $pkgs"
        fi
    done
    if [ ! -f "/usr/$triple/include/stdio.h" ]; then
        echo "$0: no C library for $triple in /usr/$triple (target $target)" >&2
        missing_pkgs="$missing_pkgs $pkgs"
    fi
done
if [ -n "$missing_pkgs" ]; then
    # shellcheck disable=SC2005,SC2046,SC2086
    missing_pkgs=$(echo $(printf '%s\n' $missing_pkgs | sort -u))
    echo "$0: missing tools; install the Debian packages: apt-get install $missing_pkgs" >&2
    exit 1
fi

mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
status=0
summary=""
for target in "$@"; do
    target_info "$target"
    dir="$BUILD/cross-$target"
    log="$dir.ctest.log"
    start=$(date +%s)
    step "build ($target: $triple, no sanitizers, -Werror)"
    # shellcheck disable=SC2086
    if ! cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-$target.cmake" \
            -DCMAKE_BUILD_TYPE=Debug -DHTTPD_SANITIZE=OFF -DHTTPD_WERROR=ON -DHTTPD_BUILD_EXAMPLES=OFF -DHTTPD_HTTPS=OFF \
            ${CROSS_CMAKE_ARGS:-} >"$dir.configure.log" 2>&1; then
        cat "$dir.configure.log"
        status=1 summary="$summary
$target: configure failed"
        continue
    fi
    grep -E 'handler coroutines|event-loop backend' "$dir.configure.log" | sed 's/^-- /   /'
    if ! cmake --build "$dir" -j"$JOBS" >"$dir.build.log" 2>&1; then
        cat "$dir.build.log"
        status=1 summary="$summary
$target: build failed"
        continue
    fi
    step "ctest ($target under $qemu)"
    (cd "$dir" && ctest --output-on-failure -j"$JOBS" --timeout "$TIMEOUT" -E "$EXCLUDE") >"$log" 2>&1
    rc=$?
    cat "$log"
    [ $rc -eq 0 ] || status=1
    secs=$(( $(date +%s) - start ))
    # "100% tests passed, 0 tests failed out of 17"
    counts=$(sed -n 's/^[0-9]*% tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1 \2/p' "$log")
    if [ -n "$counts" ]; then
        failed=${counts% *} total=${counts#* }
        line="$target: $((total - failed))/$total tests passed (${secs}s)"
    else
        line="$target: no test result (ctest exit $rc, ${secs}s)"
        status=1
    fi
    [ $rc -eq 0 ] || line="$line: FAILED"
    summary="$summary
$line"
done

step "cross summary$summary"
exit $status
