#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# coro_cost.sh: user-space instructions per keep-alive request of the bench hello
# server (esp_api_hello.c) with handler coroutines (default build) and without
# (-DHTTPD_CORO=OFF), both Release, measured with callgrind.
#
# usage: bench/coro_cost.sh [N_SMALL [N_LARGE]]        (defaults 10000 20000)
# env:   PEERS=<dir with esp_api_hello.c and kaclient.c>  (default <repo>/bench/peers)
#        BUILD_ROOT=<dir for the two library builds>      (default <repo>/build/coro-cost)
#        CC=<compiler for the hello server and client>    (default cc)
#
# Each server runs under valgrind --tool=callgrind twice: once while a client makes
# N_SMALL sequential keep-alive GETs of /hello on one connection, once with N_LARGE;
# (Ir(N_LARGE) - Ir(N_SMALL)) / (N_LARGE - N_SMALL) is the cost of one request
# without start-up and shutdown. Every process started here is stopped on exit.
set -euo pipefail

N_SMALL=${1:-10000}
N_LARGE=${2:-20000}
REPO=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$REPO/bench/peers}
BUILD_ROOT=${BUILD_ROOT:-$REPO/build/coro-cost}
CC=${CC:-cc}
START_TIMEOUT=60      # seconds for a server under valgrind to accept connections
CLIENT_TIMEOUT=600    # seconds for one client run
STOP_TIMEOUT=60       # seconds for valgrind to write its output after SIGTERM

die() { echo "coro_cost: $*" >&2; exit 1; }

[ "$N_LARGE" -gt "$N_SMALL" ] 2>/dev/null || die "N_LARGE ($N_LARGE) must be greater than N_SMALL ($N_SMALL)"
command -v valgrind >/dev/null || die "valgrind not found (apt-get install -y valgrind)"
command -v cmake >/dev/null || die "cmake not found"
{ [ -f "$PEERS/esp_api_hello.c" ] && [ -f "$PEERS/kaclient.c" ]; } || die "no esp_api_hello.c / kaclient.c in $PEERS"

RUN=$(mktemp -d "${TMPDIR:-/tmp}/coro-cost.XXXXXX")
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$RUN"
}
trap cleanup EXIT

# ---- Builds ---------------------------------------------------------------------
build_variant() {   # name, HTTPD_CORO value
    local dir=$BUILD_ROOT/$1
    echo "building $1 (HTTPD_CORO=$2) in $dir" >&2
    cmake -S "$REPO" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DHTTPD_BUILD_TESTS=OFF \
          -DHTTPD_BUILD_EXAMPLES=OFF -DHTTPD_SANITIZE=OFF -DHTTPD_CORO="$2" >"$RUN/cmake-$1.log" 2>&1 \
        || { cat "$RUN/cmake-$1.log" >&2; die "cmake configure of $1 failed"; }
    cmake --build "$dir" -j"$(nproc)" --target esp_http_server_static >>"$RUN/cmake-$1.log" 2>&1 \
        || { cat "$RUN/cmake-$1.log" >&2; die "build of $1 failed"; }
    "$CC" -O2 -I"$REPO/include" -I"$dir/generated" "$PEERS/esp_api_hello.c" \
          "$dir/libesp_http_server.a" -pthread -o "$dir/esp_api_hello" \
        || die "compiling esp_api_hello for $1 failed"
}

build_variant coro ON
build_variant nocoro OFF
mkdir -p "$BUILD_ROOT"
"$CC" -O2 -o "$BUILD_ROOT/kaclient" "$PEERS/kaclient.c" || die "compiling kaclient failed"

# ---- Measurement ----------------------------------------------------------------
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

port_open() {   # port: true once something accepts on 127.0.0.1:port
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

callgrind_total() {   # file: the Ir total of a callgrind output
    awk '/^(summary|totals):/ { print $2; exit }' "$1"
}

# One run: server variant, request count; prints the total Ir of the server process.
measure() {
    local name=$1 n=$2 port out i
    port=$(free_port)
    out=$RUN/cg.$name.$n
    valgrind --tool=callgrind --callgrind-out-file="$out" \
        "$BUILD_ROOT/$name/esp_api_hello" "$port" 1000 128 1 >"$RUN/server-$name-$n.log" 2>&1 &
    SERVER_PID=$!
    for ((i = 0; i < START_TIMEOUT * 10; i++)); do
        port_open "$port" && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$RUN/server-$name-$n.log" >&2; die "$name server exited"; }
        sleep 0.1
    done
    port_open "$port" || die "$name server did not accept on port $port within ${START_TIMEOUT}s"
    timeout "$CLIENT_TIMEOUT" "$BUILD_ROOT/kaclient" seq "$port" "$n" >"$RUN/client-$name-$n.log" 2>&1 \
        || { cat "$RUN/client-$name-$n.log" >&2; die "client failed against $name (n=$n)"; }
    kill -TERM "$SERVER_PID"
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
    [ -s "$out" ] || die "no callgrind output for $name (n=$n)"
    callgrind_total "$out"
}

declare -A PER
for name in coro nocoro; do
    small=$(measure "$name" "$N_SMALL")
    large=$(measure "$name" "$N_LARGE")
    { [ -n "$small" ] && [ -n "$large" ]; } || die "no totals for $name"
    PER[$name]=$(awk -v a="$small" -v b="$large" -v n=$((N_LARGE - N_SMALL)) 'BEGIN { printf "%.1f", (b - a) / n }')
    echo "$name: Ir($N_SMALL)=$small Ir($N_LARGE)=$large" >&2
done

printf '\nuser-space instructions per keep-alive GET /hello (callgrind, (Ir(%d) - Ir(%d)) / %d)\n' \
       "$N_LARGE" "$N_SMALL" $((N_LARGE - N_SMALL))
printf '%-28s %14s\n' build instr/request
printf '%-28s %14s\n' "coroutines (default)" "${PER[coro]}"
printf '%-28s %14s\n' "no coroutines (CORO=OFF)" "${PER[nocoro]}"
awk -v c="${PER[coro]}" -v n="${PER[nocoro]}" \
    'BEGIN { printf "%-28s %+14.1f (%+.1f%%)\n", "difference (coro - nocoro)", c - n, n ? (c - n) * 100 / n : 0 }'
