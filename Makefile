# bizenv-analysis — the front door. `make help` lists the targets.
# `make study DATA=path/to/corpus` runs the study on another corpus: tables in DATA/processed,
# executed notebooks in DATA/notebooks, figures in DATA/figures; the bundled study is not touched.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The pinned sets of requirements/ (tools/lock.py): runtime is what `make study` runs; each extra is
# layered on it. One stamp per set, named by a checksum of what pip reads for it, so a changed lock
# or pyproject.toml reinstalls that set, and installing an extra leaves the runtime set alone.
LOCKS := requirements
EXTRAS := test site cluster lab
checksum = $(shell cat $(1) | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.installed-runtime-$(call checksum,$(LOCKS)/runtime.lock pyproject.toml)
$(foreach s,$(EXTRAS),$(eval STAMP_$(s) := $(VENV)/.installed-$(s)-$(call checksum,$(LOCKS)/$(s).lock)))
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
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

.PHONY: help study install install-test install-site install-cluster install-lab build notebooks readme site browser test unit nbval lint lab bench lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

study: install build notebooks readme  ## create .venv, install the runtime set, build all tables, run every notebook, README's findings (DATA=dir: your corpus)

install: $(STAMP)  ## create .venv (if missing) and install the runtime set (requirements/runtime.lock) and the package
install-test: $(STAMP_test)  ## add the test set: pytest, nbval, ruff
install-site: $(STAMP_site)  ## add the site set: Sphinx, myst-nb, furo, Playwright
install-cluster: $(STAMP_cluster)  ## add the cluster set: dask.distributed, for build --dask
install-lab: $(STAMP_lab)  ## add the lab set: JupyterLab

$(STAMP): $(LOCKS)/runtime.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required (found %s); set PYTHON=/path/to/python3.11" % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r $(LOCKS)/runtime.lock
	$(PIP) --no-deps -e .
	rm -f $(VENV)/.installed-runtime-* && touch $@

# An extra's lock starts with `-r runtime.lock`, which pip finds installed; a reinstalled runtime set
# (a newer $(STAMP)) re-checks the extras installed before it.
define EXTRA_RULE
$(STAMP_$(1)): $(LOCKS)/$(1).lock $(STAMP)
	$(PIP) -r $(LOCKS)/$(1).lock
	rm -f $(VENV)/.installed-$(1)-* && touch $$@
endef
$(foreach s,$(EXTRAS),$(eval $(call EXTRA_RULE,$(s))))

# The bundled study is two corpora, each with its own tables: the five sources (data/processed/) and
# the twelve regulations of their legal frame (data/regulations/processed/).
build: install  ## build data/processed/ and data/regulations/processed/ (DATA=dir: that corpus only, into dir/processed/)
	$(BIN)/python -m bizenv_analysis build $(DATA_ARG)
	$(if $(value DATA),,$(BIN)/python -m bizenv_analysis build --data data/regulations)

notebooks: install  ## execute every notebook from a clean kernel, side by side, then write figures/README.md (DATA=dir: into dir/notebooks/)
	$(BIN)/python tools/run_notebooks.py --jobs $(NB_JOBS) $(DATA_ARG) $(NOTEBOOKS)

readme: install  ## write README.md's findings block from data/processed/findings.csv (the bundled corpus only)
	$(BIN)/python tools/write_readme.py $(DATA_ARG)

site: install-site  ## the study's static site from the executed notebooks and figures, into _site/ (DATA=dir: dir/site)
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
# The site's browser test (tests/test_site.py) needs the site set, tests/test_parallel.py's Dask
# cluster the cluster set.
unit: install-test install-site install-cluster browser  ## pytest unit tests
	$(BIN)/python -m pytest -n auto --dist worksteal tests

# The notebooks save their figures into a scratch folder (BIZENV_FIGURES), so that `make test` changes no tracked file.
nbval: install-test  ## re-run every notebook and compare with its committed outputs (strict); figures to a scratch folder
	@figures=$$(mktemp -d) && trap 'rm -rf "$$figures"' EXIT && \
	  BIZENV_FIGURES=$$figures $(BIN)/python -m pytest -n auto --dist loadfile --nbval \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)

lint: install-test  ## ruff on the package, tests and notebooks
	$(BIN)/ruff check bizenv_analysis tests tools benchmarks notebooks site

# Jupyter refuses to start as root without --allow-root (a container's usual user, issue #27): added
# when `id -u` is 0, unless ARGS has it.
ALLOW_ROOT = $(if $(filter 0,$(shell id -u)),$(if $(filter --allow-root,$(ARGS)),,--allow-root))

lab: install-lab  ## open JupyterLab on the notebooks (ARGS="--port 9999" etc. passed on; --allow-root added as root)
	$(BIN)/jupyter lab notebooks $(ALLOW_ROOT) $(ARGS)

bench: install  ## scale, k-grid, shared-passage, article-alignment and study-time benchmarks; write benchmarks/*.md
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/k_selection.py
	$(BIN)/python benchmarks/passages.py
	$(BIN)/python benchmarks/alignment.py
	$(BIN)/python benchmarks/study_time.py

lock: install install-test install-site install-cluster install-lab  ## re-pin every set of requirements/ and environment.yml from .venv
	$(BIN)/python tools/lock.py

clean:  ## remove .venv and caches (keeps committed outputs)
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
