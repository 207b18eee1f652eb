"""每日业务巡检抽样 (seed 000 §2.2) → ``marts.inspection_plan``: each Chinese working day, for each
category, ``per_day`` organisations with the seed's check items, chosen by risk with every
organisation sampled at least once a quarter. Rules: ``seeds/inspection_sampling.yml``.

The plan of a day depends only on the data and the date: the quarter is walked from its first
working day, and each day takes first the organisations not yet sampled this quarter, the
riskiest first, then (when all are covered) by risk x time since last sampled (up to 90 days).
Ties go to the smaller org_code. Working days: ``chinesecalendar`` (holidays, make-up days).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar
import pandas as pd
import yaml

from models.quality_score import quarter_bounds, quarter_of

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
PLAN_COLUMNS = (
    "plan_date", "org_code", "category", "check_items", "risk_rank", "org_name", "county_code",
    "risk_score", "risk_reasons", "evidence",
)  # fmt: skip
# Signals of risk, as ``risk_features`` columns (higher = riskier).
SIGNALS = (
    "low_score", "warnings", "complaints", "report_contradictions", "text_hits",
    "days_since_inspection",
)  # fmt: skip
SIGNAL_LABELS = {
    "low_score": "评分低", "warnings": "预警工单", "complaints": "投诉",
    "report_contradictions": "区县报表矛盾", "text_hits": "文本审核命中",
    "days_since_inspection": "久未巡检",
}  # fmt: skip


@dataclass(frozen=True)
class Sampling:
    per_day: int
    categories: dict[str, dict]  # name -> {"org_types": [...], "items": [...]}
    risk_weights: dict[str, float]

    def category_of(self, org_type: str) -> str | None:
        return next((c for c, v in self.categories.items() if org_type in v["org_types"]), None)


def load_sampling(path: Path = SEEDS_DIR / "inspection_sampling.yml") -> Sampling:
    with open(path, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    sampling = Sampling(int(raw["per_day"]), raw["categories"], raw["risk_weights"])
    if sampling.per_day < 1 or set(sampling.risk_weights) - set(SIGNALS):
        raise ValueError(f"{path}: per_day >= 1 and risk_weights among {SIGNALS}")
    return sampling


def working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [d for d in chinese_calendar.get_workdays(first, last)]


def risk_scores(features: pd.DataFrame, sampling: Sampling) -> pd.DataFrame:
    """``features``: org_code, category and one column per signal. Adds ``risk_score`` (the
    weighted percentiles within the category) and ``risk_reasons`` (signals in the top third)."""
    f = features.copy()
    f["risk_score"] = 0.0
    reasons = pd.Series([[] for _ in range(len(f))], index=f.index)
    for signal, weight in sampling.risk_weights.items():
        values = f[signal].fillna(0.0).astype(float)
        pct = values.groupby(f["category"]).rank(pct=True, method="max")
        pct = pct.where(values > 0, 0.0)
        f["risk_score"] += weight * pct
        for i in f.index[pct >= 2 / 3]:
            reasons[i] = [*reasons[i], SIGNAL_LABELS[signal]]
    f["risk_score"] = f["risk_score"].round(6)
    f["risk_reasons"] = reasons.map("、".join)
    return f


def plan(
    orgs: pd.DataFrame,
    sampling: Sampling,
    first: dt.date,
    last: dt.date,
    evidence: dict[str, dict[str, str]] | None = None,
) -> pd.DataFrame:
    """The plan of every working day from ``first`` to ``last`` (within one quarter).

    ``orgs``: org_code, org_name, county_code, category, risk_score, risk_reasons,
    days_since_inspection. ``evidence``: org_code -> check item -> pre-filled evidence.
    """
    q_first, q_last = quarter_bounds(quarter_of(first))
    if last > q_last:
        raise ValueError(f"plan: {first}..{last} spans more than the quarter {quarter_of(first)}")
    days = working_days(q_first, q_last)
    evidence = evidence or {}
    rows = []
    for category, spec in sampling.categories.items():
        pool = orgs[orgs["category"] == category].sort_values("org_code").reset_index(drop=True)
        if pool.empty:
            continue
        covered: set[str] = set()
        last_seen = {c: -int(d or 0) for c, d in zip(pool["org_code"], pool["days_since_inspection"].fillna(365), strict=True)}  # fmt: skip
        for i, day in enumerate(days):
            if day > last:
                break
            quota = max(sampling.per_day, math.ceil((len(pool) - len(covered)) / (len(days) - i)))
            ordinal = (day - q_first).days
            uncovered = ~pool["org_code"].isin(covered)
            # not yet sampled this quarter: by risk; sampled already: by risk x time since
            stale = ((ordinal - pool["org_code"].map(last_seen)) / 90).clip(upper=1.0)
            priority = pool["risk_score"].where(uncovered, pool["risk_score"] * stale)
            order = pool.assign(uncovered=uncovered, priority=priority).sort_values(
                ["uncovered", "priority", "org_code"], ascending=[False, False, True]
            )
            chosen = order.head(min(quota, len(pool)))
            for rank, row in enumerate(chosen.itertuples(), start=1):
                covered.add(row.org_code)
                last_seen[row.org_code] = ordinal
                if day < first:
                    continue
                found = evidence.get(row.org_code, {})
                rows.append(
                    (day, row.org_code, category, "；".join(spec["items"]), rank, row.org_name,
                     row.county_code, float(row.risk_score), row.risk_reasons,
                     json.dumps({k: found[k] for k in spec["items"] if k in found}, ensure_ascii=False))
                )  # fmt: skip
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS))
