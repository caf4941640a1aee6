#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make test-valgrind: the pytest black-box suite with every firmware under valgrind's
# memcheck. The library and the test firmware are built without sanitizers (valgrind
# and ASan do not mix), at -O1 -g (readable stacks, bearable speed), with the
# thread-based coroutine switch: each handler runs on an ordinary thread stack, so
# valgrind never sees a stack switch it could mistake for stack overflow or
# uninitialised stack memory. Fails when a test fails or when any server's valgrind log
# reports an error or a definite/indirect leak (each server also exits 99 then, which
# fails its test at teardown). Logs: $BUILD/valgrind/logs/<pid>.log.
# Environment: BUILD (default build), JOBS (default 2), CC (default gcc), PYTEST_ARGS
# (extra pytest arguments, e.g. "-k keepalive"), PYTEST_FILES (what pytest runs, default
# tests/pytest; e.g. "tests/pytest/test_ws.py tests/pytest/test_https.py").
set -u
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
CC=${CC:-gcc}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
command -v valgrind >/dev/null || { echo "valgrind not installed (apt-get install valgrind)"; exit 1; }
mkdir -p "$BUILD"
dir=$(cd "$BUILD" && pwd)/valgrind
logs=$dir/logs

echo "==== build ($CC, -O1 -g, no sanitizers, thread coroutine switch) in $dir"
CC=$CC cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE= "-DCMAKE_C_FLAGS=-O1 -g" -DHTTPD_SANITIZE=OFF \
    -DHTTPD_WERROR=ON -DHTTPD_CORO_SWITCH=thread -DHTTPD_BUILD_TESTS=ON -DHTTPD_BUILD_EXAMPLES=ON \
    >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; exit 1; }
# Only the programs the suite starts (the C unit tests are not needed here).
targets="example_simple example_persistent_sockets example_demo example_async_handlers example_ws_echo_server"
for src in tests/server/*.c; do
    targets="$targets $(basename "$src" .c)"
done
# The HTTPS test firmware, when the HTTPS library is built (mbedTLS installed).
if grep -q "HTTPS library: esp_https_server" "$dir.configure.log"; then
    targets="$targets tls_server"
fi
# shellcheck disable=SC2086
cmake --build "$dir" -j"$JOBS" --target $targets >"$dir.build.log" 2>&1 \
    || { cat "$dir.build.log"; exit 1; }

rm -rf "$logs"
mkdir -p "$logs"
# --error-exitcode: a server with errors or definite/indirect leaks exits 99, which its
# test's teardown reports; the logs are checked below as well, for the complete list.
export HTTPD_SERVER_WRAPPER="valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --num-callers=30 \
--log-file=$logs/%p.log"
echo "==== pytest under valgrind (logs: $logs)"
start=$(date +%s)
# shellcheck disable=SC2086
HTTPD_BUILD_DIR="$dir" /usr/bin/python3 -m pytest -q -p no:cacheprovider -rs ${PYTEST_ARGS:-} ${PYTEST_FILES:-tests/pytest}
status=$?
echo "pytest: exit $status, $(( $(date +%s) - start )) s"

# Every log: one program run. Its ERROR SUMMARY counts memcheck errors plus the leaks of
# the kinds given to --errors-for-leak-kinds; a log without one means the program never
# finished under valgrind (killed).
runs=0 bad=0
for f in "$logs"/*.log; do
    [ -e "$f" ] || continue
    runs=$((runs + 1))
    summary=$(grep -h "ERROR SUMMARY:" "$f" | tail -n 1)
    case $summary in
    *"ERROR SUMMARY: 0 errors"*) ;;
    "")
        bad=$((bad + 1))
        echo "---- $f: no ERROR SUMMARY (killed before exit?):"
        head -n 8 "$f" | sed -n 's/^==[0-9]*== Command: /  command: /p'
        ;;
    *)
        bad=$((bad + 1))
        echo "---- $f: $summary"
        sed -n 's/^==[0-9]*== Command: /  command: /p' "$f"
        grep -E "definitely lost:|indirectly lost:" "$f" | sed 's/^==[0-9]*== */  /'
        ;;
    esac
done
leaks=$(cat "$logs"/*.log 2>/dev/null | grep -cE "(definitely|indirectly) lost in loss record")
echo "valgrind: $runs server runs, $bad with errors or leaks ($leaks leak records)"
[ "$runs" -gt 0 ] || { echo "no valgrind log: was any server started?"; status=1; }
[ "$bad" -eq 0 ] || status=1
if [ $status -eq 0 ]; then echo "==== valgrind: all clean"; else echo "==== valgrind: FAILURES (see above)"; fi
exit $status
