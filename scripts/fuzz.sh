#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# fuzz.sh - builds the libFuzzer harnesses of tests/fuzz/ and runs each for a
# while (tests/fuzz/README.md).
#
# Configures a clang build in $BUILD/fuzz (-DHTTPD_FUZZ=ON -DHTTPD_SANITIZE=ON:
# ASan + UBSan, the library instrumented for coverage), builds the fuzz_<harness>
# binaries, and runs each for FUZZ_TIME seconds on a scratch copy of its seed
# corpus ($BUILD/fuzz/corpus/<harness>/, so tests/fuzz/corpus/ is not changed)
# with its dictionary. Prints one Markdown table: executions, exec/s, corpus
# size and crashes per harness. Crash inputs land in $BUILD/fuzz/artifacts/
# (<harness>-crash-<sha1>, also -leak-, -timeout-, -oom-); logs in
# $BUILD/fuzz/logs/<harness>/.
#
# Usage: scripts/fuzz.sh [HARNESS...]   (default: every harness)
#   harnesses: parse_head parse_head_small chunked ws_frame utf8_base64 uri_query server
# Environment:
#   BUILD      build folder (default: build)
#   FUZZ_TIME  seconds per harness (default: 60)
#   FUZZ_JOBS  parallel libFuzzer jobs (and workers) per harness (default: 1)
#   JOBS       build parallelism (default: 2)
#   FUZZ_ARGS  more libFuzzer options for every harness, e.g. "-max_len=8192"
# Exit status: 0 when no harness found anything, 1 otherwise (or when the build fails).
set -u
BUILD=${BUILD:-build}
FUZZ_TIME=${FUZZ_TIME:-60}
FUZZ_JOBS=${FUZZ_JOBS:-1}
JOBS=${JOBS:-2}
FUZZ_ARGS=${FUZZ_ARGS:-}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

all="parse_head parse_head_small chunked ws_frame utf8_base64 uri_query server"
harnesses=${*:-$all}

mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
dir="$BUILD/fuzz"
art="$dir/artifacts"
mkdir -p "$dir" "$art"

# ---- build -----------------------------------------------------------------------
echo "==== build ($dir, clang, ASan+UBSan, libFuzzer)"
CC=${FUZZ_CC:-clang} cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHTTPD_FUZZ=ON \
    -DHTTPD_SANITIZE=ON -DHTTPD_WERROR=ON -DHTTPD_BUILD_EXAMPLES=OFF >"$dir.configure.log" 2>&1 \
    || { cat "$dir.configure.log"; exit 1; }
targets=""
for h in $harnesses; do
    case " $all " in
        *" $h "*) targets="$targets --target fuzz_$h" ;;
        *) echo "fuzz.sh: unknown harness '$h' (known: $all)" >&2; exit 1 ;;
    esac
done
# shellcheck disable=SC2086  # $targets is a list of options
cmake --build "$dir" -j"$JOBS" $targets >"$dir.build.log" 2>&1 || { cat "$dir.build.log"; exit 1; }

# ---- run -------------------------------------------------------------------------
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

count() { # glob pattern: how many files match
    n=0
    for f in $1; do
        [ -e "$f" ] && n=$((n + 1))
    done
    echo "$n"
}

# The sum of a "stat::<name>: N" line over the logs given.
stat_sum() { # name logs...
    name=$1
    shift
    cat "$@" 2>/dev/null | awk -v k="stat::$name:" '$1 == k { s += $2; n++ } END { print (n ? s : "-") }'
}

table="| harness | executions | exec/s | corpus | crashes | leaks/timeouts/ooms |
|---|---:|---:|---:|---:|---:|"
status=0
for h in $harnesses; do
    seeds=$h
    [ "$h" = parse_head_small ] && seeds=parse_head
    corpus="$dir/corpus/$h"
    logs="$dir/logs/$h"
    rm -rf "$corpus" "$logs"
    mkdir -p "$corpus" "$logs"
    cp tests/fuzz/corpus/"$seeds"/* "$corpus"/ 2>/dev/null
    opts="-max_total_time=$FUZZ_TIME -print_final_stats=1 -artifact_prefix=$art/$h- -dict=$root/tests/fuzz/$seeds.dict"
    if [ "$h" = server ]; then
        # one connection per input, a 2 s read time-out at most: a hang is > 10 s
        opts="$opts -timeout=10"
    else
        opts="$opts -timeout=5"
    fi
    crashes_before=$(count "$art/$h-crash-*")
    other_before=$(( $(count "$art/$h-leak-*") + $(count "$art/$h-timeout-*") + $(count "$art/$h-oom-*") ))
    echo "==== fuzz_$h: $FUZZ_TIME s, $FUZZ_JOBS job(s)"
    if [ "$FUZZ_JOBS" -gt 1 ]; then
        # each job writes fuzz-<n>.log in the current folder
        # shellcheck disable=SC2086
        (cd "$logs" && "$dir/tests/fuzz/fuzz_$h" $opts $FUZZ_ARGS -jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS" \
            "$corpus" >"$logs/main.log" 2>&1)
    else
        # shellcheck disable=SC2086
        (cd "$logs" && "$dir/tests/fuzz/fuzz_$h" $opts $FUZZ_ARGS "$corpus" >"$logs/fuzz-0.log" 2>&1)
    fi
    rc=$?
    execs=$(stat_sum number_of_executed_units "$logs"/fuzz-*.log)
    rate=$(stat_sum average_exec_per_sec "$logs"/fuzz-*.log)
    size=$(count "$corpus/*")
    crashes=$(( $(count "$art/$h-crash-*") - crashes_before ))
    other=$(( $(count "$art/$h-leak-*") + $(count "$art/$h-timeout-*") + $(count "$art/$h-oom-*") - other_before ))
    if [ "$crashes" -gt 0 ] || [ "$other" -gt 0 ]; then
        status=1
        echo "fuzz_$h found something: see $art/$h-* and $logs/"
    elif [ "$rc" -ne 0 ] || [ "$execs" = "-" ]; then
        status=1
        echo "fuzz_$h failed (exit status $rc) without an artifact: see $logs/"
        tail -n 20 "$logs"/*.log
    fi
    table="$table
| $h | $execs | $rate | $size | $crashes | $other |"
done

echo
echo "$table"
exit "$status"
