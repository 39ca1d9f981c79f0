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

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet --editable . --group dev
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

diff: $(STAMP)
	@echo "make diff arrives with the API change report issue."
