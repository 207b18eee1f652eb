"""The supervision rules (#69 监管设置) of seeds/supervision_rules.yml, evaluated per order.

Each rule gives, per order, 1.0 (hit), 0.0 (evaluated, no hit) or NaN (not evaluable: the
order lacks what the rule needs). NaN is never a flag. The measurements the rules look at
(distances, duration ratio, photo reuse counts ...) are returned too: the model uses them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from eldercare.errors import EldercareError

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
RULES_FILE = SEEDS_DIR / "supervision_rules.yml"
SEVERITIES = ("high", "medium", "low")
# The columns of the order frame the rules read (models/warning/data.py builds it).
ORDER_COLUMNS = [
    "order_id", "elder_code", "org_code", "staff_code", "county_code", "order_status",
    "item_charge_mode", "item_price", "item_min_minutes", "item_max_minutes", "plan_time",
    "start_time", "end_time", "duration_min", "start_lng", "start_lat", "end_lng", "end_lat",
    "photo_before", "photo_after", "audio_seconds", "amount", "subsidy_amount", "home_lng",
    "home_lat", "death_date", "economic_type_code", "ability_level_code", "visit_denied",
    "in_institution",
]  # fmt: skip


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    severity: str
    params: dict


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    floors: dict[str, float]
    capacity_share: float
    min_threshold: float
    min_positives: int

    def by_code(self) -> dict[str, Rule]:
        return {r.code: r for r in self.rules}


def load_rules(path: Path = RULES_FILE) -> RuleSet:
    """The rules file, checked: a wrong entry is one clear error naming it."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EldercareError(f"{path}: cannot read the supervision rules ({exc})") from None
    rules = []
    for i, r in enumerate(doc.get("rules") or []):
        if r.get("code") not in EVALUATORS:
            raise EldercareError(f"{path}: rule {i + 1} has unknown code {r.get('code')!r}")
        if r.get("severity") not in SEVERITIES:
            raise EldercareError(f"{path}: rule {r['code']}: severity must be one of {SEVERITIES}")
        rules.append(Rule(r["code"], str(r["label"]), r["severity"], dict(r.get("params") or {})))
    review = doc.get("review") or {}
    return RuleSet(
        tuple(rules),
        {k: float(v) for k, v in (doc.get("severity_floor") or {}).items()},
        float(review.get("capacity_share", 0.035)),
        float(review.get("min_threshold", 0.5)),
        int(review.get("min_positives", 20)),
    )


def load_entitlements(
    path: Path = SEEDS_DIR / "subsidy_standards.csv",
) -> dict[tuple[str, str], float]:
    """Monthly home-service subsidy standard (yuan) by (economic type code, ability code)."""
    with path.open(encoding="utf-8") as fh:
        return {
            (r["economic_type"], r["ability_level"]): float(r["home_service_monthly"])
            for r in csv.DictReader(fh)
        }


def haversine_m(lng1, lat1, lng2, lat2) -> np.ndarray:
    lng1, lat1, lng2, lat2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lng1, lat1, lng2, lat2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_000.0 * np.arcsin(np.sqrt(a))


def month_key(when: pd.Series) -> pd.Series:
    """Year * 12 + month (NaN without a time): a cheap grouping key for calendar months."""
    return when.dt.year * 12 + when.dt.month


def standard_amount(o: pd.DataFrame) -> pd.Series:
    """Catalogue standard of each order: the price per visit, or per started half hour of the
    duration (capped at the item's maximum) for hourly items; NaN when it cannot be known."""
    price = pd.to_numeric(o["item_price"], errors="coerce")
    minutes = np.minimum(o["duration_min"].astype(float), o["item_max_minutes"].astype(float))
    hourly = price * np.ceil(minutes / 30.0) / 2.0
    per_visit = o["item_charge_mode"].astype(str) == "1"
    out = pd.Series(np.where(per_visit, price, hourly), index=o.index, dtype=float)
    return out.where(o["item_charge_mode"].notna())


def entitled_subsidy(o: pd.DataFrame, entitlements: dict) -> pd.DataFrame:
    """Per order, the elder's monthly standard, the subsidy paid before it in the month (time
    order) and the part of its own subsidy that the standard still covers."""
    key = list(
        zip(o["economic_type_code"].astype(str), o["ability_level_code"].astype(str), strict=True)
    )
    monthly = pd.Series([entitlements.get(k, np.nan) for k in key], index=o.index, dtype=float)
    when = o["start_time"].fillna(o["plan_time"])
    month = month_key(when)
    sub = pd.to_numeric(o["subsidy_amount"], errors="coerce").fillna(0.0)
    # an order claiming more than the whole standard is flagged on its own; it does not use up
    # the month for the orders after it
    counted = sub.where(~(sub > monthly), 0.0)
    frame = pd.DataFrame({"elder": o["elder_code"], "month": month, "when": when, "sub": counted,
                          "oid": o["order_id"]})  # fmt: skip
    frame = frame.sort_values(["elder", "month", "when", "oid"])
    before = frame.groupby(["elder", "month"], sort=False)["sub"].cumsum() - frame["sub"]
    before = before.reindex(o.index)
    covered = (np.minimum(monthly, before + sub) - np.minimum(monthly, before)).clip(lower=0)
    return pd.DataFrame({"monthly_entitlement": monthly, "subsidy_before": before,
                         "subsidy_covered": covered})  # fmt: skip


