"""养老服务质量评估 (seed 000 §2.1, 004 附表1 #27): a 100-point score per organisation and
quarter, its dimensions, a 90 % interval, the rank in its county and a star band; the county
score; and the home-service providers' evaluation (服务质量, 服务态度, 响应速度).

Pure functions over DataFrames of *evaluation events* (one rating, return visit, complaint,
inspected item … each worth 0–100 points); ``models/quality_inputs.py`` reads them from the
marts and the application database, ``pipelines/quality_score.py`` publishes. The rules and
weights live in ``seeds/quality_score.yml``; ``docs/quality-score.md`` explains them:

- **Recency**: an event q quarters before the scored quarter weighs ``decay**q`` (window of
  ``window_quarters``); the effective n of an organisation is Kish's (Σw)² / Σw².
- **Empirical Bayes**: per dimension, an organisation's weighted mean is shrunk toward the mean
  of its county and type (the type's city mean when that group is small): posterior mean
  μ + B (x̄ − μ), B = τ² / (τ² + σ²/n), posterior variance B σ²/n. σ² is the pooled within-
  organisation variance, τ² the between-organisation variance by the method of moments.
- **Total**: the type's weights over the dimensions (normalised), its variance Σ (w/W)² v;
  fewer than ``min_n`` effective events → 数据不足 (no total, no rank, no star); a confirmed
  serious incident caps the total at ``incident_cap``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
DIMENSIONS = ("service_eval", "civil_check", "guidance", "provider_eval")
DIMENSION_LABELS = {
    "service_eval": "服务评价",
    "civil_check": "民政检查",
    "guidance": "指导中心巡检",
    "provider_eval": "服务商评价",
}
PARTS = ("quality", "attitude", "response", "warning_rate")
PART_LABELS = {
    "quality": "服务质量",
    "attitude": "服务态度",
    "response": "响应速度",
    "warning_rate": "预警率",
}
SCORED, NO_DATA = "已评分", "数据不足"
EVENT_COLUMNS = ("org_code", "dimension", "event_date", "value")
ORG_COLUMNS = ("org_code", "org_name", "org_type", "county_code")


@dataclass(frozen=True)
class Rules:
    weights: dict[str, dict[str, float]]
    provider_parts: dict[str, float]
    events: dict
    decay: float
    window_quarters: int
    min_group: int
    min_between_variance: float
    min_n: float
    incident_cap: float
    interval_z: float
    stars: dict[str, float]


def load_rules(path: Path = SEEDS_DIR / "quality_score.yml") -> Rules:
    with open(path, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    rules = Rules(
        weights={t: {d: float(w) for d, w in ws.items()} for t, ws in raw["weights"].items()},
        provider_parts={p: float(w) for p, w in raw["provider_parts"].items()},
        events=raw["events"],
        decay=float(raw["recency"]["decay"]),
        window_quarters=int(raw["recency"]["window_quarters"]),
        min_group=int(raw["shrinkage"]["min_group"]),
        min_between_variance=float(raw["shrinkage"]["min_between_variance"]),
        min_n=float(raw["min_n"]),
        incident_cap=float(raw["incident_cap"]),
        interval_z=float(raw["interval_z"]),
        stars={k: float(v) for k, v in raw["stars"].items()},
    )
    unknown = {d for ws in rules.weights.values() for d in ws} - set(DIMENSIONS)
    unknown |= set(rules.provider_parts) - set(PARTS)
    if unknown or not 0 < rules.decay <= 1 or rules.window_quarters < 1:
        raise ValueError(f"{path}: unknown dimensions/parts {sorted(unknown)} or bad recency")
    return rules


# -- quarters --------------------------------------------------------------------------------
def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_index(period: str) -> int:
    """'2025Q3' -> a running number (consecutive quarters differ by 1)."""
    try:
        year, q = period.upper().split("Q")
        index = int(year) * 4 + int(q) - 1
    except ValueError:
        index = -1
    if index < 0 or not 1 <= int(q) <= 4:
        raise ValueError(f"quarter {period!r}: expected YYYYQn, e.g. 2025Q3")
    return index


def quarter_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter."""
    i = quarter_index(period)
    first = dt.date(i // 4, (i % 4) * 3 + 1, 1)
    nxt = dt.date(first.year + (first.month + 2) // 12, (first.month + 2) % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def previous_quarter(period: str) -> str:
    i = quarter_index(period) - 1
    return f"{i // 4}Q{i % 4 + 1}"


# -- shrinkage -------------------------------------------------------------------------------
def summarise(events: pd.DataFrame, period: str, rules: Rules, key: str = "dimension"):
    """Per (org_code, key): recency-weighted mean, effective n and within variance."""
    end = quarter_index(period)
    e = events.copy()
    e["age"] = end - e["event_date"].map(lambda d: quarter_index(quarter_of(d)))
    e = e[(e["age"] >= 0) & (e["age"] < rules.window_quarters)]
    e["w"] = rules.decay ** e["age"].astype(float)
    e["wx"] = e["w"] * e["value"]
    e["wxx"] = e["w"] * e["value"] ** 2
    e["ww"] = e["w"] ** 2
    g = e.groupby(["org_code", key])[["w", "wx", "wxx", "ww"]].sum().reset_index()
    g["mean"] = g["wx"] / g["w"]
    g["n"] = g["w"] ** 2 / g["ww"]
    g["within_var"] = (g["wxx"] / g["w"] - g["mean"] ** 2).clip(lower=0)
    return g[["org_code", key, "mean", "n", "within_var", "w"]]


def shrink(summary: pd.DataFrame, orgs: pd.DataFrame, rules: Rules, key: str = "dimension"):
    """Posterior mean and variance per organisation (every org of ``orgs``) and ``key`` value
    present in ``summary``; an organisation without events gets its group's mean and τ²."""
    out = []
    for value, s in summary.groupby(key):
        s = orgs.merge(s, on="org_code", how="left")
        s[key] = value
        has = s["n"].notna()
        if not has.any():
            continue
        # pooled within-organisation variance, weighted by the events' weight
        sigma2 = float(np.average(s.loc[has, "within_var"], weights=s.loc[has, "w"]))
        sigma2 = max(sigma2, 1.0)
        s["group"] = s["org_type"] + "|" + s["county_code"].fillna("")
        sizes = s[has].groupby("group").size()
        small = ~s["group"].map(sizes).fillna(0).ge(rules.min_group)
        s.loc[small, "group"] = s.loc[small, "org_type"]
        for _, grp in s.groupby("group"):
            idx = grp.index
            obs = grp[grp["n"].notna()]
            if obs.empty:  # nobody of this small group has data: fall back to the type
                obs = s[has & (s["org_type"] == grp["org_type"].iloc[0])]
            if obs.empty:
                continue
            mu = float(obs["mean"].mean())
            noise = float((sigma2 / obs["n"]).mean())
            tau2 = max(float(obs["mean"].var(ddof=1)) - noise if len(obs) > 1 else 0.0, 0.0)
            tau2 = max(tau2, rules.min_between_variance)
            n = grp["n"].fillna(0.0)
            b = np.where(n > 0, tau2 / (tau2 + sigma2 / n.where(n > 0, 1.0)), 0.0)
            s.loc[idx, "prior"] = mu
            s.loc[idx, "shrink"] = 1 - b
            s.loc[idx, "post"] = mu + b * (grp["mean"].fillna(mu) - mu)
            s.loc[idx, "post_var"] = np.where(n > 0, b * sigma2 / n.where(n > 0, 1.0), tau2)
        out.append(s[s["post"].notna()])
    cols = ["org_code", key, "mean", "n", "prior", "shrink", "post", "post_var"]
    if not out:
        return pd.DataFrame(columns=cols)
    res = pd.concat(out, ignore_index=True)[cols]
    res["n"] = res["n"].fillna(0.0)
    return res


def _combine(post: pd.DataFrame, weights: pd.DataFrame, key: str) -> pd.DataFrame:
    """Weighted total per org over the ``key`` values it has weights for (renormalised)."""
    m = post.merge(weights, on=["org_code", key])
    m["wsum"] = m.groupby("org_code")["weight"].transform("sum")
    m["f"] = m["weight"] / m["wsum"]
    m["t"] = m["f"] * m["post"]
    m["v"] = m["f"] ** 2 * m["post_var"]
    return m.groupby("org_code")[["t", "v", "n"]].sum().reset_index()


# -- provider evaluation (#27) ----------------------------------------------------------------
def provider_evaluation(
    part_events: pd.DataFrame, orgs: pd.DataFrame, period: str, rules: Rules
) -> pd.DataFrame:
    """Per provider: the shrunk parts and their weighted score, with n and a 90 % interval.

    ``part_events``: org_code, part, event_date, value; ``orgs``: the providers only.
    """
    summary = summarise(part_events.rename(columns={"part": "dimension"}), period, rules)
    post = shrink(summary, orgs, rules)
    parts = sorted(set(post["dimension"]) & set(rules.provider_parts))
    weights = pd.DataFrame(
        [(o, p, rules.provider_parts[p]) for o in orgs["org_code"] for p in parts],
        columns=["org_code", "dimension", "weight"],
    )
    total = _combine(post, weights, "dimension")
    wide = post.pivot(index="org_code", columns="dimension", values="post")
    n = post.pivot(index="org_code", columns="dimension", values="n")
    out = orgs[["org_code", "county_code"]].merge(total, on="org_code", how="left")
    out["period"] = period
    out["score"] = out["t"]
    sd = np.sqrt(out["v"])
    out["lower_90"] = (out["t"] - rules.interval_z * sd).clip(0, 100)
    out["upper_90"] = (out["t"] + rules.interval_z * sd).clip(0, 100)
    for p in PARTS:
        out[f"{p}_score"] = out["org_code"].map(wide[p]) if p in wide else np.nan
        out[f"{p}_n"] = out["org_code"].map(n[p]).fillna(0.0) if p in n else 0.0
    out["score_var"] = out["v"]
    return out.drop(columns=["t", "v"])


# -- the quality score ---------------------------------------------------------------------------
@dataclass
class Scores:
    orgs: pd.DataFrame  # marts.quality_score rows of the quarter
    counties: pd.DataFrame  # marts.county_quality_score rows of the quarter


def score_quarter(
    events: pd.DataFrame,
    orgs: pd.DataFrame,
    period: str,
    rules: Rules,
    provider: pd.DataFrame | None = None,
    incidents: pd.DataFrame | None = None,
) -> Scores:
    """The scores of one quarter.

    ``events``: org_code, dimension (service_eval, civil_check, guidance), event_date, value;
    ``orgs``: org_code, org_name, org_type, county_code (the organisations to score);
    ``provider``: ``provider_evaluation``'s rows (its score is the provider_eval dimension);
    ``incidents``: org_code, event_date, kind (confirmed serious incidents).
    """
    orgs = orgs[orgs["org_type"].isin(list(rules.weights))].reset_index(drop=True)
    post = shrink(summarise(events, period, rules), orgs, rules)
    if provider is not None and not provider.empty:
        p = provider.dropna(subset=["score"])
        pe = pd.DataFrame(
            {
                "org_code": p["org_code"],
                "dimension": "provider_eval",
                "mean": p["score"],
                "n": p[[f"{x}_n" for x in PARTS]].sum(axis=1),
                "prior": np.nan,
                "shrink": np.nan,
                "post": p["score"],
                "post_var": p["score_var"],
            }
        )
        post = pd.concat([post, pe], ignore_index=True)
    weights = pd.DataFrame(
        [
            (o, d, w)
            for o, t in zip(orgs["org_code"], orgs["org_type"], strict=True)
            for d, w in rules.weights[t].items()
        ],
        columns=["org_code", "dimension", "weight"],
    )
    total = _combine(post, weights, "dimension")
    out = orgs.merge(total, on="org_code", how="left")
    out["period"] = period
    wide = post.pivot_table(index="org_code", columns="dimension", values="post")
    n = post.pivot_table(index="org_code", columns="dimension", values="n")
    for d in DIMENSIONS:
        applies = out["org_type"].map(lambda t, d=d: d in rules.weights[t])
        value = out["org_code"].map(wide[d]) if d in wide else np.nan
        out[f"{d}_score"] = np.where(applies, value, np.nan)
        count = out["org_code"].map(n[d]).fillna(0.0) if d in n else 0.0
        out[f"{d}_n"] = np.where(applies, count, 0.0)
    out["n"] = out[[f"{d}_n" for d in DIMENSIONS]].sum(axis=1)
    out["total_score"] = out["t"]
    sd = np.sqrt(out["v"])
    out["lower_90"] = out["t"] - rules.interval_z * sd
    out["upper_90"] = out["t"] + rules.interval_z * sd
    out["incident"] = _incidents_in(incidents, out["org_code"], period)
    capped = out["incident"].notna() & (out["total_score"] > rules.incident_cap)
    for c in ("total_score", "lower_90", "upper_90"):
        out.loc[capped, c] = np.minimum(out.loc[capped, c], rules.incident_cap)
    out["status"] = np.where(out["n"] >= rules.min_n, SCORED, NO_DATA)
    no_data = out["status"] == NO_DATA
    out.loc[no_data, ["total_score", "lower_90", "upper_90"]] = np.nan
    for c in ("total_score", "lower_90", "upper_90"):
        out[c] = out[c].clip(0, 100)
    ranked = out[~no_data]
    out["county_rank"] = ranked.groupby(["county_code", "org_type"])["total_score"].rank(
        method="min", ascending=False
    )
    out["county_peers"] = out.groupby(["county_code", "org_type"])["status"].transform(
        lambda s: int((s == SCORED).sum())
    )
    out["star_band"] = out["total_score"].map(lambda s: star_band(s, rules))
    out = out.drop(columns=["t", "v"])
    return Scores(out, county_scores(out, period))


def star_band(score: float, rules: Rules) -> str | None:
    if score is None or np.isnan(score):
        return None
    for band, low in sorted(rules.stars.items(), key=lambda kv: -kv[1]):
        if score >= low:
            return band
    return None


def county_scores(scores: pd.DataFrame, period: str) -> pd.DataFrame:
    """Per county: the mean total score of its scored organisations weighted by their volume
    (effective evaluation events n)."""
    s = scores[scores["status"] == SCORED]
    rows = []
    for county, g in s.groupby("county_code"):
        rows.append(
            {
                "county_code": county,
                "period": period,
                "total_score": float(np.average(g["total_score"], weights=g["n"])),
                "orgs_scored": len(g),
                "orgs_no_data": int(
                    ((scores["county_code"] == county) & (scores["status"] == NO_DATA)).sum()
                ),
                "volume": float(g["n"].sum()),
            }
        )
    cols = ["county_code", "period", "total_score", "orgs_scored", "orgs_no_data", "volume"]
    out = pd.DataFrame(rows, columns=cols)
    out["city_rank"] = out["total_score"].rank(method="min", ascending=False)
    return out


def _incidents_in(incidents: pd.DataFrame | None, org_codes: pd.Series, period: str) -> pd.Series:
    if incidents is None or incidents.empty:
        return pd.Series([None] * len(org_codes), index=org_codes.index, dtype=object)
    first, last = quarter_bounds(period)
    i = incidents[(incidents["event_date"] >= first) & (incidents["event_date"] <= last)]
    kinds = i.groupby("org_code")["kind"].agg(lambda k: "、".join(sorted(set(k))))
    return org_codes.map(kinds).astype(object).where(org_codes.map(kinds).notna(), None)
