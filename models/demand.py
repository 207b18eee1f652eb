"""服务需求预测 (seed 004 #24): monthly home-service demand (orders and service hours) per county ×
service category for the next 3 months with 80 % intervals, reconciled across town, county and
city; a rolling-origin back-test against naive baselines; unmet demand per town
(docs/models.md, "Service demand").

- **Series**: non-cancelled work orders of ``fct_work_order`` by ``order_month``, county and
  ``item_category``; hours are ``duration_min`` (or the item's mid duration) / 60.
- **Model**: one scikit-learn ``PoissonRegressor`` pooled over all county × category series, a
  direct forecast per horizon h (1-3) from an origin month T: log E[y(T+h)] is linear in the
  logs of the 3-month level and of the last month, the county's recent growth × h, last year's
  seasonal change of the category's share of all orders (month T+h-12 against T-14..T-12) and h. Hours = orders × the
  series' recent hours per order.
- **Intervals**: empirical 10 % / 90 % quantiles of the Pearson residuals (y - f) / √(f + 1) of
  the last ``RESIDUAL_ORIGINS`` in-sample origins, per level and horizon.
- **Reconciliation**: county × category is forecast; towns take their share of the series'
  last 6 months (so towns sum to their county), counties sum to the city.
- **Back-test**: origins are the 6 months before the last complete month; each origin's model
  is fitted only on months up to it; naive (y(T)), seasonal-naive (y(T+h-12)) and 3-month
  moving average are scored beside it: WAPE Σ|f-y|/Σy and bias Σ(f-y)/Σy per level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import PoissonRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from models.profile import entitled_home

HORIZONS = (1, 2, 3)
BACKTEST_MONTHS = 6
RESIDUAL_ORIGINS = 12
HALF_LIFE = 2  # months: weight of a training origin halves with each HALF_LIFE back
SHARE_MONTHS = 6
ALL = "全部"
FEATURES = ["log_level", "log_last", "log_pooled", "growth_h", "season", "h2", "h3"]

INPUTS = {
    "orders": (
        "select county_code, coalesce(town_code, county_code || '000'), item_category,"
        " order_month, count(*),"
        " cast(sum(coalesce(duration_min, (item_min_minutes + item_max_minutes) / 2.0)) / 60.0"
        " as double precision)"
        " from marts.fct_work_order where order_status <> '3' and county_code is not null"
        " and item_category is not null and order_month is not null group by 1, 2, 3, 4",
        ("county_code", "town_code", "item_category", "month", "orders", "hours"),
    ),
    "elders": (
        "select e.elder_code, e.county_code, e.town_code, e.economic_type_code,"
        " e.ability_level_code, exists (select 1 from marts.fct_residency r"
        " where r.elder_code = e.elder_code and r.is_current) as resident"
        " from marts.dim_elder e where e.is_live and not e.is_deceased",
        ("elder_code", "county_code", "town_code", "economic_type_code", "ability_level_code",
         "resident"),
    ),
    "subsidy": (
        "select elder_code, order_month,"
        " cast(sum(coalesce(subsidy_amount, 0)) as double precision) from marts.fct_work_order"
        " where order_status <> '3' and coalesce(subsidy_amount, 0) > 0 group by 1, 2",
        ("elder_code", "month", "subsidy"),
    ),
}  # fmt: skip

TABLES = {
    "demand_forecast": (
        "level text not null, county_code text, town_code text, item_category text not null,"
        " month date not null, horizon integer not null, orders double precision not null,"
        " hours double precision not null, lower double precision not null,"
        " upper double precision not null, origin_month date not null"
    ),
    "demand_backtest": (
        "level text not null, model text not null, horizon text not null,"
        " wape double precision, bias double precision, coverage double precision,"
        " cells bigint not null, actual double precision not null,"
        " first_month date not null, last_month date not null"
    ),
    "demand_unmet": (
        "county_code text not null, town_code text not null, month date not null,"
        " entitled_elders bigint not null, served_elders bigint not null,"
        " entitled_amount double precision not null, used_amount double precision not null,"
        " unused_amount double precision not null, unmet_share double precision"
    ),
}
LEVELS = ("city", "county", "county_category", "town_category")
BASELINES = ("naive", "seasonal_naive", "moving_average")
KEYS = {
    "city": ["month"], "county": ["county_code", "month"],
    "county_category": ["county_code", "item_category", "month"],
    "town_category": ["county_code", "item_category", "town_code", "month"],
}  # fmt: skip


@dataclass
class Demand:
    forecast: pd.DataFrame
    backtest: pd.DataFrame
    unmet: pd.DataFrame


def _grid(orders: pd.DataFrame) -> tuple[pd.DataFrame, pd.PeriodIndex]:
    """Orders per county × category × month, every month of the history (0 where none)."""
    o = orders.assign(month=pd.to_datetime(orders["month"]).dt.to_period("M"))
    months = pd.period_range(o["month"].min(), o["month"].max(), freq="M")
    cells = o[["county_code", "item_category"]].drop_duplicates()
    y = (o.groupby(["county_code", "item_category", "month"])["orders"].sum()
         .unstack("month").reindex(columns=months, fill_value=0).fillna(0))  # fmt: skip
    return y.loc[pd.MultiIndex.from_frame(cells).sort_values()], months


def _features(y: pd.DataFrame, t: int, h: int) -> pd.DataFrame:
    """Features of every series at origin column t for horizon h."""
    v = y.to_numpy(dtype=float)
    level = v[:, max(t - 2, 0) : t + 1].mean(axis=1)
    county = y.groupby(level="county_code").transform("sum").to_numpy(dtype=float)
    recent = county[:, max(t - 2, 0) : t + 1].sum(axis=1)
    before = county[:, max(t - 5, 0) : max(t - 2, 0)].sum(axis=1)
    # last year's seasonal change of the category's share of all orders (share, not level:
    # last year's growth is not this year's)
    cat = y.groupby(level="item_category").transform("sum").to_numpy(dtype=float)
    share = (cat + 1) / (v.sum(axis=0) + len(v))
    if t + h - 12 >= 0 and t - 14 >= 0:
        season = np.log(share[:, t + h - 12] / share[:, t - 14 : t - 11].mean(axis=1))
    else:
        season = np.zeros(len(v))
    # a steadier level for small series: the county's level × the category's city-wide share
    city_share = cat[:, max(t - 5, 0) : t + 1].sum(axis=1) / max(
        v[:, max(t - 5, 0) : t + 1].sum(), 1
    )
    pooled = recent / 3 * city_share
    return pd.DataFrame({
        "log_level": np.log1p(level), "log_last": np.log1p(v[:, t]), "log_pooled": np.log1p(pooled),
        "growth_h": np.clip(np.log((recent + 1) / (before + 1)), -1, 1) * h,
        "season": season, "h2": float(h == 2), "h3": float(h == 3), "level": level,
    }, index=y.index)  # fmt: skip


def _training_rows(y: pd.DataFrame, last_t: int) -> pd.DataFrame:
    """(features, target, origin, h) for every origin whose target month is ≤ last_t."""
    rows = []
    for t in range(3, last_t):
        for h in HORIZONS:
            if t + h <= last_t:
                f = _features(y, t, h)
                f["target"] = y.iloc[:, t + h].to_numpy(dtype=float)
                f["origin"], f["h"] = t, h
                rows.append(f)
    return pd.concat(rows)


def _fit(y: pd.DataFrame, last_t: int):
    rows = _training_rows(y, last_t)
    # recent origins count more: the growth of the rollout's first months is not today's
    weight = 0.5 ** ((last_t - rows["origin"]) / HALF_LIFE)
    model = make_pipeline(StandardScaler(), PoissonRegressor(alpha=1e-4, max_iter=1000))
    model.fit(rows[FEATURES], rows["target"], poissonregressor__sample_weight=weight)
    recent = rows[rows["origin"] > last_t - 3 - RESIDUAL_ORIGINS].copy()
    recent["f"] = model.predict(recent[FEATURES])
    return model, recent


def _levels(
    df: pd.DataFrame, shares: pd.DataFrame, cols: tuple[str, ...]
) -> dict[str, pd.DataFrame]:
    """County × category values (columns ``cols``) summed or split to every level."""
    base = df.reset_index()
    out = {
        "county_category": base,
        "county": base.groupby(["county_code", "month", "h"], as_index=False)[list(cols)].sum(),
        "city": base.groupby(["month", "h"], as_index=False)[list(cols)].sum(),
    }
    town = base.merge(shares, on=["county_code", "item_category"])
    for c in cols:
        town[c] = town[c] * town["share"]
    out["town_category"] = town.drop(columns="share")
    return out


def _town_shares(orders: pd.DataFrame, months: pd.PeriodIndex, last_t: int) -> pd.DataFrame:
    o = orders.assign(month=pd.to_datetime(orders["month"]).dt.to_period("M"))
    window = o[(o["month"] > months[last_t] - SHARE_MONTHS) & (o["month"] <= months[last_t])]
    n = window.groupby(["county_code", "item_category", "town_code"])["orders"].sum()
    share = (n / n.groupby(level=["county_code", "item_category"]).transform("sum")).rename("share")
    return share.reset_index()


def _quantiles(recent: pd.DataFrame, shares: pd.DataFrame, months) -> dict:
    """(level, h) -> (q10, q90) of Pearson residuals over the recent in-sample origins."""
    df = recent.assign(
        month=[months[int(o + h)] for o, h in zip(recent["origin"], recent["h"], strict=True)]
    )
    df = df.rename(columns={"target": "y"})[["y", "f", "month", "h"]]
    q = {}
    for level, part in _levels(df, shares, ("y", "f")).items():
        r = (part["y"] - part["f"]) / np.sqrt(part["f"] + 1)
        for h in HORIZONS:
            rh = r[part["h"] == h]
            q[(level, h)] = (
                (float(rh.quantile(0.1)), float(rh.quantile(0.9))) if len(rh) else (0.0, 0.0)
            )
    return q


def forecast_from(
    orders: pd.DataFrame, y: pd.DataFrame, months: pd.PeriodIndex, t: int
) -> dict[str, pd.DataFrame]:
    """Model and baselines from origin column ``t`` of y at every level; the model's intervals."""
    model, recent = _fit(y, t)
    shares = _town_shares(orders, months, t)
    q = _quantiles(recent, shares, months)
    v = y.to_numpy(dtype=float)
    parts = []
    for h in HORIZONS:
        f = _features(y, t, h)
        parts.append(pd.DataFrame({
            "f": model.predict(f[FEATURES]), "h": h, "month": months[t] + h,
            "naive": v[:, t],
            "seasonal_naive": v[:, t + h - 12] if t + h >= 12 else v[:, t],
            "moving_average": f["level"].to_numpy(),
        }, index=y.index))  # fmt: skip
    out = _levels(pd.concat(parts), shares, ("f", *BASELINES))
    for level, df in out.items():
        lo = np.array([q[(level, h)][0] for h in df["h"]])
        hi = np.array([q[(level, h)][1] for h in df["h"]])
        df["lower"] = np.maximum(df["f"] + lo * np.sqrt(df["f"] + 1), 0)
        df["upper"] = np.maximum(df["f"] + hi * np.sqrt(df["f"] + 1), df["f"])
    return out


