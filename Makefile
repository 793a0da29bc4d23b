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
# reports. After editing the sweep (another config hash, which the folder
# refuses): `make run FRESH=1` moves the previous results aside to
# $(OUT).<date-time> and starts afresh; `make run OUT=out/mine` writes elsewhere.
OUT ?= out/default
run: build
	@if [ "$(FRESH)" = "1" ] && [ -d "$(OUT)" ]; then \
	  old="$(OUT).$$(date +%Y%m%d-%H%M%S)"; mv "$(OUT)" "$$old"; \
	  echo "FRESH=1: previous results moved to $$old"; fi
	./$(BUILD_DIR)/llamaf explore configs/sweeps/default.json --out $(OUT) -j $(JOBS) --resume
	@echo "results: $(OUT)/results.csv  report: $(OUT)/report.md  table: $(OUT)/table.tex  figures: $(OUT)/figures/"

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
