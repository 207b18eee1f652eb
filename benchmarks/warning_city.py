"""Benchmark: the work-order warning on a built warehouse (models/warning/, docs/warning.md).

    .venv/bin/python benchmarks/warning_city.py --warehouse data/bench/city/warehouse.duckdb \
        --truth data/bench/city/truth --label city [--publish]

Times, in one process: reading the orders and labels, the rules and features, training (the
positive-unlabelled model, out-of-fold calibration, the capacity threshold), scoring every order
with its reasons; with ``--publish`` the whole asset (writes included) on a copy of the file.
With ``--truth`` (the generator's truth folder) the time-split metrics (rules alone, model
alone, both) are added. Targets at city scale (1.25 M orders, 2 cores): scoring <= 60 s,
training <= 3 min, peak memory <= 6 GB. Results are appended to
benchmarks/results/warning_city.json.
"""

import argparse
import json
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from eldercare.settings import REPO_ROOT
from eldercare.warehouse import Warehouse
from models.warning import data, evaluate, model, publish, rules

RESULTS = REPO_ROOT / "benchmarks" / "results" / "warning_city.json"


def _peak_gb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2)


def run(target: str, label: str, truth: Path | None, do_publish: bool) -> dict:
    t: dict[str, float] = {}

    def step(name, fn):
        started = time.perf_counter()
        out = fn()
        t[name] = round(time.perf_counter() - started, 2)
        print(f"{name}: {t[name]} s (peak {_peak_gb()} GB)", flush=True)
        return out

    ruleset = rules.load_rules()
    with Warehouse(target).connect() as conn:
        orders = step("read orders", lambda: data.read_orders(conn))
        doubts = step("read labels", lambda: data.read_doubts(conn))
    hits, m = step("rules", lambda: rules.evaluate(orders, ruleset, rules.load_entitlements()))
    x = step("features", lambda: model.features(orders, hits, m))
    y = data.labels(orders, doubts).reindex(orders["order_id"]).reset_index(drop=True)
    completed = orders["order_status"].astype(str).isin(publish.REVIEWABLE).to_numpy()
    mdl = step("train", lambda: model.train(x, hits, y, completed, ruleset))
    score = step("score", lambda: mdl.score(x, hits))
    scored = publish.Scored(orders, hits, m, x, y, mdl, score, completed & (score >= mdl.threshold))
    step("reasons", lambda: publish.order_warning_frame(scored, ruleset))
    t["scoring total (rules+features+score+reasons)"] = round(
        t["rules"] + t["features"] + t["score"] + t["reasons"], 2
    )
    result = {
        "label": label,
        "orders": len(orders),
        "seconds": t,
        "peak_memory_gb": _peak_gb(),
        "flagged": int(scored.suspicious.sum()),
        "threshold": round(mdl.threshold, 4),
        "model": {k: v for k, v in mdl.info.items() if not isinstance(v, np.ndarray)},
        "machine": f"{platform.machine()}, 2 cores shared with other jobs",
    }
    if do_publish:
        tmp = tempfile.mkdtemp(prefix="warning_city_")
        try:
            copy = str(Path(tmp) / "warehouse.duckdb")
            shutil.copy(target, copy)
            with Warehouse(copy).connect() as conn:
                step("publish (whole asset, writes)", lambda: publish.publish(conn, None))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        result["seconds"] = t
    if truth is not None:
        fraud = pd.read_parquet(truth / "fraud_orders.parquet")
        result["evaluation"] = step(
            "evaluate (time split)", lambda: evaluate.evaluate(orders, doubts, fraud, ruleset)
        )
    result["peak_memory_gb"] = _peak_gb()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", required=True, help="a built DuckDB warehouse")
    parser.add_argument("--truth", type=Path, help="the generator's truth folder (metrics)")
    parser.add_argument("--label", default="city")
    parser.add_argument("--publish", action="store_true", help="also run the whole asset on a copy")
    args = parser.parse_args()
    result = run(args.warehouse, args.label, args.truth, args.publish)
    history = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    history.append(result)
    RESULTS.write_text(json.dumps(history, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("seconds", "peak_memory_gb")}, indent=2))
    if "evaluation" in result:
        print(json.dumps(result["evaluation"], ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
