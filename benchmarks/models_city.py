"""Benchmark: the three smart models (elder profile, service demand, service-expiry reminder) on a
migrated and dbt-built warehouse, as the build's publish step runs them.

    .venv/bin/python benchmarks/models_city.py --warehouse data/bench/city/warehouse.duckdb \
        --label city [--copy] [--truth DIR]

Each model in turn, in one process: read its inputs, compute, replace its marts tables, write
its artefact card. Target (issue 13): all three within 3 minutes on 2 cores, peak memory
≤ 6 GB. With ``--copy`` the warehouse file is copied first (the models write marts tables).
With ``--truth`` (the generator's truth folder) the health tags and the expiry model are scored
against it. Results are appended to benchmarks/results/models_city.json.
"""

import argparse
import json
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from eldercare.settings import REPO_ROOT
from eldercare.warehouse import Warehouse
from models import demand, entitlement_dates, expiry, profile
from models.artefacts import data_hash, write_card
from models.warehouse_tables import read_frame, replace_tables

RESULTS = REPO_ROOT / "benchmarks" / "results" / "models_city.json"


def _peak_gb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2)


def _read(target: str, inputs: dict) -> dict[str, pd.DataFrame]:
    with Warehouse(target).connect() as conn:
        return {name: read_frame(conn, sql, cols) for name, (sql, cols) in inputs.items()}


def _write(target: str, tables: dict) -> None:
    with Warehouse(target).connect() as conn:
        replace_tables(conn, "marts", tables)


def run(target: str, truth: Path | None) -> dict:
    timings: dict[str, float] = {}
    out: dict = {}
    started = time.perf_counter()

    t = time.perf_counter()
    frames = _read(target, profile.INPUTS)
    p = profile.compute(frames)
    _write(target, {"elder_profile": (profile.TABLE, p.table)})
    write_card(target, "elder_profile", data_hash(frames), {"k": p.k})
    timings["elder_profile"] = round(time.perf_counter() - t, 2)
    out["profile"] = {"elders": len(p.table), "k": p.k, "silhouettes": p.silhouettes}
    print(f"elder_profile: {timings['elder_profile']} s, peak {_peak_gb()} GB", flush=True)
    del frames

    t = time.perf_counter()
    frames = _read(target, demand.INPUTS)
    d = demand.compute(frames)
    _write(target, {"demand_forecast": (demand.TABLES["demand_forecast"], d.forecast),
                    "demand_backtest": (demand.TABLES["demand_backtest"], d.backtest),
                    "demand_unmet": (demand.TABLES["demand_unmet"], d.unmet)})  # fmt: skip
    write_card(target, "service_demand", data_hash(frames), {})
    timings["service_demand"] = round(time.perf_counter() - t, 2)
    bt = d.backtest[d.backtest["horizon"] == "all"]
    out["demand_wape"] = (
        bt.pivot_table(index="level", columns="model", values="wape").round(4).to_dict("index")
    )
    out["demand_coverage"] = (
        bt[bt["model"] == "model"].set_index("level")["coverage"].round(4).to_dict()
    )
    print(f"service_demand: {timings['service_demand']} s, peak {_peak_gb()} GB", flush=True)
    del frames

    t = time.perf_counter()
    frames = _read(target, expiry.INPUTS)
    e = expiry.compute(frames)
    _write(target, {"expiry_reminder": (expiry.TABLE, e.reminders),
                    "expiry_evaluation": (expiry.EVALUATION_TABLE, expiry.evaluation_table(e.metrics))})  # fmt: skip
    write_card(target, "service_expiry", data_hash(frames), {"threshold": e.threshold})
    dated = entitlement_dates.reminders({**frames, **_read(target, entitlement_dates.INPUTS)})
    out["date_bound_reminder_rows"] = len(dated)
    timings["service_expiry"] = round(time.perf_counter() - t, 2)
    out["expiry_metrics"] = e.metrics
    out["reminder_rows"] = len(e.reminders)
    print(f"service_expiry: {timings['service_expiry']} s, peak {_peak_gb()} GB", flush=True)

    timings["total"] = round(time.perf_counter() - started, 2)
    if truth is not None:
        out["against_truth"] = _truth_scores(target, truth, p.table, e)
    return {"seconds": timings, "peak_rss_gb": _peak_gb(), **out}


