# Two commands do everything on a fresh machine (see README.md):
#   make run   – install, migrate SQLite, load the demo data, start the web server and the task worker
#   make test  – install, ruff, mypy, bandit, pip-audit and the SBOM, the whole suite on SQLite and again on PostgreSQL
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# The PostgreSQL leg uses DATABASE_URL when it is set (the SQLite leg ignores it).
POSTGRES_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)

# pip-audit asks PyPI's JSON API about each pinned version. Where that API does not answer (this project's own
# machines reach PyPI's package index but not that API), `make security` says so in capitals and goes on;
# REQUIRE_PIP_AUDIT=1 makes it fail instead (docs/operations.md, "Security checks").
PIP_AUDIT_PROBE := https://pypi.org/pypi/pip/25.3/json
# Vulnerabilities that do not apply, one `--ignore-vuln ID` each with its reason in a comment above it. None yet.
PIP_AUDIT_IGNORES :=

.PHONY: run test install assets lint typecheck security sbom requirements test-sqlite test-postgres clean

# Every file pip installs must match a hash in requirements.txt (pip itself and setuptools included).
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	scripts/install-requirements.sh $(VENV) --quiet
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

# The software bill of materials (ASVS 14.2.5; docs/operations.md, "Security checks"): CycloneDX JSON of the installed
# Python packages and of the npm packages package-lock.json pins, each checked against the CycloneDX schema. Made
# by every `make security`, so by every `make test`; git-ignored, never committed. About two seconds.
SBOM_DIR ?= sbom
sbom: $(VENV)/.installed
	$(PY) scripts/sbom.py $(SBOM_DIR)

security: $(VENV)/.installed sbom
	$(VENV)/bin/bandit -r casereviews extraction -c pyproject.toml -q
	@echo "bandit: no issues (skipped checks and why: pyproject.toml [tool.bandit])"
	@if $(PY) -c "import urllib.request; urllib.request.urlopen('$(PIP_AUDIT_PROBE)', timeout=20)" 2>/dev/null; then \
		$(VENV)/bin/pip-audit --strict --require-hashes --disable-pip --progress-spinner off \
			-r requirements.txt $(PIP_AUDIT_IGNORES); \
	elif [ -n "$$REQUIRE_PIP_AUDIT" ]; then \
		echo "pip-audit: PyPI's vulnerability API ($(PIP_AUDIT_PROBE)) does not answer, and REQUIRE_PIP_AUDIT is set: failing."; \
		exit 1; \
	else \
		echo "pip-audit: NOT RUN. PyPI's vulnerability API ($(PIP_AUDIT_PROBE)) does not answer from this machine,"; \
		echo "pip-audit: so the pinned packages were NOT checked for known vulnerabilities. Run \`make security\` where it"; \
		echo "pip-audit: answers, or set REQUIRE_PIP_AUDIT=1 to fail here instead (docs/operations.md, Security checks)."; \
	fi

# Regenerate requirements.txt from requirements.in with pip-tools, in a throwaway virtualenv (pip-tools is not a
# need of the project): every package pinned, with the hash of every file PyPI serves for it. The pins already in
# requirements.txt are kept; to move one: make requirements PIP_COMPILE_ARGS="--upgrade-package NAME==VERSION".
PIP_TOOLS_VENV ?= /tmp/casereviews-pip-tools
requirements:
	$(PYTHON) -m venv $(PIP_TOOLS_VENV)
	$(PIP_TOOLS_VENV)/bin/pip install --quiet pip-tools==7.6.2
	CUSTOM_COMPILE_COMMAND="make requirements" $(PIP_TOOLS_VENV)/bin/pip-compile --quiet --generate-hashes \
		--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(PIP_COMPILE_ARGS) \
		--output-file=requirements.txt requirements.in

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

test: lint typecheck security test-sqlite test-postgres

clean:
	rm -rf $(VENV) node_modules staticfiles sbom casereviews/static/css/app.css casereviews/static/vendor
