# discourse: every step of the project is a target here. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORPUS ?= data/demo
REPORT_DIR ?= reports
SEED ?= 0
LOAD_OPTS ?=
VALIDATION ?=
# Dask scheduler of the report's theme counts: threads, processes, tcp://host:8786 (docs/scale.md)
SCHEDULER ?=
PYTEST_ARGS ?=
UNGDC ?= ../shared/corpora/ungdc.zip
LAB_OPTS ?=
SHIPPED_VALIDATION := src/discourse/themes/data/default-validation.csv

.PHONY: help setup report lab validate test test-fast bench lint format clean

help: ## Show this help
	@echo "discourse: make targets"
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'
	@echo
	@echo "Variables: CORPUS=$(CORPUS)  REPORT_DIR=$(REPORT_DIR)  SEED=$(SEED)  LOAD_OPTS='$(LOAD_OPTS)'  SCHEDULER=$(SCHEDULER)"

# The virtual environment is (re)built when missing or when pyproject.toml changes; the
# install is redone when setup.py or the compiled matcher loop (_scan.c) changes, so that
# the extension built in place is never older than its source.
$(STAMP): pyproject.toml setup.py src/discourse/themes/_scan.c
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@$(BIN)/python -c "from discourse.themes.matcher import EXTENSION as e; e or print('note: the compiled matcher loop (src/discourse/themes/_scan.c) was not built (no C compiler?): theme counts come from the NumPy path, the same counts about 1.5 times slower')"
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the project with its dev tools

report: $(STAMP) ## Build every report in reports/ (CORPUS=path for your own corpus, VALIDATION=labels.csv, SCHEDULER=processes|tcp://...)
	$(BIN)/discourse report $(CORPUS) $(LOAD_OPTS) --seed $(SEED) -o $(REPORT_DIR) $(if $(VALIDATION),--validation $(VALIDATION)) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

lab: $(STAMP) ## Start JupyterLab on notebooks/ (.py notebooks open as notebooks, on the .venv kernel; LAB_OPTS=...)
	@# jupyter-config/ (JUPYTER_CONFIG_PATH) makes jupytext the default viewer of .py files;
	@# jupytext.toml pairs notebooks/*.py with an .ipynb; JUPYTER_PATH puts the venv's
	@# kernel first, before any python3 kernel in the user's own Jupyter folders.
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter-config$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	JUPYTER_PATH="$(CURDIR)/$(VENV)/share/jupyter$${JUPYTER_PATH:+:$$JUPYTER_PATH}" \
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks $(LAB_OPTS)

validate: $(STAMP) ## Measure the built-in dictionary on the shipped UN labels -> default-validation.csv (needs UNGDC)
	@test -f "$(UNGDC)" || { echo "make validate: the UN General Debate corpus was not found at $(UNGDC)." >&2; \
		echo "  The shipped labels are sentences of it: put ungdc.zip there, or pass UNGDC=path/to/ungdc.zip." >&2; exit 1; }
	$(BIN)/discourse validate $(UNGDC) -o $(SHIPPED_VALIDATION)

test: $(STAMP) ## Run the test suite (real-corpus tests skip when ../shared is absent)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-fast: $(STAMP) ## Run the tests that need no real corpus
	$(BIN)/python -m pytest -q -m "not ungdc and not slow" $(PYTEST_ARGS)

bench: $(STAMP) ## Run benchmarks/ (installs the optional peers: gensim, tomotopy)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python benchmarks/run.py

lint: $(STAMP) ## Check style with ruff
	$(BIN)/ruff check src tests benchmarks setup.py

format: $(STAMP) ## Format code with ruff
	$(BIN)/ruff format src tests benchmarks setup.py

clean: ## Remove .venv, caches and generated reports
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist src/*.egg-info .bench
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find $(REPORT_DIR) -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
