# LlamaF: the two commands of the README.
#   make run   install missing Debian packages, build, run the main job
#   make test  same set-up, then every test (ctest) and a short run of
#              every fuzzer (5 s each: clang, build-fuzz/, see `fuzz`)
# Not in `make test` (CI budget): `make test-sanitize` (unit tests under
# ASan+UBSan, build-asan/) and the long fuzz runs (docs/robustness.md).
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
MODELS_DIR ?= $(if $(LLAMAF_MODELS_DIR),$(LLAMAF_MODELS_DIR),$(CURDIR)/../shared/models)

SAN_BUILD_DIR ?= build-asan
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 10
# The fuzz run at the end of `make test`: seconds per target.
FUZZ_TEST_SECONDS ?= 5

.PHONY: all deps configure build run run-plan test test-rtl test-sanitize fuzz-build fuzz bench clean

all: build

deps:
	@bash .ci/deps.sh

configure: deps
	@mkdir -p $(BUILD_DIR) && cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release --log-level=WARNING > $(BUILD_DIR)/configure.log 2>&1 \
	  || { cat $(BUILD_DIR)/configure.log; exit 1; }

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The main job: the default design-space sweep (configs/sweeps/default.json).
# --resume: a second run reuses every finished point and only rewrites the
# reports. After editing the sweep (another config hash, which the folder
# refuses): `make run FRESH=1` moves the previous results aside to
# $(OUT).<date-time> and starts afresh; `make run OUT=out/mine` writes elsewhere.
OUT ?= out/default
# What `make run` will do and how long it took on the reference machine: a
# fresh clone on 2 cores (Debian 12, 24 GiB), 2026-12-03, compiler and
# synthesis caches warm: 8.2 minutes in all (build, two simulator builds on
# demand, eight points); the sweep alone with the simulators built, 3.2.
run-plan:
	@echo "make run: (1) installs missing Debian packages, (2) builds LlamaF: about 4 minutes on 2 cores"
	@echo "  with a warm compiler cache (longer without one; seconds when up to date), (3) runs"
	@echo "  configs/sweeps/default.json into $(OUT): the fastest GQMV engine for the ZCU102, 8 design points"
	@echo "  around the shipped winners (two simulators built on demand, about a minute each), Yosys + OpenSTA"
	@echo "  (cached; 1-3 minutes per parameter set when not), one TinyLlama token and energy per point:"
	@echo "  8 minutes in all on 2 cores with warm caches (measured 2026-12-03 on a fresh clone),"
	@echo "  3 minutes for the sweep once the simulators exist; finished points are kept, so a rerun"
	@echo "  takes seconds. The explorer prints an ETA as it goes."

run: run-plan build
	@if [ "$(FRESH)" = "1" ] && [ -d "$(OUT)" ]; then \
	  old="$(OUT).$$(date +%Y%m%d-%H%M%S)"; mv "$(OUT)" "$$old"; \
	  echo "FRESH=1: previous results moved to $$old"; fi
	./$(BUILD_DIR)/llamaf explore configs/sweeps/default.json --out $(OUT) -j $(JOBS) --resume
	@echo "results: $(OUT)/results.csv  report: $(OUT)/report.md  table: $(OUT)/table.tex  figures: $(OUT)/figures/"

test: build
	@bash .ci/deps.sh --test
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_TEST_SECONDS)

# The unit tests (ctest -L unit) built with AddressSanitizer and
# UndefinedBehaviorSanitizer (-DLLAMAF_SANITIZE=ON) in their own build
# folder; any sanitizer report fails the test. Not part of `make test`.
test-sanitize: deps
	@mkdir -p $(SAN_BUILD_DIR) && cmake -S . -B $(SAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DLLAMAF_SANITIZE=ON --log-level=WARNING > $(SAN_BUILD_DIR)/configure.log 2>&1 \
	  || { cat $(SAN_BUILD_DIR)/configure.log; exit 1; }
	@cmake --build $(SAN_BUILD_DIR) -j $(JOBS) --target unit-tests
	cd $(SAN_BUILD_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) -L unit

# The libFuzzer targets (tests/fuzz, clang + ASan + UBSan) in their own build
# folder, and a run of each for FUZZ_SECONDS seconds, one after another.
# Ten minutes each: make fuzz FUZZ_SECONDS=600 (docs/robustness.md).
fuzz-build: deps
	@command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (apt-get install clang)" >&2; exit 1; }
	@mkdir -p $(FUZZ_BUILD_DIR) && CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DLLAMAF_FUZZ=ON --log-level=WARNING > $(FUZZ_BUILD_DIR)/configure.log 2>&1 \
	  || { cat $(FUZZ_BUILD_DIR)/configure.log; exit 1; }
	@cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target fuzz-all

fuzz: fuzz-build
	tests/fuzz/run_fuzzers.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS)

test-rtl: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L rtl

bench: build
	cmake --build $(BUILD_DIR) --target bench
	cmake --build $(BUILD_DIR) --target bench-system
	cmake --build $(BUILD_DIR) --target bench-membench
	cmake --build $(BUILD_DIR) --target bench-screen
	tests/bench/tinyllama_bench.sh $(BUILD_DIR) $(MODELS_DIR)

clean:
	rm -rf $(BUILD_DIR) $(SAN_BUILD_DIR) $(FUZZ_BUILD_DIR)
