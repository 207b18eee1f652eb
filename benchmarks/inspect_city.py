"""Benchmark: ``eldercare inspect`` (the migration's dry run) on city-scale legacy data.

    .venv/bin/python benchmarks/inspect_city.py --legacy sqlite:///data/city.db \\
        [--legacy mysql+pymysql://root@127.0.0.1:3306/eldercare_city] [--exports data/exports] \\
        [--name city]

Target: at most 120 s at city scale (35 M rows). Each source is inspected in a fresh child
process (peak memory is its own), through ``migration.inspect.inspect_sources``, the function
the command calls. Writes benchmarks/results/inspect_<name>.json: seconds per source and table,
peak RSS, the verdict. What is counted and what sampled: see migration/inspect.py.
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
TARGET_SECONDS = 120


def child(url: str, exports: str | None) -> dict:
    from migration.inspect import SAMPLE_ROWS, inspect_sources
    from migration.inspect_report import verdict
    from migration.readers import redact

    started = time.perf_counter()
    report = inspect_sources(url, Path(exports) if exports else None)
    seconds = time.perf_counter() - started
    return {
        "source": redact(url),
        "seconds": round(seconds, 1),
        "rows": sum(t.rows for t in report.tables),
        "sample_rows": SAMPLE_ROWS,
        "tables": {t.table: {"rows": t.rows, "seconds": t.seconds} for t in report.tables},
        "verdict": verdict(report),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "within_target": seconds <= TARGET_SECONDS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legacy", action="append", required=True, help="database URL")
    parser.add_argument("--exports", help="district exports folder (inspected with each source)")
    parser.add_argument("--name", default="city", help="results file suffix (default: city)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.legacy[0], args.exports)))
        return
    runs = []
    for url in args.legacy:
        cmd = [sys.executable, __file__, "--child", "--legacy", url]
        cmd += ["--exports", args.exports] if args.exports else []
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
        run = json.loads(proc.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(f"{run['source']}: {run['rows']:,} rows in {run['seconds']} s, "
              f"peak {run['peak_rss_mb']} MB; {run['verdict']}")  # fmt: skip
    result = {
        "benchmark": "inspect",
        "name": args.name,
        "target_seconds": TARGET_SECONDS,
        "machine": f"{platform.node()} {platform.machine()} {platform.python_version()}",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"inspect_{args.name}.json"
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
