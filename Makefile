# jiandu — `make` alone lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help setup system envs demo up down status test test-fast lock docs clean

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(PYTHON) -m uv
VENVS := .venvs
JIANDU := $(VENVS)/main/bin/jiandu
# three workers on two cores: much of the suite waits on servers and subprocesses (dbt, Airflow,
# Superset), and a third worker fills those waits
PYTEST_WORKERS ?= 3
PYTEST_ARGS ?=

help: ## list the targets
	@echo "jiandu 监督 — law-enforcement supervision data platform"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: envs ## install everything, initialise databases and tools, then run the main job (demo)
	$(JIANDU) setup --demo

system: ## install the system packages no wheel provides (Chromium for browser tests), if missing
	@bash scripts/system-packages.sh

envs: system ## create or update the three pinned environments (main, dbt, superset) with uv
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || { echo "[envs] installing uv $(UV_VERSION) from PyPI"; $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"; }
	@# --python names the target explicitly: `python -m uv pip` would otherwise install into the
	@# interpreter that runs uv, i.e. the system Python.
	@for env in main dbt superset; do \
	  if [ ! -x $(VENVS)/$$env/bin/python ]; then $(UV) venv --quiet --python $(PYTHON) $(VENVS)/$$env || exit 1; fi; \
	  echo "[envs] $$env <- requirements/$$env.lock.txt"; \
	  $(UV) pip sync --quiet --python $(VENVS)/$$env/bin/python requirements/$$env.lock.txt || exit 1; \
	done
	@$(UV) pip install --quiet --no-deps --python $(VENVS)/main/bin/python -e .

demo: ## the main job: demo data in the three sources, the pipeline DAG once, a summary
	$(JIANDU) demo

up: ## start Airflow, Superset, the case-entry service and the hub simulator on localhost
	$(JIANDU) up

down: ## stop what `make up` started
	$(JIANDU) down

status: ## which servers run, and where
	$(JIANDU) status

test: envs ## run the test suite (sets up databases first if needed)
	$(JIANDU) setup --no-demo
	$(VENVS)/main/bin/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lock: ## re-resolve the lock files from requirements/*.in (then commit them)
	@for env in main dbt superset; do \
	  $(UV) pip compile --quiet --python 3.11 --python-platform x86_64-unknown-linux-gnu \
	    requirements/$$env.in -o requirements/$$env.lock.txt || exit 1; done

docs: ## build and serve the dbt docs (the analysts' catalogue) on http://127.0.0.1:8081
	$(JIANDU) dbt docs generate
	$(JIANDU) dbt docs serve --port 8081 --host 127.0.0.1

clean: ## stop servers and remove local state (var/) — keeps the environments
	-$(JIANDU) down
	rm -rf var dbt/target dbt/logs
