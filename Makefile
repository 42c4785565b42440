# JXC: `make run` sets up and starts the demo on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv run seed test e2e lint fmt bench bench-forecast check-deploy messages compilemessages clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed ## Create the virtualenv and install the requirements

run: venv ## Migrate, load the demo company, print the demo logins, serve on HOST:PORT (127.0.0.1:8000) with a job worker (Ctrl-C stops both)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --url http://$(HOST):$(PORT)/
	$(PY) manage.py run_with_worker $(HOST):$(PORT)

seed: venv ## Load the demo company (idempotent); SCALE=... for the benchmark data set
	$(PY) manage.py seed_demo $(if $(SCALE),--scale $(SCALE),)

# pytest exits non-zero on any failure, and with 5 when it collects no test at all, so an empty
# or broken collection fails too. --strict-markers (pytest.ini) refuses unknown marks.
test: venv ## Migrations check, lint, then the whole suite (DATABASE_URL=postgres://... for PostgreSQL)
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

e2e: venv ## Only the browser tests (headless chromium against a live server)
	$(VENV)/bin/pytest -p no:xdist -m e2e $(PYTEST_ARGS)

lint: venv ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: venv ## Format and autofix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: venv ## Benchmarks (needs PostgreSQL; BENCH_DATABASE_URL overrides the default)
	$(PY) benchmarks/run.py
	$(PY) benchmarks/imports.py
	$(PY) benchmarks/analytics.py

bench-forecast: venv ## Forecast engine benchmark: 10,000 products × 104 weeks beside statsmodels (no database)
	$(PY) benchmarks/forecast.py

check-deploy: venv ## Django's deployment checklist with production settings
	DJANGO_SETTINGS_MODULE=config.settings.prod DEBUG=0 \
	SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	$(PY) manage.py check --deploy --fail-level WARNING

messages: venv ## Extract messages: each app into apps/<app>/locale, templates/ and config/ into locale/
	for app in apps/*/; do \
	  mkdir -p $$app/locale && (cd $$app && ../../$(PY) ../../manage.py makemessages -l zh_Hans --no-obsolete \
	    --settings=config.settings.messages) || exit 1; \
	done
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore 'apps/*' --ignore '.venv/*' \
	  --ignore 'staticfiles/*' --ignore 'static/*' --ignore 'node_modules/*'

compilemessages: venv ## Compile the message catalogs (.mo files are committed)
	$(PY) manage.py compilemessages --ignore '.venv/*' --ignore 'staticfiles/*'

clean: ## Remove the virtualenv, the SQLite database and collected static files
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles
