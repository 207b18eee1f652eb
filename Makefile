# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
DATA   := data
SEED   ?= 42
PORT   ?= 8501
DEMO_PASSWORD ?= demo-2026-eldercare
# The dbt SQL that sqlfluff checks (.sqlfluff; dbt/macros are not linted).
SQL    := dbt/models dbt/tests

.PHONY: demo demo-accounts cockpit test lint format venv clean dagster

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
	@$(MAKE) --no-print-directory demo-accounts
	@echo "warehouse: $(DATA)/warehouse.duckdb — the Dagster UI: 'make dagster'"
	@echo "cockpit: http://127.0.0.1:$(PORT)  (Ctrl+C stops it; 'make cockpit' starts it again)"
	@echo "log in as one of the demo accounts (demo passwords, for this machine only):"
	@echo "  leader   / $(DEMO_PASSWORD)   市级领导 (all counties)"
	@echo "  xiashan  / $(DEMO_PASSWORD)   县区用户 (霞山区 440803 only)"
	@echo "  steward  / $(DEMO_PASSWORD)   数据专员 (data quality, lineage)"
	@echo "  analyst  / $(DEMO_PASSWORD)   分析员"
	@echo "  admin    / $(DEMO_PASSWORD)   系统管理员 (accounts only)"
	@echo "  secadmin / $(DEMO_PASSWORD)   安全管理员 (roles, scopes, unlocking)"
	@echo "  auditor  / $(DEMO_PASSWORD)   审计管理员 (audit log only)"
	@echo "动态口令 (second factor): '$(BIN)/eldercare users demo-code' prints each demo account's current code"
	@echo "  (or scan the demo secret into an authenticator app; works only with the public demo TOTP key)"
	$(BIN)/eldercare cockpit --warehouse $(DATA)/warehouse.duckdb --port $(PORT)

# Demo accounts in data/app.sqlite (re-created on every demo; never use these passwords elsewhere).
# --demo: TOTP secrets derived from the public demo key (eldercare users demo-code shows the codes);
# refused once ELDERCARE_TOTP_KEY is set, so production accounts always enrol their own.
demo-accounts: venv
	$(BIN)/eldercare users add leader --role city_leader --name 市领导（演示） --password $(DEMO_PASSWORD) --replace --demo
	$(BIN)/eldercare users add xiashan --role county_user --county 440803 --name 霞山区用户（演示） --password $(DEMO_PASSWORD) --replace --demo
	$(BIN)/eldercare users add steward --role data_steward --name 数据专员（演示） --password $(DEMO_PASSWORD) --replace --demo
	$(BIN)/eldercare users add analyst --role analyst --name 分析员（演示） --password $(DEMO_PASSWORD) --replace --demo
	$(BIN)/eldercare users add admin --role sysadmin --name 系统管理员（演示） --password $(DEMO_PASSWORD) --replace --demo
	$(BIN)/eldercare users add secadmin --role secadmin --name 安全管理员（演示） --password $(DEMO_PASSWORD) --replace --demo
	$(BIN)/eldercare users add auditor --role auditadmin --name 审计管理员（演示） --password $(DEMO_PASSWORD) --replace --demo

cockpit: venv
	$(BIN)/eldercare cockpit --warehouse $(DATA)/warehouse.duckdb --port $(PORT)

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
