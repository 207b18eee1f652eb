"""PostgreSQL marts carry an index on every lookup column named in dbt_project.yml after a
build; DuckDB marts carry none."""

from __future__ import annotations

import duckdb
import psycopg
import pytest
import yaml

from eldercare.settings import REPO_ROOT

pytestmark = pytest.mark.postgres


def _wanted() -> dict[str, list[str]]:
    project = yaml.safe_load((REPO_ROOT / "dbt" / "dbt_project.yml").read_text())
    return project["vars"]["lookup_indexes"]


def test_postgres_marts_have_their_lookup_indexes(pg_build) -> None:
    assert pg_build.error is None, pg_build.error
    wanted = _wanted()
    assert "fct_work_order" in wanted and "elder_code" in wanted["fct_work_order"]
    with psycopg.connect(pg_build.target) as pg:
        rows = pg.execute(
            "select t.relname, a.attname from pg_index i"
            " join pg_class t on t.oid = i.indrelid"
            " join pg_namespace n on n.oid = t.relnamespace"
            " join pg_attribute a on a.attrelid = t.oid and a.attnum = i.indkey[0]"
            " where n.nspname = 'marts' and i.indnatts = 1"
        ).fetchall()
    have = {(table, column) for table, column in rows}
    missing = sorted(f"{t}.{c}" for t, cols in wanted.items() for c in cols if (t, c) not in have)
    assert not missing, f"no index on {missing}"


def test_duckdb_marts_have_no_indexes(built_duckdb_warehouse) -> None:
    con = duckdb.connect(str(built_duckdb_warehouse), read_only=True)
    try:
        n = con.execute("select count(*) from duckdb_indexes() where schema_name = 'marts'")
        assert n.fetchone()[0] == 0
    finally:
        con.close()
