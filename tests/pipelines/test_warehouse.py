"""The dbt project as Dagster assets: keys, lineage to the raw assets, checks, groups; and the
one bridge from settings to dbt's environment."""

from __future__ import annotations

import dagster as dg
import pytest

from eldercare.errors import EldercareError
from eldercare.settings import Settings
from migration.legacy_schema import TABLES
from pipelines.dbt_project import dbt_env, run_dbt


@pytest.fixture(scope="module")
def asset_graph(defs):
    return defs.resolve_asset_graph()


def test_every_staging_model_is_an_asset_downstream_of_its_raw_table(asset_graph) -> None:
    for table in TABLES:
        base = asset_graph.get(dg.AssetKey(["staging", f"base_legacy__{table}"]))
        assert dg.AssetKey(["raw", table]) in base.parent_keys
        assert asset_graph.has(dg.AssetKey(["raw", table])), "raw asset of the migration"
        stg = asset_graph.get(dg.AssetKey(["staging", f"stg_legacy__{table}"]))
        assert stg.parent_keys == {base.key}
        assert stg.group_name == "staging"
    audit = asset_graph.get(dg.AssetKey(["audit", "staging_quarantine"]))
    assert dg.AssetKey(["staging", "base_legacy__yl_elder"]) in audit.parent_keys


def test_dbt_tests_are_asset_checks(asset_graph) -> None:
    checks = {k for k in asset_graph.asset_check_keys}
    elder = dg.AssetKey(["staging", "stg_legacy__yl_elder"])
    names = {c.name for c in checks if c.asset_key == elder}
    assert "unique_stg_legacy__yl_elder_elder_id" in names
    assert any(c.asset_key.path[0] == "marts" for c in checks)


def test_seeds_are_reference_assets(asset_graph) -> None:
    node = asset_graph.get(dg.AssetKey(["reference", "counties"]))
    assert node.group_name == "reference"


def test_dbt_env_for_duckdb_is_an_absolute_path(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = dbt_env(Settings(warehouse="data/wh.duckdb", code_secret="s1"))
    assert env["ELDERCARE_DBT_TARGET"] == "duckdb"
    assert env["ELDERCARE_DBT_DUCKDB_PATH"] == str(tmp_path / "data" / "wh.duckdb")
    assert env["ELDERCARE_DBT_CODE_SECRET"] == "s1"


@pytest.mark.postgres
def test_dbt_sessions_on_postgres_run_without_jit(pg_url) -> None:
    proc = run_dbt(
        ["show", "--inline", "select current_setting('jit') as jit", "--output", "json"],
        Settings(warehouse=pg_url, code_secret="x"),
    )
    assert '"jit": "off"' in proc.stdout


def test_dbt_env_for_postgres_splits_the_url() -> None:
    env = dbt_env(Settings(warehouse="postgresql://ana:p%40ss@db.local:6543/city", code_secret="x"))
    assert env == {
        "ELDERCARE_DBT_TARGET": "postgres",
        "ELDERCARE_DBT_PG_HOST": "db.local",
        "ELDERCARE_DBT_PG_PORT": "6543",
        "ELDERCARE_DBT_PG_USER": "ana",
        "ELDERCARE_DBT_PG_PASSWORD": "p@ss",
        "ELDERCARE_DBT_PG_DBNAME": "city",
        # the code secret reaches the session as a setting, never dbt's SQL (docs/security.md)
        "PGOPTIONS": "-c jit=off -c eldercare.code_secret=x",
        "ELDERCARE_DBT_CODE_SECRET": "x",
    }
    spaced = dbt_env(Settings(warehouse="postgresql://db.local/city", code_secret="a b\\c"))
    assert spaced["PGOPTIONS"] == "-c jit=off -c eldercare.code_secret=a\\ b\\\\c"
    with pytest.raises(EldercareError, match="no database name"):
        dbt_env(Settings(warehouse="postgresql://db.local:5432/", code_secret="x"))


def test_a_failing_dbt_command_is_one_clear_error(tmp_path) -> None:
    settings = Settings(warehouse=str(tmp_path / "empty.duckdb"), code_secret="x")
    with pytest.raises(EldercareError) as err:
        run_dbt(["show", "--inline", "select * from raw.no_such_table"], settings)
    message = str(err.value)
    assert message.startswith("dbt show failed:") and "no_such_table" in message
    assert "\n" not in message
