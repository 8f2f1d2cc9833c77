# bizenv-analysis — the front door. `make help` lists the targets.
# `make study DATA=path/to/corpus` runs the study on another corpus: tables in DATA/processed,
# executed notebooks in DATA/notebooks, figures in DATA/figures; the bundled study is not touched.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# Kernels at once: one more than the cores, so a core is never idle while a kernel starts.
NB_JOBS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
# Quiet, reproducible runs: no bytecode next to sources, one BLAS thread, no kernel chatter.
export PYTHONDONTWRITEBYTECODE := 1
export OMP_NUM_THREADS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export MPLBACKEND := Agg

# `--data DATA` for the commands below, DATA taken literally: make's $(value) and single quotes
# keep make and the shell from expanding a $ (or a space, quote or backquote) in a folder's name.
DATA_ARG = $(if $(value DATA),--data '$(subst ','\'',$(value DATA))')

.PHONY: help study install build notebooks site browser test unit nbval lint lab bench lock clean

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
	$(BIN)/python -m bizenv_analysis build $(DATA_ARG)

notebooks: install  ## execute every notebook from a clean kernel, side by side (DATA=dir: into dir/notebooks/)
	$(BIN)/python tools/run_notebooks.py --jobs $(NB_JOBS) $(DATA_ARG) $(NOTEBOOKS)

site: install  ## the study's static site from the executed notebooks and figures, into _site/ (DATA=dir: dir/site)
	$(BIN)/python tools/build_site.py $(DATA_ARG)

# The site's browser test drives Debian's chromium; as root, a machine without it gets it here.
browser:  ## install Debian's chromium for the site's browser test, if missing (as root; else says how)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the site's browser test"; \
	    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium fonts-dejavu-core >/dev/null; } \
	    || echo "could not install chromium (offline?), so the site's browser test is skipped"; \
	  else echo "chromium is missing, so the site's browser test is skipped: sudo apt-get install chromium"; fi; }

test: unit nbval lint  ## unit tests (the site's in a headless browser among them), nbval on every notebook, ruff

# Tests run on every core (pytest-xdist): a worker that runs out of tests takes some of the other's
# (worksteal), so the long ones do not end the run alone; nbval keeps each notebook's cells on one
# worker, in order (loadfile).
unit: install browser  ## pytest unit tests
	$(BIN)/python -m pytest -n auto --dist worksteal tests

nbval: install  ## re-run every notebook and compare with its committed outputs (strict)
	$(BIN)/python -m pytest -n auto --dist loadfile --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)

lint: install  ## ruff on the package, tests and notebooks
	$(BIN)/ruff check bizenv_analysis tests tools benchmarks notebooks site

lab: install  ## open JupyterLab on the project's environment (ARGS=--allow-root etc. passed on)
	$(BIN)/jupyter lab notebooks $(ARGS)

bench: install  ## scale, k-grid, shared-passage and study-time benchmarks; write benchmarks/*.md
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/k_selection.py
	$(BIN)/python benchmarks/passages.py
	$(BIN)/python benchmarks/study_time.py

lock: install  ## re-pin requirements.lock and environment.yml from .venv
	$(BIN)/python tools/lock.py

clean:  ## remove .venv and caches (keeps committed outputs)
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
