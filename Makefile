# The same commands for newcomers, developers and CI.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-stamp

.PHONY: install demo test check lint typecheck contracts format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install fimihub with its development tools

demo: $(STAMP)  ## seed a demo hub (SQLite, from the simulator) and serve it on http://127.0.0.1:8000
	$(BIN)/fimihub demo

test: $(STAMP)  ## run every test (PostgreSQL too when FIMIHUB_TEST_DATABASE_URL is set)
	$(BIN)/pytest -n auto

check: lint typecheck contracts  ## everything CI checks besides the tests

lint: $(STAMP)
	$(BIN)/ruff check fimihub tests bench
	$(BIN)/ruff format --check fimihub tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format fimihub tests bench
	$(BIN)/ruff check --fix fimihub tests bench

bench: $(STAMP)  ## the benchmarks of docs/benchmarks.md, each beside its peer tool (takes tens of minutes)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python bench/text_bench.py --docs 100000 --queries 2000
	$(BIN)/python bench/pdq_bench.py --sizes 1000000 10000000 --queries 1000
	$(BIN)/python bench/scan_bench.py --rows 1000000 --signals 100000

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache fimihub-demo.db*
