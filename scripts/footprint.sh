#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# footprint.sh - the library's code size on embedded cross toolchains.
#
# Compiles the portable core (HTTPD_CORE_SOURCES of cmake/sources.cmake: src/*.c
# without coroutines, WebSocket included) and the lwIP platform port
# (src/port/lwip/*.c) for each target, as an ESP-IDF firmware would build them:
# -Os, one section per function and object, logs compiled out (LOG_LOCAL_LEVEL
# 0), CONFIG_HTTPD_WS_SUPPORT 1, warnings as errors. Then it sums the sections
# of the objects and prints Markdown tables. The sizes are object sums, not a
# linked image: libc, lwIP and the RTOS are not counted.
#
# Targets:
#   arm     arm-none-eabi-gcc        -mcpu=cortex-m4 -mthumb
#   riscv   riscv64-unknown-elf-gcc  -march=rv32imc -mabi=ilp32  (the ESP32-C3's ISA)
#   xtensa  xtensa-lx106-elf-gcc     -mlongcalls  (the ESP8266's core: a stand-in
#           for the ESP32's Xtensa LX6/LX7, which use the windowed ABI)
#
# Headers: the C library's are newlib's generic ones (libnewlib-dev), lwIP's
# come from liblwip-dev. What ESP-IDF provides on the target and those lack
# comes from tests/footprint/: shim/ (pthread.h, sys/uio.h) and lwip/ (a
# bare-metal lwipopts.h, arch/cc.h and arch/sys_arch.h). ESP-IDF's own headers
# (esp_err.h, esp_log.h, http_parser.h, sdkconfig.h) are the host stand-ins of
# host/include, which declare and add no code (checked on every run).
#
# Usage: scripts/footprint.sh [options]
#   --per-file            also print a table per target with every file
#   --check FILE          compare each target's flash (.text + .rodata + .data)
#                         with its budget in FILE (lines "<target> <bytes>",
#                         # comments); exit 1 when one is over. With --stack,
#                         also its stack budget (lines "stack <target>
#                         NAME=BYTES ...", see scripts/stack_usage.py --limit)
#   --no-port             the core alone, without src/port/lwip/*.c (the port's
#                         port_platform.h is still used)
#   --addons              the add-on library instead (src/addons/*.c, one line per
#                         file; json.c with libcjson-dev's cJSON.h), no budget
#   --targets LIST        comma-separated, default arm,riscv,xtensa
#   --stack               also the worst-case stack depths, per target: compiled
#                         with -fstack-usage -fcallgraph-info=su,da, summed along
#                         the call graph by scripts/stack_usage.py (the server
#                         task's stack in use when user code is called, and what
#                         each API call a handler makes uses below it)
#   --opt FLAG            the optimisation level instead of -Os (ESP-IDF's default
#                         is -Og; any level but -Os builds the fast paths); the
#                         budget of --check is for -Os
#   -D NAME=VALUE         set a CONFIG_HTTPD_* value of the generated
#                         esp_http_server_config.h (default: CMakeLists.txt's;
#                         the memory options: the embedded values)
#   -h, --help            this text
# Environment: BUILD (default build): objects go to $BUILD/footprint/<target>/;
#   NEWLIB_INCLUDE (default /usr/include/newlib), LWIP_INCLUDE (default
#   /usr/include/lwip).
# Exit status: 0 all compiled (and within budget), 1 a file failed to compile
#   or a target is over its budget, 2 usage error or missing tools.
set -u -o pipefail

ME=footprint.sh
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The flags of the reference measurement (docs/footprint.md), plus warnings as errors.
OPT=-Os
COMMON_FLAGS="-ffunction-sections -fdata-sections -std=gnu17 -fno-common -Wall -Wextra -Werror"
# As the library's CMake build defines them; logs off: every ESP_LOGx compiles to nothing.
DEFINES="-D_GNU_SOURCE -DHTTPD_BUILDING_LIB -DLOG_LOCAL_LEVEL=0"

