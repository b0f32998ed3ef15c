# Parcours — the two commands: `make run` and `make test`.
# Everything installs into .venv from the package registries, pinned with hashes by requirements-dev.txt (the
# lock `make lock` writes from pyproject.toml; the Docker image installs requirements.txt); nothing else is assumed.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTHON_BOOT := $(shell scripts/find-python 2>/dev/null)
# `make run PORT=8010`: the port the web server listens on; SITE_URL (links in e-mails) follows it.
PORT ?= 8000

.PHONY: run test install data lock system-deps migrate seed lint format bench stack worker beat clean messages check-python

check-python:
	@scripts/find-python >/dev/null

$(PY): | check-python
	$(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Exactly the locked versions, each checked against its hash. The project itself is not installed: it runs from
# this folder (manage.py, gunicorn, celery and pytest all import it from here).
$(STAMP): requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP) data

# The official administrative areas (communes, EPCI, départements, régions: @etalab/decoupage-administratif,
# pinned by package-lock.json) into node_modules/, read by `manage.py load_areas`. Without npm nothing is
# installed: the operator passes the JSON files' folder to `manage.py load_areas PATH` (docs/territories.md).
data:
	@if command -v npm >/dev/null; then npm ci --ignore-scripts --no-audit --no-fund --silent; \
	else echo "npm absent : les découpages administratifs ne sont pas installés (voir docs/territories.md)."; fi

# Re-resolve the lock after a change to pyproject.toml's dependencies (pins already in the lock are kept);
# `make lock UPGRADE=1` moves every pin to the newest version the ranges allow. Then `make install`.
LOCK := $(VENV)/bin/uv pip compile pyproject.toml --quiet --generate-hashes --universal --python-version 3.12 \
	--custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade)
lock: $(STAMP)
	$(LOCK) -o requirements.txt
	$(LOCK) --extra dev -c requirements.txt -o requirements-dev.txt

# Chromium (browser tests) and the Pango libraries WeasyPrint needs come from Debian's packages.
system-deps:
	@scripts/system-deps

messages: $(STAMP)
	$(PY) manage.py compilemessages --ignore '.venv' -v 0

migrate: $(STAMP)
	$(PY) manage.py migrate --no-input -v 0

seed: migrate
	$(PY) manage.py load_areas --auto
	$(PY) manage.py seed_demo

# The web server, one Celery worker and the beat, on the filesystem broker under var/ (no Redis needed);
# Ctrl-C stops all three (scripts/run).
run: system-deps install messages migrate seed
	PORT=$(PORT) scripts/run

test: system-deps install messages
	$(PY) manage.py collectstatic --no-input -v 0
	$(PY) -m pytest -n auto --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	$(PY) manage.py makemigrations --check --dry-run -v 1
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: system-deps install messages
	$(PY) -m benchmarks $(BENCH_ARGS)

# The full stack on this machine: PostgreSQL + Redis + gunicorn + Celery worker + beat.
stack: system-deps install messages
	scripts/stack

worker: $(STAMP)
	$(VENV)/bin/celery -A programme worker -l info

beat: $(STAMP)
	$(VENV)/bin/celery -A programme beat -l info

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles
