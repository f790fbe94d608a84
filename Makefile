# The two commands of the README: `make run` (set up and serve) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements/base.txt requirements/dev.txt requirements/prod.txt | sha256sum | cut -c1-12)
# The lock files (requirements/*.txt, every package pinned with its hashes) are generated from the
# sources requirements/*.in by `make lock`; pip-compile keeps the pins already in a lock file unless
# an .in file asks otherwise. Hashes come from PyPI alone (no local mirror or wheel folder).
PIP_COMPILE := env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null $(VENV)/bin/pip-compile \
	--quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
# Test-only reference for the replay's statistics, outside the lock (requirements/dev.in says why).
EMPYRICAL := empyrical-reloaded==0.7.1 bottleneck==1.6.0
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv setup lint format worker beat bench clean lock

$(STAMP): requirements/base.txt requirements/dev.txt requirements/prod.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt -r requirements/prod.txt
	$(PY) -m pip install --quiet --no-deps $(EMPYRICAL)
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

venv: $(STAMP)

lock:
	@test -x $(VENV)/bin/pip-compile || { echo "pip-tools is missing: make venv first" >&2; exit 1; }
	$(PIP_COMPILE) --output-file=requirements/base.txt requirements/base.in
	$(PIP_COMPILE) --output-file=requirements/dev.txt requirements/dev.in
	$(PIP_COMPILE) --output-file=requirements/prod.txt requirements/prod.in

# Idempotent set-up: migrations, embedded market sample, first model, demo logins.
setup: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap

run: setup
	MARKET_CLOCK_DATE=$${MARKET_CLOCK_DATE-2021-04-21} $(PY) manage.py runserver $(HOST):$(PORT)  # pinned to the embedded sample's last session (docs/replay.md)

# `make test`: the whole suite on what the environment names (SQLite and eager Celery when DATABASE_URL
# and REDIS_URL are unset), then, for each of those left unset whose service answers on 127.0.0.1, a
# second pass of the tests of that path: `postgres` (COPY, bulk-load DDL, real commit/rollback) and
# `integration` (a Celery worker through Redis). CI (.ci/run) sets both URLs: one pass runs everything.
TEST_DATABASE_URL ?= postgres://swingtrade:swingtrade@127.0.0.1:5432/swingtrade
TEST_REDIS_URL ?= redis://127.0.0.1:6379/14
test: venv
	$(PY) -m pytest $(PYTEST_ARGS)
	@extra=""; marks=""; \
	if [ -z "$$DATABASE_URL" ] && command -v pg_isready >/dev/null && pg_isready -h 127.0.0.1 -p 5432 -q; then \
		extra="DATABASE_URL=$(TEST_DATABASE_URL)"; marks="postgres"; fi; \
	if [ -z "$$REDIS_URL" ] && command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then \
		extra="$$extra REDIS_URL=$(TEST_REDIS_URL)"; marks="$${marks:+$$marks or }integration"; fi; \
	if [ -n "$$marks" ]; then \
		echo "== services answer: the '$$marks' tests again with $$extra"; \
		env $$extra $(PY) -m pytest -m "$$marks" $(PYTEST_ARGS); \
	else echo "== no PostgreSQL/Redis on 127.0.0.1 (or their URLs set): no second pass"; fi

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

worker: venv
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-swingtrade.settings.base} $(VENV)/bin/celery -A swingtrade worker --loglevel=INFO

beat: venv
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-swingtrade.settings.base} $(VENV)/bin/celery -A swingtrade beat --loglevel=INFO

bench: venv
	$(PY) bench/ingest.py
	$(PY) bench/model.py
	$(PY) bench/optimize.py

clean:
	rm -rf var staticfiles .pytest_cache
