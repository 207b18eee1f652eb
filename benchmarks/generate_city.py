"""Benchmark: generate scale city into SQLite; print time, peak memory and rows per table.

Run: .venv/bin/python benchmarks/generate_city.py [--scale city] [--seed 42] [--out DIR]
Writes benchmarks/results/generate_<scale>.json. Not a test (takes minutes).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

from migration.generator import generate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="city")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default=None, help="work folder (default: a temporary one)")
    args = ap.parse_args()
    work = Path(args.out or tempfile.mkdtemp(prefix="eldercare_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "legacy.db"
    t0 = time.perf_counter()
    s = generate(args.scale, args.seed, f"sqlite:///{db}", work / "exports", work / "truth")
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    result = {
        "scale": args.scale,
        "seed": args.seed,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "load_average_after": load,
        "peak_rss_mb": round(peak_mb),
        "db_size_mb": round(db.stat().st_size / 2**20),
        "rows": s.rows,
        "write_seconds": s.write_seconds,
        "total_rows": sum(s.rows.values()),
        "files": len(s.files),
        "machine": {
            "cpus": len(__import__("os").sched_getaffinity(0)),
            "python": platform.python_version(),
        },
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    out = Path(__file__).parent / "results" / f"generate_{args.scale}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.out is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
