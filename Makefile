# Two commands: `make run` starts the dashboard, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# The address to listen on: this computer only unless asked (HOST=0.0.0.0 for every interface).
HOST ?= 127.0.0.1
# Dashboard processes behind nginx for `make serve` (empty: one per processor core).
PROCESSES ?=

.PHONY: run serve test bench load sample extract clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(BIN)/streamlit run dashboard.py --server.address $(HOST) --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# Several processes behind Debian's nginx (see the README's "Serving a council"); foreground, Ctrl-C stops all.
serve: $(VENV)/.runtime
	$(BIN)/python -m scrutiny.serve --host $(HOST) --port $(PORT) $(if $(PROCESSES),--processes $(PROCESSES))

# axe-core for the accessibility tests (package.json pins it). Without npm the browser
# tests say loudly that axe is missing and skip it; under CI=true that is a failure.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the accessibility checks cannot run (install nodejs and npm)"; fi

# Everything: unit, query and page tests, bad input, disclosure, and the browser and
# accessibility tests in headless Chromium (screenshots in artifacts/screenshots/).
test: $(VENV)/.dev node_modules/.package-lock.json
	$(BIN)/python -m pytest

# Regenerates the committed sample county (deterministic: same seed, same files).
sample: $(VENV)/.runtime
	$(BIN)/python -m sample_data.generate

# From a council's exports to an extract:  make extract EXPORTS=folder OUT=our-extract MAPPING=mapping.yaml
# (SALT=file keeps the secret salt for hashed child IDs; without MAPPING, files are named like the tables).
EXPORTS ?= exports
OUT ?= extract
extract: $(VENV)/.runtime
	$(BIN)/python -m scrutiny.build_extract "$(EXPORTS)" "$(OUT)" $(if $(MAPPING),--mapping "$(MAPPING)") $(if $(SALT),--salt-file "$(SALT)")

bench: $(VENV)/.dev
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.import_csv

# One process, then `make serve` with one and with two processes behind nginx (needs nginx).
load: $(VENV)/.dev
	$(BIN)/python -m benchmarks.load
	$(BIN)/python -m benchmarks.serve_load

clean:
	rm -rf $(VENV) .pytest_cache node_modules artifacts
