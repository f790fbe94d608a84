# The two commands of the README: `make run` (set up and serve) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements/base.txt requirements/dev.txt requirements/prod.txt | sha256sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv setup lint format worker beat bench clean

$(STAMP): requirements/base.txt requirements/dev.txt requirements/prod.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt -r requirements/prod.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

venv: $(STAMP)

# Idempotent set-up: migrations, embedded market sample, first model, demo logins.
setup: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap

run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

worker: venv
	$(VENV)/bin/celery -A swingtrade worker --loglevel=INFO

beat: venv
	$(VENV)/bin/celery -A swingtrade beat --loglevel=INFO

bench: venv
	$(PY) bench/ingest.py
	$(PY) bench/model.py
	$(PY) bench/optimize.py

clean:
	rm -rf var staticfiles .pytest_cache