declare -A CC=([arm]=arm-none-eabi-gcc [riscv]=riscv64-unknown-elf-gcc [xtensa]=xtensa-lx106-elf-gcc)
declare -A SIZE=([arm]=arm-none-eabi-size [riscv]=riscv64-unknown-elf-size [xtensa]=xtensa-lx106-elf-size)
declare -A NM=([arm]=arm-none-eabi-nm [riscv]=riscv64-unknown-elf-nm [xtensa]=xtensa-lx106-elf-nm)
declare -A TFLAGS=([arm]="-mcpu=cortex-m4 -mthumb" [riscv]="-march=rv32imc -mabi=ilp32" [xtensa]="-mlongcalls")
declare -A CC_PKG=([arm]=gcc-arm-none-eabi [riscv]=gcc-riscv64-unknown-elf [xtensa]=gcc-xtensa-lx106)
declare -A BIN_PKG=([arm]=binutils-arm-none-eabi [riscv]=binutils-riscv64-unknown-elf [xtensa]=binutils-xtensa-lx106)

usage() { sed -n '3,/^set -u/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "$ME: $*" >&2; exit 2; }

PERFILE=0 CHECK="" PORT=1 ADDONS=0 STACK=0 TARGETS="arm,riscv,xtensa"
OVERRIDES=()
while [ $# -gt 0 ]; do
    case "$1" in
        --per-file) PERFILE=1; shift ;;
        --check) [ $# -ge 2 ] || die "--check needs a file"; CHECK=$2; shift 2 ;;
        --check=*) CHECK=${1#--check=}; shift ;;
        --no-port) PORT=0; shift ;;
        --addons) ADDONS=1 PERFILE=1; shift ;;
        --targets) [ $# -ge 2 ] || die "--targets needs a list"; TARGETS=$2; shift 2 ;;
        --targets=*) TARGETS=${1#--targets=}; shift ;;
        --stack) STACK=1; shift ;;
        --opt) [ $# -ge 2 ] || die "--opt needs a flag"; OPT=$2; shift 2 ;;
        --opt=*) OPT=${1#--opt=}; shift ;;
        -D) [ $# -ge 2 ] || die "-D needs NAME=VALUE"; OVERRIDES+=("$2"); shift 2 ;;
        -D*) OVERRIDES+=("${1#-D}"); shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

[[ "$OPT" =~ ^-O([0-3sgz]|fast)?$ ]] || die "--opt wants -O0, -O1, -O2, -O3, -Os, -Og, -Oz or -Ofast, not '$OPT'"
COMMON_FLAGS="$OPT $COMMON_FLAGS"
[ $STACK = 1 ] && [ $ADDONS = 1 ] && die "--stack measures the core, not --addons"

BUILD=${BUILD:-build}
mkdir -p "$BUILD/footprint" || die "cannot create $BUILD/footprint"
BUILD=$(cd "$BUILD" && pwd)
if [ -n "$CHECK" ]; then
    [ -f "$CHECK" ] || die "no such budget file: $CHECK"
    CHECK=$(cd "$(dirname "$CHECK")" && pwd)/$(basename "$CHECK")
fi
NEWLIB_INCLUDE=${NEWLIB_INCLUDE:-/usr/include/newlib}
LWIP_INCLUDE=${LWIP_INCLUDE:-/usr/include/lwip}
cd "$ROOT" || exit 2

