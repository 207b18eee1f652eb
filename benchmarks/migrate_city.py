"""Benchmark: land city-scale legacy data (SQLite / MariaDB) into DuckDB / PostgreSQL.

    .venv/bin/python benchmarks/migrate_city.py --sqlite data/city.db \\
        [--mariadb mysql+pymysql://root@127.0.0.1:3306/eldercare_city] \\
        [--postgres postgresql://postgres@127.0.0.1:5432/eldercare_bench] [--paths sqlite:duckdb,...]

Make the data first with ``eldercare generate --scale city --to sqlite:///data/city.db`` (and
``--to mysql+pymysql://...`` for MariaDB). Each path runs in a fresh child process (so that
peak memory is that path's own: ru_maxrss of the child), through ``land_table`` for every legacy
table, the same function the Dagster assets call, into an empty warehouse. It reports rows/s and
peak RSS per path and table, and writes benchmarks/results/migrate_city.json and .md.

Also measures the readers alone (connectorx Arrow stream vs SQLAlchemy fetchmany) on the largest
table, which is how connectorx was chosen.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
READER_SAMPLE_ROWS = 2_000_000


def run_path(source_url: str, target: str, tables: list[str]) -> dict:
    """In the child: land every table, return timings (no personal data, counts only)."""
    from eldercare.warehouse import Warehouse
    from migration.landing import land_table
    from migration.readers import LegacySource

    source = LegacySource(source_url)
    warehouse = Warehouse(target)
    with warehouse.connect() as conn:  # start empty: drop what a previous run left
        for schema in ("raw", "audit"):
            conn.execute(f"drop schema if exists {schema} cascade")
    out: dict = {"tables": {}}
    started = time.monotonic()
    for table in tables:
        outcome = land_table(source, warehouse, table, "benchmark")
        out["tables"][table] = {
            "rows": outcome.streamed_rows,
            "seconds": round(outcome.seconds, 2),
            "reconciled": outcome.ok,
        }
    out["seconds"] = round(time.monotonic() - started, 1)
    out["rows"] = sum(t["rows"] for t in out["tables"].values())
    out["rows_per_second"] = round(out["rows"] / out["seconds"])
    out["reconciled"] = all(t["reconciled"] for t in out["tables"].values())
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def run_readers(source_url: str, table: str) -> dict:
    """In the child: the readers alone over one table (no writing)."""
    from migration.readers import LegacySource

    out = {}
    for reader in ("connectorx", "sqlalchemy"):
        source = LegacySource(source_url)
        started, rows = time.monotonic(), 0
        for batch in source.stream(table, reader=reader):
            rows += batch.num_rows
            if rows >= READER_SAMPLE_ROWS:  # a sample is enough to compare the readers
                break
        seconds = time.monotonic() - started
        out[reader] = {
            "rows": rows,
            "seconds": round(seconds, 1),
            "rows_per_second": round(rows / seconds),
        }
    return out


def _child(kind: str, *args: str) -> dict:
    """Run one measurement in a fresh interpreter; its JSON result comes back on stdout."""
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        "from benchmarks.migrate_city import run_path, run_readers; "
        f"r = {kind}(*sys.argv[2:4], *( [sys.argv[4].split(',')] if len(sys.argv) > 4 else [] )); "
        "print(json.dumps(r))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(ROOT), *args], capture_output=True, text=True, cwd=ROOT
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", help="city legacy DB file (SQLite)")
    parser.add_argument("--mariadb", help="mysql+pymysql:// URL of the city legacy DB")
    parser.add_argument("--postgres", help="postgresql:// URL of an empty benchmark warehouse")
    parser.add_argument("--duckdb", default="/tmp/eldercare_bench/warehouse.duckdb")
    parser.add_argument("--paths", help="comma list, e.g. sqlite:duckdb,mariadb:postgres")
    parser.add_argument("--tables", help="comma list of legacy tables (default: all)")
    parser.add_argument("--label", default="city")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from migration.legacy_schema import TABLES

    tables = args.tables.split(",") if args.tables else list(TABLES)
    sources = {"sqlite": args.sqlite and f"sqlite:///{Path(args.sqlite).resolve()}"}
    sources["mariadb"] = args.mariadb
    targets = {"duckdb": args.duckdb, "postgres": args.postgres}
    wanted = args.paths.split(",") if args.paths else [f"{s}:{t}" for s in sources for t in targets]
    Path(args.duckdb).parent.mkdir(parents=True, exist_ok=True)

    results: dict = {
        "label": args.label,
        "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {_cpus()} cores, load {_load()}",
        "paths": {},
    }
    for path in wanted:
        src, tgt = path.split(":")
        if not sources.get(src) or not targets.get(tgt):
            continue
        if tgt == "duckdb":
            Path(targets[tgt]).unlink(missing_ok=True)
            Path(targets[tgt] + ".wal").unlink(missing_ok=True)
        print(f"{path} ...", flush=True)
        result = _child("run_path", sources[src], targets[tgt], ",".join(tables))
        results["paths"][path] = result
        print(f"{path}: {_line(result)}", flush=True)
        _write(args.label, results)  # after each path: a long run keeps what it measured
    first = sources["sqlite"] or sources["mariadb"]
    if first:
        from migration.readers import LegacySource

        biggest = max(tables, key=lambda t: LegacySource(first).count(t)[0])
        results["readers"] = {"table": biggest, **_child("run_readers", first, biggest)}
        print(f"readers on {biggest}: {results['readers']}", flush=True)

    _write(args.label, results)


def _write(label: str, results: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"migrate_{label}"
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    stem.with_suffix(".md").write_text(_markdown(results), encoding="utf-8")
    print(f"results in {stem}.json and .md", flush=True)


def _line(r: dict) -> str:
    if "error" in r:
        return f"ERROR {r['error']}"
    return (
        f"{r['rows']:,} rows in {r['seconds']} s = {r['rows_per_second']:,} rows/s, "
        f"peak {r['peak_rss_mb']} MB, reconciled {r['reconciled']}"
    )


def _markdown(results: dict) -> str:
    lines = [
        f"# Migration benchmark ({results['label']}), {results['at']}",
        "",
        f"Machine: {results['machine']}.",
        "",
        "| path | rows | seconds | rows/s | peak RSS MB | reconciled |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for path, r in results["paths"].items():
        if "error" in r:
            lines.append(f"| {path} | error: {r['error']} | | | | |")
            continue
        lines.append(
            f"| {path} | {r['rows']:,} | {r['seconds']} | {r['rows_per_second']:,} | "
            f"{r['peak_rss_mb']} | {r['reconciled']} |"
        )
    if "readers" in results:
        rd = results["readers"]
        lines += ["", f"Readers alone, first {READER_SAMPLE_ROWS:,} rows of {rd['table']}:", ""]
        for name in ("connectorx", "sqlalchemy"):
            if name in rd:
                lines.append(f"- {name}: {rd[name]['rows_per_second']:,} rows/s")
    return "\n".join(lines) + "\n"


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _load() -> str:
    import os

    return "/".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
