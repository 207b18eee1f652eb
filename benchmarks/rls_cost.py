"""Benchmark: what row-level security costs the cockpit's queries on PostgreSQL.

    .venv/bin/python benchmarks/rls_cost.py \\
        --postgres postgresql://postgres@127.0.0.1:5432/eldercare_city_copy \\
        [--reader-url postgresql://eldercare_reader:…@host/db] [--county 440881] [--reps 3] \\
        [--label city]

The warehouse must be built (``eldercare build --warehouse postgresql://…``) or copied with
``benchmarks/warehouse_to_postgres.py``, which applies the same county scope. Every data
function of every ``cockpit/data`` module is called as the pages call it (the walk of
``tests/cockpit/data_walk.py``), twice in a row, the query cache cleared before each:

- **owner**: connected as the ``--postgres`` URL's role, which owns the tables (or is the
  superuser): row-level security does not filter it;
- **reader**: connected as ``eldercare_reader`` (``--reader-url``, default: the same URL with
  that user and no password), with ``eldercare.county_code`` set: the policies filter every row.

Both for a city-level viewer (the city value ``*``) and for a county user (``--county``; the
page's own ``where county_code = ?`` is there in both modes, so the difference is the
policies). Reported per viewer: p50/p95 over all calls, the sum of medians per function, their
ratio (target: reader at most 1.2 × owner at city scale), and the functions that cost most.
Appended to ``benchmarks/results/rls_cost.json``. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "rls_cost.json"
sys.path.insert(0, str(ROOT / "tests" / "cockpit"))  # the tests' walk over the data functions
TARGET_RATIO = 1.2


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _connect_as(warehouse: str, reader_url: str | None) -> None:
    """The cockpit reads ``warehouse``, connected as ``reader_url`` (None: the derived reader)."""
    import streamlit as st

    from cockpit.data import core
    from eldercare.settings import get_settings

    os.environ["ELDERCARE_WAREHOUSE"] = warehouse
    if reader_url:
        os.environ["ELDERCARE_COCKPIT_READER_URL"] = reader_url
    else:
        os.environ.pop("ELDERCARE_COCKPIT_READER_URL", None)
    get_settings.cache_clear()
    core.close_connections()
    st.cache_data.clear()


def _timed(call, county: str | None) -> float | None:
    import streamlit as st

    from cockpit.data.county import reading_as

    st.cache_data.clear()
    started = time.perf_counter()
    try:
        with reading_as(county):
            call()
    except Exception as exc:  # reported, never hidden: a function the reader may not run
        print(f"  {call.label[:100]}: {type(exc).__name__}: {str(exc)[:160]}", file=sys.stderr)
        return None
    return time.perf_counter() - started


def measure(warehouse: str, reader_url: str | None, county: str, reps: int) -> dict:
    from data_walk import all_calls, codes_for, entity_counties

    from cockpit.data.core import run
    from cockpit.data.county import reading_as
    from cockpit.scope import Scope

    modes = {"owner": warehouse, "reader": reader_url}
    _connect_as(warehouse, warehouse)
    with reading_as(None):
        entities = entity_counties(lambda q: [tuple(r) for r in run(q).itertuples(index=False)])
    out: dict = {}
    for who, scope in (("city", Scope()), (f"county {county}", Scope(county))):
        calls = all_calls(scope, codes_for(entities, scope.county_code))
        samples: dict[str, dict[str, list[float]]] = {m: {} for m in modes}
        for rep in range(reps):
            for mode, url in modes.items() if rep % 2 == 0 else reversed(modes.items()):
                _connect_as(warehouse, url)
                for call in calls:
                    took = _timed(call, scope.county_code)
                    if took is not None:
                        samples[mode].setdefault(call.function.key, []).append(took)
        out[who] = summarise(samples)
        print(f"{who}: {json.dumps(out[who]['total'])}", flush=True)
    _connect_as(warehouse, None)
    return out


def summarise(samples: dict[str, dict[str, list[float]]]) -> dict:
    keys = sorted(set(samples["owner"]) & set(samples["reader"]))
    medians = {m: {k: statistics.median(samples[m][k]) for k in keys} for m in ("owner", "reader")}
    every = {m: [t for k in keys for t in samples[m][k]] for m in ("owner", "reader")}
    total = {
        f"{m}_{stat}": round(value * 1000, 1)
        for m in ("owner", "reader")
        for stat, value in (
            ("p50_ms", statistics.median(every[m])),
            ("p95_ms", _pct(every[m], 0.95)),
            ("sum_of_medians_ms", sum(medians[m].values())),
        )
    }
    total["ratio_sum"] = round(
        total["reader_sum_of_medians_ms"] / max(total["owner_sum_of_medians_ms"], 1e-9), 3
    )
    total["ratio_p95"] = round(total["reader_p95_ms"] / max(total["owner_p95_ms"], 1e-9), 3)
    total["functions"] = len(keys)
    total["only_owner"] = sorted(set(samples["owner"]) - set(samples["reader"]))
    costliest = sorted(keys, key=lambda k: medians["owner"][k] - medians["reader"][k])[:10]
    return {
        "total": total,
        "costliest": {
            k: {
                "owner_ms": round(medians["owner"][k] * 1000, 1),
                "reader_ms": round(medians["reader"][k] * 1000, 1),
            }
            for k in costliest
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", required=True, help="warehouse URL, as its owner")
    parser.add_argument("--reader-url", help="URL of the reader role (default: derived)")
    parser.add_argument("--county", default="440881")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    from eldercare.row_security import reader_url

    started = time.perf_counter()
    result = measure(
        args.postgres, reader_url(args.postgres, args.reader_url), args.county, args.reps
    )
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "label": args.label,
        "machine": f"{platform.node()} {os.cpu_count()} cores",
        "reps": args.reps,
        "seconds": round(time.perf_counter() - started, 1),
        "target_ratio": TARGET_RATIO,
        **result,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    history = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    RESULTS.write_text(json.dumps([*history, record], ensure_ascii=False, indent=1) + "\n")
    for who, res in result.items():
        t = res["total"]
        print(
            f"{who:>16}: owner p50 {t['owner_p50_ms']} / p95 {t['owner_p95_ms']} ms, reader p50 "
            f"{t['reader_p50_ms']} / p95 {t['reader_p95_ms']} ms; sum ratio {t['ratio_sum']} "
            f"(target ≤ {TARGET_RATIO}), {t['functions']} functions"
        )


if __name__ == "__main__":
    main()
