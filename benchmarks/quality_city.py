"""Benchmark: every quality check of the warehouse together, on a migrated and dbt-built warehouse.

    .venv/bin/python benchmarks/quality_city.py --warehouse data/bench/city/warehouse.duckdb \
        --label city [--copy] [--no-gx]

Times, in one process: all registered GX suites (raw layer, with the city's bar rules in them),
the scorecard (quality.scorecard, all entities), the district reporting issues and the trend
outliers. Target: all of it within 2 minutes at city scale. With ``--copy`` the warehouse file
is copied first (the checks write quality.* tables). Results are appended to
benchmarks/results/quality_city.json.
"""

import argparse
import json
import platform
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from eldercare.settings import REPO_ROOT
from quality.district_reporting import check_district_reporting
from quality.gx_runtime import run_suite
from quality.outliers import find_trend_outliers
from quality.scorecard import compute_scorecard
from quality.suites import SUITES

RESULTS = REPO_ROOT / "benchmarks" / "results" / "quality_city.json"


def _rows(target: str) -> dict[str, int]:
    con = duckdb.connect(target, read_only=True)
    try:
        tables = ("yl_elder", "yl_health_record", "yl_work_order", "district_monthly_report")
        return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in tables}
    finally:
        con.close()


def _timed(label: str, fn, timings: dict[str, float], failures: dict[str, str] | None = None):
    """Time one step; with ``failures``, a step that fails (a mart the build skipped) is
    recorded with its first error line and the benchmark goes on."""
    started = time.perf_counter()
    try:
        out = fn()
    except Exception as exc:
        if failures is None:
            raise
        failures[label] = str(exc).splitlines()[0][:200]
        out = {}
    timings[label] = round(time.perf_counter() - started, 2)
    print(f"{label}: {timings[label]} s", flush=True)
    return out


def run(target: str, label: str, gx: bool) -> dict:
    timings: dict[str, float] = {}
    if gx:
        for spec in SUITES.values():
            _timed(
                f"gx {spec.name}",
                lambda s=spec: run_suite(target, s.layer, s.table, s.build()),
                timings,
            )
        timings["gx all suites"] = round(
            sum(v for k, v in timings.items() if k.startswith("gx ")), 2
        )
    failures: dict[str, str] = {}
    scores = _timed("scorecard", lambda: compute_scorecard(target), timings)
    issues = _timed(
        "district_reporting", lambda: check_district_reporting(target), timings, failures
    )
    outliers = _timed("trend_outliers", lambda: find_trend_outliers(target), timings, failures)
    steward = ("scorecard", "district_reporting", "trend_outliers")
    timings["steward total"] = round(sum(timings[k] for k in steward), 2)
    timings["all checks"] = round(timings["steward total"] + timings.get("gx all suites", 0), 2)
    return {
        "label": label,
        "rows": _rows(target),
        "seconds": timings,
        "entities_meeting_bar": sorted(e for e, s in scores.items() if s.meets_bar),
        "error_rates": {e: round(s.error_rate or 0, 5) for e, s in scores.items()},
        "completeness": {e: round(s.completeness or 0, 5) for e, s in scores.items()},
        "district_issues": dict(issues),
        "trend_outliers": dict(outliers),
        "failures": failures,
        "machine": f"{platform.machine()}, 2 cores shared with other jobs",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", required=True, help="a migrated, dbt-built DuckDB file")
    parser.add_argument("--label", default="city")
    parser.add_argument("--copy", action="store_true", help="work on a copy of the file")
    parser.add_argument("--no-gx", action="store_true", help="skip the GX suites")
    args = parser.parse_args()
    target = args.warehouse
    tmp = None
    if args.copy:
        tmp = tempfile.mkdtemp(prefix="quality_city_")
        target = str(Path(tmp) / "warehouse.duckdb")
        shutil.copy(args.warehouse, target)
    try:
        result = run(target, args.label, gx=not args.no_gx)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    history = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    history.append(result)
    RESULTS.write_text(json.dumps(history, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result["seconds"], indent=2))


if __name__ == "__main__":
    main()
