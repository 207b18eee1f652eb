"""Compute and publish the quality score, the provider evaluation and the inspection plan
(``marts.quality_score``, ``marts.county_quality_score``, ``marts.provider_evaluation``,
``marts.inspection_plan``). Called by the Dagster assets (pipelines/quality_score.py) and by
``eldercare score --quarter``; the same data, rules and results give the same rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from eldercare import inspection_results
from eldercare.warehouse import WarehouseConnection
from models import inspection_inputs as ii
from models import quality_inputs as qi
from models import quality_score as qs
from models.inspection_plan import load_sampling, plan, risk_scores
from models.warehouse_tables import read_frame, replace_tables

# Quarters the build publishes: the data's quarter and the ones before (movers need two).
BUILD_QUARTERS = 4

_DIMS = ", ".join(f"{d}_score double precision, {d}_n double precision" for d in qs.DIMENSIONS)
_PARTS = ", ".join(f"{p}_score double precision, {p}_n double precision" for p in qs.PARTS)
TABLES = {
    "quality_score": (
        "org_code text not null, period text not null, total_score double precision, "
        f"{_DIMS}, org_name text, org_type text, county_code text, n double precision, "
        "lower_90 double precision, upper_90 double precision, county_rank integer, "
        "county_peers integer, star_band text, status text not null, incident text"
    ),
    "county_quality_score": (
        "county_code text not null, period text not null, total_score double precision, "
        "orgs_scored integer, orgs_no_data integer, volume double precision, city_rank integer"
    ),
    "provider_evaluation": (
        "org_code text not null, period text not null, score double precision, "
        f"{_PARTS}, county_code text, n double precision, lower_90 double precision, "
        "upper_90 double precision, uses_warnings boolean"
    ),
}
PLAN_DDL = (
    "plan_date date not null, org_code text not null, category text not null, "
    "check_items text not null, risk_rank integer not null, org_name text, county_code text, "
    "risk_score double precision, risk_reasons text, evidence text"
)


def _columns(name: str) -> list[str]:
    return [c.strip().split(" ")[0] for c in TABLES[name].split(",")]


def compute_quarter(
    conn: WarehouseConnection, period: str, rules: qs.Rules, results: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    orgs = qi.read_orgs(conn)
    events = qi.read_events(conn, period, rules, results)
    providers = orgs[orgs["org_type"].isin(qi.PROVIDER_TYPES)]
    prov = qs.provider_evaluation(
        qi.read_provider_events(conn, period, rules), providers, period, rules
    )
    prov["uses_warnings"] = qi.has_warnings(conn)
    scores = qs.score_quarter(events, orgs, period, rules, prov, qi.read_incidents(conn, period))
    return {
        "quality_score": scores.orgs[_columns("quality_score")],
        "county_quality_score": scores.counties[_columns("county_quality_score")],
        "provider_evaluation": prov[_columns("provider_evaluation")],
    }


def publish_scores(
    conn: WarehouseConnection, quarters: list[str], app_db: str, *, keep_others: bool
) -> dict[str, pd.DataFrame]:
    """Compute ``quarters`` and replace the three tables; with ``keep_others`` the rows of other
    quarters already published stay (``eldercare score --quarter``)."""
    rules = qs.load_rules()
    results = inspection_results.for_scoring(app_db)
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for period in quarters:
        for name, df in compute_quarter(conn, period, rules, results).items():
            frames[name].append(df)
    if keep_others:
        for name in TABLES:
            if conn.table_exists("marts", name):
                cols = _columns(name)
                old = read_frame(conn, f"select {', '.join(cols)} from marts.{name}", cols)
                frames[name].append(old[~old["period"].isin(quarters)])
    out = {name: pd.concat(dfs, ignore_index=True) for name, dfs in frames.items()}
    replace_tables(conn, "marts", {n: (TABLES[n], df) for n, df in out.items()})
    return out


def build_quarters(conn: WarehouseConnection) -> list[str]:
    end = qs.quarter_index(qs.quarter_of(ii.as_of(conn)))
    return [f"{i // 4}Q{i % 4 + 1}" for i in range(end - BUILD_QUARTERS + 1, end + 1)]


def publish_plan(
    conn: WarehouseConnection, day: dt.date | None = None, scores: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The plan of every working day of the quarter of ``day`` (default: the data's latest)."""
    sampling = load_sampling()
    day = day or ii.as_of(conn)
    first, last = qs.quarter_bounds(qs.quarter_of(day))
    if scores is None and conn.table_exists("marts", "quality_score"):
        cols = ["org_code", "period", "total_score"]
        scores = read_frame(
            conn, "select org_code, period, total_score from marts.quality_score", cols
        )
    if scores is not None:  # the score known at the quarter's start: the quarters before it
        scores = scores[scores["period"] < qs.quarter_of(first)]
    feats = risk_scores(ii.features(conn, sampling, first, scores), sampling)
    rows = plan(feats, sampling, first, last, ii.evidence(conn, feats, day))
    replace_tables(conn, "marts", {"inspection_plan": (PLAN_DDL, rows)})
    return rows
