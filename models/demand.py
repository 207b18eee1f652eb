"""服务需求预测 (seed 004 #24): monthly home-service demand (orders and service hours) per county ×
service category for the next 3 months with 80 % intervals, reconciled across town, county and
city; a rolling-origin back-test against naive baselines; unmet demand per town
(docs/models.md, "Service demand").

- **Series**: non-cancelled work orders of ``fct_work_order`` by ``order_month``, county and
  ``item_category``; hours are ``duration_min`` (or the item's mid duration) / 60.
- **Model**: county total × the series' share. A county's total in month T+h is its last month
  × exp(d · g · h), g the city's recent monthly growth (last 3 months against the 3 before),
  the damping d (0-1) chosen on the county totals of the last ``RESIDUAL_ORIGINS`` origins.
  A series' share of its county: its last 6 months with the category's season divided out,
  shrunk toward the category's city-wide share, × the category's season in the target month,
  normalised within the county. The season of a category in a calendar month is its share of
  all orders in that month over its share in every month, all past years pooled.
  Hours = orders × the series' recent hours per order.
- **Intervals**: empirical 10 % / 90 % quantiles of the Pearson residuals (y - f) / √(f + 1) of
  the last ``RESIDUAL_ORIGINS`` in-sample origins, per level and horizon (a town's against its
  own orders), bounds at whole orders.
- **Reconciliation**: county × category is forecast; towns take their share of the series'
  last 6 months, shrunk toward the town's share of the county (towns sum to their county),
  counties sum to the city.
- **Back-test**: origins are the 6 months before the last complete month; each origin's model
  is fitted only on months up to it; naive (y(T)), seasonal-naive (y(T+h-12)) and 3-month
  moving average are scored beside it: WAPE Σ|f-y|/Σy and bias Σ(f-y)/Σy per level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.profile import entitled_home

HORIZONS = (1, 2, 3)
BACKTEST_MONTHS = 6
RESIDUAL_ORIGINS = 12
SHARE_MONTHS = 6
HALF_LIFE = 6  # months: weight of an origin in choosing the damping halves with each back
# what a forecast is made of (for the model card)
FEATURES = ["county_last_month", "city_growth_3m", "growth_damping", "series_share_6m",
            "city_category_share", "category_season"]  # fmt: skip
ALL = "全部"
DAMPINGS = (0.0, 0.25, 0.5, 0.75, 1.0)  # share of the recent growth carried forward
SHRINK = 30  # orders: weight of the city-wide category share in a county's share
TOWN_SHRINK = 30  # orders: weight of the town's share of all its county's orders
SEASON_PRIOR = 12  # orders: pulls a calendar month's share toward the all-month share

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


def _totals(n: pd.DataFrame, t: int, h: int, damping: float) -> np.ndarray:
    """Each county's orders in month t + h: its last month grown by the city's recent monthly
    growth (last 3 months against the 3 before), damped."""
    v = n.to_numpy(dtype=float)
    city = v.sum(axis=0)
    # no growth before 6 months of history
    growth = (
        np.log((city[t - 2 : t + 1].sum() + 1) / (city[t - 5 : t - 2].sum() + 1)) / 3
        if t >= 5
        else 0.0
    )
    return v[:, t] * np.exp(damping * growth * h)


def _season(cat: pd.DataFrame, months: pd.PeriodIndex, t: int) -> np.ndarray:
    """[category, calendar month]: the category's share of all orders in that calendar month
    over its share in every month, from months up to t (all years pooled, count-weighted, with a
    small prior so an empty month is 1)."""
    c = cat.to_numpy(dtype=float)[:, : t + 1]
    moy = np.array([m.month - 1 for m in months[: t + 1]])
    k = len(c)
    overall = (c.sum(axis=1) + 1) / (c.sum() + k)
    s = np.ones((k, 12))
    for m in range(12):
        sel = moy == m
        s[:, m] = (
            (c[:, sel].sum(axis=1) + SEASON_PRIOR * overall)
            / (c[:, sel].sum() + SEASON_PRIOR)
            / overall
        )
    return s


def _shares(y: pd.DataFrame, months: pd.PeriodIndex, t: int, h: int) -> np.ndarray:
    """Each series' share of its county's orders in month t + h: its last SHARE_MONTHS months
    with the season divided out, shrunk toward the category's city-wide share (SHRINK orders'
    weight), times the category's season in the target month, normalised within the county."""
    cat = y.groupby(level="item_category").sum()
    s = _season(cat, months, t)
    k = cat.index.get_indexer(y.index.get_level_values("item_category"))
    moy = np.array([m.month - 1 for m in months])
    window = range(max(t - SHARE_MONTHS + 1, 0), t + 1)
    v = y.to_numpy(dtype=float)
    base = pd.Series(sum(v[:, j] / s[k, moy[j]] for j in window), index=y.index)
    city = base.groupby(level="item_category").transform("sum") / base.sum()
    county = base.groupby(level="county_code").transform("sum")
    raw = (base + SHRINK * city) / (county + SHRINK) * s[k, (months[t] + h).month - 1]
    return (raw / raw.groupby(level="county_code").transform("sum")).to_numpy()


