"""智能监控看板 (#38): alarms today and this month, by type, unhandled, response time p50/p90,
the open alarms. Alarms are placed by their elder's home (county, town).

"Today" is the data's latest alarm day (the warehouse's, not the calendar's: a rebuilt demo
shows the same board); "this month" the reporting month of the overview. The month's count and
mean response reuse the overview's KPIs (``alarms``, ``alarm_response``).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cockpit.data._sql import every_day, rounded
from cockpit.data.core import query, scalar
from cockpit.data.overview import reporting_month
from cockpit.kpis import Kpi, get, register
from cockpit.scope import Scope

_ALARM = "from marts.fct_alarm where {where}"
_ALARM_ROWS = (
    "select alarm_id, elder_code, device_sn, alarm_type, alarm_type_label, alarm_time,"
    " handle_time, handle_result, response_minutes, county_code, town_code "
)
_TODAY = "alarm_date = (select max(alarm_date) from marts.fct_alarm)"
_MONTH = "alarm_date >= {month} and alarm_date < {month} + interval '1 month'"
_HANDLED_MONTH = f"is_handled and {_MONTH}"


def _percentile_kpi(key: str, label: str, p: float) -> Kpi:
    return Kpi(
        key, label, "分钟",
        f"报告月内已处置报警响应时长 (处置时间 − 报警时间，分钟) 的第{int(p * 100)}百分位数"
        " (连续插值，同 percentile_cont)。",
        "marts.fct_alarm", ("response_minutes", "is_handled", "alarm_date"),
        f"select percentile_cont({p}) within group (order by response_minutes)"
        f" {_ALARM} and {_HANDLED_MONTH}",
        f"{_ALARM_ROWS}{_ALARM} and {_HANDLED_MONTH} order by response_minutes, alarm_id",
        decimals=1,
    )  # fmt: skip


register(
    Kpi(
        "alarms_today", "今日报警", "次",
        "数据中最新一天 (全市最晚报警所在日期，非系统日期) 的有效报警数，按长者住址归属区域。",
        "marts.fct_alarm", ("alarm_date",),
        f"select count(*) {_ALARM} and {_TODAY}",
        f"{_ALARM_ROWS}{_ALARM} and {_TODAY} order by alarm_time desc, alarm_id",
    ),
    Kpi(
        "alarms_open", "未处置报警", "次",
        "尚无处置时间的有效报警数 (不限月份，含历史遗留)。",
        "marts.fct_alarm", ("is_handled",),
        f"select count(*) {_ALARM} and not is_handled",
        f"{_ALARM_ROWS}{_ALARM} and not is_handled order by alarm_time desc, alarm_id",
    ),
    _percentile_kpi("alarm_p50", "响应时长中位数 P50", 0.5),
    _percentile_kpi("alarm_p90", "响应时长 P90", 0.9),
)  # fmt: skip

BOARD_KPIS = ("alarms_today", "alarms", "alarms_open", "alarm_response", "alarm_p50", "alarm_p90")


def today() -> dt.date | None:
    """The data's latest alarm day (the board's 今日)."""
    value = scalar("select max(alarm_date) from marts.fct_alarm")
    return None if value is None else pd.Timestamp(value).date()


def board(scope: Scope) -> dict[str, object]:
    """The board's headline numbers: today, this month, open, mean/p50/p90 response."""
    month = reporting_month()
    out = {}
    for key in BOARD_KPIS:
        sql, params = get(key).render(scope, month)
        out[key] = scalar(sql, params)
    return out


def by_type(scope: Scope) -> pd.DataFrame:
    """The reporting month's alarms per type (Chinese label), handled or not, p50/p90."""
    predicate, params = scope.where()
    month = reporting_month()
    return query(
        "select coalesce(alarm_type_label, alarm_type) as alarm_type_label, alarm_type,"
        " count(*) as alarms,"
        " cast(sum(case when is_handled then 1 else 0 end) as integer) as handled,"
        " cast(sum(case when is_handled then 0 else 1 end) as integer) as unhandled,"
        f" {rounded('percentile_cont(0.5) within group (order by response_minutes)')}"
        " as p50_minutes,"
        f" {rounded('percentile_cont(0.9) within group (order by response_minutes)')}"
        " as p90_minutes"
        f" from marts.fct_alarm where {predicate}"
        " and alarm_date >= ? and alarm_date < ? + interval '1 month'"
        " group by 1, 2 order by alarms desc, alarm_type",
        (*params, month, month),
    )


def daily(scope: Scope, days: int = 30) -> pd.DataFrame:
    """Alarms per day over the ``days`` days up to the data's latest alarm day."""
    last = today()
    if last is None:
        return pd.DataFrame(columns=["alarm_date", "alarms", "unhandled"])
    first = last - dt.timedelta(days=days - 1)
    predicate, params = scope.where()
    df = query(
        "select alarm_date, count(*) as alarms,"
        " cast(sum(case when is_handled then 0 else 1 end) as integer) as unhandled"
        f" from marts.fct_alarm where {predicate} and alarm_date >= ? and alarm_date <= ?"
        " group by 1 order by 1",
        (*params, first, last),
    )
    return every_day(df, "alarm_date", first, last)


def open_alarms(scope: Scope, limit: int = 50, offset: int = 0) -> pd.DataFrame:
    """Alarms not handled yet, newest first (paginated in SQL)."""
    predicate, params = scope.where("a.county_code", "a.town_code")
    return query(
        "select a.alarm_time, coalesce(a.alarm_type_label, a.alarm_type) as alarm_type_label,"
        " a.elder_code, a.device_sn, a.county_code,"
        " coalesce(c.area_name, a.county_code) as county_name,"
        " coalesce(t.area_name, a.town_code) as town_name"
        " from marts.fct_alarm a"
        " left join marts.dim_area c on c.area_code = a.county_code"
        " left join marts.dim_area t on t.area_code = a.town_code"
        f" where {predicate} and not a.is_handled"
        " order by a.alarm_time desc, a.alarm_id desc limit ? offset ?",
        (*params, limit, offset),
    )
