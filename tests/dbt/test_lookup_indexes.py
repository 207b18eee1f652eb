"""PostgreSQL marts carry an index on every lookup column named in dbt_project.yml after a
build; DuckDB marts carry none."""

from __future__ import annotations

import duckdb
import pandas as pd
import psycopg
import pytest
import yaml

from eldercare.settings import REPO_ROOT
from eldercare.warehouse import Warehouse
from models.warehouse_tables import replace_tables

pytestmark = pytest.mark.postgres


def _wanted() -> dict[str, list[str]]:
    project = yaml.safe_load((REPO_ROOT / "dbt" / "dbt_project.yml").read_text())
    return project["vars"]["lookup_indexes"]


def _indexed(url: str) -> set[tuple[str, str]]:
    """(table, column) of every single-column index of the marts and restricted schemas."""
    with psycopg.connect(url) as pg:
        rows = pg.execute(
            "select t.relname, a.attname from pg_index i"
            " join pg_class t on t.oid = i.indrelid"
            " join pg_namespace n on n.oid = t.relnamespace"
            " join pg_attribute a on a.attrelid = t.oid and a.attnum = i.indkey[0]"
            " where n.nspname in ('marts', 'restricted') and i.indnatts = 1"
        ).fetchall()
    return {(table, column) for table, column in rows}


def test_postgres_marts_have_their_lookup_indexes(pg_build) -> None:
    """Every listed table the dbt build makes has its indexes (the rest are published by the
    models: next test)."""
    assert pg_build.error is None, pg_build.error
    wanted = _wanted()
    assert "fct_work_order" in wanted and "elder_code" in wanted["fct_work_order"]
    with psycopg.connect(pg_build.target) as pg:
        built = {r[0] for r in pg.execute(
            "select table_name from information_schema.tables"
            " where table_schema in ('marts', 'restricted')"
        )}  # fmt: skip
    assert {"fct_work_order", "elder_contact"} <= built
    have = _indexed(pg_build.target)
    missing = sorted(
        f"{t}.{c}" for t, cols in wanted.items() if t in built for c in cols if (t, c) not in have
    )
    assert not missing, f"no index on {missing}"


def test_published_model_tables_get_their_lookup_indexes(pg_url) -> None:
    """A table a model publishes (models/warehouse_tables.py) is indexed as the list says."""
    assert _wanted()["elder_profile"] == ["elder_code"]
    frame = pd.DataFrame({"elder_code": ["E1", "E2"], "segment": [1, 2]})
    with Warehouse(pg_url).connect() as conn:
        replace_tables(conn, "marts", {"elder_profile": ("elder_code text, segment int", frame)})
        replace_tables(conn, "marts", {"elder_profile": ("elder_code text, segment int", frame)})
    assert ("elder_profile", "elder_code") in _indexed(pg_url)


def test_duckdb_marts_have_no_indexes(built_duckdb_warehouse) -> None:
    con = duckdb.connect(str(built_duckdb_warehouse), read_only=True)
    try:
        n = con.execute("select count(*) from duckdb_indexes() where schema_name = 'marts'")
        assert n.fetchone()[0] == 0
    finally:
        con.close()
