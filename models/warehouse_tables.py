"""Reading marts into DataFrames and publishing a model's tables, the same on DuckDB and
PostgreSQL (through ``eldercare.warehouse``).

A model's tables are replaced together in one transaction (drop, create, insert): a reader sees
the previous tables or the new ones, never a mix, and a failed run leaves the previous ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import yaml

from eldercare.warehouse import WarehouseConnection, ident

DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt" / "dbt_project.yml"


@cache
def lookup_indexes() -> dict[str, list[str]]:
    """Table -> columns indexed on PostgreSQL: one list for the dbt marts and the published
    tables (``vars.lookup_indexes`` of dbt_project.yml). Without an index a lookup of one elder
    in a published table of 1.4 M rows is a scan, and a correlated one a scan per row."""
    project = yaml.safe_load(DBT_PROJECT.read_text(encoding="utf-8"))
    return project["vars"]["lookup_indexes"]


def read_frame(
    conn: WarehouseConnection, sql: str, columns: Sequence[str], params=()
) -> pd.DataFrame:
    """The rows of ``sql`` (``?`` placeholders) as a DataFrame with these column names."""
    return pd.DataFrame(conn.execute(sql, params), columns=list(columns))


def replace_tables(
    conn: WarehouseConnection,
    schema: str,
    tables: Mapping[str, tuple[str, pd.DataFrame]],
    computed_at: datetime | None = None,
) -> dict[str, int]:
    """Replace ``schema.<name>`` by each (DDL columns, rows), plus a ``computed_at`` column.

    The DataFrame's columns are those of the DDL, in any order. Returns rows per table.
    """
    stamp = computed_at or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    written: dict[str, int] = {}
    conn.execute(f"create schema if not exists {ident(schema)}")
    with conn.transaction():
        for name, (ddl, df) in tables.items():
            target = f"{ident(schema)}.{ident(name)}"
            conn.execute(f"drop table if exists {target}")
            conn.execute(f"create table {target} ({ddl}, computed_at timestamp not null)")
            data = _arrow(df.assign(computed_at=stamp))
            conn.insert_arrow(schema, name, data)
            for column in lookup_indexes().get(name, []) if conn.postgres else []:
                conn.execute(f"create index on {target} ({ident(column)})")
            written[name] = len(df)
    return written


def _arrow(df: pd.DataFrame) -> pa.Table:
    """Arrow with NaN and None as NULL, object columns as text."""
    fields: dict[str, Any] = {}
    for column in df.columns:
        values = df[column]
        if values.dtype == object:
            fields[column] = pa.array(
                [None if v is None or v != v else str(v) for v in values], pa.string()
            )
        else:
            fields[column] = pa.array(values, from_pandas=True)
    return pa.table(fields)
