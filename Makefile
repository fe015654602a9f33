# Ponte: `make run` to try it, `make test` to prove it. Everything else is detail.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run serve install install-test translations migrate demo test test-sqlite test-postgres \
        postgres chromium lint clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: install
	$(FLASK) translate compile

migrate: install
	mkdir -p instance
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load --if-empty

## run: install, migrate, load the demo town on first run, serve on 127.0.0.1:$(PORT)
run: translations demo
	@$(FLASK) demo logins
	$(PY) -m webapp.devserver --port $(PORT)

## test: the whole suite on SQLite, then on PostgreSQL
test: install-test translations chromium postgres
	PONTE_TEST_DATABASE_URL= $(PY) -m pytest $(PYTEST_ARGS)
	PONTE_TEST_DATABASE_URL=$(PG_URL) $(PY) -m pytest $(PYTEST_ARGS)

test-sqlite: install-test translations
	PONTE_TEST_DATABASE_URL= $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install-test translations postgres
	PONTE_TEST_DATABASE_URL=$(PG_URL) $(PY) -m pytest $(PYTEST_ARGS)

# Debian's chromium for the browser journeys (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# Start the local PostgreSQL cluster if it is down.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }

lint: install-test
	$(VENV)/bin/ruff check webapp matching tests benchmarks

clean:
	rm -rf $(VENV) instance/ponte.db*
