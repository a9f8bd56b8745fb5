# codelists — developer commands.  `make demo` and `make test` work on a fresh machine:
# they create .venv with uv (pinned by uv.lock) and install what they need.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export CODELISTS_SHARED ?= $(abspath ../shared)
PYTEST_ARGS ?=

.PHONY: setup system-deps test test-fast lint format demo bench docs screenshots clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# --compile-bytecode covers site-packages; the project itself is an editable install (a
# path in a .pth file), so its own modules are compiled here: a command's first run, or
# every run under PYTHONDONTWRITEBYTECODE, would otherwise compile what it imports
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	$(BIN)/python -m compileall -q -j 0 codelists webapp
	touch $@

setup: $(VENV)/.synced

# Debian packages (chromium for browser tests, PostgreSQL, Java for Spark, Node.js for
# npm): installed when missing; then axe-core from npm (pinned by package-lock.json), which
# the browser tests inject into pages to check accessibility
system-deps:
	bash scripts/install-system-deps
	$(MAKE) node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

lint: setup
	$(BIN)/ruff check codelists webapp tests benchmarks scripts
	$(BIN)/lint-imports

test: setup system-deps lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)
	# the web suite again on PostgreSQL (role/db codelists on 127.0.0.1, scripts/start-postgres)
	CODELISTS_TEST_DB=postgres $(BIN)/python -m pytest -n 2 tests/web $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -n 2 -m "not slow and not browser and not spark" $(PYTEST_ARGS)

format: setup
	$(BIN)/ruff check --fix codelists webapp tests benchmarks
	$(BIN)/ruff format codelists webapp tests benchmarks

demo: setup
	$(BIN)/python scripts/demo.py

bench: setup
	$(BIN)/python -m benchmarks

docs: setup
	$(BIN)/python scripts/gen_cli_reference.py

# the user guide's screenshots of the builder, codelist and releases pages, taken by the browser tests
screenshots: setup system-deps
	CODELISTS_DOCS_SCREENSHOTS=1 $(BIN)/python -m pytest -p no:xdist -q tests/browser/test_builder_journey.py \
		tests/browser/test_release_update_journey.py

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache
