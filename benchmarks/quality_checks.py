"""Benchmark: seconds of the GX suite of raw.yl_work_order and of the text review, by rows.

    .venv/bin/python benchmarks/quality_checks.py --rows 200000 2000000 --targets duckdb postgres

For each size it builds a synthetic raw.yl_work_order (every legacy column as text, lineage
columns filled, 0.3 % of orders ending before they start, 1 % of keys loaded twice) and a
raw.yl_canteen_dish / raw.yl_org pair (20 % of dish names carry sensitive words) inside the
warehouse with SQL, then times ``run_suite`` and ``review_public_texts``. The suite's metrics run
in the warehouse: no row of the table reaches Python. Results go to
benchmarks/results/quality_checks.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb
import psycopg

from eldercare.settings import REPO_ROOT
from migration.legacy_schema import TABLES
from quality.gx_runtime import run_suite
from quality.suites import SUITES
from quality.text_review import review_public_texts

BENCH_DIR = REPO_ROOT / "data" / "bench" / "quality"
RESULTS = REPO_ROOT / "benchmarks" / "results" / "quality_checks.json"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgresql://postgres@127.0.0.1:5432/eldercare_bench_quality"

# Expressions over i = 0..n-1, valid in DuckDB and PostgreSQL alike.
_ORDER = {
    "order_id": "cast(case when i % 100 = 0 then i + 1 else i end as text)",
    "elder_id": "cast(i % 300000 as text)",
    "start_time": "cast(timestamp '2023-01-01' + (i % 900000) * interval '1 minute' as text)",
    "end_time": "cast(timestamp '2023-01-01'"
    " + (i % 900000 + case when i % 333 = 0 then -5 else 60 end) * interval '1 minute' as text)",
    "rating": "cast(1 + i % 5 as text)",
    "del_flag": "case when i % 50 = 0 then '2' else '0' end",
}
_DISH_WORDS = [
    "红烧肉",
    "清蒸鱼",
    "养生粥",
    "特效药膳",
    "番茄炒蛋",
    "延年益寿汤",
    "青菜",
    "米饭",
    "豆腐",
    "鸡汤",
]


def _select(table: str, exprs: dict[str, str], key: str, n: int, postgres: bool) -> str:
    cols = [f"{exprs.get(c.name, 'cast(null as text)')} as {c.name}" for c in TABLES[table].columns]
    cols += [
        f"'{table}' as source_table",
        f"{exprs[key]} as source_key",
        "md5(cast(i as text)) as row_hash",
        "'bench' as run_id",
        "'2026-11-01 00:00:00' as loaded_at",
    ]
    series = f"generate_series(0, {n - 1}) as t(i)" if postgres else f"range({n}) as t(i)"
    return f"create table raw.{table} as select {', '.join(cols)} from {series}"


def _statements(n: int, postgres: bool) -> list[str]:
    words = "array[" + ", ".join(f"'{w}'" for w in _DISH_WORDS) + "]"
    pick = f"({words})[1 + (i % 10)]"
    dish = {"dish_id": "cast(i as text)", "dish_name": f"{pick} || cast(i as text)"}
    org = {"org_id": "cast(i as text)", "org_name": "'第' || cast(i as text) || '长者食堂'"}
    return [
        "drop schema if exists raw cascade",
        "drop schema if exists quality cascade",
        "create schema raw",
        _select("yl_work_order", _ORDER, "order_id", n, postgres),
        _select("yl_canteen_dish", dish, "dish_id", max(n // 10, 1), postgres),
        _select("yl_org", org, "org_id", max(n // 100, 1), postgres),
    ]


def build(target: str, n: int) -> None:
    postgres = target.startswith("postgresql://")
    if postgres:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute("drop database if exists eldercare_bench_quality with (force)")
            admin.execute("create database eldercare_bench_quality")
        with psycopg.connect(target, autocommit=True) as con:
            for sql in _statements(n, postgres=True):
                con.execute(sql)
        return
    Path(target).unlink(missing_ok=True)
    con = duckdb.connect(target)
    try:
        for sql in _statements(n, postgres=False):
            con.execute(sql)
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 2_000_000])
    parser.add_argument("--targets", nargs="+", default=["duckdb"], choices=["duckdb", "postgres"])
    args = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    spec = SUITES[("raw", "yl_work_order")]
    results = []
    for name in args.targets:
        target = PG_BENCH if name == "postgres" else str(BENCH_DIR / "warehouse.duckdb")
        for n in args.rows:
            build(target, n)
            t0 = time.perf_counter()
            result = run_suite(target, "raw", "yl_work_order", spec.build())
            t1 = time.perf_counter()
            hits = review_public_texts(target)
            t2 = time.perf_counter()
            row = {
                "target": name,
                "work_orders": n,
                "suite_seconds": round(t1 - t0, 2),
                "expectations": len(result.outcomes),
                "failed": [o.label for o in result.failed()],
                "dishes_and_orgs": max(n // 10, 1) + max(n // 100, 1),
                "text_review_seconds": round(t2 - t1, 2),
                "text_hits": sum(hits.values()),
            }
            results.append(row)
            print(json.dumps(row, ensure_ascii=False))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
