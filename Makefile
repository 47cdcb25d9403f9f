# Two commands do everything on a fresh machine (see README.md):
#   make run   – install, migrate SQLite, load the demo data, start the web server and the task worker
#   make test  – install, ruff, mypy, the whole suite on SQLite and again on PostgreSQL
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# The PostgreSQL leg uses DATABASE_URL when it is set (the SQLite leg ignores it).
POSTGRES_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)

.PHONY: run test install assets lint typecheck test-sqlite test-postgres clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==25.3
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

casereviews/static/css/app.css: node_modules/.installed $(wildcard frontend/scss/*.scss)
	npm run --silent build

install: $(VENV)/.installed assets

assets: casereviews/static/css/app.css

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_demo
	scripts/run-dev.sh

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy casereviews extraction

test-sqlite: install
	env -u DATABASE_URL $(PY) -m pytest --ds=casereviews.test_settings -rs -n 2 --durations=15

test-postgres: install
	@if $(PY) scripts/database_reachable.py "$(POSTGRES_URL)"; then \
		echo "== PostgreSQL leg: $(POSTGRES_URL)"; \
		DATABASE_URL="$(POSTGRES_URL)" $(PY) -m pytest --ds=casereviews.test_settings -rs -n 2 --durations=15; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL is not reachable at $(POSTGRES_URL), and REQUIRE_POSTGRES is set: failing."; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(POSTGRES_URL): ran the SQLite leg only."; \
	fi

test: lint typecheck test-sqlite test-postgres

clean:
	rm -rf $(VENV) node_modules staticfiles casereviews/static/css/app.css casereviews/static/vendor
