# bizenv-analysis — the front door. `make help` lists the targets.
# `make study DATA=path/to/corpus` runs the study on another corpus: tables in DATA/processed,
# executed notebooks in DATA/notebooks, figures in DATA/figures; the bundled study is not touched.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
NB_LAST := $(lastword $(NOTEBOOKS))
NB_FIRST := $(filter-out $(NB_LAST),$(NOTEBOOKS))
NB_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# Quiet, reproducible runs: no bytecode next to sources, one BLAS thread, no kernel chatter.
export PYTHONDONTWRITEBYTECODE := 1
export OMP_NUM_THREADS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export MPLBACKEND := Agg

.PHONY: help study install build notebooks run-notebook test unit nbval lint lab bench lock clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

study: install build notebooks  ## create .venv, install the lock, build all tables, run every notebook (DATA=dir: your corpus)

install: $(STAMP)  ## create .venv (if missing) and install the pinned dependencies

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required (found %s); set PYTHON=/path/to/python3.11" % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

build: install  ## build data/processed/ from data/raw/ (DATA=dir: that corpus, into dir/processed/)
	$(BIN)/python -m bizenv_analysis build $(if $(DATA),--data "$(DATA)")

notebooks: install  ## execute every notebook from a clean kernel, side by side (DATA=dir: into dir/notebooks/)
	@$(if $(DATA),mkdir -p "$(DATA)/notebooks";) \
	printf '%s\n' $(NB_FIRST) | xargs -P $(NB_JOBS) -I{} $(MAKE) --no-print-directory run-notebook NB={} && \
	$(MAKE) --no-print-directory run-notebook NB=$(NB_LAST)

# One notebook (NB=path); 01–08 only read the built tables, so they run side by side; the last
# one (09) gathers their figures and runs after them.
run-notebook:
	@echo "executing $(NB)$(if $(DATA), on $(DATA))"
	@$(if $(DATA),BIZENV_DATA="$(abspath $(DATA))") $(BIN)/jupyter nbconvert --to notebook --execute \
	    $(if $(DATA),--output-dir "$(DATA)/notebooks",--inplace) --log-level=ERROR --KernelManager.transport_encryption=auto \
	    --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=1200 $(NB)

test: unit nbval lint  ## unit tests, nbval on every notebook, ruff

unit: install  ## pytest unit tests
	$(BIN)/python -m pytest tests

nbval: install  ## re-run every notebook and compare with its committed outputs (strict)
	$(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)

lint: install  ## ruff on the package, tests and notebooks
	$(BIN)/ruff check bizenv_analysis tests tools benchmarks notebooks

lab: install  ## open JupyterLab on the project's environment (ARGS=--allow-root etc. passed on)
	$(BIN)/jupyter lab notebooks $(ARGS)

bench: install  ## scale benchmark; writes benchmarks/results.md
	$(BIN)/python benchmarks/scale.py

lock: install  ## re-pin requirements.lock and environment.yml from .venv
	$(BIN)/python tools/lock.py

clean:  ## remove .venv and caches (keeps committed outputs)
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
