# Every target depends on the virtualenv, so a fresh clone needs no manual step.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# What users give (make diff BASE=..., make bench QUICK=..., or the same in the environment) reaches
# the tools verbatim. make expands a `$` in a command-line or environment value when it uses or exports
# it (`$(shell ...)` would run); `$(value)` stores the text as given instead. The recipes then pass it
# as one quoted word from the environment ("$$BASE"), never as recipe text, so no shell parses it.
# PYTHON: the interpreter that makes .venv (python3 when not given).
USER_VALUES := PYTHON SPEC OVERLAY GENERATOR BASE OLD NEW FORMAT ALLOW_BREAKING QUICK JOBS
$(foreach name,$(USER_VALUES),$(if $(filter command line environment%,$(origin $(name))),\
  $(eval override $(name) := $$(value $(name)))$(eval export $(name))))

.DEFAULT_GOAL := help
.PHONY: help install generate check lint typecheck test test-fast test-floors demo serve bench diff update-spec spec-pr

# Each target's `##` comment is its line in `make help`, so the list cannot drift from the targets.
help: ## list the targets and what each does (also what `make` alone prints)
	@awk 'BEGIN {FS = ":[^#]*## "} /^[a-z][a-z-]*:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: $(STAMP) ## create .venv with the package, its extras and the dev tools; npm ci

# Install output goes to stderr so that `make -s diff` prints only the report.
$(STAMP): pyproject.toml package.json package-lock.json
	"$${PYTHON:-python3}" -m venv $(VENV) >&2
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1" >&2
	$(BIN)/python -m pip install --quiet --editable ".[cli,testing,httpx2]" --group dev >&2
	npm ci --no-audit --no-fund --loglevel=error >&2
	touch $@

generate: $(STAMP) ## regenerate generated_client/ (and api.md) from openapi.json + spec/overlay.yaml
	./generate.sh
	$(BIN)/python -m tools.codegen api-md

check: $(STAMP) ## fail if generated_client/ or api.md is stale, then lint and typecheck
	./generate.sh --check
	$(BIN)/python -m tools.codegen api-md --check
	$(MAKE) --no-print-directory lint typecheck

lint: $(STAMP) ## ruff check and ruff format --check over src, tests, tools and generated_client
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools
	$(BIN)/ruff check --isolated --no-cache --select F,I,UP generated_client
	$(BIN)/ruff format --isolated --no-cache --check generated_client

typecheck: $(STAMP) ## mypy --strict over src, tools and generated_client
	$(BIN)/mypy

# Most tests wait on servers and subprocesses, so more workers than cores still pays; JOBS=0 runs serially.
test: check ## what CI runs: check, then the whole pytest suite (JOBS=4 parallel workers)
	$(BIN)/pytest -n "$${JOBS:-4}" --dist worksteal

# `slow` is set by tests/conftest.py from what a test runs (tests/support/lanes.py), never by hand-kept lists.
# The fast lane also runs a tenth of the hypothesis examples (profile raia-fast); `make test` runs them all.
test-fast: $(STAMP) ## the tests that do not regenerate, build wheels, run schemathesis, mypy, make or the bench
	$(BIN)/pytest -m "not slow" --hypothesis-profile=raia-fast -n "$${JOBS:-4}" --dist worksteal

# The runtime dependencies are floors (CI installs their newest releases); this lane holds the floors to
# their word: each direct dependency at the oldest release pyproject allows (uv's lowest-direct), dev pins kept.
FLOORS := .venv-floors
test-floors: $(STAMP) ## the fast lane over the oldest release of each dependency pyproject allows (in .venv-floors)
	"$${PYTHON:-python3}" -m venv $(FLOORS) >&2
	$(FLOORS)/bin/python -m pip install --quiet "uv==0.13.10" >&2
	$(FLOORS)/bin/uv pip install --quiet --python $(FLOORS)/bin/python --resolution lowest-direct \
	  --editable ".[cli,testing,httpx2]" --group dev >&2
	$(FLOORS)/bin/pytest -m "not slow" --hypothesis-profile=raia-fast -n "$${JOBS:-4}" --dist worksteal -p no:cacheprovider

demo: $(STAMP) ## the client against a local server: create, update, retries, a wrong key
	$(BIN)/python -m tools.demo

serve: $(STAMP) ## run the local API server in the foreground until Ctrl-C
	$(BIN)/raia-agent serve

# make bench QUICK=1: small sizes and few rounds, to check the machinery (not figures to quote)
bench: $(STAMP) ## the client's cost as ratios, written into docs/performance.md at load <= 2 (QUICK=1: a quick pass, not written)
	BENCH_QUICK="$$QUICK" $(BIN)/python -m tools.bench --write docs/performance.md

# make diff BASE=<git ref> | OLD=<file> NEW=<file>; FORMAT=markdown|json; ALLOW_BREAKING=1
diff: $(STAMP) ## API change report: BASE=<git ref> or OLD=<file> [NEW=<file>]; FORMAT=markdown|json
	@$(BIN)/python -m tools.apidiff $(if $(BASE),--base "$$BASE") $(if $(OLD),--old "$$OLD") \
	  $(if $(NEW),--new "$$NEW") --format "$${FORMAT:-markdown}" $(if $(ALLOW_BREAKING),--allow-breaking)

# URL and OUT reach the tool as one argument each, through the environment and never as recipe text:
# `unexport` keeps make from expanding them on export (a `$(shell ...)` in a URL would run), and
# `:= $(value ...)` copies them unexpanded, so `?$format=json` stays literal. The tool's exit codes
# (0 unchanged, 10 compatible, 11 breaking, 2 refused, 1 failing) are in $(OUT)/result.json and are what
# `python -m tools.spec_update` returns; here an update that worked (10, 11) exits 0 after its verdict.
unexport URL OUT
update-spec: export SPEC_UPDATE_URL := $(value URL)
update-spec: export SPEC_UPDATE_OUT := $(value OUT)
update-spec: $(STAMP) ## fetch the vendor spec (URL=<url or path>), regenerate, check, test, diff; writes OUT=.spec-update/
	@$(BIN)/python -m tools.spec_update --progress --out "$${SPEC_UPDATE_OUT:-.spec-update}" -- "$$SPEC_UPDATE_URL"; \
	  status=$$?; [ $$status -eq 10 ] || [ $$status -eq 11 ] || exit $$status

spec-pr: export SPEC_UPDATE_OUT := $(value OUT)
spec-pr: $(STAMP) ## after update-spec: push its result to the branch spec-update, open or update the PR (gh)
	@$(BIN)/python -m tools.spec_update.pr --out "$${SPEC_UPDATE_OUT:-.spec-update}"
