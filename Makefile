# Set-up and everyday commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Parallel test workers (pytest-xdist); `make test XDIST=0` runs in one process.
XDIST ?= auto

.PHONY: run test install install-dev migrate demo messages lint bench bench-search bench-reports bench-reference clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# .mo catalogues are committed; this rebuilds them after editing a .po file.
messages: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=static_collected

migrate: install
	$(PY) manage.py migrate --noinput

# Loads the demo town only into an empty database, so `make run` keeps your changes.
demo: migrate
	$(PY) manage.py load_demo --if-empty

run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install-dev
	$(VENV)/bin/pytest -n $(XDIST)

# ruff, then the import contracts between apps (pyproject.toml [tool.importlinter]).
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: install-dev
	$(PY) bench/pages.py

# Search over 1,000 and 10,000 generated documents on SQLite and PostgreSQL (BENCH_POSTGRES_URL).
bench-search: install-dev
	$(PY) bench/search.py

# The town's reports and dashboard over a generated year of 10,000 and 100,000 order lines, on
# SQLite and, when BENCH_POSTGRES_URL is set, PostgreSQL (database tianyuan_bench_reports).
bench-reports: install-dev
	$(PY) bench/reports.py

# Rendered pages (page cache off) side by side with a reference Wagtail site already running at
# REFERENCE_URL, e.g. bakerydemo, set up outside this repo (bench/reference.py says how).
bench-reference: install-dev
	@test -n "$(REFERENCE_URL)" || { echo "set REFERENCE_URL, e.g. make bench-reference REFERENCE_URL=http://127.0.0.1:8100"; exit 2; }
	$(PY) bench/reference.py --reference-url $(REFERENCE_URL)

clean:
	rm -rf $(VENV) .test-media .test-db-cache static_collected
