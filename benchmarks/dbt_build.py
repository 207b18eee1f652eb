"""Benchmark: seconds of `dbt build` (staging, intermediate, marts and their tests) per scale
and warehouse, and the PostgreSQL / DuckDB ratio.

    .venv/bin/python benchmarks/dbt_build.py --scales small city --targets duckdb postgres

For each scale it generates the legacy data once (`eldercare generate`, seed 42, kept under
data/bench/<scale>/), migrates it once per target (`eldercare migrate`, not timed), then times
`dbt build` on the warehouse, `--repeat` times (the best run is reported, the others shown).
Results go to benchmarks/results/dbt_build.json and are printed as a table. Target at city
scale on DuckDB: at most 240 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from eldercare.settings import REPO_ROOT, Settings
from pipelines.dbt_project import run_dbt

BENCH_DIR = REPO_ROOT / "data" / "bench"
RESULTS = REPO_ROOT / "benchmarks" / "results" / "dbt_build.json"
PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
CITY_TARGET_SECONDS = 240
SEED = 42


def _eldercare(*args: str) -> None:
    exe = Path(sys.executable).with_name("eldercare")
    subprocess.run([str(exe), *args], check=True, cwd=REPO_ROOT)


def legacy_for(scale: str, folder: Path | None = None) -> tuple[str, Path]:
    """The scale's legacy database URL and exports folder, generated on first use (or an
    existing generator output folder given with --data SCALE=DIR)."""
    folder = folder or BENCH_DIR / scale
    db = folder / "legacy.db"
    exports = folder / "exports"
    if not db.exists():
        folder.mkdir(parents=True, exist_ok=True)
        _eldercare(
            "generate", "--scale", scale, "--seed", str(SEED), "--to", f"sqlite:///{db}",
            "--exports", str(exports), "--truth", str(folder / "truth"),
        )  # fmt: skip
    return f"sqlite:///{db}", exports


def warehouse_for(scale: str, target: str) -> str:
    if target == "duckdb":
        return str(BENCH_DIR / scale / "warehouse.duckdb")
    return f"postgresql://postgres@127.0.0.1:5432/eldercare_bench_{scale}"


def migrated(scale: str, target: str, warehouse: str) -> bool:
    """True when the warehouse already holds this scale's raw layer (migration is not timed)."""
    if target == "duckdb":
        if not Path(warehouse).exists():
            return False
        url = f"duckdb:///{warehouse}"
    else:
        engine = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            name = warehouse.rsplit("/", 1)[1]
            exists = conn.execute(
                sa.text("select 1 from pg_database where datname = :n"), {"n": name}
            ).first()
            if not exists:
                conn.execute(sa.text(f'create database "{name}"'))
                return False
        url = warehouse.replace("postgresql://", "postgresql+psycopg2://", 1)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            n = conn.execute(sa.text("select count(*) from raw.yl_elder")).scalar()
            return bool(n)
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def time_build(scale: str, target: str, repeat: int, folder: Path | None = None) -> dict:
    url, exports = legacy_for(scale, folder)
    warehouse = warehouse_for(scale, target)
    if not migrated(scale, target, warehouse):
        _eldercare("migrate", "--legacy", url, "--legacy", str(exports), "--warehouse", warehouse)
    settings = Settings(warehouse=warehouse)
    run_dbt(["parse"], settings)  # parsing is not what we measure
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        run_dbt(["build"], settings)
        runs.append(round(time.perf_counter() - started, 1))
    return {
        "scale": scale,
        "target": target,
        "seconds": min(runs),
        "runs": runs,
        # other work on the machine slows dbt down: say how busy it was
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["small", "city"])
    parser.add_argument("--targets", nargs="+", default=["duckdb", "postgres"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--data", action="append", default=[], metavar="SCALE=DIR",
        help="use an existing generator output (legacy.db + exports/) for a scale",
    )  # fmt: skip
    args = parser.parse_args(argv)
    folders = {k: Path(v) for k, v in (d.split("=", 1) for d in args.data)}
    results = [
        time_build(s, t, args.repeat, folders.get(s)) for s in args.scales for t in args.targets
    ]
    # keep the other scales' and targets' last results (city runs are rare), and compare
    # PostgreSQL with the latest DuckDB figure of the same scale, fresh or kept
    previous = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else []
    fresh = {(r["scale"], r["target"]) for r in results}
    merged = [r for r in previous if (r["scale"], r["target"]) not in fresh] + results
    by = {(r["scale"], r["target"]): r["seconds"] for r in merged}
    print(f"{'scale':<8}{'target':<10}{'dbt build s':>12}{'pg/duckdb':>11}")
    for r in merged:
        ratio = ""
        if r["target"] == "postgres" and (r["scale"], "duckdb") in by:
            ratio = f"{r['seconds'] / by[(r['scale'], 'duckdb')]:.2f}"
            r["ratio_pg_duckdb"] = float(ratio)
        print(f"{r['scale']:<8}{r['target']:<10}{r['seconds']:>12.1f}{ratio:>11}")
    if ("city", "duckdb") in by:
        ok = by[("city", "duckdb")] <= CITY_TARGET_SECONDS
        print(f"city/duckdb target {CITY_TARGET_SECONDS} s: {'met' if ok else 'MISSED'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
