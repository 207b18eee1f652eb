# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
DATA   := data
SEED   ?= 42
# The dbt SQL that sqlfluff checks (.sqlfluff; dbt/macros are not linted).
SQL    := dbt/models dbt/tests

.PHONY: demo test lint format venv clean dagster

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

venv: $(BIN)/.installed

demo: venv
	$(BIN)/eldercare generate --scale small --seed $(SEED) \
	    --to sqlite:///$(DATA)/legacy.db --exports $(DATA)/exports --truth $(DATA)/truth
	$(BIN)/eldercare build --legacy sqlite:///$(DATA)/legacy.db --legacy $(DATA)/exports \
	    --warehouse $(DATA)/warehouse.duckdb
	$(BIN)/eldercare check --warehouse $(DATA)/warehouse.duckdb --docs $(DATA)/data_docs
	@echo "warehouse: $(DATA)/warehouse.duckdb — open the Dagster UI with 'make dagster'"

dagster: venv
	DAGSTER_HOME=$(abspath $(DATA))/dagster_home $(BIN)/dagster dev -m pipelines.definitions

test: venv lint
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint $(SQL) --processes 2

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/sqlfluff fix $(SQL) --processes 2

clean:
	rm -rf $(VENV) $(DATA) dbt/target dbt/logs