def backtest(orders: pd.DataFrame) -> pd.DataFrame:
    """Rolling origins: the last BACKTEST_MONTHS complete months, each forecast from every origin
    1-3 months before it, by a model fitted on months up to that origin only."""
    y, months = _grid(orders)
    last = len(months) - 1
    o = orders.assign(month=pd.to_datetime(orders["month"]).dt.to_period("M"))
    records = []
    for t in range(last - BACKTEST_MONTHS, last):
        for level, df in forecast_from(orders, y, months, t).items():
            df = df[df["month"] <= months[last]]
            keys = [c for c in KEYS[level] if c in df.columns]
            actual = o.groupby(keys)["orders"].sum().rename("y")
            df = df.merge(actual, how="left", left_on=keys, right_index=True)
            records.append(df.assign(level=level, y=df["y"].fillna(0)))
    return pd.concat(records, ignore_index=True)


def score(bt: pd.DataFrame) -> pd.DataFrame:
    """WAPE, bias and (model) interval coverage per level, model and horizon (and all)."""
    rows = []
    first, last = bt["month"].min().start_time.date(), bt["month"].max().start_time.date()
    for level in LEVELS:
        part = bt[bt["level"] == level]
        for h in ("all", *HORIZONS):
            ph = part if h == "all" else part[part["h"] == h]
            actual = ph["y"].sum()
            for model in ("model", *BASELINES):
                f = ph["f" if model == "model" else model]
                cover = ((ph["y"] >= ph["lower"]) & (ph["y"] <= ph["upper"])).mean()
                rows.append({
                    "level": level, "model": model, "horizon": str(h),
                    "wape": (f - ph["y"]).abs().sum() / actual if actual else None,
                    "bias": (f - ph["y"]).sum() / actual if actual else None,
                    "coverage": float(cover) if model == "model" else None,
                    "cells": len(ph), "actual": float(actual),
                    "first_month": first, "last_month": last,
                })  # fmt: skip
    return pd.DataFrame(rows)