def evaluate(
    o: pd.DataFrame, ruleset: RuleSet, entitlements: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(hits, measures): one column per rule (1 / 0 / NaN), and the measurements behind them."""
    o = o.reset_index(drop=True)
    m = _measures(o, entitlements)
    hits = pd.DataFrame(index=o.index)
    for rule in ruleset.rules:
        hits[rule.code] = EVALUATORS[rule.code](o, m, rule.params).astype(float)
    return hits, m


def _state(hit, evaluable) -> pd.Series:
    """1.0 / 0.0 where evaluable, NaN elsewhere."""
    return pd.Series(np.where(evaluable, np.asarray(hit, dtype=bool), np.nan)).astype(float)


def _measures(o: pd.DataFrame, entitlements: dict) -> pd.DataFrame:
    m = pd.DataFrame(index=o.index)
    m["duration_ratio"] = o["duration_min"] / o["item_min_minutes"].replace(0, np.nan)
    m["start_dist_m"] = haversine_m(o["start_lng"], o["start_lat"], o["home_lng"], o["home_lat"])
    m["end_dist_m"] = haversine_m(o["end_lng"], o["end_lat"], o["home_lng"], o["home_lat"])
    # the elder's usual place of service, the median start of their orders: a registered
    # address gone stale (an elder who moved) puts every visit far from "home"; a visit that
    # did not happen there is far from both
    by_elder = o.groupby("elder_code", sort=False)
    usual_lng = by_elder["start_lng"].transform("median")
    usual_lat = by_elder["start_lat"].transform("median")
    m["located_orders"] = by_elder["start_lng"].transform("count")
    m["usual_start_dist_m"] = haversine_m(o["start_lng"], o["start_lat"], usual_lng, usual_lat)
    m["usual_end_dist_m"] = haversine_m(o["end_lng"], o["end_lat"], usual_lng, usual_lat)
    m["standard_amount"] = standard_amount(o)
    m = m.join(entitled_subsidy(o, entitlements))
    # photos: how many orders carry the same hash, and whether an earlier order of another
    # elder already did
    when = o["start_time"].fillna(o["plan_time"])
    reuse_n = np.zeros(len(o))
    reused_earlier = np.zeros(len(o), dtype=bool)
    t = when.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    elder = pd.factorize(o["elder_code"])[0]
    for col in ("photo_before", "photo_after"):
        code = pd.factorize(o[col])[0]  # -1: no photo
        has = code >= 0
        if not has.any():
            continue
        reuse_n = np.maximum(reuse_n, np.where(has, np.bincount(code[has])[code] - 1, 0))
        rows = np.flatnonzero(has)
        rows = rows[np.lexsort((t[rows], code[rows]))]  # by hash, then time
        _, first_pos = np.unique(code[rows], return_index=True)
        first_row = rows[first_pos]  # per hash code: its earliest order
        first = first_row[code[has]]
        reused_earlier[has] |= (t[has] > t[first]) & (elder[has] != elder[first])
    reuse_n = pd.Series(reuse_n, index=o.index)
    reused_earlier = pd.Series(reused_earlier, index=o.index)
    m["photo_reuse_count"] = reuse_n
    m["photo_reused_earlier"] = reused_earlier
    # the same worker's previous order (by start): overlap and travel speed
    s = o[["staff_code", "start_time", "end_time", "start_lng", "start_lat", "end_lng", "end_lat"]]
    s = s[s["staff_code"].notna() & s["start_time"].notna() & s["end_time"].notna()]
    s = s.sort_values(["staff_code", "start_time"], kind="stable")
    g = s.groupby("staff_code", sort=False)
    prev_end = g["end_time"].shift(1)
    prev_end_max = g["end_time"].cummax().groupby(s["staff_code"], sort=False).shift(1)
    gap_min = (s["start_time"] - prev_end).dt.total_seconds() / 60.0
    dist = haversine_m(g["end_lng"].shift(1), g["end_lat"].shift(1), s["start_lng"], s["start_lat"])
    first = prev_end.isna()  # a worker's first order: nothing to clash with or travel from
    overlap = (prev_end_max - s["start_time"]).dt.total_seconds() / 60.0
    m["overlap_min"] = overlap.where(~first, -np.inf).reindex(o.index)
    m["gap_min"] = gap_min.where(~first, np.inf).reindex(o.index)
    travel = pd.Series(dist, index=s.index)
    has_start = s["start_lng"].notna() & s["start_lat"].notna()
    m["travel_m"] = travel.where(~first | ~has_start, 0.0).reindex(o.index)
    # the provider's short orders at the month's end
    to_end = when.dt.days_in_month - when.dt.day + 1  # days from this day's start to month end
    month_end = when.dt.normalize() + pd.to_timedelta(to_end, unit="D")
    m["month_end_days"] = (month_end - when).dt.total_seconds() / 86400.0
    return m


def _duration_short(o, m, p):
    d, lo = o["duration_min"], o["item_min_minutes"]
    return _state(d < lo - p.get("tolerance_min", 0), d.notna() & lo.notna())


def _duration_long(o, m, p):
    d, hi = o["duration_min"], o["item_max_minutes"]
    return _state(d > hi + p.get("tolerance_min", 5), d.notna() & hi.notna())


def _far_from_home(o, m, p):
    limit = p.get("max_distance_m", 500) + p.get("gps_noise_m", 150)
    far = (m["start_dist_m"] > limit) | (m["end_dist_m"] > limit)
    at_usual_place = (
        (m["located_orders"] >= p.get("usual_place_min_orders", 3))
        & (m["usual_start_dist_m"] <= limit)
        & (m["usual_end_dist_m"] <= limit)
    )
    far &= ~at_usual_place
    return _state(far, m["start_dist_m"].notna() | m["end_dist_m"].notna())


def _worker_overlap(o, m, p):
    return _state(m["overlap_min"] > p.get("tolerance_min", 5), m["overlap_min"].notna())


def _travel_too_fast(o, m, p):
    noise = p.get("gps_noise_m", 150)
    gap_h = m["gap_min"] / 60.0
    moved = (m["travel_m"] - noise).clip(lower=0) / 1000.0
    fast = (moved > 0) & (
        (gap_h <= 0) | (moved / gap_h.where(gap_h > 0) > p.get("max_speed_kmh", 60))
    )
    return _state(fast, m["travel_m"].notna() & m["gap_min"].notna())


def _photo_reused(o, m, p):
    has = o["photo_before"].notna() | o["photo_after"].notna()
    return _state(m["photo_reused_earlier"], has)


def _after_death(o, m, p):
    when = o["start_time"].fillna(o["plan_time"])
    death = pd.to_datetime(o["death_date"])
    late = when.dt.normalize() > death + pd.Timedelta(days=p.get("grace_days", 0))
    # an elder without a registered death is evaluable (and alive); an unknown elder is not
    return _state(late.fillna(False), o["elder_code"].notna() & when.notna())


def _in_institution(o, m, p):
    return _state(o["in_institution"].fillna(False), o["in_institution"].notna())


def _amount_above_standard(o, m, p):
    amount = pd.to_numeric(o["amount"], errors="coerce")
    std = m["standard_amount"]
    return _state(amount > std + p.get("tolerance_yuan", 1.0), amount.notna() & std.notna())


def _subsidy_above_entitlement(o, m, p):
    sub = pd.to_numeric(o["subsidy_amount"], errors="coerce")
    over = sub - m["subsidy_covered"] > p.get("tolerance_yuan", 1.0)
    return _state(over, sub.notna() & m["monthly_entitlement"].notna())


def _denied_at_visit(o, m, p):
    return _state(o["visit_denied"].fillna(False), o["visit_denied"].notna())


def _month_end_burst(o, m, p):
    when = o["start_time"].fillna(o["plan_time"])
    short = o["duration_min"] <= p.get("short_ratio", 1.2) * o["item_min_minutes"]
    window = m["month_end_days"] <= p.get("last_days", 2)
    key = [o["org_code"], month_key(when)]
    in_window = (short & window).groupby(key, sort=False).transform("sum")
    of_month = short.groupby(key, sort=False).transform("sum")
    # the window's short orders against what the provider's pace in the rest of the month
    # predicts for that many days: a share of the month fails for a large provider, whose
    # legitimate short orders of the month outnumber any burst
    days = when.dt.days_in_month
    last_days = p.get("last_days", 2)
    expected = (of_month - in_window) * last_days / (days - last_days)
    burst = (in_window >= p.get("min_orders", 5)) & (
        in_window >= p.get("min_rate_ratio", 2.0) * expected
    )
    evaluable = o["org_code"].notna() & o["duration_min"].notna() & o["item_min_minutes"].notna()
    return _state(burst & short & window, evaluable)


def _missing_evidence(o, m, p):
    no_photo = o["photo_before"].isna() & o["photo_after"].isna()
    thin = o["audio_seconds"].isna() & (o["photo_before"].isna() | o["photo_after"].isna())
    return _state(no_photo | thin, o["order_status"].astype(str) == "2")


EVALUATORS = {
    "duration_short": _duration_short,
    "duration_long": _duration_long,
    "far_from_home": _far_from_home,
    "worker_overlap": _worker_overlap,
    "travel_too_fast": _travel_too_fast,
    "photo_reused": _photo_reused,
    "after_death": _after_death,
    "in_institution": _in_institution,
    "amount_above_standard": _amount_above_standard,
    "subsidy_above_entitlement": _subsidy_above_entitlement,
    "denied_at_visit": _denied_at_visit,
    "month_end_burst": _month_end_burst,
    "missing_evidence": _missing_evidence,
}