def _fit(n: pd.DataFrame, last_t: int) -> float:
    """The growth damping of DAMPINGS with the least absolute error of the county totals over
    the last RESIDUAL_ORIGINS origins whose targets are known at last_t, recent origins weighted
    more (the rollout's early growth is not today's)."""
    v = n.to_numpy(dtype=float)

    def error(d: float) -> float:
        return sum(
            np.abs(_totals(n, t, h, d) - v[:, t + h]).sum() * 0.5 ** ((last_t - t) / HALF_LIFE)
            for t in range(max(last_t - RESIDUAL_ORIGINS, 5), last_t)
            for h in HORIZONS
            if t + h <= last_t
        )

    return min(DAMPINGS, key=error)


def _predict(
    damping: float, y: pd.DataFrame, n: pd.DataFrame, months, t: int, h: int
) -> np.ndarray:
    """County × category orders in month t + h: the county's total × the series' share."""
    total = pd.Series(_totals(n, t, h, damping), index=n.index)
    return total.reindex(y.index.get_level_values("county_code")).to_numpy() * _shares(
        y, months, t, h
    )


def _in_sample(damping, y, n, months, last_t: int) -> pd.DataFrame:
    """Forecasts and outcomes of the last RESIDUAL_ORIGINS origins before last_t."""
    rows = []
    for t in range(max(last_t - 2 - RESIDUAL_ORIGINS, 3), last_t):
        for h in HORIZONS:
            if t + h <= last_t:
                rows.append(pd.DataFrame({
                    "f": _predict(damping, y, n, months, t, h), "y": y.iloc[:, t + h].to_numpy(),
                    "month": months[t + h], "h": h,
                }, index=y.index))  # fmt: skip
    return pd.concat(rows)


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
    """Each town's share of a county × category series over the last SHARE_MONTHS months,
    shrunk toward the town's share of all its county's orders (TOWN_SHRINK orders' weight)."""
    o = orders.assign(month=pd.to_datetime(orders["month"]).dt.to_period("M"))
    window = o[(o["month"] > months[last_t] - SHARE_MONTHS) & (o["month"] <= months[last_t])]
    town = window.groupby(["county_code", "town_code"])["orders"].sum()
    town = (town / town.groupby(level="county_code").transform("sum")).rename("town").reset_index()
    cells = o[["county_code", "item_category"]].drop_duplicates().merge(town, on="county_code")
    n = window.groupby(["county_code", "item_category", "town_code"])["orders"].sum().rename("n")
    cells = cells.merge(n.reset_index(), how="left", on=list(n.index.names)).fillna({"n": 0})
    total = cells.groupby(["county_code", "item_category"])["n"].transform("sum")
    cells["share"] = (cells["n"] + TOWN_SHRINK * cells["town"]) / (total + TOWN_SHRINK)
    return cells[["county_code", "item_category", "town_code", "share"]]


def _quantiles(recent: pd.DataFrame, shares: pd.DataFrame, o: pd.DataFrame) -> dict:
    """(level, h) -> (q10, q90) of Pearson residuals over the recent in-sample origins; a town's
    residual is against its own orders (its share of the county's is steadier than they are)."""
    q = {}
    for level, part in _levels(recent, shares, ("y", "f")).items():
        if level == "town_category":
            actual = o.groupby(KEYS[level])["orders"].sum().rename("y_town")
            part = part.merge(actual, how="left", left_on=KEYS[level], right_index=True)
            part["y"] = part["y_town"].fillna(0)
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
    n = y.groupby(level="county_code").sum()
    damping = _fit(n, t)
    shares = _town_shares(orders, months, t)
    o = orders.assign(month=pd.to_datetime(orders["month"]).dt.to_period("M"))
    q = _quantiles(_in_sample(damping, y, n, months, t), shares, o[o["month"] <= months[t]])
    v = y.to_numpy(dtype=float)
    parts = []
    for h in HORIZONS:
        parts.append(pd.DataFrame({
            "f": _predict(damping, y, n, months, t, h), "h": h, "month": months[t] + h,
            "naive": v[:, t],
            "seasonal_naive": v[:, t + h - 12] if t + h >= 12 else v[:, t],
            "moving_average": v[:, max(t - 2, 0) : t + 1].mean(axis=1),
        }, index=y.index))  # fmt: skip
    out = _levels(pd.concat(parts), shares, ("f", *BASELINES))
    for level, df in out.items():
        lo = np.array([q[(level, h)][0] for h in df["h"]])
        hi = np.array([q[(level, h)][1] for h in df["h"]])
        # orders are counts: bounds at the nearest whole number
        df["lower"] = np.minimum(np.round(df["f"] + lo * np.sqrt(df["f"] + 1)), np.floor(df["f"]))
        df["upper"] = np.maximum(np.round(df["f"] + hi * np.sqrt(df["f"] + 1)), np.ceil(df["f"]))
        df["lower"] = df["lower"].clip(lower=0)
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
