"""Benchmark: the quality scores, a day's inspection plan and a report on a built warehouse.

    .venv/bin/python benchmarks/scoring_city.py --warehouse data/bench/city/warehouse.duckdb \
        --label city

Works on a copy of the warehouse (the steps replace marts tables) and a scratch application
database. Times: the scores of one quarter (``eldercare score --quarter``, the data's latest),
the build's four quarters, the plan (the whole quarter and one day), and one fortnightly report
(.docx + .pdf). Targets (issue 14): scores and a day's plan ≤ 60 s, a report ≤ 60 s at city
scale. Results are appended to benchmarks/results/scoring_city.json.
"""

import argparse
import datetime as dt
import json
import platform
import shutil
import tempfile
import time
from pathlib import Path

from eldercare.settings import REPO_ROOT
from eldercare.warehouse import Warehouse
from models import quality_publish as qp
from models.inspection_inputs import as_of
from models.quality_score import quarter_of
from reports.generate import generate

RESULTS = REPO_ROOT / "benchmarks" / "results" / "scoring_city.json"


def _timed(label: str, fn, timings: dict[str, float]):
    started = time.perf_counter()
    out = fn()
    timings[label] = round(time.perf_counter() - started, 2)
    print(f"{label}: {timings[label]} s", flush=True)
    return out


def run(target: str, label: str) -> dict:
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="scoring_bench_") as tmp:
        copy = Path(tmp) / "warehouse.duckdb"
        shutil.copy2(target, copy)
        app_db = f"sqlite:///{Path(tmp) / 'app.sqlite'}"
        with Warehouse(str(copy)).connect() as conn:
            day = as_of(conn)
            quarter = quarter_of(day)
            out = _timed("score_one_quarter", lambda: qp.publish_scores(conn, [quarter], app_db, keep_others=False), timings)  # fmt: skip
            quarters = qp.build_quarters(conn)
            _timed("score_build_quarters", lambda: qp.publish_scores(conn, quarters, app_db, keep_others=False), timings)  # fmt: skip
            plan = _timed("plan_quarter", lambda: qp.publish_plan(conn, day), timings)
        orgs = len(out["quality_score"])
        lo, hi = day - dt.timedelta(days=13), day
        _timed("report", lambda: generate(str(copy), lo, hi, None, out_dir=Path(tmp) / "r", by="bench", app_db=app_db), timings)  # fmt: skip
    result = {
        "label": label, "at": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.processor() or platform.machine()}",
        "quarter": quarter, "organisations": orgs, "plan_rows": len(plan), "seconds": timings,
        "scores_and_plan_s": round(timings["score_one_quarter"] + timings["plan_quarter"], 2),
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    history = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    RESULTS.write_text(json.dumps([*history, result], ensure_ascii=False, indent=1))
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--warehouse", required=True)
    p.add_argument("--label", default="city")
    args = p.parse_args()
    run(args.warehouse, args.label)