# ---- Targets and tools -------------------------------------------------------------
IFS=',' read -r -a TLIST <<< "$TARGETS"
[ ${#TLIST[@]} -gt 0 ] || die "no targets"
missing=()
for t in "${TLIST[@]}"; do
    [ -n "${CC[$t]:-}" ] || die "unknown target '$t' (arm, riscv, xtensa)"
    command -v "${CC[$t]}" >/dev/null 2>&1 || missing+=("${CC_PKG[$t]} (${CC[$t]})")
    command -v "${SIZE[$t]}" >/dev/null 2>&1 || missing+=("${BIN_PKG[$t]} (${SIZE[$t]})")
done
[ -f "$NEWLIB_INCLUDE/stdio.h" ] || missing+=("libnewlib-dev (newlib headers in $NEWLIB_INCLUDE)")
[ $STACK = 1 ] && ! command -v python3 >/dev/null 2>&1 && missing+=("python3")

# ---- Sources -----------------------------------------------------------------------
# The core is HTTPD_CORE_SOURCES of cmake/sources.cmake, WebSocket files included.
mapfile -t CORE < <(awk '
    /^[[:space:]]*(set|list)\((APPEND )?HTTPD_CORE_SOURCES([[:space:]]|$)/ { on = 1; sub(/.*HTTPD_CORE_SOURCES/, "") }
    on {
        line = $0; sub(/#.*/, "", line); end = index(line, ")")
        if (end) { line = substr(line, 1, end - 1); on = 0 }
        n = split(line, w, /[[:space:]]+/)
        for (i = 1; i <= n; i++) if (w[i] ~ /\.c$/) print w[i]
    }
' cmake/sources.cmake)
[ ${#CORE[@]} -gt 0 ] || die "found no HTTPD_CORE_SOURCES in cmake/sources.cmake"
# The WebSocket files join the list only under if(CONFIG_HTTPD_WS_SUPPORT), as in the builds.
for o in "${OVERRIDES[@]+"${OVERRIDES[@]}"}"; do
    case "$o" in
        CONFIG_HTTPD_WS_SUPPORT=0|CONFIG_HTTPD_WS_SUPPORT=OFF|CONFIG_HTTPD_WS_SUPPORT=n)
            mapfile -t CORE < <(printf '%s\n' "${CORE[@]}" | grep -v -e '^src/ws\.c$' -e '^src/ws_codec\.c$') ;;
    esac
done
for f in "${CORE[@]}"; do [ -f "$f" ] || die "cmake/sources.cmake lists $f, which does not exist"; done

PORT_DIR=src/port/lwip
PORT_SRCS=()
if [ $PORT = 1 ]; then
    mapfile -t PORT_SRCS < <(find "$PORT_DIR" -maxdepth 1 -name '*.c' -type f 2>/dev/null | LC_ALL=C sort)
    [ ${#PORT_SRCS[@]} -gt 0 ] || die "no lwIP port ($PORT_DIR/*.c); --no-port measures the core alone"
fi
# port.h includes the platform's port_platform.h, the lwIP port's (--no-port too).
[ -f "$PORT_DIR/port_platform.h" ] || die "no $PORT_DIR/port_platform.h (the lwIP port's types)"
# lwIP's headers are always wanted: esp_http_server.h includes <net/if.h>,
# which lwIP provides on the target (compat/posix/net/if.h).
[ -f "$LWIP_INCLUDE/lwip/sockets.h" ] || missing+=("liblwip-dev (lwIP headers in $LWIP_INCLUDE)")
if [ ${#missing[@]} -gt 0 ]; then
    echo "$ME: missing tools; install the Debian packages:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    echo "(make footprint installs them: gcc-arm-none-eabi gcc-riscv64-unknown-elf gcc-xtensa-lx106" \
         "binutils-xtensa-lx106 libnewlib-dev liblwip-dev)" >&2
    exit 2
fi
FILES=("${CORE[@]}" "${PORT_SRCS[@]}")
if [ $ADDONS = 1 ]; then
    mapfile -t FILES < <(find src/addons -maxdepth 1 -name '*.c' -type f | LC_ALL=C sort)
    [ ${#FILES[@]} -gt 0 ] || die "no src/addons/*.c"
    [ -z "$CHECK" ] || die "--addons has no budget (--check)"
fi

# ---- Configuration header ----------------------------------------------------------
# cmake/esp_http_server_config.h.in with the default values of CMakeLists.txt
# (set(NAME value CACHE ...) and option(NAME "..." ON|OFF)), as configure_file() makes it,
# except for the memory options below (embedded values).
GEN="$BUILD/footprint/include"
mkdir -p "$GEN" || exit 2
declare -A CFG=()
while read -r name value; do CFG[$name]=$value; done < <(awk '
    match($0, /^[[:space:]]*set\(CONFIG_HTTPD_[A-Z0-9_]+[[:space:]]+[^[:space:]]+[[:space:]]+CACHE/) {
        split(substr($0, RSTART, RLENGTH), w, /[([:space:]]+/); print w[2], w[3] }
    match($0, /^[[:space:]]*option\(CONFIG_HTTPD_[A-Z0-9_]+[[:space:]]/) {
        split($0, w, /[([:space:]]+/); v = $0; sub(/.*"[[:space:]]*/, "", v); sub(/\).*/, "", v)
        print w[2], (v == "ON" ? 1 : 0) }
' CMakeLists.txt)
CFG[CONFIG_HTTPD_WS_SUPPORT]=1
# Our memory options take the values an embedded build has by default (the
# Kconfig's, which ESP-IDF uses): no request pool, no held output or chunks, 64 bytes of
# read-ahead, 16 queued works, 8 KiB of queued WebSocket frames per connection.
# The CMake defaults suit a Linux host.
CFG[CONFIG_HTTPD_REQ_POOL_LEN]=0
CFG[CONFIG_HTTPD_PIPELINE_HOLD_LEN]=0
CFG[CONFIG_HTTPD_CHUNK_HOLD_LEN]=0
CFG[CONFIG_HTTPD_RX_READAHEAD]=64
CFG[CONFIG_HTTPD_WORK_QUEUE_LEN]=16
CFG[CONFIG_HTTPD_WS_SEND_QUEUE_LEN]=8192
for o in "${OVERRIDES[@]}"; do
    [[ "$o" =~ ^(CONFIG_HTTPD_[A-Z0-9_]+)=([0-9]+)$ ]] || die "-D wants CONFIG_HTTPD_NAME=NUMBER, not '$o'"
    [ -n "${CFG[${BASH_REMATCH[1]}]:-}" ] || die "-D: ${BASH_REMATCH[1]} is not a CMake option"
    CFG[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
done
cfg_lines=()
while IFS= read -r line; do
    if [[ "$line" =~ ^#cmakedefine01[[:space:]]+([A-Z0-9_]+) ]]; then
        n=${BASH_REMATCH[1]}
        [ -n "${CFG[$n]:-}" ] || die "no default for $n in CMakeLists.txt"
        v=0; [ "${CFG[$n]}" != 0 ] && v=1
        line="#define $n $v"
    fi
    while [[ "$line" =~ @([A-Z0-9_]+)@ ]]; do
        n=${BASH_REMATCH[1]}
        [ -n "${CFG[$n]:-}" ] || die "no default for $n in CMakeLists.txt"
        line=${line//@$n@/${CFG[$n]}}
    done
    cfg_lines+=("$line")
done < cmake/esp_http_server_config.h.in
printf '%s\n' "${cfg_lines[@]}" > "$GEN/esp_http_server_config.h.new"
# rewritten only when it changes, so the file's time stays that of its contents
if cmp -s "$GEN/esp_http_server_config.h.new" "$GEN/esp_http_server_config.h"; then
    rm -f "$GEN/esp_http_server_config.h.new"
else
    mv "$GEN/esp_http_server_config.h.new" "$GEN/esp_http_server_config.h"
fi

# ---- Compile -----------------------------------------------------------------------
# Ours first; lwIP's configuration (tests/footprint/lwip) before lwIP's headers.
INCLUDES=(-I include -I "$GEN" -I host/include -I src -I "$PORT_DIR" -I tests/footprint/lwip)
if [ $ADDONS = 1 ]; then
    # cJSON's header alone, from the Debian package, for json.c
    mkdir -p "$BUILD/footprint/cjson" || exit 2
    [ -f /usr/include/cjson/cJSON.h ] && ln -sfn /usr/include/cjson "$BUILD/footprint/cjson/cjson"
    INCLUDES+=(-I src/addons -isystem "$BUILD/footprint/cjson")
fi
# GCC's own headers before newlib's (newlib's generic stdatomic.h breaks C11 _Atomic).
sys_includes() { # target
    printf '%s\n' -isystem "$(${CC[$1]} -print-file-name=include)" -isystem tests/footprint/shim \
        -isystem "$LWIP_INCLUDE" -isystem "$LWIP_INCLUDE/compat/posix" -isystem "$NEWLIB_INCLUDE"
}

# Prints "text rodata data bss" summed over the objects, sections counted by
# name prefix (.literal: Xtensa's constant pools; .s*: RISC-V's small data).
secsum() { # target objects...
    local t=$1; shift
    "${SIZE[$t]}" -A "$@" | awk '
        $1 ~ /^\.(text|literal|init|fini)/       { x += $2; next }
        $1 ~ /^\.(rodata|srodata)/               { r += $2; next }
        $1 ~ /^\.(data|sdata)/                   { d += $2; next }
        $1 ~ /^\.(bss|sbss)/ || $1 == "COMMON"   { b += $2; next }
        END { printf "%d %d %d %d\n", x, r, d, b }'
}

obj_name() { local f=${1%.c}; echo "${f//\//_}.o"; }

STATUS=0
declare -A SUM=() NOBJ=() PF=()
for t in "${TLIST[@]}"; do
    od="$BUILD/footprint/$t"
    mkdir -p "$od" || exit 2
    rm -f "$od"/*.o "$od"/*.log "$od"/*.su "$od"/*.ci
    mapfile -t SYS < <(sys_includes "$t")
    stack_flags=""; [ $STACK = 1 ] && stack_flags="-fstack-usage -fcallgraph-info=su,da"   # .su, .ci beside each object
    # shellcheck disable=SC2206  # flag strings are split on purpose
    cmd=("${CC[$t]}" ${TFLAGS[$t]} $COMMON_FLAGS $DEFINES $stack_flags "${INCLUDES[@]}" "${SYS[@]}")

    # The ESP-IDF headers taken from host/include must declare only: an object
    # made of nothing else has to be empty.
    printf '#include "esp_err.h"\n#include "esp_log.h"\n#include "http_parser.h"\n#include "sdkconfig.h"\n' > "$od/host_headers.c"
    if ! "${cmd[@]}" -c "$od/host_headers.c" -o "$od/host_headers.obj" 2> "$od/host_headers.log"; then
        echo "$ME: [$t] the host/include headers do not compile:" >&2; cat "$od/host_headers.log" >&2; exit 1
    fi
    read -r x r d b < <(secsum "$t" "$od/host_headers.obj")
    if [ $((x + r + d + b)) -ne 0 ]; then
        echo "$ME: [$t] host/include headers alone produce $((x + r + d + b)) bytes of code or data" >&2; STATUS=1
    fi

    pids=() objs=()
    for f in "${FILES[@]}"; do
        o="$od/$(obj_name "$f")"
        "${cmd[@]}" -c "$f" -o "$o" 2> "${o%.o}.log" &
        pids+=($!) objs+=("$o")
    done
    ok=() fails=0
    for i in "${!FILES[@]}"; do
        if wait "${pids[$i]}"; then
            ok+=("${objs[$i]}")
            [ -s "${objs[$i]%.o}.log" ] && cat "${objs[$i]%.o}.log" >&2
        else
            fails=$((fails + 1)); STATUS=1
            echo "$ME: [$t] ${FILES[$i]} does not compile:" >&2
            grep -E 'error|warning' "${objs[$i]%.o}.log" | head -20 >&2
        fi
    done
    NOBJ[$t]=${#ok[@]}
    [ ${#ok[@]} -gt 0 ] || continue

    # logs off: no call to the log writer may remain
    if "${NM[$t]}" -u "${ok[@]}" 2>/dev/null | grep -qw 'esp_log_write\|esp_log_writev'; then
        echo "$ME: [$t] objects still call esp_log_write (logs are meant to be compiled out)" >&2; STATUS=1
    fi
    SUM[$t]=$(secsum "$t" "${ok[@]}")
    if [ $PERFILE = 1 ]; then
        for i in "${!FILES[@]}"; do
            [ -f "${objs[$i]}" ] && PF[$t:${FILES[$i]}]=$(secsum "$t" "${objs[$i]}")
        done
    fi
done

# ---- Report ------------------------------------------------------------------------
what="core (${#CORE[@]} files)"
[ $PORT = 1 ] && what="$what + lwIP port (${#PORT_SRCS[@]} files)"
[ $ADDONS = 1 ] && what="add-on library (${#FILES[@]} files)"
echo "Footprint of the $what, object sums in bytes; flash = .text + .rodata + .data."
echo "Flags: $COMMON_FLAGS $DEFINES; CONFIG_HTTPD_WS_SUPPORT 1; port_platform.h from $PORT_DIR/."
for t in "${TLIST[@]}"; do
    echo "  $t: $(${CC[$t]} --version | head -1) ${TFLAGS[$t]}"
done
echo
echo "| target | flash | .text | .rodata | .data | .bss |"
echo "|---|---:|---:|---:|---:|---:|"
for t in "${TLIST[@]}"; do
    if [ -z "${SUM[$t]:-}" ]; then echo "| $t | - | - | - | - | - |"; continue; fi
    read -r x r d b <<< "${SUM[$t]}"
    note=""; [ "${NOBJ[$t]}" -lt ${#FILES[@]} ] && note=" (${NOBJ[$t]} of ${#FILES[@]} files)"
    echo "| $t$note | $((x + r + d)) | $x | $r | $d | $b |"
done

if [ $PERFILE = 1 ]; then
    for t in "${TLIST[@]}"; do
        echo
        echo "$t, per file:"
        echo
        echo "| file | flash | .text | .rodata | .data | .bss |"
        echo "|---|---:|---:|---:|---:|---:|"
        for f in "${FILES[@]}"; do
            if [ -z "${PF[$t:$f]:-}" ]; then echo "| $f | failed | | | | |"; continue; fi
            read -r x r d b <<< "${PF[$t:$f]}"
            echo "| $f | $((x + r + d)) | $x | $r | $d | $b |"
        done
    done
fi

if [ $STACK = 1 ]; then
    for t in "${TLIST[@]}"; do
        echo
        echo "## $t: stack, in bytes"
        echo
        if [ "${NOBJ[$t]:-0}" -lt ${#FILES[@]} ]; then
            echo "Not every file compiled: no figures."
            continue
        fi
        limits=()   # --check: the file's "stack <target> NAME=BYTES..." line
        [ -n "$CHECK" ] && mapfile -t limits < <(awk -v t="$t" '$1 == "stack" && $2 == t {
            for (i = 3; i <= NF; i++) print "--limit=" $i }' "$CHECK")
        python3 scripts/stack_usage.py --root "$ROOT" "${limits[@]+"${limits[@]}"}" "$BUILD/footprint/$t" || STATUS=1
    done
fi

# ---- Budget ------------------------------------------------------------------------
if [ -n "$CHECK" ]; then
    echo
    over=0 checked=0
    while read -r t budget rest || [ -n "$t" ]; do
        case "$t" in ''|'#'*|stack) continue ;; esac   # (stack lines: --stack above)
        if [ -z "${CC[$t]:-}" ] || ! [[ "$budget" =~ ^[0-9]+$ ]] || [ -n "$rest" ]; then
            die "$CHECK: bad line '$t $budget $rest' (want: <arm|riscv|xtensa> <bytes>)"
        fi
        if [[ ",$TARGETS," != *",$t,"* ]]; then echo "budget $t: not measured (not in --targets)"; continue; fi
        if [ -z "${SUM[$t]:-}" ] || [ "${NOBJ[$t]}" -lt ${#FILES[@]} ]; then
            echo "$ME: budget $t: cannot check, files failed to compile" >&2; over=1; continue
        fi
        read -r x r d b <<< "${SUM[$t]}"
        flash=$((x + r + d)) checked=$((checked + 1))
        if [ $flash -gt "$budget" ]; then
            echo "$ME: OVER BUDGET: $t flash is $flash bytes, budget $budget bytes ($((flash - budget)) over; ${CHECK#"$ROOT"/})" >&2
            over=1
        else
            echo "budget $t: $flash of $budget bytes ($((budget - flash)) to spare)"
        fi
    done < "$CHECK"
    [ $checked -gt 0 ] || [ $over = 1 ] || echo "$ME: warning: $CHECK checked no target" >&2
    [ $over = 0 ] || STATUS=1
fi
exit $STATUS
