"""智慧模型 (issue 13): the elder profile's tags, the service-expiry reminder list and the demand
forecast, read from the marts the models publish (``marts.elder_profile``, ``expiry_reminder``,
``expiry_evaluation``, ``demand_forecast``, ``demand_backtest``, ``demand_unmet``).

Scope: every table carries the elder's or the series' county and town; a county viewer sees
their county's rows only. Health tags (高血压风险 …) are health data: they reach a card only
for a viewer with the ``health`` permission; the overview shows counts, never names.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cockpit.data.core import query, scalar, table_exists
from cockpit.scope import Scope, Viewer

HEALTH_TAGS = ("高血压风险", "高血糖风险", "心率异常")
ALL = "全部"
_TOWN = (
    " left join marts.dim_area ta on ta.area_code = {t}.town_code and ta.area_level = 3"
    " left join marts.dim_area ca on ca.area_code = {t}.county_code and ca.area_level = 2"
)


def available() -> dict[str, bool]:
    """Which model tables the build published (a warehouse built before them has none)."""
    return {
        t: table_exists("marts", t)
        for t in ("elder_profile", "expiry_reminder", "demand_forecast", "demand_unmet")
    }


# -- 老人画像 ------------------------------------------------------------------------------
def tag_counts(scope: Scope) -> pd.DataFrame:
    """Living elders per tag in the scope (tag, elders), most frequent first."""
    predicate, params = scope.where()
    combos = query(
        f"select tags, count(*) as n from marts.elder_profile where {predicate}"
        " and tags is not null group by tags",
        params,
    )
    counts: dict[str, int] = {}
    for tags, n in combos.itertuples(index=False):
        for tag in tags.split(","):
            counts[tag] = counts.get(tag, 0) + int(n)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return pd.DataFrame(ranked, columns=["tag", "elders"])


def segment_counts(scope: Scope) -> pd.DataFrame:
    predicate, params = scope.where()
    return query(
        "select segment, segment_label, count(*) as elders from marts.elder_profile"
        f" where {predicate} group by 1, 2 order by 1",
        params,
    )


def tag_by_area(scope: Scope, tag: str | None = None) -> pd.DataFrame:
    """Per county (city scope) or town (county scope): living elders and those with ``tag``."""
    predicate, params = scope.where("p.county_code", "p.town_code")
    area = "p.town_code" if scope.county_code else "p.county_code"
    level = 3 if scope.county_code else 2
    return query(
        f"select {area} as area_code, a.area_name, count(*) as elders,"
        " cast(sum(case when position(? in ',' || p.tags || ',') > 0 then 1 else 0 end) as bigint)"
        " as tagged"
        f" from marts.elder_profile p left join marts.dim_area a on a.area_code = {area}"
        f" and a.area_level = {level} where {predicate} group by 1, 2 order by 1",
        (f",{tag or ''},", *params),
    ).assign(share=lambda d: (d["tagged"] / d["elders"]).round(4))


def profile_of(viewer: Viewer, scope: Scope, elder_code: str) -> dict | None:
    """One elder's tags, segment and the evidence (health tags only with ``health``)."""
    predicate, params = scope.where()
    df = query(
        "select tags, segment_label, explanation, as_of_date from marts.elder_profile"
        f" where elder_code = ? and {predicate}",
        (elder_code, *params),
    )
    if df.empty:
        return None
    row = df.iloc[0]
    tags = [t for t in str(row["tags"] or "").split(",") if t]
    lines = [e for e in str(row["explanation"] or "").split("；") if e]
    if not viewer.may("health"):
        tags = [t for t in tags if t not in HEALTH_TAGS]
        lines = [e for e in lines if e.split("：", 1)[0] not in HEALTH_TAGS]
    return {"tags": tags, "segment_label": row["segment_label"], "evidence": lines,
            "as_of_date": row["as_of_date"]}  # fmt: skip


# -- 服务临过期提醒 --------------------------------------------------------------------------
def expiry_days(scope: Scope) -> list[dt.date]:
    """The days of the current period that have a list, latest first."""
    predicate, params = scope.where()
    df = query(
        f"select distinct as_of_date from marts.expiry_reminder where {predicate} order by 1 desc",
        params,
    )
    return [pd.Timestamp(d).date() for d in df["as_of_date"]]


def expiry_entitlements(scope: Scope) -> list[str]:
    """The kinds of entitlement with reminders in the scope (居家服务补贴 first)."""
    predicate, params = scope.where()
    df = query(f"select distinct entitlement from marts.expiry_reminder where {predicate}", params)
    return sorted(df["entitlement"], key=lambda e: (e != "居家服务补贴", e))


