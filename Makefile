# ATENSI — the two everyday commands are `make run` and `make test`.
# Without DATABASE_URL / REDIS_URL they start embedded PostgreSQL and Redis (data in .data/).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
EXTRAS ?= embedded,dev
DEV    := $(PY) -m atensi.dev

# Browser tests drive Debian's Chromium through Playwright; no browser is ever downloaded.
CHROMIUM_PATH ?= /usr/bin/chromium
export CHROMIUM_PATH

.DEFAULT_GOAL := help
.PHONY: help run test services bench lint fmt messages clean-data

help:
	@echo "make run         migrate, load regions and demo data, serve on http://127.0.0.1:8000 with a worker"
	@echo "make test        run the tests (ARGS='-k nik -x' passes arguments to pytest)"
	@echo "make services    start only PostgreSQL and Redis and print their URLs"
	@echo "make bench       run the benchmarks"
	@echo "make lint / fmt  check / apply ruff lint and formatting"
	@echo "make messages    update and compile the id and en translation catalogues"
	@echo "make clean-data  delete .data/ (embedded database, queue, uploaded files)"

# The virtualenv is (re)installed only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -e ".[$(EXTRAS)]"
	touch $@

run: $(STAMP)
	$(DEV) run

test: $(STAMP)
	@test -x "$(CHROMIUM_PATH)" || { \
	  echo "Chromium not found at $(CHROMIUM_PATH): apt-get install chromium, or set CHROMIUM_PATH"; \
	  exit 1; }
	$(DEV) test $(ARGS)

services: $(STAMP)
	$(DEV) services

bench: $(STAMP)
	$(PY) -m pip install -q -e ".[bench]"
	@if [ -f tests/bench/run.py ]; then $(DEV) exec $(PY) tests/bench/run.py $(ARGS); \
	else echo "no benchmarks yet (tests/bench/run.py)"; fi
	@if [ -f tests/bench/aid.py ]; then $(DEV) exec $(PY) tests/bench/aid.py; fi
	@if [ -f tests/bench/dashboard.py ]; then $(DEV) exec $(PY) tests/bench/dashboard.py; fi
	@if [ -f tests/bench/load.py ]; then $(DEV) exec $(PY) tests/bench/load.py; fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Settings load without any server (in the development configuration), so the catalogues
# need no services.
messages: $(STAMP)
	DEBUG=true $(PY) manage.py makemessages -l id -l en --add-location=file \
	  --ignore=.venv --ignore=.data --ignore=node_modules --ignore=staticfiles --ignore=tests
	DEBUG=true $(PY) manage.py compilemessages -l id -l en --ignore=.venv --ignore=.data

clean-data:
	rm -rf .data
