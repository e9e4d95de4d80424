# Verified Derivations: set-up and checks. A fresh clone needs only Python 3.11+
# and pip: `make serve` to read the site, `make test` to check everything.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# mkdocs-material prints an end-of-life notice on every build otherwise.
export NO_MKDOCS_2_WARNING := 1

.PHONY: venv serve build test bench clean

venv: $(STAMP)

# The checker with its MkDocs plugin, the site's theme and extensions, and the
# development tools; reinstalled when any of them changes.
$(STAMP): pyproject.toml requirements-site.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install -e '.[dev]' -r requirements-site.txt
	touch $(STAMP)

serve: venv
	$(BIN)/mkdocs serve

build: venv
	$(BIN)/mkdocs build --strict

test: venv
	$(BIN)/ruff check verify tests bench
	$(BIN)/ruff format --check verify tests bench
	$(BIN)/mypy verify
	$(BIN)/pytest

# The benchmark: synthetic sites of 10, 100 and 1,000 pages (bench/README.md).
bench: venv
	$(BIN)/python -m bench.run --sizes 10,100,1000

clean:
	rm -rf site .verify-cache build *.egg-info .pytest_cache .mypy_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
