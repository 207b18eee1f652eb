"""Copy a built DuckDB warehouse's published tables into PostgreSQL (for the cockpit benchmark).

    .venv/bin/python benchmarks/warehouse_to_postgres.py --warehouse data/bench/city/warehouse.duckdb \\
        --postgres postgresql://postgres@127.0.0.1:5432/eldercare_city_copy \\
        [--schemas marts quality audit raw] [--skip raw.yl_health_record marts.fct_health_reading]

Why: ``benchmarks/cockpit_city.py --postgres`` needs a city-scale PostgreSQL warehouse that has
been published. Building one takes about 20 minutes of dbt plus the publish step; the cockpit's
queries only need the same tables with the same rows, which this script gives in a few minutes.
Tables are copied as tables (views too, materialised), in the same schemas and column names,
with PostgreSQL types for DuckDB's (lists become arrays, structs JSON text), and the marts'
lookup indexes a PostgreSQL build creates (``lookup_indexes`` in ``dbt/dbt_project.yml``), and
the same county scope (row-level security and grants for ``eldercare_reader``: ``dbt
run-operation apply_county_scope``), so the cockpit reads it as it reads a built one. Not
a way to build a warehouse: the product builds PostgreSQL with ``eldercare build --warehouse
postgresql://…``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
import psycopg

from models.warehouse_tables import lookup_indexes

ROOT = Path(__file__).resolve().parent.parent

_TYPES = {
    "VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "SMALLINT": "smallint",
    "TINYINT": "smallint", "UBIGINT": "numeric", "UINTEGER": "bigint", "HUGEINT": "numeric",
    "DOUBLE": "double precision", "FLOAT": "real", "BOOLEAN": "boolean", "DATE": "date",
    "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz", "TIME": "time",
    "INTERVAL": "interval", "UUID": "uuid", "BLOB": "bytea",
}  # fmt: skip


def _column(name: str, dtype: str) -> tuple[str, str]:
    """(PostgreSQL type, DuckDB select expression) for one column."""
    q = f'"{name}"'
    if dtype.startswith("DECIMAL"):
        return dtype.replace("DECIMAL", "numeric"), q
    if dtype.endswith("[]"):
        inner = _TYPES.get(dtype[:-2], "text")
        text = "'\"' || replace(replace(cast(x as varchar), '\\', '\\\\'), '\"', '\\\"') || '\"'"
        literal = f"'{{' || array_to_string(list_transform({q}, x -> {text}), ',') || '}}'"
        return f"{inner}[]", f"case when {q} is null then null else {literal} end"
    if dtype.startswith(("STRUCT", "MAP")) or dtype == "JSON":
        return "text", f"cast(to_json({q}) as varchar)"
    return _TYPES.get(dtype, "text"), q


def copy(warehouse: str, url: str, schemas: list[str], skip: set[str]) -> list[dict]:
    con = duckdb.connect(warehouse, read_only=True)
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema in (select unnest(?)) order by 1, 2",
        [schemas],
    ).fetchall()
    done = []
    with psycopg.connect(url, autocommit=True) as pg, tempfile.TemporaryDirectory() as tmp:
        for schema in schemas:
            pg.execute(f'create schema if not exists "{schema}"')
        for schema, table in tables:
            if f"{schema}.{table}" in skip:
                continue
            started = time.perf_counter()
            cols = con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            mapped = [(name, *_column(name, dtype)) for name, dtype in cols]
            ddl = ", ".join(f'"{n}" {t}' for n, t, _ in mapped)
            pg.execute(f'drop table if exists "{schema}"."{table}" cascade')
            pg.execute(f'drop view if exists "{schema}"."{table}" cascade')
            pg.execute(f'create table "{schema}"."{table}" ({ddl})')
            csv = Path(tmp) / "t.csv"
            select = ", ".join(expr for _, _, expr in mapped)
            con.execute(
                f'copy (select {select} from "{schema}"."{table}") to \'{csv}\' (header false)'
            )
            target = f'copy "{schema}"."{table}" from stdin (format csv)'
            with pg.cursor() as cur, cur.copy(target) as cp, csv.open("rb") as f:
                while chunk := f.read(1 << 20):
                    cp.write(chunk)
            rows = pg.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            for column in lookup_indexes().get(table, []) if schema == "marts" else []:
                pg.execute(f'create index on "{schema}"."{table}" ("{column}")')
            pg.execute(f'analyze "{schema}"."{table}"')
            done.append({"table": f"{schema}.{table}", "rows": rows,
                         "seconds": round(time.perf_counter() - started, 1)})  # fmt: skip
            print(f"{schema}.{table}: {rows:,} rows in {done[-1]['seconds']} s", flush=True)
    return done


def apply_county_scope(url: str) -> None:
    """Role, policies and grants, by the dbt macros a build runs (docs/security.md)."""
    from eldercare.settings import Settings
    from pipelines.dbt_project import run_dbt

    proc = run_dbt(["run-operation", "apply_county_scope"], Settings(warehouse=url))
    print(next((line for line in proc.stdout.splitlines() if "county scope" in line), ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--postgres", required=True)
    parser.add_argument(
        "--schemas",
        nargs="+",
        default=["marts", "quality", "audit", "raw", "reference", "restricted"],
    )
    parser.add_argument(
        "--skip", nargs="*", default=["raw.yl_health_record", "marts.fct_health_reading"]
    )
    args = parser.parse_args()
    started = time.perf_counter()
    done = copy(args.warehouse, args.postgres, args.schemas, set(args.skip))
    apply_county_scope(args.postgres)
    rows = sum(d["rows"] for d in done)
    print(f"{len(done)} tables, {rows:,} rows in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
