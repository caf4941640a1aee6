# SPDX-License-Identifier: Apache-2.0
# The two commands of the README: `make run` and `make test`.

PORT  ?= 8080
BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)

RUN_PKGS  = cmake make gcc libc6-dev
TEST_PKGS = $(RUN_PKGS) clang pkg-config python3 python3-pytest python3-websockets \
            chromium chromium-driver python3-selenium

.PHONY: run test demo clean

## make run: build the demo and serve it on http://127.0.0.1:$(PORT)
run:
	@./scripts/deps.sh $(RUN_PKGS)
	@cmake -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHTTPD_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(BUILD)/release -j$(JOBS) --target example_demo >/dev/null
	PORT=$(PORT) ./$(BUILD)/release/example_demo

## make test: every test (ctest + pytest) with ASan and UBSan, gcc and clang
test:
	@./scripts/deps.sh $(TEST_PKGS)
	@BUILD=$(BUILD) JOBS=$(JOBS) ./scripts/test.sh

clean:
	rm -rf $(BUILD)

## make bench: our hello server next to nginx, libmicrohttpd, CivetWeb and the syscall
## floor, one run (about 5 minutes); table in $(BUILD)/bench/results.md, chart in
## docs/img/bench.png. Environment: BENCH_ROUNDS, BENCH_DURATION, ... (bench/README.md)
.PHONY: bench
bench:
	@BUILD=$(BUILD) JOBS=$(JOBS) ./bench/run.sh
