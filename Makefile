# One venv, made with the machine's Python 3.11 pip (which takes torch from local disk).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==2.14.1" "torchvision==0.29.1"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

## Set up and open dlquest on the bundled course (workspace: ./workspace).
run: $(STAMP)
	$(BIN)/dlquest init workspace
	$(BIN)/dlquest --workspace workspace

## Set up and run the whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest -q

## Timing figures (printed, never asserted).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_tui.py

clean:
	rm -rf $(VENV) *.egg-info
