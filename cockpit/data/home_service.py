"""居家上门服务专题 (#17, #59–74): orders, service time, amounts and subsidies by month, category,
provider and area; durations against each item's minimum and maximum; return-visit results;
providers ranked. Everything reads ``marts.agg_home_service_monthly`` (one row per month ×
elder's town × provider × item); the month's orders, amounts and subsidies are the overview's
KPIs (``work_orders``, ``order_amount``, ``order_subsidy``), so both pages show one number.

A period is a month and the ``months`` months ending with it (1 = that month alone).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cockpit.data._sql import percent, rounded
from cockpit.data.core import query, scalar
from cockpit.data.overview import reporting_month
from cockpit.kpis import Kpi, get, register
from cockpit.scope import Scope

VISIT_RESULTS = {
    "visits_satisfied": "满意",
    "visits_basic": "基本满意",
    "visits_unsatisfied": "不满意",
    "visits_unreached": "未接通",
    "visits_denied": "否认服务",
}
SPANS = {1: "当月", 3: "近3个月", 6: "近6个月", 12: "近12个月"}

_AGG = "from marts.agg_home_service_monthly where {where} and month_start = {month}"
_ORDER_ROWS = (
    "select order_id, order_no, elder_code, org_code, item_name, item_category, start_time,"
    " end_time, duration_min, item_min_minutes, item_max_minutes, amount, subsidy_amount,"
    " rating, county_code, town_code from marts.fct_work_order"
    " where {where} and order_month = {month}"
)
_VISIT_ROWS = (
    "select v.visit_id, v.order_id, v.elder_code, v.org_code, v.visit_time, v.visit_way,"
    " v.visit_result, w.county_code, w.town_code from marts.fct_return_visit v"
    " join marts.fct_work_order w on w.order_id = v.order_id"
    " where {where} and w.order_month = {month}"
)
# Rates from sums of the aggregate (SQL, once); the same expressions serve every breakdown.
_RATES = {
    "under_min_rate": "sum(orders_under_min) * 1.0 / nullif(sum(timed_orders), 0)",
    "over_max_rate": "sum(orders_over_max) * 1.0 / nullif(sum(timed_orders), 0)",
    "satisfaction_rate": "sum(visits_satisfied + visits_basic) * 1.0"
    " / nullif(sum(visits - visits_unreached), 0)",
    "denial_rate": "sum(visits_denied) * 1.0 / nullif(sum(visits - visits_unreached), 0)",
    "avg_rating": "sum(rating_sum) * 1.0 / nullif(sum(rated_orders), 0)",
}
_REACHED = "回访中接通的 (回访结果不是“未接通”)"


def _kpi(key, label, unit, definition, expr, columns, rows, decimals=0) -> Kpi:
    return Kpi(
        key, label, unit, f"{definition}按长者住址归属区域。", "marts.agg_home_service_monthly",
        columns, f"select {expr} {_AGG}", f"{rows} order by 1", decimals=decimals,
    )  # fmt: skip


register(
    _kpi("hs_service_hours", "服务时长", "小时",
         "报告月内工单的服务时长合计 (结束时间 − 开始时间，小时)。",
         "sum(service_minutes) / 60.0", ("service_minutes",), _ORDER_ROWS),
    _kpi("hs_under_min_rate", "时长不足占比", "%",
         "报告月内有服务时长的工单中，时长低于该服务项目最短时长的比例。",
         _RATES["under_min_rate"], ("orders_under_min", "timed_orders"), _ORDER_ROWS),
    _kpi("hs_over_max_rate", "时长超上限占比", "%",
         "报告月内有服务时长的工单中，时长超过该服务项目最长时长的比例。",
         _RATES["over_max_rate"], ("orders_over_max", "timed_orders"), _ORDER_ROWS),
    _kpi("hs_satisfaction", "回访满意率", "%",
         f"报告月工单的回访中，满意与基本满意占{_REACHED}回访的比例。",
         _RATES["satisfaction_rate"], ("visits", "visits_satisfied", "visits_basic",
                                       "visits_unreached"), _VISIT_ROWS),
    _kpi("hs_denial_rate", "否认服务率", "%",
         f"报告月工单的回访中，长者否认接受过服务的占{_REACHED}回访的比例。",
         _RATES["denial_rate"], ("visits", "visits_denied", "visits_unreached"), _VISIT_ROWS),
    _kpi("hs_avg_rating", "平均评分", "分", "报告月内有评分工单的平均评分 (1–5分)。",
         _RATES["avg_rating"], ("rating_sum", "rated_orders"), _ORDER_ROWS, decimals=2),
)  # fmt: skip

HEADLINE = (
    "work_orders", "order_amount", "order_subsidy", "hs_service_hours", "hs_avg_rating",
    "hs_under_min_rate", "hs_over_max_rate", "hs_satisfaction", "hs_denial_rate",
)  # fmt: skip


def months(scope: Scope, limit: int = 24) -> list[dt.date]:
    """Months with work orders in the scope, newest first, up to the reporting month."""
    predicate, params = scope.where()
    df = query(
        "select distinct month_start from marts.agg_home_service_monthly"
        f" where {predicate} and month_start <= ? order by month_start desc limit ?",
        (*params, reporting_month(), limit),
    )
    return [pd.Timestamp(m).date() for m in df["month_start"]]


def headline(scope: Scope, month: dt.date | None = None) -> dict[str, object]:
    month = month or reporting_month()
    out = {}
    for key in HEADLINE:
        sql, params = get(key).render(scope, month)
        out[key] = scalar(sql, params)
    return out


def _period(scope: Scope, month: dt.date | None, span: int) -> tuple[str, tuple]:
    """Predicate over the aggregate: this scope, the ``span`` months ending with ``month``."""
    if span not in SPANS:
        raise ValueError(f"unknown span {span}")
    end = month or reporting_month()
    start = (pd.Timestamp(end) - pd.DateOffset(months=span - 1)).date()
    predicate, params = scope.where("h.county_code", "h.town_code")
    return f"{predicate} and h.month_start >= ? and h.month_start <= ?", (*params, start, end)


# Rates in tables as percentages (the rating as points); the rates' columns exist only in the
# aggregate, so they need no table prefix in the joins below.
_ALL_RATES = ", ".join(
    f"{rounded(expr, 2)} as {name}" if name == "avg_rating" else f"{percent(expr)} as {name}_pct"
    for name, expr in _RATES.items()
)


_TOTALS = (
    "cast(sum(h.work_orders) as integer) as work_orders,"
    f" {rounded('sum(h.service_minutes) / 60.0')} as service_hours,"
    " sum(h.amount) as amount, sum(h.subsidy_amount) as subsidy_amount"
)


def monthly(scope: Scope, month: dt.date | None = None, span: int = 12) -> pd.DataFrame:
    """Per month: orders, service hours, amounts and subsidies."""
    predicate, params = _period(scope, month, span)
    return query(
        f"select h.month_start, {_TOTALS}, sum(h.self_pay_amount) as self_pay_amount"
        f" from marts.agg_home_service_monthly h where {predicate} group by 1 order by 1",
        params,
    )


def by_category(scope: Scope, month: dt.date | None = None, span: int = 1) -> pd.DataFrame:
    """Per service category: totals, durations under the minimum / over the maximum."""
    predicate, params = _period(scope, month, span)
    return query(
        f"select coalesce(h.item_category, '未知') as item_category, {_TOTALS},"
        " cast(sum(h.timed_orders) as integer) as timed_orders,"
        " cast(sum(h.orders_under_min) as integer) as orders_under_min,"
        f" cast(sum(h.orders_over_max) as integer) as orders_over_max, {_ALL_RATES}"
        f" from marts.agg_home_service_monthly h where {predicate}"
        " group by 1 order by work_orders desc, item_category",
        params,
    )


def by_item(scope: Scope, month: dt.date | None = None, span: int = 1) -> pd.DataFrame:
    """Per service item: its minimum and maximum, the mean duration, shares under and over."""
    predicate, params = _period(scope, month, span)
    return query(
        "select coalesce(h.item_name, '未知') as item_name,"
        " coalesce(h.item_category, '未知') as item_category,"
        " h.item_min_minutes, h.item_max_minutes,"
        " cast(sum(h.timed_orders) as integer) as timed_orders,"
        f" {rounded('sum(h.service_minutes) / nullif(sum(h.timed_orders), 0)')} as avg_minutes,"
        " cast(sum(h.orders_under_min) as integer) as orders_under_min,"
        " cast(sum(h.orders_over_max) as integer) as orders_over_max,"
        f" {percent(_RATES['under_min_rate'])} as under_min_rate_pct,"
        f" {percent(_RATES['over_max_rate'])} as over_max_rate_pct"
        f" from marts.agg_home_service_monthly h where {predicate}"
        " group by 1, 2, 3, 4 order by 2, 1",
        params,
    )


def by_area(scope: Scope, month: dt.date | None = None, span: int = 1) -> pd.DataFrame:
    """Per county (city scope) or town (county scope): totals and providers at work."""
    col = "town_code" if scope.county_code else "county_code"
    predicate, params = _period(scope, month, span)
    return query(
        f"select h.{col} as area_code, coalesce(a.area_name, '未知区域') as area_name,"
        f" {_TOTALS}, count(distinct h.org_code) as providers"
        " from marts.agg_home_service_monthly h"
        f" left join marts.dim_area a on a.area_code = h.{col}"
        f" where {predicate} group by 1, 2 order by work_orders desc, area_code",
        params,
    )


def providers(scope: Scope, month: dt.date | None = None, span: int = 1) -> pd.DataFrame:
    """Providers ranked by orders: amounts, durations, satisfaction and denial at return visits
    (in the scope's area only: a provider working in two counties shows each county its part)."""
    predicate, params = _period(scope, month, span)
    return query(
        "select rank() over (order by sum(h.work_orders) desc) as ranking, h.org_code,"
        f" coalesce(o.org_name, h.org_code) as org_name, {_TOTALS},"
        " cast(sum(h.visits) as integer) as visits,"
        f" {_ALL_RATES}"
        " from marts.agg_home_service_monthly h"
        " left join marts.dim_org o on o.org_code = h.org_code"
        f" where {predicate} group by 2, 3 order by ranking, h.org_code",
        params,
    )


def visit_results(scope: Scope, month: dt.date | None = None, span: int = 1) -> pd.DataFrame:
    """Return visits of the period's orders by result (满意/基本满意/不满意/未接通/否认服务)."""
    predicate, params = _period(scope, month, span)
    parts = " union all ".join(
        f"select {i} as sort_key, '{label}' as visit_result, sum(h.{col}) as visits"
        f" from marts.agg_home_service_monthly h where {predicate}"
        for i, (col, label) in enumerate(VISIT_RESULTS.items())
    )
    df = query(
        f"select visit_result, coalesce(visits, 0) as visits from ({parts}) v order by sort_key",
        params * len(VISIT_RESULTS),
    )
    df["visits"] = df["visits"].astype(int)
    return df
