# Verified Derivations: set-up and checks. A fresh clone needs only Python 3.11
# and pip: `make serve` to read the site, `make test` to check everything.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# mkdocs-material prints an end-of-life notice on every build otherwise.
export NO_MKDOCS_2_WARNING := 1

.PHONY: venv serve build test bench clean

venv: $(STAMP)

# Reinstall when the dependencies change.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -e '.[test]'
	touch $(STAMP)

serve: venv
	$(BIN)/mkdocs serve

build: venv
	$(BIN)/mkdocs build --strict

test: venv
	$(BIN)/ruff check verify tests
	$(BIN)/ruff format --check verify tests
	$(BIN)/mypy verify
	$(BIN)/pytest

# The benchmark: a synthetic site of 10 and 100 pages, plugin off/on, cold/warm.
bench: venv
	$(BIN)/python -m bench.run --sizes 10,100

clean:
	rm -rf site .verify-cache build *.egg-info .pytest_cache .mypy_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
