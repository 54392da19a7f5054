# Työpari — the two commands a newcomer needs: `make run` and `make test`.
# Without DATABASE_URL an embedded PostgreSQL starts under .data/postgres;
# without REDIS_URL Celery tasks run in-process.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Reinstall whenever a requirements file changes.
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# Development defaults; production runs gunicorn with its own environment (README).
export DEBUG ?= true

.PHONY: run test install migrate demo-logins db-stop clean help screenshots bench-free-times

help:
	@echo "make run     - install, start the database, migrate, load demo data, serve http://$(HOST):$(PORT)"
	@echo "make test    - install, start the database, run the whole test suite"
	@echo "make db-stop - stop the embedded PostgreSQL server"
	@echo "make screenshots - the README screenshots from the demo (needs DATABASE_URL and Chromium)"
	@echo "make bench-free-times - median/p95 of the next-free-time search, 20 pairs, four weeks (rolled back)"

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo --if-empty
	@echo "Työpari: http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	@# Start (or reuse) the database before the parallel workers need it.
	$(PY) manage.py check
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

# The README's screenshots: demo data in a scratch database, gunicorn with DEBUG=false, Chromium (bench/screenshots.py).
screenshots: install
	$(PY) bench/screenshots.py

# The next-free-time search for a team of 20 pairs, four weeks ahead: synthetic data in a rolled-back transaction.
bench-free-times: migrate
	$(PY) manage.py bench_free_times

demo-logins: install
	@$(PY) manage.py seed_demo --print-logins

db-stop: install
	$(PY) manage.py embedded_db stop

clean:
	rm -rf $(VENV) .pytest_cache test-results staticfiles
