# Ponte: `make run` to try it, `make test` to prove it. Everything else is detail.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432
PG_USER ?= postgres
PG_DB ?= test
PG_URL ?= postgresql+psycopg://$(PG_USER)@$(PG_HOST):$(PG_PORT)/$(PG_DB)
PYTEST_ARGS ?=

.PHONY: run install install-test translations migrate demo test test-sqlite test-postgres \
        postgres chromium lint audit clean vendor

$(VENV)/bin/python:
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Ponte needs Python 3.11 or newer (python3 is $$(python3 -V))"; exit 1; }
	python3 -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "python3 -m venv failed: on Debian/Ubuntu run 'apt-get install python3-venv'"; exit 1; }
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	@echo "Installing Ponte's Python packages (a minute or two the first time)..."
	$(PY) -m pip install -q -e .
	@# The visits search (numba) compiles in the background when `make run` starts
	@# (webapp/devserver.py); a deployment warms it once after installing (docs/deploy.md).
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Front-end libraries (the map: Leaflet; the observatory's charts: Chart.js) from the npm registry, at the versions pinned in
# package-lock.json, copied into webapp/static/vendor/ (not in git). Without them the
# pages still work: a pin is then placed by typing its coordinates.
VENDOR := webapp/static/vendor
$(VENDOR)/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm; }
	npm ci --no-audit --no-fund --ignore-scripts
	rm -rf $(VENDOR)/leaflet && mkdir -p $(VENDOR)/leaflet
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
	  node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	rm -rf $(VENDOR)/chartjs && mkdir -p $(VENDOR)/chartjs
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md $(VENDOR)/chartjs/
	touch $@
vendor: $(VENDOR)/.installed

translations: install
	$(FLASK) translate compile

migrate: install
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) shifts rebuild-candidates

demo: migrate
	$(FLASK) demo load --if-empty

## run: install, migrate, load the demo town on first run, serve on 127.0.0.1:$(PORT)
run: translations vendor demo
	@# The server prints the demo logins last, once everything is up.
	@$(PY) -m webapp.devserver --port $(PORT)

## test: the whole suite on SQLite, then on PostgreSQL
test: install-test translations vendor chromium postgres
	PONTE_TEST_DATABASE_URL= $(PY) -m pytest $(PYTEST_ARGS)
	PONTE_TEST_DATABASE_URL=$(PG_URL) $(PY) -m pytest $(PYTEST_ARGS)

test-sqlite: install-test translations vendor
	PONTE_TEST_DATABASE_URL= $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install-test translations vendor postgres
	PONTE_TEST_DATABASE_URL=$(PG_URL) $(PY) -m pytest $(PYTEST_ARGS)

## audit: known vulnerabilities in the runtime dependencies (pip-audit, or what the
## registry serves when no vulnerability database is reachable: tools/audit_dependencies.py)
audit: install-test
	$(PY) tools/audit_dependencies.py

# Debian's chromium for the browser journeys (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# Start the local PostgreSQL cluster if it is down, and create the test database.
postgres:
	@command -v pg_isready >/dev/null || { \
	  echo "PostgreSQL is not installed: apt-get install postgresql (see docs/deploy.md)"; exit 1; }
	@pg_isready -q -h $(PG_HOST) -p $(PG_PORT) || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  for v in $$(ls /etc/postgresql); do \
	    $$SUDO pg_ctlcluster --skip-systemctl-redirect $$v main start || true; done; \
	  for i in $$(seq 1 30); do pg_isready -q -h $(PG_HOST) -p $(PG_PORT) && break; sleep 1; done; \
	  pg_isready -q -h $(PG_HOST) -p $(PG_PORT) || { echo "PostgreSQL did not start"; exit 1; }; }
	@psql -h $(PG_HOST) -p $(PG_PORT) -U $(PG_USER) -d postgres -tAc \
	  "SELECT 1 FROM pg_database WHERE datname = '$(PG_DB)'" | grep -q 1 || \
	  createdb -h $(PG_HOST) -p $(PG_PORT) -U $(PG_USER) $(PG_DB)

## lint: style, the one-way layout (docs/architecture.md) and the types
lint: install-test
	$(VENV)/bin/ruff check $(wildcard webapp matching tests benchmarks tools)
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) instance/ponte.db* node_modules $(VENDOR)
