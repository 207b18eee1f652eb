"""DuckDB and PostgreSQL build the same warehouse from the same tiny data, row by row: every
table and view of every schema the dbt build writes, compared as an order-independent multiset
of normalised rows (the rule is in engines.py). A difference names the table, the row's
key columns and the columns that differ. Both session builds are reused; nothing is built here."""

from __future__ import annotations

import json

import pytest
from engines import Engine, row_differences

pytestmark = pytest.mark.postgres

SCHEMAS = ["staging", "intermediate", "marts", "audit", "restricted", "reference"]
# Columns that name the run or the moment of the build, not the data (also inside the raw
# JSON that audit tables keep of a rejected row).
VOLATILE = {"run_id", "checked_at", "loaded_at"}
# Columns that identify a row, to pair the two sides of a difference.
KEYS = ("source_table", "source_key", "source_file", "source_row")


@pytest.fixture(scope="module")
def engines(duckdb_build, pg_build) -> tuple[Engine, Engine]:
    assert duckdb_build.error is None, duckdb_build.error
    assert pg_build.error is None, pg_build.error
    return Engine("duckdb", duckdb_build.target), Engine("postgres", pg_build.target)


def _differences(duck: Engine, pg: Engine, schema: str) -> list[str]:
    tables = duck.tables(schema)
    out = []
    if set(tables) != set(pg.tables(schema)):
        out.append(f"{schema}: tables differ {sorted(set(tables) ^ set(pg.tables(schema)))}")
    for table in sorted(set(tables) & set(pg.tables(schema))):
        d_cols, p_cols = duck.columns(schema, table), pg.columns(schema, table)
        if list(d_cols) != list(p_cols):
            out.append(f"{schema}.{table}: columns differ {sorted(set(d_cols) ^ set(p_cols))}")
        cols = [c for c in d_cols if c in p_cols and c not in VOLATILE]
        keys = [c for c in KEYS if c in cols]
        cols = keys + [c for c in cols if c not in keys]
        sql = "select " + ", ".join(f'"{c}"' for c in cols) + f" from {schema}.{table}"
        diff = row_differences(
            cols, _rows(duck, sql, cols), _rows(pg, sql, cols), key=len(keys) or None
        )
        out += [f"{schema}.{table}: {line}" for line in diff]
    return out


def _rows(engine: Engine, sql: str, cols: list[str]) -> list[tuple]:
    """Rows, with the JSON of a rejected raw row parsed and its run bookkeeping dropped."""
    rows = engine.query(sql)
    if "raw" not in cols:
        return rows
    i = cols.index("raw")

    def parsed(text: str | None) -> object:
        if text is None:
            return None
        data = json.loads(text)
        return {k: v for k, v in data.items() if k not in VOLATILE}

    return [(*r[:i], parsed(r[i]), *r[i + 1 :]) for r in rows]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_duckdb_and_postgres_build_the_same_rows(engines, schema: str) -> None:
    duck, pg = engines
    assert duck.tables(schema), f"the DuckDB build has no {schema} tables"
    differences = _differences(duck, pg, schema)
    assert differences == [], "\n".join(differences)
