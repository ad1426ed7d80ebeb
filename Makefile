# One command for developers and the same command for CI.
#   make test   install everything from scratch into venvs, then lint, type-check and test
#   make gold   rebuild gold/ from the corpus through a local Label Studio (the main job)
PYTHON ?= python3
VENV := .venv
SERVER_VENV := .venv-server
BIN := $(VENV)/bin
LABEL_STUDIO_VERSION := 1.23.2
GUNICORN_VERSION := 27.0.1
CHROMIUM := /usr/bin/chromium

.PHONY: help install server-venv chromium postgresql lint typecheck test gold bench clean

help:
	@echo "make gold   rebuild gold/ through a local Label Studio (installs what it needs)"
	@echo "make test   install everything, then lint, type-check and run every test"
	@echo "make bench  run the benchmarks in benchmarks/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The library and its dev tools. Installed as a wheel (not editable), so the tests exercise
# the installed package, schemas included.
install: $(BIN)/python server-venv
	$(BIN)/pip install --quiet ".[dev]"
	$(BIN)/pip install --quiet --no-deps --force-reinstall .
	ln -sf "$(abspath $(SERVER_VENV))/bin/label-studio" $(BIN)/label-studio

# The Label Studio server lives in a venv of its own: its pins (pytz<2023, ...) would
# otherwise drag the library's dependencies back.
server-venv: $(SERVER_VENV)/bin/label-studio

# gunicorn serves the team server ('annotate server start --team') with several workers.
server-venv: $(SERVER_VENV)/bin/gunicorn

$(SERVER_VENV)/bin/label-studio:
	$(PYTHON) -m venv $(SERVER_VENV)
	$(SERVER_VENV)/bin/pip install --quiet --upgrade pip
	$(SERVER_VENV)/bin/pip install --quiet "label-studio==$(LABEL_STUDIO_VERSION)"

$(SERVER_VENV)/bin/gunicorn: $(SERVER_VENV)/bin/label-studio
	$(SERVER_VENV)/bin/pip install --quiet "gunicorn==$(GUNICORN_VERSION)"

# Debian's Chromium for the browser tests (no browser download is possible here).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi
	@$(CHROMIUM) --version

# Debian's PostgreSQL for the team server's private cluster and its tests (initdb, pg_ctl).
postgresql:
	@if ! { command -v pg_config >/dev/null && [ -x "$$(pg_config --bindir)/pg_ctl" ]; } \
		&& ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi
	@ls /usr/lib/postgresql/*/bin/pg_ctl

lint: install
	$(BIN)/ruff check annotate tests benchmarks scripts
	$(BIN)/ruff format --check annotate tests benchmarks scripts

typecheck: install
	$(BIN)/mypy

test: install chromium postgresql lint typecheck
	$(BIN)/pytest

gold: install
	$(BIN)/python scripts/build_gold.py

# The benchmarks print medians and ratios; benchmarks/README.md records the results.
bench: install postgresql
	$(BIN)/python benchmarks/pushpull_bench.py --docs 10000 --repeat 3
	$(BIN)/python benchmarks/export_bench.py --sizes 5000 20000 --repeat 3
	$(BIN)/python benchmarks/score_bench.py --documents 20000 --repeat 5 --validate
	$(BIN)/python benchmarks/fastpaths_bench.py --tasks 1000 --repeat 5
	$(BIN)/python benchmarks/pull_bench.py --docs 20000 --routes
	$(BIN)/python benchmarks/pull_bench.py --docs 100000 --change 0
	$(BIN)/python benchmarks/team_bench.py --docs 50000

clean:
	rm -rf $(VENV) $(SERVER_VENV) .annotate build dist
