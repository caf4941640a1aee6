#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds the library and its tests with ThreadSanitizer and runs the
# concurrency stress program (tests/stress) and the C tests (ctest) under it,
# for the two coroutine switches TSan can follow: the assembly switch (each
# coroutine stack a TSan fiber, src/coro.c) and the thread switch (real
# threads, src/coro_thread.c). Exits non-zero on any TSan report (or any
# failing test).
#
# Usage: scripts/test-tsan.sh
# Environment: BUILD (default build): builds go to $BUILD/tsan-<switch>;
#   JOBS (default 2); CC (default clang, gcc works too);
#   STRESS_SECONDS (default 15): the stress run's duration, STRESS_ROUNDS
#   (default 3): the servers it stops under traffic and starts again;
#   TSAN_CTEST_EXCLUDE: ctest -E regex of the tests not run (default below).
# Suppressions (real false positives only, each explained): tests/stress/tsan.supp.
set -u
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
CC=${CC:-clang}
STRESS_SECONDS=${STRESS_SECONDS:-15}
STRESS_ROUNDS=${STRESS_ROUNDS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
status=0
# halt_on_error: the first report fails the program (exit code 66, not a
# test's own failure); every log is also searched for reports below.
TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:exitcode=66:history_size=4"
if [ -s tests/stress/tsan.supp ]; then
    TSAN_OPTIONS="$TSAN_OPTIONS:suppressions=$root/tests/stress/tsan.supp"
fi
export TSAN_OPTIONS

# Not run under TSan: install_consumer links an uninstrumented program
# against the instrumented library; test_alloc_count, test_ram wrap malloc and
# mmap, which the TSan runtime intercepts itself; footprint and the static
# checks (symbols, layers, lengths, kconfig) run no server code.
CTEST_EXCLUDE=${TSAN_CTEST_EXCLUDE:-'^(install_consumer|test_alloc_count|test_ram|footprint|symbols|layers|function_length|kconfig)$'}

step() { printf '\n==== %s\n' "$*"; }

mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
for switch in auto thread; do
    dir="$BUILD/tsan-$switch"
    step "build ($CC, -fsanitize=thread, coroutine switch: $switch)"
    if ! CC=$CC cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DHTTPD_SANITIZE=OFF -DHTTPD_WERROR=ON \
            -DCMAKE_C_FLAGS="-fsanitize=thread -g -O1" -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread \
            -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread -DHTTPD_CORO_SWITCH=$switch \
            -DHTTPD_BUILD_EXAMPLES=OFF >"$dir.configure.log" 2>&1; then
        cat "$dir.configure.log"
        status=1
        continue
    fi
    if ! cmake --build "$dir" -j"$JOBS" >"$dir.build.log" 2>&1; then
        tail -n 50 "$dir.build.log"
        status=1
        continue
    fi
    step "stress under TSan ($switch switch, ${STRESS_SECONDS} s, $STRESS_ROUNDS rounds)"
    "$dir/tests/stress/stress" "$STRESS_SECONDS" "$STRESS_ROUNDS" >"$dir.stress.log" 2>&1
    rc=$?
    tail -n 1 "$dir.stress.log"
    if [ $rc -ne 0 ] || grep -q 'WARNING: ThreadSanitizer\|ERROR: ThreadSanitizer' "$dir.stress.log"; then
        echo "stress failed (exit $rc): $dir.stress.log"
        sed -n '/ThreadSanitizer/,/^SUMMARY/p' "$dir.stress.log" | head -n 80
        status=1
    fi
    step "ctest under TSan ($switch switch)"
    (cd "$dir" && ctest --output-on-failure -j"$JOBS" -E "$CTEST_EXCLUDE") >"$dir.ctest.log" 2>&1 || status=1
    tail -n 5 "$dir.ctest.log"
    if grep -q 'WARNING: ThreadSanitizer\|ERROR: ThreadSanitizer' "$dir.ctest.log"; then
        echo "TSan reports in ctest: $dir.ctest.log"
        sed -n '/ThreadSanitizer/,/^SUMMARY/p' "$dir.ctest.log" | head -n 80
        status=1
    fi
done

if [ $status -eq 0 ]; then step "TSan: no reports"; else step "TSan: FAILURES (see above)"; fi
exit $status