def _truth_scores(target: str, truth: Path, table: pd.DataFrame, e) -> dict:
    """Health tags (elders with readings) and the expiry model (10 days left) vs the truth."""
    con = duckdb.connect(target, read_only=True)
    try:
        ids = con.execute("select elder_id, elder_code from intermediate.int_elder_resolved").df()
        health = con.execute(
            "select elder_code, measure_date, item_code from marts.fct_health_daily"
            " where item_code in ('SBP', 'DBP', 'GLU', 'HR')"
        ).df()
        lapsing = con.execute(
            f"select elder_id, period_end from read_parquet('{truth}/lapsing_entitlements.parquet')"
        ).df()
        persons = con.execute(f"select * from read_parquet('{truth}/elders.parquet')").df()
    finally:
        con.close()
    persons = persons.merge(ids, on="elder_id")
    tags = table.set_index("elder_code")["tags"].fillna("").str.split(",")
    scores = {}
    for tag, col in (("高血压风险", "true_hypertension"), ("高血糖风险", "true_diabetes"),
                     ("心率异常", "true_abnormal_heart_rate")):  # fmt: skip
        measured = _measured(health, profile.HEALTH_RULES[tag][0])
        has = set(persons.loc[persons[col], "elder_code"]) & measured & set(tags.index)
        found = {c for c, t in tags.items() if tag in t}
        tp = len(found & has)
        scores[tag] = {"recall": round(tp / max(len(has), 1), 4),
                       "precision": round(tp / max(len(found), 1), 4), "truth": len(has)}  # fmt: skip
    lapsing = lapsing.merge(ids, on="elder_id")
    t = e.test_rows[e.test_rows["days_left"] == 10]
    ends = set(t["period_end"].dt.date)
    truth_keys = {(c, d) for c, d in zip(lapsing["elder_code"], pd.to_datetime(lapsing["period_end"]).dt.date,
                                         strict=True) if d in ends}  # fmt: skip
    keys = list(zip(t["elder_code"], t["period_end"].dt.date, strict=True))
    for name, flags in (
        ("model_10d", t["lapse_probability"] >= e.threshold),
        ("rule_10d", t["used_share"] < 0.5),
    ):
        f = {k for k, x in zip(keys, flags, strict=True) if x}
        tp = len(f & truth_keys)
        scores[name] = {"recall": round(tp / max(len(truth_keys), 1), 4),
                        "precision": round(tp / max(len(f), 1), 4), "lapsing": len(truth_keys)}  # fmt: skip
    return scores


def _measured(health: pd.DataFrame, items: tuple[str, ...]) -> set[str]:
    """Elders with these readings on at least 3 days of the 30 ending on their last such day
    (what the rule needs to judge)."""
    h = health[health["item_code"].isin(items)].drop_duplicates(["elder_code", "measure_date"])
    h = h.assign(measure_date=pd.to_datetime(h["measure_date"]))
    last = h.groupby("elder_code")["measure_date"].transform("max")
    days = h[h["measure_date"] > last - pd.Timedelta(days=30)].groupby("elder_code").size()
    return set(days[days >= 3].index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True, help="DuckDB file of a built warehouse")
    parser.add_argument("--label", default="city")
    parser.add_argument("--copy", action="store_true", help="work on a copy of the file")
    parser.add_argument("--truth", type=Path, help="the generator's truth folder (scores)")
    args = parser.parse_args()
    target = args.warehouse
    with tempfile.TemporaryDirectory(dir=Path(target).resolve().parent) as tmp:
        if args.copy:
            copy = Path(tmp) / "warehouse.duckdb"
            shutil.copy2(target, copy)
            target = str(copy)
        result = {
            "label": args.label,
            "warehouse": args.warehouse,
            "machine": platform.node(),
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **run(target, args.truth),
        }
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    history = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else []
    history.append(result)
    RESULTS.write_text(
        json.dumps(history, ensure_ascii=False, indent=2, default=str) + "\n", "utf-8"
    )


if __name__ == "__main__":
    main()
