# fcc-scoring. The README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(BIN):$(PATH)
export PYSPARK_PYTHON := $(BIN)/python
export PYSPARK_DRIVER_PYTHON := $(BIN)/python

DEMO_LAKEHOUSE ?= $(CURDIR)/lakehouse
DEMO_CUSTOMERS ?= 10000
DEMO_DAYS ?= 90
DEMO_SEED ?= 42
DEMO_END ?= 2026-11-27
# Extra Maven repositories for the jars (see conf/base.yaml spark.maven_repos): beside a checkout
# that has ../shared/maven (a Maven-layout folder holding GraphFrames), Spark also resolves from it.
SHARED_MAVEN := $(abspath $(CURDIR)/../shared/maven)
ifneq ($(wildcard $(SHARED_MAVEN)/io),)
export FCC_MAVEN_REPOS ?= file://$(SHARED_MAVEN)
endif
# e.g. make bench BENCH_ARGS="--sizes small --customers-small 2000" (defaults: 10k and 100k customers)
BENCH_ARGS ?=

include make/ship.mk

.PHONY: help venv check-java demo test test-slow test-scale test-faults lint format bench docs clean

help:
	@echo "make demo   - set up, generate the default data set if missing, run the nightly chain"
	@echo "make test   - set up and run the test suite"
	@echo "make test-slow / test-scale / test-faults - integration tests on generated data (nightly chain, imports, scale, SIGKILL)"
	@echo "make lint   - ruff check + format check"
	@echo "make bench  - benchmarks (writes bench/results/*.json)"
	@echo "make docs   - regenerate docs/tables.md"
	@echo "make image / image-smoke / chart-test / helm - container image and Helm chart (see docs/deploy.md)"

check-java:
	@command -v java >/dev/null 2>&1 || { echo "Java 17+ is required and was not found."; \
	  echo "Install it, e.g. 'apt-get install openjdk-17-jre-headless' (Debian/Ubuntu) or"; \
	  echo "'brew install openjdk@17' (macOS), or set JAVA_HOME."; exit 1; }
	@v=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1); \
	  if [ -z "$$v" ] || [ "$$v" -lt 17 ]; then echo "Java 17+ is required, found: $$(java -version 2>&1 | head -1)"; exit 1; fi
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PY=python3.11)")'
	@pkg-config --exists icu-uc 2>/dev/null || [ -f $(STAMP) ] || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && echo "installing ICU development files for PyICU" && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libicu-dev pkg-config g++ >/dev/null; } || \
	  { echo "ICU development files are needed to build PyICU (used for name transliteration):"; \
	    echo "  apt-get install libicu-dev pkg-config g++   (Debian/Ubuntu)   or   brew install icu4c pkg-config (macOS)"; exit 1; }

# Dependencies come from the hash-checked lock (every transitive version pinned); the package
# itself is installed editable without dependencies on top.
$(STAMP): pyproject.toml requirements-dev.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

venv: check-java $(STAMP)

# one Spark application: generation (skipped when the lakehouse has data), the night, the summary
demo: venv
	$(BIN)/fcc demo --lakehouse "$(DEMO_LAKEHOUSE)" --customers $(DEMO_CUSTOMERS) --days $(DEMO_DAYS) \
	  --seed $(DEMO_SEED) --as-of $(DEMO_END)

# helm is built from the Go module proxy once (.cache/bin/helm, as .ci/run does) when Go is
# present, so the chart tests run instead of skipping. The tests run in TEST_WORKERS processes,
# each with its own local Spark session; a test file's tests stay in one process, so a module's
# fixtures (generated worlds) are built once. TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 2
test: venv
	@if command -v go >/dev/null 2>&1; then \
	  timeout 1500 bash scripts/get-helm.sh || echo "helm build failed; helm-only chart tests will skip"; \
	else echo "go not found: the helm-only chart tests will skip (install Go, then 'make helm')"; fi
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# integration tests on generated data, skipped by `make test` for time: the nightly chain
# (backfill, rerun identity, replay, failed step), imported public samples, the scale guard,
# SIGKILL faults
test-slow: venv
	FCC_NIGHTLY_IT=1 FCC_FAULT_IT=1 FCC_SCALE_IT=1 $(BIN)/pytest tests/integration

# detection at a hundredth of the money and twice the density (two generated worlds)
test-scale: venv
	FCC_SCALE_IT=1 $(BIN)/pytest tests/integration/test_scale_invariance.py

test-faults: venv
	FCC_FAULT_IT=1 $(BIN)/pytest tests/integration/test_faults.py

lint: venv
	$(BIN)/ruff check libs tests jobs bench
	$(BIN)/ruff format --check libs tests jobs bench

format: venv
	$(BIN)/ruff format libs tests jobs bench
	$(BIN)/ruff check --fix libs tests jobs bench

docs: venv
	$(BIN)/fcc docs tables --out docs/tables.md

bench: venv
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) lakehouse spark-warehouse .pytest_cache
