# Two commands on a fresh machine with python3, pip and make: `make demo` and `make test`
# (`make test` also installs Debian's chromium and a JRE when missing: root or sudo needed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test system check lint types unit bench openapi screenshots clean

# System packages the tests drive, from Debian: Chromium for the browser tests (Playwright's own
# browser download cannot run here) and a Java 17+ runtime for the Spark tests. Installed only
# where missing; as root directly, otherwise through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) apt-get install -y -q --no-install-recommends

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0  # the CPU build, before gluonts pulls a CUDA one
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: generate a sample fleet, ingest it into ./demo-lake and print a summary
demo: $(STAMP)
	mkdir -p demo-lake && cd demo-lake && ../$(BIN)/meterlake demo

## test: install what the tests need (venv, Chromium, a JRE), then lint, types and every test
test: system check

## system: Debian's chromium and a headless JRE, when they are missing
system:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(APT_INSTALL) chromium; }
	@command -v java >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(APT_INSTALL) default-jre-headless; }

check: lint types unit

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

## bench: the ingest benchmark at 1/100 LCL size (see docs/benchmarks.md for larger scales)
bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py --meters 56 --days 830

## openapi: regenerate docs/openapi.json from the code
openapi: $(STAMP)
	$(BIN)/python -c "import json, pathlib; from meterlake.api.app import create_app; from meterlake.config import Settings; pathlib.Path('docs/openapi.json').write_text(json.dumps(create_app(Settings(root=pathlib.Path('.'))).openapi(), indent=1, sort_keys=True) + chr(10))"

## screenshots: refresh docs/screenshots/ (the browser tests save each dashboard page)
screenshots: $(STAMP)
	MLK_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q -m browser tests/e2e

clean:
	rm -rf $(VENV) demo-lake .pytest_cache .mypy_cache .ruff_cache
