"""audit.reconciliation has one definition: the dbt macro that creates it when the migration has
not (``ensure_audit_tables``) makes the same table as the migration (``RECONCILIATION_DDL``):
same columns, types and not-null constraints, compared on tables both really create."""

from __future__ import annotations

import re

import duckdb

from migration.reconcile import RECONCILIATION_DDL
from pipelines.dbt_project import DBT_DIR

AUDIT_MACROS = DBT_DIR / "macros" / "staging" / "audit.sql"


def macro_ddl(text: str) -> str:
    """The macro's ``create table ... audit.reconciliation (...)`` statement (plain SQL)."""
    match = re.search(
        r"create table if not exists audit\.reconciliation \(.*?\n    \);", text, re.S
    )
    assert match, f"{AUDIT_MACROS}: no audit.reconciliation in ensure_audit_tables"
    return match.group(0).rstrip(";")


def shape(ddl: str) -> list[tuple]:
    con = duckdb.connect()
    con.execute("create schema audit")
    con.execute(ddl)
    return con.execute(
        "select column_name, data_type, is_nullable from information_schema.columns"
        " where table_schema = 'audit' and table_name = 'reconciliation' order by ordinal_position"
    ).fetchall()


def test_dbt_and_the_migration_create_the_same_reconciliation_table() -> None:
    ours = shape(RECONCILIATION_DDL)
    assert ("source_rows", "BIGINT", "NO") in ours  # not null constraints are compared too
    assert shape(macro_ddl(AUDIT_MACROS.read_text("utf-8"))) == ours


def test_a_nullable_copy_would_be_caught() -> None:
    drifted = macro_ddl(AUDIT_MACROS.read_text("utf-8")).replace(
        "run_id text not null", "run_id text"
    )
    assert shape(drifted) != shape(RECONCILIATION_DDL)
