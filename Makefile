# SPDX-License-Identifier: Apache-2.0
# The two commands of the README, `make run` and `make test`, and the optional
# `make bench`, `make footprint` and `make test-cross`.

PORT  ?= 8080
PORT_TLS ?= 8443
BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)

RUN_PKGS  = cmake make gcc libc6-dev libmbedtls-dev openssl
TEST_PKGS = $(RUN_PKGS) clang curl pkg-config libcjson-dev python3 python3-pytest python3-websockets python3-kconfiglib \
            chromium chromium-driver python3-selenium \
            gcc-arm-none-eabi gcc-riscv64-unknown-elf libnewlib-dev liblwip-dev \
            qemu-user gcc-arm-linux-gnueabihf libc6-dev-armhf-cross libclang-rt-14-dev

.PHONY: run test test-cross demo clean

## make run: build the demo and serve it on http://127.0.0.1:$(PORT) and, with a
## self-signed certificate made on first use ($(BUILD)/tls/), https://127.0.0.1:$(PORT_TLS)
TLS_DIR = $(BUILD)/tls
run:
	@./scripts/deps.sh $(RUN_PKGS)
	@cmake -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHTTPD_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(BUILD)/release -j$(JOBS) --target example_demo >/dev/null
	@[ -f $(TLS_DIR)/cert.pem ] || { mkdir -p $(TLS_DIR) && openssl req -x509 -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 -subj /CN=localhost \
	    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	    -keyout $(TLS_DIR)/key.pem -out $(TLS_DIR)/cert.pem 2>/dev/null \
	  && echo "Made a self-signed certificate: $(TLS_DIR)/cert.pem"; }
	PORT=$(PORT) PORT_TLS=$(PORT_TLS) TLS_CERT=$(TLS_DIR)/cert.pem TLS_KEY=$(TLS_DIR)/key.pem \
	    $(BUILD)/release/example_demo

## make test: every test (ctest + pytest) with ASan and UBSan, gcc and clang
test:
	@./scripts/deps.sh $(TEST_PKGS)
	@BUILD=$(BUILD) JOBS=$(JOBS) ./scripts/test.sh

clean:
	rm -rf $(BUILD)

## make test-cross: the C tests built for armhf (32-bit little-endian) and s390x (big-endian)
## and run under qemu-user (make test runs armhf only)
test-cross:
	@./scripts/deps.sh $(TEST_PKGS) gcc-s390x-linux-gnu libc6-dev-s390x-cross
	@BUILD=$(BUILD) JOBS=$(JOBS) ./scripts/test-cross.sh armhf s390x

## make bench: our hello server next to nginx, libmicrohttpd, CivetWeb and the syscall
## floor, one run (about 5 minutes); table in $(BUILD)/bench/results.md, chart in
## docs/img/bench.png. Environment: BENCH_ROUNDS, BENCH_DURATION, ... (bench/README.md)
.PHONY: bench
bench:
	@BUILD=$(BUILD) JOBS=$(JOBS) ./bench/run.sh

## make fuzz: each libFuzzer harness of tests/fuzz for FUZZ_TIME seconds (default 60), with clang;
## a table of executions and crashes per harness (make test replays the corpora)
FUZZ_PKGS = clang libclang-rt-14-dev
.PHONY: fuzz
fuzz:
	@./scripts/deps.sh $(FUZZ_PKGS)
	@BUILD=$(BUILD) ./scripts/fuzz.sh

## make soak: SOAK_SECONDS (default 300) of mixed load against tests/soak/soak_server.c (ASan+UBSan
## build): keep-alive, pipelining, chunked, uploads, WebSocket, slow and stalled clients; every
## response checked byte for byte, server fds and RSS compared before and after (not in make test)
.PHONY: soak test-valgrind
soak:
	@./scripts/deps.sh $(RUN_PKGS) python3 python3-pytest python3-websockets
	@BUILD=$(BUILD) JOBS=$(JOBS) ./scripts/soak.sh

## make test-valgrind: the pytest suite with every firmware under valgrind memcheck (-O1 -g,
## no sanitizers, thread coroutine switch); fails on any error or definite/indirect leak
test-valgrind:
	@./scripts/deps.sh $(RUN_PKGS) valgrind python3 python3-pytest python3-websockets
	@BUILD=$(BUILD) JOBS=$(JOBS) ./scripts/test-valgrind.sh

## make footprint: the library's flash size on Cortex-M4, RISC-V and Xtensa (portable core
## + WebSocket + lwIP port, -Os, logs off), per file, checked against tests/footprint/budget.txt
FOOTPRINT_PKGS = gcc-arm-none-eabi gcc-riscv64-unknown-elf gcc-xtensa-lx106 binutils-xtensa-lx106 \
                 libnewlib-dev liblwip-dev
.PHONY: footprint
footprint:
	@./scripts/deps.sh $(FOOTPRINT_PKGS)
	@BUILD=$(BUILD) ./scripts/footprint.sh --per-file --check tests/footprint/budget.txt