def unmet(frames: dict[str, pd.DataFrame], month: pd.Period) -> pd.DataFrame:
    """Per town, the month's entitled elders and subsidy standard against what was used."""
    e = frames["elders"].copy()
    e["standard"] = entitled_home(e).to_numpy()
    e = e[(e["standard"] > 0) & ~e["resident"].astype(bool)]
    s = frames["subsidy"]
    s = (
        s[pd.to_datetime(s["month"]).dt.to_period("M") == month]
        .groupby("elder_code")["subsidy"]
        .sum()
    )
    e["used"] = e["elder_code"].map(s).fillna(0.0).clip(upper=e["standard"])
    g = e.groupby(["county_code", "town_code"]).agg(
        entitled_elders=("elder_code", "size"), served_elders=("used", lambda u: int((u > 0).sum())),
        entitled_amount=("standard", "sum"), used_amount=("used", "sum"),
    ).reset_index()  # fmt: skip
    g["unused_amount"] = g["entitled_amount"] - g["used_amount"]
    g["unmet_share"] = (g["unused_amount"] / g["entitled_amount"]).round(4)
    g.insert(2, "month", month.start_time.date())
    return g


def compute(frames: dict[str, pd.DataFrame]) -> Demand:
    orders = frames["orders"]
    y, months = _grid(orders)
    last = len(months) - 1
    hours = (orders.assign(month=pd.to_datetime(orders["month"]).dt.to_period("M"))
             .pipe(lambda o: o[o["month"] > months[last] - SHARE_MONTHS]))  # fmt: skip
    out = []
    for level, df in forecast_from(orders, y, months, last).items():
        keys = [c for c in KEYS[level] if c in df.columns and c != "month"]
        if keys:
            per = hours.groupby(keys)[["hours", "orders"]].sum()
            ratio = (per["hours"] / per["orders"]).rename("hpo")
            df = df.merge(ratio, how="left", left_on=keys, right_index=True)
        else:
            df = df.assign(hpo=hours["hours"].sum() / max(hours["orders"].sum(), 1))
        out.append(df.assign(level=level, hours=df["f"] * df["hpo"].fillna(0)))
    fc = pd.concat(out, ignore_index=True)
    fc = _with_all_categories(fc)
    table = pd.DataFrame({
        "level": fc["level"].str.replace("_category", ""),
        "county_code": fc.get("county_code"), "town_code": fc.get("town_code"),
        "item_category": fc["item_category"].fillna(ALL),
        "month": fc["month"].map(lambda p: p.start_time.date()), "horizon": fc["h"],
        "orders": fc["f"].round(2), "hours": fc["hours"].round(2),
        "lower": fc["lower"].round(2), "upper": fc["upper"].round(2),
        "origin_month": months[last].start_time.date(),
    })  # fmt: skip
    return Demand(table, score(backtest(orders)), unmet(frames, months[last]))


def _with_all_categories(fc: pd.DataFrame) -> pd.DataFrame:
    """City and county rows are over all categories already; add the town totals."""
    town = fc[fc["level"] == "town_category"]
    total = town.groupby(["county_code", "town_code", "month", "h"], as_index=False)[
        ["f", "hours", "lower", "upper"]].sum()  # fmt: skip
    return pd.concat([fc, total.assign(level="town")], ignore_index=True)
