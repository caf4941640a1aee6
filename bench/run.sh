#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# run.sh (`make bench`): builds our library (Release) with the hello server of
# bench/peers/esp_api_hello.c, the Debian-package peers (libmicrohttpd, CivetWeb; nginx
# runs from its package), the syscall floor and the client kaclient, then runs
# bench/bench.py once: throughput, server CPU per request, callgrind instructions per
# request, syscalls per request, RSS with idle connections and upload throughput, with
# ratios against nginx measured in the same run; then the TLS rows (tls_bench.py) and the
# WebSocket echo and 1 MiB response rows (ws_bench.py). See bench/README.md.
#
# Writes $BUILD/bench/results.md, $BUILD/bench/results.json (results_tls.json,
# results_ws.json), docs/img/bench.png and docs/img/bench-ws.png.
# env: BUILD (default build), JOBS, CC (default cc), BENCH_ROUNDS (5), BENCH_DURATION (3 s),
#      BENCH_PORT (default: a free port), BENCH_IDLE_CONNS (1000), BENCH_ONLY, BENCH_PHASES, BENCH_AB_ROUNDS (12),
#      BENCH_CG_N1/N2, BENCH_STRACE_N1/N2, BENCH_CIVET_THREADS, BENCH_PNG, BENCH_TLS (1),
#      BENCH_WS (1), BENCH_WS_CONNS (50), BENCH_WS_GROUPS (ws,big), BENCH_WS_PNG
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
BUILD=${BUILD:-build}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
CC=${CC:-cc}
case $BUILD in
    /*) OUT=$BUILD/bench ;;          # an absolute build folder
    *) OUT=$REPO/$BUILD/bench ;;
esac
BIN=$OUT/bin
PEERS=$REPO/bench/peers
PNG=${BENCH_PNG:-$REPO/docs/img/bench.png}
T0=$(date +%s)

die() { echo "bench: $*" >&2; exit 1; }

# ---- packages -----------------------------------------------------------------------
PKGS="wrk nginx libmicrohttpd-dev libcivetweb-dev libmbedtls-dev libwebsockets-dev liburing-dev openssl valgrind strace build-essential python3 cmake"
command -v gnuplot >/dev/null 2>&1 || PKGS="$PKGS gnuplot-nox"
# shellcheck disable=SC2086
./scripts/deps.sh $PKGS
export PATH=$PATH:/usr/sbin          # nginx, for non-root shells

# ---- builds ---------------------------------------------------------------------------
mkdir -p "$BIN"
echo "bench: building the library (Release) in $OUT"
# CONFIG_HTTPD_CHUNK_HOLD_LEN (off by default) for the 4 KiB-chunk row; no other row sends chunks
cmake -S . -B "$OUT" -DCMAKE_BUILD_TYPE=Release -DHTTPD_BUILD_TESTS=OFF -DHTTPD_BUILD_EXAMPLES=OFF \
      -DCONFIG_HTTPD_CHUNK_HOLD_LEN=126976 \
      >"$OUT/cmake.log" 2>&1 || { cat "$OUT/cmake.log" >&2; die "cmake configure failed"; }
cmake --build "$OUT" -j"$JOBS" --target esp_http_server_static esp_https_server_static >>"$OUT/cmake.log" 2>&1 \
    || { cat "$OUT/cmake.log" >&2; die "library build failed"; }
CFLAGS="-O2 -Wall"
# shellcheck disable=SC2086
{
    $CC $CFLAGS -I"$REPO/include" -I"$REPO/host/include" -I"$OUT/generated" -o "$BIN/esp_api_hello" "$PEERS/esp_api_hello.c" \
        "$OUT/libesp_http_server.a" -pthread
    $CC $CFLAGS -I"$REPO/include" -I"$REPO/host/include" -I"$OUT/generated" -o "$BIN/esp_api_tls_hello" "$PEERS/esp_api_tls_hello.c" \
        "$OUT/libesp_https_server.a" "$OUT/libesp_http_server.a" -lmbedtls -lmbedx509 -lmbedcrypto -pthread
    $CC $CFLAGS -I"$REPO/include" -I"$REPO/host/include" -I"$OUT/generated" -o "$BIN/esp_api_ws_echo" "$PEERS/esp_api_ws_echo.c" \
        "$OUT/libesp_http_server.a" -pthread
    $CC $CFLAGS -I"$REPO/include" -I"$REPO/host/include" -I"$OUT/generated" -o "$BIN/esp_api_big" "$PEERS/esp_api_big.c" \
        "$OUT/libesp_http_server.a" -pthread
    $CC $CFLAGS -o "$BIN/lws_echo" "$PEERS/lws_echo.c" -lwebsockets
    $CC $CFLAGS -o "$BIN/wsclient" "$PEERS/wsclient.c"
    $CC $CFLAGS -o "$BIN/mhd_hello" "$PEERS/mhd_hello.c" -lmicrohttpd
    $CC $CFLAGS -o "$BIN/civetweb_hello" "$PEERS/civetweb_hello.c" -lcivetweb
    $CC $CFLAGS -o "$BIN/kaclient" "$PEERS/kaclient.c"
    $CC $CFLAGS -o "$BIN/floor" "$REPO/bench/floor/floor.c"
    $CC $CFLAGS -I"$PEERS" -o "$BIN/ws_floor" "$REPO/bench/floor/ws_floor.c"
    $CC $CFLAGS -I"$PEERS" -o "$BIN/ws_uring_floor" "$REPO/bench/floor/ws_uring_floor.c" -luring
    $CC $CFLAGS -o "$BIN/big_floor" "$REPO/bench/floor/big_floor.c"
} || die "building the bench binaries failed"
echo "bench: built esp_api_hello esp_api_tls_hello esp_api_ws_echo esp_api_big lws_echo wsclient mhd_hello civetweb_hello kaclient floor ws_floor ws_uring_floor big_floor in $BIN"

# ---- run ------------------------------------------------------------------------------
# 1,000 idle connections on one side, as many on the other, plus the server's own fds
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"
RUN=$(mktemp -d "${TMPDIR:-/tmp}/httpd-bench.XXXXXX")
PY=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
    if [ -n "$PY" ] && kill -0 "$PY" 2>/dev/null; then
        kill -TERM "$PY" 2>/dev/null || true     # bench.py stops its servers on SIGTERM
        wait "$PY" 2>/dev/null || true
    fi
    rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rc=0
if [ "${BENCH_PHASES:-}" = none ]; then
    # only the TLS and WebSocket / 1 MiB rows: they append to an empty results.md
    : >"$OUT/results.md"
else
    python3 "$REPO/bench/bench.py" --bindir "$BIN" --rundir "$RUN" --outdir "$OUT" --png "$PNG" \
            --command "${BENCH_COMMAND:-make bench}" &
    PY=$!
    wait "$PY" || rc=$?
    PY=
fi
# The TLS rows (BENCH_TLS=0 leaves them out), appended to results.md.
if [ "$rc" -eq 0 ] && [ "${BENCH_TLS:-1}" != 0 ]; then
    python3 "$REPO/bench/tls_bench.py" --bindir "$BIN" --rundir "$RUN" --outdir "$OUT" &
    PY=$!
    wait "$PY" || rc=$?
    PY=
fi
# The WebSocket echo and 1 MiB response rows (BENCH_WS=0 leaves them out), appended to results.md.
if [ "$rc" -eq 0 ] && [ "${BENCH_WS:-1}" != 0 ]; then
    python3 "$REPO/bench/ws_bench.py" --bindir "$BIN" --rundir "$RUN" --outdir "$OUT" \
            --png "${BENCH_WS_PNG:-$REPO/docs/img/bench-ws.png}" &
    PY=$!
    wait "$PY" || rc=$?
    PY=
fi
echo "bench: done in $(( $(date +%s) - T0 )) s (builds included), exit status $rc"
exit "$rc"
