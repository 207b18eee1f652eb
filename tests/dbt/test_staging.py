"""Staging on tiny data, DuckDB and PostgreSQL: every injected dirty value is cleaned to its
true value or quarantined with the right reason (dirt_rules.RULES), and audit.reconciliation
holds source_rows = loaded_rows + quarantined_rows + deleted_rows for every table."""

from __future__ import annotations

import json
from collections.abc import Callable

import duckdb
import polars as pl
import psycopg
import pytest
from dirt_rules import RULES, check_dirt, staging_model

from migration.legacy_schema import TABLES

Query = Callable[[str], list[tuple]]
SOURCE_TABLES = [*TABLES, "district_monthly_report"]
# Duplicate people and organisations are not rows of truth/dirt.parquet: the truth's elders and
# orgs tables hold them, and tests/dbt/test_resolution.py scores their merging (precision/recall).
KINDS = sorted(set(RULES) - {"elder_duplicate", "org_duplicate"})


def _duckdb_query(target: str) -> Query:
    def query(sql: str) -> list[tuple]:
        with duckdb.connect(target, read_only=True) as con:
            return con.execute(sql).fetchall()

    return query


def _pg_query(url: str) -> Query:
    def query(sql: str) -> list[tuple]:
        with psycopg.connect(url) as con:
            return con.execute(sql).fetchall()

    return query


@pytest.fixture(scope="session")
def dirt_rows(tiny_legacy) -> list[dict]:
    return pl.read_parquet(tiny_legacy.truth_dir / "dirt.parquet").to_dicts()


@pytest.fixture(scope="session")
def duckdb_query(duckdb_build) -> Query:
    return _duckdb_query(duckdb_build.target)


@pytest.fixture(scope="session")
def pg_query(pg_build) -> Query:
    return _pg_query(pg_build.target)


@pytest.fixture(scope="session")
def duckdb_dirt(duckdb_query, dirt_rows) -> dict[str, list[str]]:
    return check_dirt(duckdb_query, dirt_rows)


@pytest.fixture(scope="session")
def pg_dirt(pg_query, dirt_rows) -> dict[str, list[str]]:
    return check_dirt(pg_query, dirt_rows)


# ------------------------------------------------------------------------------ the builds


def test_dbt_build_passes_on_duckdb(duckdb_build) -> None:
    print(f"dbt build on tiny, DuckDB: {duckdb_build.seconds:.1f} s")
    assert duckdb_build.error is None, duckdb_build.error


@pytest.mark.postgres
def test_dbt_build_passes_on_postgres(pg_build) -> None:
    print(f"dbt build on tiny, PostgreSQL: {pg_build.seconds:.1f} s")
    assert pg_build.error is None, pg_build.error


# ------------------------------------------------------------------------------ dirt


def test_every_dirt_kind_has_a_rule(dirt_rows) -> None:
    unknown = {d["kind"] for d in dirt_rows} - set(RULES)
    assert not unknown, f"dirt kinds without a staging rule: {sorted(unknown)}"


def _assert_handled(kind: str, failures: dict[str, list[str]]) -> None:
    assert kind in failures, f"no {kind} dirt in the tiny data: the generator must inject some"
    bad = failures[kind]
    assert not bad, f"{len(bad)} {kind} rows not handled, e.g. {bad[:5]}"


@pytest.mark.parametrize("kind", KINDS)
def test_dirt_is_cleaned_or_quarantined_duckdb(kind: str, duckdb_dirt) -> None:
    _assert_handled(kind, duckdb_dirt)


@pytest.mark.postgres
@pytest.mark.parametrize("kind", KINDS)
def test_dirt_is_cleaned_or_quarantined_postgres(kind: str, pg_dirt) -> None:
    _assert_handled(kind, pg_dirt)


# ------------------------------------------------------------------------------ reconciliation


def _check_reconciliation(query: Query) -> None:
    (run_id,) = query(
        "select run_id from audit.reconciliation where run_id like 'dbt:%' "
        "order by checked_at desc limit 1"
    )[0]
    rows = query(
        "select source_table, source_rows, loaded_rows, quarantined_rows, deleted_rows "
        f"from audit.reconciliation where run_id = '{run_id}'"
    )
    assert sorted(r[0] for r in rows) == sorted(SOURCE_TABLES)
    quarantined = dict(
        query(
            "select source_table, count(*) from audit.quarantine "
            f"where run_id = '{run_id}' group by source_table"
        )
    )
    for table, source, loaded, rejected, deleted in rows:
        assert source == loaded + rejected + deleted, table
        (raw,) = query(f"select count(*) from raw.{table}")[0]
        assert source == raw, f"{table}: {source} source rows, raw holds {raw}"
        assert rejected == quarantined.get(table, 0), table
        live, dels = query(
            "select sum(case when is_deleted then 0 else 1 end), "
            f"sum(case when is_deleted then 1 else 0 end) from staging.{staging_model(table)}"
        )[0]
        assert (loaded, deleted) == (live or 0, dels or 0), table


def test_reconciliation_holds_for_every_table_duckdb(duckdb_query) -> None:
    _check_reconciliation(duckdb_query)


@pytest.mark.postgres
def test_reconciliation_holds_for_every_table_postgres(pg_query) -> None:
    _check_reconciliation(pg_query)


def _check_quarantine_rows(query: Query) -> None:
    rows = query("select source_table, source_key, reason_code, reason, raw from audit.quarantine")
    assert rows, "tiny data has dirt that must be quarantined"
    for table, key, code, reason, raw in rows:
        zh, en = reason.split(" / ")
        assert zh and en.isascii(), (table, key, code)
        assert json.loads(raw)["source_key"] == key
    for table in {r[0] for r in rows}:
        both = query(
            f"select count(*) from staging.{staging_model(table)} as s "
            "inner join audit.quarantine as q "
            f"on q.source_table = '{table}' and q.source_key = s.source_key"
        )
        assert both == [(0,)], f"{table}: rows both quarantined and staged"


def test_quarantine_rows_are_explained_and_not_staged_duckdb(duckdb_query) -> None:
    _check_quarantine_rows(duckdb_query)


@pytest.mark.postgres
def test_quarantine_rows_are_explained_and_not_staged_postgres(pg_query) -> None:
    _check_quarantine_rows(pg_query)


def test_soft_deleted_rows_are_kept_and_flagged(duckdb_query) -> None:
    for table in ("yl_elder", "yl_org", "yl_work_order"):
        raw_deleted = {
            k for (k,) in duckdb_query(f"select source_key from raw.{table} where del_flag = '2'")
        }
        staged_deleted = {
            k
            for (k,) in duckdb_query(
                f"select source_key from staging.{staging_model(table)} where is_deleted"
            )
        }
        quarantined = {
            k
            for (k,) in duckdb_query(
                f"select source_key from audit.quarantine where source_table = '{table}'"
            )
        }
        assert raw_deleted, table
        assert staged_deleted == raw_deleted - quarantined, table
