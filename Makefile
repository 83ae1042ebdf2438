# fugong — the two commands a newcomer needs are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export FUGONG_DEMO_PASSWORD ?=

.PHONY: demo test install install-dev migrate demo-data serve worker lint typecheck check messages vendor bench clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PIP) install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput -v0

demo-data: migrate
	$(PY) manage.py load_demo

## make demo: install, build the SQLite database, load the 苏仙区 demo, serve on http://127.0.0.1:8000
demo: demo-data
	$(PY) manage.py compilemessages -v0 --ignore=.venv 2>/dev/null || true
	$(PY) manage.py collectstatic --noinput -v0
	@echo "fugong: http://$(HOST):$(PORT)/  (task worker running beside it; Ctrl-C stops both)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(PY) manage.py db_worker --interval 1 --no-reload & \
	  FUGONG_DEBUG=0 $(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile -

## make test: install what the tests need and run them all (unit, integration, permission matrix, browser)
test: install-dev
	@command -v chromium >/dev/null || test -x /usr/bin/chromium || { echo "Chromium is required for the browser tests: apt-get install chromium fonts-wqy-microhei"; exit 1; }
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy fugong config
	$(PY) manage.py compilemessages -v0 --ignore=.venv 2>/dev/null || true
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-dev
	$(VENV)/bin/mypy fugong config

check: lint typecheck test

messages: install-dev
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=static/vendor
	$(PY) manage.py compilemessages --ignore=.venv

vendor:
	scripts/vendor_static.sh

bench: install-dev
	$(PY) bench/import_enterprises.py

clean:
	rm -rf $(VENV) var staticfiles
