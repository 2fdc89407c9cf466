# One venv, made with the machine's Python 3.11 pip (which takes torch from local disk).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The full suite on every core; `make test WORKERS=0` runs it in one process (easier to debug).
WORKERS ?= auto

.PHONY: setup browser run test test-fast lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==2.14.1" "torchvision==0.29.1"
	$(BIN)/python -m pip install --quiet -e ".[test,lint,cluster]"
	touch $(STAMP)

setup: $(STAMP)

## The browser tests (class report, `dlquest serve`) drive the system's Chromium: Debian's package, installed
## here when missing and we may (root); otherwise those tests skip and say how to get it.
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium for the browser tests (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "no chromium: the browser tests will skip (sudo apt-get install chromium)"; fi

## Set up and open dlquest on the bundled course (workspace: ./workspace).
run: $(STAMP)
	$(BIN)/dlquest init workspace
	$(BIN)/dlquest --workspace workspace

## Set up and run the whole test suite, in parallel (what CI runs, after `make lint`).
test: $(STAMP) browser
	$(BIN)/python -m pytest -q -n $(WORKERS)

## Every test that needs no real grading, child process or training: about a minute, while you work.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n $(WORKERS) -m "not grading and not slow"

## Static checks: ruff, mypy on the core, the import contracts.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Timing figures (printed, never asserted).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_tui.py
	$(BIN)/python benchmarks/bench_rules.py
	$(BIN)/python benchmarks/bench_report.py
	$(BIN)/python benchmarks/bench_daemon.py
	$(BIN)/python benchmarks/bench_watch.py

clean:
	rm -rf $(VENV) *.egg-info
