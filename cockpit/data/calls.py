"""呼叫中心 (#40–45): calls in and out per day, per seat, per type, talk time, in the reporting
month. A call belongs to the area of its elder's home; calls from numbers unknown to the elder
archive have no area and count for the whole city only.
"""

from __future__ import annotations

import pandas as pd

from cockpit.data._sql import every_day, rounded
from cockpit.data.core import query
from cockpit.data.overview import kpi_value, reporting_month
from cockpit.kpis import Kpi, register
from cockpit.scope import Scope

_CALL = (
    "from marts.fct_call c left join marts.dim_elder e on e.elder_code = c.elder_code"
    " where {where} and c.call_date >= {month} and c.call_date < {month} + interval '1 month'"
)
_CALL_ROWS = (
    "select c.call_id, c.seat_no, c.call_direction, c.elder_code, c.start_time, c.talk_seconds,"
    " c.call_type, c.result, e.county_code, e.town_code "
)
_AREA_NOTE = "按来电长者住址归属区域 (无法识别长者的来电只计入全市)。"


def _call_kpi(key, label, unit, definition, expr, cond="true", columns=(), decimals=0) -> Kpi:
    return Kpi(
        key, label, unit, f"{definition}{_AREA_NOTE}", "marts.fct_call",
        ("call_date", *columns), f"select {expr} {_CALL} and {cond}",
        f"{_CALL_ROWS}{_CALL} and {cond} order by c.start_time, c.call_id",
        county="e.county_code", town="e.town_code", decimals=decimals,
    )  # fmt: skip


register(
    _call_kpi("calls_in", "本月呼入", "次", "报告月内的呼入电话数。", "count(*)",
              "c.call_direction = 'in'", ("call_direction",)),
    _call_kpi("calls_out", "本月呼出", "次", "报告月内的呼出电话数 (回访、关怀等)。", "count(*)",
              "c.call_direction = 'out'", ("call_direction",)),
    _call_kpi("call_answer_rate", "接通率", "%", "报告月内通话结果不是“未接通”的电话占全部电话的比例。",
              "avg(case when c.result = '未接通' then 0.0 else 1.0 end)", columns=("result",)),
    _call_kpi("call_avg_talk", "平均通话时长", "分钟", "报告月内已接通电话的平均通话时长 (分钟)。",
              "avg(c.talk_seconds) / 60.0", "c.result <> '未接通'", ("talk_seconds", "result"),
              decimals=1),
)  # fmt: skip

CALL_KPIS = ("calls_in", "calls_out", "call_answer_rate", "call_avg_talk")

_ANSWERED_TALK = "avg(case when c.result = '未接通' then null else c.talk_seconds end)"
# Sums per group, shared by the seat and type tables (column names fixed here).
_MEASURES = (
    "count(*) as calls,"
    " cast(sum(case when c.call_direction = 'in' then 1 else 0 end) as integer) as calls_in,"
    " cast(sum(case when c.call_direction = 'out' then 1 else 0 end) as integer) as calls_out,"
    " cast(sum(case when c.result = '未接通' then 0 else 1 end) as integer) as answered,"
    f" {rounded('sum(c.talk_seconds) / 60.0')} as talk_minutes,"
    f" {rounded(_ANSWERED_TALK, 0)} as avg_talk_seconds"
)


def kpi_values(scope: Scope) -> dict[str, object]:
    month = reporting_month()
    return {key: kpi_value(key, scope, month) for key in CALL_KPIS}


def _month_filter(scope: Scope) -> tuple[str, tuple]:
    predicate, params = scope.where("e.county_code", "e.town_code")
    month = reporting_month()
    return (
        "from marts.fct_call c left join marts.dim_elder e on e.elder_code = c.elder_code"
        f" where {predicate} and c.call_date >= ? and c.call_date < ? + interval '1 month'",
        (*params, month, month),
    )


def daily(scope: Scope) -> pd.DataFrame:
    """Calls in and out per day of the reporting month."""
    source, params = _month_filter(scope)
    month = reporting_month()
    last = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
    df = query(
        "select c.call_date,"
        " cast(sum(case when c.call_direction = 'in' then 1 else 0 end) as integer) as calls_in,"
        " cast(sum(case when c.call_direction = 'out' then 1 else 0 end) as integer) as calls_out"
        f" {source} group by 1 order by 1",
        params,
    )
    return every_day(df, "call_date", month, last)


def by_seat(scope: Scope) -> pd.DataFrame:
    """Per seat (坐席): calls, in, out, answered, talk time."""
    source, params = _month_filter(scope)
    return query(
        f"select coalesce(c.seat_no, '未知') as seat_no, {_MEASURES} {source}"
        " group by 1 order by calls desc, seat_no",
        params,
    )


def by_type(scope: Scope) -> pd.DataFrame:
    """Per call type (求助/咨询/投诉/回访/关怀): calls, answered, talk time."""
    source, params = _month_filter(scope)
    return query(
        f"select coalesce(c.call_type, '未知') as call_type, {_MEASURES} {source}"
        " group by 1 order by calls desc, call_type",
        params,
    )
