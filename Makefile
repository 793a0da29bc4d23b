# LlamaF: the two commands of the README.
#   make run   install missing Debian packages, build, run the main job
#   make test  same set-up, then every test (ctest)
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
MODELS_DIR ?= $(if $(LLAMAF_MODELS_DIR),$(LLAMAF_MODELS_DIR),$(CURDIR)/../shared/models)

.PHONY: all deps configure build run test test-rtl bench clean

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
# reports.
run: build
	./$(BUILD_DIR)/llamaf explore configs/sweeps/default.json --out out/default -j $(JOBS) --resume
	@echo "results: out/default/results.csv  report: out/default/report.md  table: out/default/table.tex  figures: out/default/figures/"

test: build
	@bash .ci/deps.sh --test
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-rtl: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L rtl

bench: build
	cmake --build $(BUILD_DIR) --target bench
	cmake --build $(BUILD_DIR) --target bench-system
	cmake --build $(BUILD_DIR) --target bench-membench
	tests/bench/tinyllama_bench.sh $(BUILD_DIR) $(MODELS_DIR)

clean:
	rm -rf $(BUILD_DIR)
