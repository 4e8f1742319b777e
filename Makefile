# The same commands for newcomers, developers and CI.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
# What `make demo` needs: fimihub and its runtime dependencies only (`-e .`).
RUNTIME_STAMP = $(VENV)/.installed-runtime
# What the tests and checks need besides: every development tool and test peer, PySpark included (`.[dev]`).
DEV_STAMP = $(VENV)/.installed-dev
# OpenCTI's Python library, a test peer: it pins versions (setuptools, requests, opentelemetry) that cannot
# share the development environment, so it has one of its own, which the tests run it from.
# The stamp names the release series, so that moving the pin reinstalls it.
PYCTI_SERIES = 7.261026
OPENCTI_VENV = $(VENV)/peers/opencti
OPENCTI_STAMP = $(OPENCTI_VENV)/.installed-$(PYCTI_SERIES)
# Where `make bench` keeps the 10M-row export the scan benchmark reads (written once, reused).
BENCH_WORLD ?= /tmp/scan10m

# `make demo PORT=8001 HOST=0.0.0.0`: taken from the command line only, so that a HOST or PORT the shell
# happens to export never moves the demo; from the environment, use FIMIHUB_PORT and FIMIHUB_HOST.
DEMO_ARGS = $(if $(filter command line,$(origin PORT)),--port $(PORT)) \
	$(if $(filter command line,$(origin HOST)),--host $(HOST))

.PHONY: install demo test check lint typecheck contracts format bench clean

$(BIN)/python:
	@echo "==> creating the virtual environment $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> upgrading pip"
	$(BIN)/python -m pip install --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	@echo "==> installing fimihub and what it needs to run (pip install -e .)"
	$(BIN)/python -m pip install -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	@echo "==> installing fimihub with its development tools and test peers (pip install -e '.[dev]');"
	@echo "    PySpark and the peers are large: the first time takes a few minutes"
	$(BIN)/python -m pip install -e ".[dev]"
	touch $@ $(RUNTIME_STAMP)

$(OPENCTI_STAMP):
	@echo "==> installing OpenCTI's pycti $(PYCTI_SERIES), a test peer, in its own environment $(OPENCTI_VENV)"
	$(PYTHON) -m venv $(OPENCTI_VENV)
	$(OPENCTI_VENV)/bin/python -m pip install --quiet "pycti~=$(PYCTI_SERIES).0"
	touch $@

install: $(DEV_STAMP) $(OPENCTI_STAMP)  ## create .venv and install fimihub with its development tools and test peers

demo: $(RUNTIME_STAMP)  ## seed a demo hub (SQLite, from the simulator) and serve it on http://127.0.0.1:8000 (PORT=, HOST=)
	$(BIN)/fimihub demo $(strip $(DEMO_ARGS))

test: $(DEV_STAMP) $(OPENCTI_STAMP)  ## run every test (PostgreSQL too when FIMIHUB_TEST_DATABASE_URL is set)
	FIMIHUB_OPENCTI_PYTHON=$(abspath $(OPENCTI_VENV))/bin/python $(BIN)/pytest -n auto

check: lint typecheck contracts  ## everything CI checks besides the tests

lint: $(DEV_STAMP)
	$(BIN)/ruff check fimihub tests bench
	$(BIN)/ruff format --check fimihub tests bench

# One mypy run: the package strictly; tests/ and bench/ with untyped functions allowed but their bodies
# checked (the [tool.mypy] overrides in pyproject.toml).
typecheck: $(DEV_STAMP)
	$(BIN)/mypy

contracts: $(DEV_STAMP)
	$(BIN)/lint-imports --no-cache

format: $(DEV_STAMP)
	$(BIN)/ruff format fimihub tests bench
	$(BIN)/ruff check --fix fimihub tests bench

$(BENCH_WORLD)/posts.parquet: | $(RUNTIME_STAMP)
	$(BIN)/fimihub sim generate --seed 1 --scale 1250 --out $(BENCH_WORLD)

# Each command is the one docs/benchmarks.md names beside its figures; each rewrites its own section there.
bench: $(DEV_STAMP) $(BENCH_WORLD)/posts.parquet  ## every benchmark of docs/benchmarks.md, each beside its peer tool (a long run)
	$(BIN)/python -m pip install -e ".[dev,bench]"
	$(BIN)/python bench/text_bench.py --docs 100000 --queries 2000
	$(BIN)/python bench/scan_bench.py --world $(BENCH_WORLD) --workers 1 2 2 --write
	$(BIN)/python bench/pdq_bench.py --sizes 1000000 10000000 --queries 1000
	$(BIN)/python bench/coordination_bench.py --sizes 20000,100000,400000 --qut-max 400000 --big-actions 10000000
	$(BIN)/python bench/resurgence_eval.py --seeds 11 12 13 14 15 16 17 18
	$(BIN)/python bench/taxii_bench.py --sizes 10000,100000

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache fimihub-demo.db* fimihub-demo-world
