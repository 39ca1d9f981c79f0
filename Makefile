# Every target depends on the virtualenv, so a fresh clone needs no manual step.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install generate check lint typecheck test demo serve bench diff

help:
	@echo "make install | generate | check | test | demo | serve | bench | diff BASE=<ref> | diff OLD=<file> NEW=<file>"

install: $(STAMP)

# Install output goes to stderr so that `make -s diff` prints only the report.
$(STAMP): pyproject.toml package.json package-lock.json
	$(PYTHON) -m venv $(VENV) >&2
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1" >&2
	$(BIN)/python -m pip install --quiet --editable ".[cli,testing]" --group dev >&2
	npm ci --no-audit --no-fund --loglevel=error >&2
	touch $@

generate: $(STAMP)
	./generate.sh

check: $(STAMP)
	./generate.sh --check
	$(MAKE) --no-print-directory lint typecheck

lint: $(STAMP)
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools
	$(BIN)/ruff check --isolated --no-cache --select F,I,UP generated_client
	$(BIN)/ruff format --isolated --no-cache --check generated_client

typecheck: $(STAMP)
	$(BIN)/mypy

test: check
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/python -m tools.demo

serve: $(STAMP)
	$(BIN)/raia-agent serve

bench: $(STAMP)
	$(BIN)/python -m tools.bench --import-rows

# make diff BASE=<git ref> | OLD=<file> NEW=<file>; FORMAT=markdown|json; ALLOW_BREAKING=1
diff: $(STAMP)
	@$(BIN)/python -m tools.apidiff $(if $(BASE),--base $(BASE)) $(if $(OLD),--old $(OLD)) \
	  $(if $(NEW),--new $(NEW)) --format $(or $(FORMAT),markdown) $(if $(ALLOW_BREAKING),--allow-breaking)
