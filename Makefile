# Two commands: `make run` starts the dashboard, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test bench load sample clean

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
	$(BIN)/streamlit run dashboard.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: $(VENV)/.dev
	$(BIN)/python -m pytest

# Regenerates the committed sample county (deterministic: same seed, same files).
sample: $(VENV)/.runtime
	$(BIN)/python -m sample_data.generate

bench: $(VENV)/.dev
	$(BIN)/python -m benchmarks.run

load: $(VENV)/.dev
	$(BIN)/python -m benchmarks.load

clean:
	rm -rf $(VENV) .pytest_cache