def expiry_list(
    scope: Scope, day: dt.date | None = None, entitlement: str | None = None
) -> pd.DataFrame:
    """Entitlements at risk on ``day`` (default: the latest), most likely to lapse first, then
    those due soonest (the date-bound ones have no likelihood); one kind, or every kind."""
    predicate, params = scope.where("r.county_code", "r.town_code")
    if entitlement:
        predicate, params = f"{predicate} and r.entitlement = ?", (*params, entitlement)
    day_sql = "(select max(as_of_date) from marts.expiry_reminder)" if day is None else "?"
    return query(
        "select r.elder_code, ca.area_name as county_name, ta.area_name as town_name,"
        " r.entitlement, r.period_end, r.days_left, r.entitled_amount, r.used_amount,"
        " r.remaining, round(cast(r.lapse_probability as numeric), 3) as lapse_probability,"
        " r.rule_flag, r.reason, r.family_phone_masked, r.notify_org_code, o.org_name"
        " from marts.expiry_reminder r"
        + _TOWN.format(t="r")
        + " left join marts.dim_org o on o.org_code = r.notify_org_code"
        f" where r.as_of_date = {day_sql} and {predicate}"
        " order by r.lapse_probability desc nulls last, r.days_left, r.elder_code",
        (*(() if day is None else (day,)), *params),
    ).pipe(_dates, "period_end")


def expiry_evaluation() -> pd.DataFrame:
    """The model's and the rule's recall and precision on held-out months (city-wide)."""
    return query(
        "select method, days_left, recall, precision, flagged, lapsing, threshold, test_months"
        " from marts.expiry_evaluation order by days_left desc, method"
    )


# -- 服务需求预测 ----------------------------------------------------------------------------
def _series_where(scope: Scope) -> tuple[str, tuple]:
    """The scope's own area and the areas one level below it (alias ``f``)."""
    if scope.town_code:
        return "f.level = 'town' and f.town_code = ?", (scope.town_code,)
    if scope.county_code:
        return "f.level in ('county', 'town') and f.county_code = ?", (scope.county_code,)
    return "f.level in ('city', 'county')", ()


def demand_categories(scope: Scope) -> list[str]:
    predicate, params = _series_where(scope)
    df = query(
        f"select distinct f.item_category from marts.demand_forecast f where {predicate}"
        " order by 1",
        params,
    )
    return [ALL, *(c for c in df["item_category"] if c != ALL)]


def demand_forecast(scope: Scope, category: str = ALL) -> pd.DataFrame:
    """The next 3 months for the scope's own area and the areas in it, one category."""
    predicate, params = _series_where(scope)
    return query(
        "select f.level, f.county_code, f.town_code, coalesce(a.area_name, '全市') as area_name,"
        " f.month, f.horizon, round(cast(f.orders as numeric), 1) as orders,"
        " round(cast(f.lower as numeric), 1) as lower, round(cast(f.upper as numeric), 1) as upper,"
        " round(cast(f.hours as numeric), 1) as hours from marts.demand_forecast f"
        " left join marts.dim_area a on a.area_code = case f.level when 'town' then f.town_code"
        " when 'county' then f.county_code end"
        f" where f.item_category = ? and {predicate}"
        " order by f.level, f.county_code, f.town_code, f.month",
        (category, *params),
    ).pipe(_dates, "month")


def demand_history(scope: Scope, category: str = ALL, months: int = 12) -> pd.DataFrame:
    """Orders per month in the scope (not cancelled), the last ``months`` months of data."""
    predicate, params = scope.where()
    latest = scalar("select max(order_month) from marts.fct_work_order")
    if latest is None:
        return pd.DataFrame(columns=["month", "orders"])
    since = (pd.Timestamp(latest) - pd.DateOffset(months=months - 1)).date()
    cat_sql, cat_params = ("", ()) if category == ALL else (" and item_category = ?", (category,))
    return query(
        "select order_month as month, count(*) as orders from marts.fct_work_order"
        f" where order_status <> '3' and order_month >= ? and {predicate}{cat_sql}"
        " group by 1 order by 1",
        (since, *params, *cat_params),
    )


def demand_backtest() -> pd.DataFrame:
    """WAPE, bias and coverage per level and model over all horizons (city-wide numbers)."""
    return query(
        "select level, model, wape, bias, coverage, cells, actual, first_month, last_month"
        " from marts.demand_backtest where horizon = 'all' order by level, model"
    )


def demand_unmet(scope: Scope) -> pd.DataFrame:
    predicate, params = scope.where("u.county_code", "u.town_code")
    return query(
        "select ca.area_name as county_name, ta.area_name as town_name, u.month,"
        " u.entitled_elders, u.served_elders, u.entitled_amount, u.used_amount,"
        " u.unused_amount, u.unmet_share from marts.demand_unmet u"
        + _TOWN.format(t="u")
        + f" where {predicate} order by u.unmet_share desc, u.town_code",
        params,
    ).pipe(_dates, "month")


def _dates(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """A date column as dates (DuckDB hands them over as timestamps), shown without a time."""
    return df.assign(**{column: pd.to_datetime(df[column]).dt.date}) if len(df) else df
