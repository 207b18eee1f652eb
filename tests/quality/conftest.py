"""Tiny warehouses for the quality tests: DuckDB files (and PostgreSQL databases) holding a few
hand-made rows in named schemas, so each expectation has a known number of bad rows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import psycopg
import pytest


def _create(execute, schema: str, table: str, columns: dict[str, str], rows: Sequence[tuple]):
    execute(f"create schema if not exists {schema}")
    execute(f"drop table if exists {schema}.{table}")
    execute(f"create table {schema}.{table} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
    marks = ", ".join(["%s"] * len(columns))
    for row in rows:
        execute(f"insert into {schema}.{table} values ({marks})", row)


def _duckdb_table(
    path: Path, schema: str, table: str, columns: dict[str, str], rows: Sequence[tuple]
) -> None:
    con = duckdb.connect(str(path))
    try:
        _create(
            lambda sql, params=None: con.execute(sql.replace("%s", "?"), params),
            schema,
            table,
            columns,
            rows,
        )
    finally:
        con.close()


def _pg_table(
    url: str, schema: str, table: str, columns: dict[str, str], rows: Sequence[tuple]
) -> None:
    with psycopg.connect(url, autocommit=True) as con:
        _create(con.execute, schema, table, columns, rows)


def _raw_columns(legacy_columns: Sequence[str]) -> dict[str, str]:
    """The raw layer's shape: every legacy column as text, plus the lineage columns."""
    lineage = ("source_table", "source_key", "row_hash", "run_id", "loaded_at")
    return {c: "text" for c in (*legacy_columns, *lineage)}


@pytest.fixture(scope="session")
def duckdb_table():
    """duckdb_table(path, schema, table, {column: type}, rows) creates and fills a table."""
    return _duckdb_table


@pytest.fixture(scope="session")
def pg_table():
    """pg_table(url, schema, table, {column: type}, rows), on a PostgreSQL database."""
    return _pg_table


@pytest.fixture(scope="session")
def raw_columns():
    """raw_columns(legacy_columns) -> the raw layer's {column: 'text'} with lineage columns."""
    return _raw_columns
