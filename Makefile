# Two commands do everything: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= aptem.settings.dev

.PHONY: run serve test lint audit bench multi-instance install install-dev clean schema

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@ $(VENV)/.base-installed

install: $(VENV)/.base-installed
install-dev: $(VENV)/.dev-installed

# Links in development emails point at the port being served, unless SITE_URL says otherwise.
# Tasks go through the queue to a worker, as in production, so the fresh-link page answers in
# the same time whether or not an account waits at the address.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: export TASKS_BACKEND ?= database
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (emails are written to var/mail/)"
	@$(BIN)/python manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production on one machine: gunicorn and the task worker, with production settings (the
# README's production section lists the environment they need).
serve: export DJANGO_SETTINGS_MODULE = aptem.settings.production
serve: install
	$(BIN)/python manage.py serve

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r aptem api accounts employers learners uploads ui --severity-level medium
	$(BIN)/lint-imports
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=aptem.settings.test $(BIN)/python .ci/private_api.py
	DJANGO_SETTINGS_MODULE=aptem.settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=aptem.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

# Dependencies against the public advisory database (needs the network; CI here has none).
audit: install-dev
	$(BIN)/pip-audit --strict -r requirements/base.txt -r requirements/dev.txt

test: lint
	@bash .ci/ensure-chromium
	DJANGO_SETTINGS_MODULE=aptem.settings.test $(BIN)/pytest $(PYTEST_ARGS)

# Two web instances and workers on one PostgreSQL and Redis (restarts PostgreSQL; CI runs it).
multi-instance: install-dev
	$(BIN)/python -m tests.multi_instance

# PostgreSQL, the product's real database (the bench makes and drops its own test_ database).
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aptem_bench
bench: install-dev
	DJANGO_SETTINGS_MODULE=aptem.settings.test $(BIN)/python -m bench $(BENCH_ARGS)

# The API's OpenAPI schema, committed so a change to the API shows in review (a test compares).
schema: install-dev
	DJANGO_SETTINGS_MODULE=aptem.settings.test $(BIN)/python manage.py spectacular --validate --fail-on-warn --file docs/api/openapi.yaml

clean:
	rm -rf $(VENV) var
