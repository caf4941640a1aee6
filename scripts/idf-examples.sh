#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# make idf-examples: ESP-IDF's own http_server examples, from an ESP-IDF
# checkout the user names (IDF_PATH), built unchanged for the host against this
# library and its ESP-IDF host environment, run, and tested by upstream's own
# pytest files (tests/idf_examples/, docs/idf-examples.md). Fetches nothing.
#
# Environment:
#   IDF_PATH          the ESP-IDF checkout (required)
#   BUILD, JOBS       build folder root (default build) and parallel jobs
#   IDFEX_ONLY        examples to do, separated by spaces (default: all)
#   IDFEX_EXAMPLES    the example:config list itself (default: the http_server examples
#                     and the configurations their tests use)
#   IDFEX_CMAKE_ARGS  more arguments for each example's cmake (-DHTTPD_SANITIZE=ON ...)
#   IDFEX_NETNS       auto (default): run the programs and their tests in a network
#                     namespace of their own when unshare(1) allows it, so port 80 is
#                     free and bindable there; 1: required; 0: never
#   IDFEX_PYTEST_ARGS more arguments for pytest (-k ..., -x)
#   IDFEX_TIMEOUT     bound of the whole pytest run in seconds (default 1800)
#   HTTPD_SRC_DIR     the library checkout to build against (default: this one)
#
# Exit status: 0 when every test expected to pass passed (tests/idf_examples/
# expected.txt), 1 otherwise, 2 for a usage error.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HERE=$ROOT/tests/idf_examples
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

if [ -z "${IDF_PATH:-}" ]; then
    cat >&2 <<'EOF'
make idf-examples builds ESP-IDF's examples/protocols/http_server examples from an
ESP-IDF checkout you already have, for this host, and runs upstream's pytest files
against them. It downloads nothing, so it needs to be told where the checkout is:

    IDF_PATH=/path/to/esp-idf make idf-examples

The checkout needs examples/protocols/http_server, examples/common_components and
tools/ci/python_packages (a plain git clone of ESP-IDF has them). See
docs/idf-examples.md.
EOF
    exit 2
fi
IDF_PATH=$(cd "$IDF_PATH" 2>/dev/null && pwd) || { echo "IDF_PATH: no such folder" >&2; exit 2; }
EXDIR=$IDF_PATH/examples/protocols/http_server
for d in "$EXDIR" "$IDF_PATH/tools/ci/python_packages/idf_http_server_test"; do
    [ -d "$d" ] || { echo "IDF_PATH=$IDF_PATH lacks ${d#"$IDF_PATH"/}: not an ESP-IDF checkout?" >&2; exit 2; }
done
export IDF_PATH
SRC=${HTTPD_SRC_DIR:-$ROOT}
SRC=$(cd "$SRC" && pwd) || exit 2
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
B=$BUILD/idf-examples
mkdir -p "$B"

# example:config pairs; "default" is sdkconfig.ci (ESP-IDF CI's naming).
ALL=${IDFEX_EXAMPLES:-"simple:default simple:sse persistent_sockets:default advanced_tests:default
     async_handlers:default ws_echo_server:default file_serving:spiffs restful_server:default captive_portal:default"}
PAIRS=""
for p in $ALL; do
    ex=${p%%:*}
    if [ -n "${IDFEX_ONLY:-}" ]; then
        case " $IDFEX_ONLY " in *" $ex "*) ;; *) continue ;; esac
    fi
    [ -d "$EXDIR/$ex/main" ] || { echo "note: $ex is not in this checkout, skipped"; continue; }
    PAIRS="$PAIRS $p"
done

# ---- Build ------------------------------------------------------------------------
ENV_SDKCONFIG=$SRC/host/idf/include/sdkconfig.h
: > "$B/builds.txt"
for p in $PAIRS; do
    ex=${p%%:*}; cfg=${p##*:}
    bd=$B/$ex-$cfg
    mkdir -p "$bd"
    printf '%-32s ' "build $ex ($cfg)"
    if ! "$PY" "$HERE/idf_config.py" --idf "$IDF_PATH" --repo "$SRC" --example "$EXDIR/$ex" \
            --config "$cfg" --env-sdkconfig "$ENV_SDKCONFIG" --out "$bd/config" > "$bd/build.log" 2>&1; then
        echo "CONFIG FAILED ($bd/build.log)"; echo "$ex $cfg config-failed" >> "$B/builds.txt"; continue
    fi
    # tests/idf_examples/overrides.txt: library options for one example, with the reason
    over=$(awk -v ex="$ex" '$1 == ex { $1 = ""; print }' "$HERE/overrides.txt")
    # shellcheck disable=SC2046,SC2086
    if cmake -S "$HERE" -B "$bd" --no-warn-unused-cli -DCMAKE_BUILD_TYPE=Debug -DHTTPD_WERROR=OFF \
            -DIDF_PATH="$IDF_PATH" -DIDFEX_EXAMPLE="$EXDIR/$ex" -DIDFEX_CONFIG_DIR="$bd/config" \
            -DHTTPD_SRC_DIR="$SRC" $(cat "$bd/config/httpd_args.txt") $over ${IDFEX_CMAKE_ARGS:-} >> "$bd/build.log" 2>&1 \
       && cmake --build "$bd" -j"$JOBS" >> "$bd/build.log" 2>&1; then
        proj=$(cat "$bd/config/project.txt")
        size=$(stat -c %s "$bd/$proj.bin")
        echo "ok ($proj.bin $((size / 1024)) KB)"
        echo "$ex $cfg ok $size" >> "$B/builds.txt"
    else
        missing=$(grep -soE "fatal error: [^:]+: No such file" "$bd/build.log" | sed 's/fatal error: //; s/: No such file//' | sort -u | tr '\n' ' ')
        undef=$(grep -soE "undefined reference to \`[^']+'" "$bd/build.log" | sed "s/undefined reference to \`//; s/'//" | sort -u | head -8 | tr '\n' ' ')
        first=""
        [ -n "$missing$undef" ] || first=$(grep -s -m1 -E "error:|Error " "$bd/build.log" | sed "s|$IDF_PATH/||; s|$SRC/||" | cut -c1-160)
        why="${missing:+missing headers: $missing}${undef:+undefined: $undef}$first"
        echo "FAILED: $why (log: $bd/build.log)"
        echo "$ex $cfg build-failed $why" >> "$B/builds.txt"
    fi
done

# ---- Test -------------------------------------------------------------------------
FILES=""
for ex in $(printf '%s\n' $PAIRS | cut -d: -f1 | sort -u); do
    for f in "$EXDIR/$ex"/pytest_*.py; do [ -f "$f" ] && FILES="$FILES $f"; done
done
HOST_TESTS=""
for p in $PAIRS; do
    case $p in
        restful_server:*|captive_portal:*) HOST_TESTS="$HOST_TESTS $HERE/test_host_only.py::test_host_${p%%:*}_smoke" ;;
    esac
done
export PYTHONPATH=$HERE/harness${PYTHONPATH:+:$PYTHONPATH}
export IDFEX_BUILD_ROOT=$B IDFEX_RUN_ROOT=$B/run
rm -rf "$B/run" "$B/results.xml"
# pytest-embedded's own conftest and ini of the checkout are not read: -c names ours,
# --confcutdir stops the search for conftest.py files above the examples.
# The whole run is bounded (IDFEX_TIMEOUT seconds; async_handlers alone takes ~5 minutes).
PYTEST=(timeout --kill-after=30 "${IDFEX_TIMEOUT:-1800}" "$PY" -m pytest -p no:cacheprovider -p idfex_plugin -c "$HERE/pytest.ini" --rootdir "$EXDIR"
        --confcutdir "$EXDIR" -rA --junitxml "$B/results.xml")
# shellcheck disable=SC2086
set -- $FILES $HOST_TESTS ${IDFEX_PYTEST_ARGS:-}
NETNS=${IDFEX_NETNS:-auto}
if [ "$NETNS" != 0 ] && unshare --net --map-root-user true 2>/dev/null; then
    echo "Running the tests in a network namespace of their own (port 80 free, only 127.0.0.1)"
    unshare --net --map-root-user /bin/sh -c 'ip link set lo up && exec "$@"' sh "${PYTEST[@]}" "$@" \
        > "$B/pytest.log" 2>&1
elif [ "$NETNS" = 1 ]; then
    echo "IDFEX_NETNS=1 but unshare --net is not allowed here" >&2; exit 2
else
    if [ "$(id -u)" -ne 0 ]; then
        echo "note: not root and no network namespace: examples that bind port 80 will fail to start" >&2
    fi
    "${PYTEST[@]}" "$@" > "$B/pytest.log" 2>&1
fi
tail -n 3 "$B/pytest.log"
"$PY" "$HERE/report.py" --results "$B/results.xml" --builds "$B/builds.txt" \
    --expected "$HERE/expected.txt" --out "$B/results.md"
