# Two commands set up a fresh Debian machine: `make demo` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup system demo test lint stop clean

setup: system $(VENV)/.installed web/node_modules/.installed

system:
	@bash scripts/setup-system.sh

$(VENV)/.installed: pyproject.toml $(wildcard etl/*.pyx mujun/*.pyx)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	$(BIN)/mujun demo --host 127.0.0.1 --port 8000

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

test: setup lint
	$(BIN)/mujun db up
	$(BIN)/pytest

stop:
	$(BIN)/mujun db stop

clean: stop
	rm -rf $(VENV) web/node_modules .var
