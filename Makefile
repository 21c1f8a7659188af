# Safehub. `make demo` serves the demo; `make test` runs the whole suite. `make help` lists all.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTEST := $(BIN)/pytest -p no:cacheprovider
RESULTS := var/test-results
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup preflight demo test lint typecheck security migrations-check contracts test-unit \
	test-integration test-sqlite test-postgres test-browser checks frontend clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

STATIC_OUT := src/safehub/web/static/web/app.css
$(STATIC_OUT): node_modules/.installed scripts/build-frontend.mjs $(wildcard src/safehub/web/assets/*.scss)
	node scripts/build-frontend.mjs

frontend: $(STATIC_OUT) ## Build the CSS and copy GOV.UK Frontend's JS and images

setup: $(BIN)/.installed frontend ## Create .venv, install Python and npm packages, build assets

demo: setup ## Set up, load the demo data into var/safehub.sqlite3 and serve on http://127.0.0.1:$${PORT:-8000}
	DJANGO_SETTINGS_MODULE=safehub.settings.demo $(BIN)/safehub demo

# Two jobs at a time, one a core: the PostgreSQL suite (the longest) starts at once, the static
# checks and then the other suites run on the other core, each starting when a core frees.
# `--output-sync` prints each job's output whole when it ends.
test: setup preflight ## Everything CI runs
	$(MAKE) --no-print-directory -j2 --output-sync=target \
		test-postgres checks test-sqlite test-browser test-unit
	@$(BIN)/python scripts/test-summary.py $(RESULTS)

checks: lint typecheck security migrations-check contracts ## The static checks: everything but the tests

preflight: setup ## Stop at once, saying what to install, if the machine lacks Pango or Chromium
	@$(BIN)/python scripts/preflight.py

lint: setup ## ruff lint and format check
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup ## mypy with django-stubs
	$(BIN)/mypy

security: setup ## bandit over src: any high-severity finding fails
	$(BIN)/bandit -r src -lll -q

migrations-check: setup ## Fail when models and migrations disagree
	DJANGO_SETTINGS_MODULE=safehub.settings.test $(BIN)/safehub makemigrations --check --dry-run

contracts: setup ## import-linter architecture contracts
	$(BIN)/lint-imports --no-cache

test-unit: setup ## Unit tests (no database)
	$(PYTEST) --junitxml=$(RESULTS)/unit.xml tests/unit

test-integration: setup ## Integration tests on SQLite and PostgreSQL side by side (one core each)
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite: setup ## Integration tests on SQLite
	SAFEHUB_TEST_DATABASE=sqlite $(PYTEST) --junitxml=$(RESULTS)/sqlite.xml tests/integration

# With no server answering at SAFEHUB_TEST_POSTGRES_URL, the run gets a throwaway one
# (tests/support/postgres_cluster.py), deleted after whatever happens.
test-postgres: setup ## Integration tests on PostgreSQL (a throwaway server if none answers)
	SAFEHUB_TEST_DATABASE=postgres $(BIN)/python -m tests.support.postgres_cluster -- \
		$(PYTEST) --junitxml=$(RESULTS)/postgres.xml tests/integration

test-browser: setup ## Browser tests: Playwright driving Chromium
	$(PYTEST) --junitxml=$(RESULTS)/browser.xml tests/e2e

clean: ## Remove the virtualenv, node_modules, built assets and var/ (the demo database!)
	rm -rf $(VENV) node_modules var src/safehub/web/static/govuk $(STATIC_OUT)
