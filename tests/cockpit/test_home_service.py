"""居家上门服务专题: orders, time, money, durations against the items' bounds, return visits and
the provider ranking equal the test's own SQL on the work orders, for the city and a county."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from cockpit_helpers import CITY_VIEWER, county_viewer, metric, run_page, sql

from cockpit import kpis
from cockpit.data import home_service
from cockpit.scope import Scope

COUNTY = "440881"
ORDERS = "from marts.fct_work_order w where w.order_month >= ? and w.order_month <= ?"
VISITS = (
    "from marts.fct_return_visit v join marts.fct_work_order w on w.order_id = v.order_id"
    " where w.order_month >= ? and w.order_month <= ?"
)


def _month(path) -> dt.date:
    return sql(path, "select max(order_month) from marts.fct_work_order")[0][0]


def _start(month: dt.date, span: int) -> dt.date:
    return (pd.Timestamp(month) - pd.DateOffset(months=span - 1)).date()


def _scoped(county: str | None) -> tuple[str, tuple]:
    return (" and w.county_code = ?", (county,)) if county else ("", ())


def _orders(path, county, month, span=1, extra="") -> dict:
    where, params = _scoped(county)
    row = sql(
        path,
        "select count(*), sum(w.duration_min) / 60, sum(w.amount),"
        " sum(case when w.duration_min < w.item_min_minutes then 1 else 0 end),"
        " sum(case when w.duration_min > w.item_max_minutes then 1 else 0 end),"
        " count(w.duration_min), avg(w.rating)"
        f" {ORDERS}{where}{extra}",
        (_start(month, span), month, *params),
    )[0]
    keys = ("orders", "hours", "amount", "under", "over", "timed", "rating")
    return dict(zip(keys, row, strict=True))


def _visits(path, county, month, span=1, extra="") -> dict[str, int]:
    where, params = _scoped(county)
    rows = sql(
        path,
        f"select v.visit_result, count(*) {VISITS}{where}{extra} group by 1",
        (_start(month, span), month, *params),
    )
    return dict(rows)


def _fmt(key: str, value) -> str:
    return kpis.get(key).format(value)


@pytest.mark.parametrize("county", [None, COUNTY])
def test_headline_numbers_on_the_page(cockpit_env, county) -> None:
    viewer = county_viewer(county) if county else CITY_VIEWER
    at = run_page("home_service", viewer)
    assert not at.exception, at.exception
    month = _month(cockpit_env)
    o = _orders(cockpit_env, county, month)
    v = _visits(cockpit_env, county, month)
    reached = sum(v.values()) - v.get("未接通", 0)
    assert metric(at, "本月工单") == _fmt("work_orders", o["orders"])
    assert metric(at, "本月工单金额") == _fmt("order_amount", o["amount"])
    assert metric(at, "服务时长") == _fmt("hs_service_hours", o["hours"])
    assert metric(at, "时长不足占比") == _fmt("hs_under_min_rate", o["under"] / o["timed"])
    assert metric(at, "时长超上限占比") == _fmt("hs_over_max_rate", o["over"] / o["timed"])
    assert metric(at, "平均评分") == _fmt("hs_avg_rating", o["rating"])
    satisfied = v.get("满意", 0) + v.get("基本满意", 0)
    assert metric(at, "回访满意率") == _fmt(
        "hs_satisfaction", satisfied / reached if reached else None
    )
    denied = v.get("否认服务", 0) / reached if reached else None
    assert metric(at, "否认服务率") == _fmt("hs_denial_rate", denied)
    assert o["orders"] > 0


@pytest.mark.parametrize(("county", "span"), [(None, 12), (COUNTY, 3)])
def test_breakdowns_equal_the_work_orders(cockpit_env, county, span) -> None:
    scope, month = Scope(county), _month(cockpit_env)
    total = _orders(cockpit_env, county, month, span)
    cats = home_service.by_category(scope, month, span)
    assert cats["work_orders"].sum() == total["orders"]
    assert cats["service_hours"].sum() == pytest.approx(total["hours"], abs=0.05 * len(cats))
    assert cats["orders_under_min"].sum() == total["under"]
    assert cats["orders_over_max"].sum() == total["over"]
    for row in cats.itertuples():
        per = _orders(
            cockpit_env, county, month, span, f" and w.item_category = '{row.item_category}'"
        )
        assert row.work_orders == per["orders"]
        if per["timed"]:
            expected = round(100 * per["under"] / per["timed"], 1)
            assert row.under_min_rate_pct == pytest.approx(expected)
        else:
            assert pd.isna(row.under_min_rate_pct)
    items = home_service.by_item(scope, month, span)
    assert items["timed_orders"].sum() == total["timed"]
    assert (items["item_min_minutes"] <= items["item_max_minutes"]).all()
    areas = home_service.by_area(scope, month, span)
    assert areas["work_orders"].sum() == total["orders"]
    trend = home_service.monthly(scope, month, span)
    assert trend["work_orders"].sum() == total["orders"] and len(trend) <= span
    visits = home_service.visit_results(scope, month, span)
    assert dict(zip(visits["visit_result"], visits["visits"], strict=True)) == {
        k: _visits(cockpit_env, county, month, span).get(k, 0)
        for k in home_service.VISIT_RESULTS.values()
    }


def test_providers_ranked_with_satisfaction_and_denial(cockpit_env) -> None:
    month = _month(cockpit_env)
    ranked = home_service.providers(Scope(), month, 12)
    assert ranked["work_orders"].is_monotonic_decreasing
    assert list(ranked["ranking"]) == sorted(ranked["ranking"])
    assert ranked["ranking"].iloc[0] == 1
    for row in ranked.head(3).itertuples():
        extra = f" and w.org_code = '{row.org_code}'"
        o = _orders(cockpit_env, None, month, 12, extra)
        v = _visits(cockpit_env, None, month, 12, extra)
        reached = sum(v.values()) - v.get("未接通", 0)
        assert row.work_orders == o["orders"]
        assert float(row.amount) == pytest.approx(float(o["amount"]))
        if reached:
            sat = 100 * (v.get("满意", 0) + v.get("基本满意", 0)) / reached
            assert row.satisfaction_rate_pct == pytest.approx(round(sat, 1))
            assert row.denial_rate_pct == pytest.approx(
                round(100 * v.get("否认服务", 0) / reached, 1)
            )


def test_the_aggregate_agrees_with_the_overview(cockpit_env) -> None:
    """Orders per month in the home-service aggregate equal the overview's area aggregate."""
    a = sql(cockpit_env, "select month_start, sum(work_orders) from marts.agg_home_service_monthly"
            " group by 1 order by 1")  # fmt: skip
    b = sql(cockpit_env, "select month_start, work_orders from marts.agg_area_monthly"
            " where area_level = 'city' and work_orders > 0 order by 1")  # fmt: skip
    assert [(m, int(n)) for m, n in a] == [(m, int(n)) for m, n in b]


def test_a_county_user_sees_only_their_county(cockpit_env) -> None:
    scope, month = Scope(COUNTY), _month(cockpit_env)
    areas = home_service.by_area(scope, month, 12)
    assert areas["area_code"].dropna().str.startswith(COUNTY).all()
    orgs = {r[0] for r in sql(cockpit_env, "select distinct org_code from marts.fct_work_order"
                              " where county_code = ?", (COUNTY,))}  # fmt: skip
    assert set(home_service.providers(scope, month, 12)["org_code"]) <= orgs
    county = _orders(cockpit_env, COUNTY, month, 12)
    assert home_service.monthly(scope, month, 12)["work_orders"].sum() == county["orders"]
    assert county["orders"] < _orders(cockpit_env, None, month, 12)["orders"]
    at = run_page("home_service", county_viewer(COUNTY), county="440803")
    assert not at.exception, at.exception
    assert metric(at, "本月工单") == _fmt(
        "work_orders", _orders(cockpit_env, COUNTY, month)["orders"]
    )
