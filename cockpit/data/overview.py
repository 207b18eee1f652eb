"""总览驾驶舱 (#15): the city's headline numbers, trends and county ranking."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cockpit.data._sql import rounded
from cockpit.data.core import query, scalar
from cockpit.kpis import Kpi, get, register
from cockpit.scope import Scope

_LIVE_ELDER = "from marts.dim_elder where is_live and not is_deceased and {where}"
_ORG = "from marts.dim_org where is_live and {where}"
_AREA_MONTH = "from marts.agg_area_monthly where {where} and month_start = {month}"
_ELDER_ROWS = (
    "select elder_code, id_card_masked, sex, birth_date, county_code, town_code, economic_type,"
    " ability_level, living_type, source_elder_ids "
)
_ORG_ROWS = "select org_code, org_name, org_type, county_code, town_code, source_org_ids "
# Lineage of the area KPIs: the fact rows of the reporting month summed into the aggregate,
# placed by the same county/town columns as marts.agg_area_monthly places them.
_ORDER_ROWS = (
    "select order_id, order_no, elder_code, org_code, item_category, start_time, amount,"
    " subsidy_amount, county_code, town_code from marts.fct_work_order"
    " where {where} and order_month = {month} order by order_id"
)
_ALARM_ROWS = (
    "select alarm_id, elder_code, alarm_type, alarm_time, handle_time, response_minutes,"
    " county_code, town_code from marts.fct_alarm where {where}"
    " and alarm_date >= {month} and alarm_date < {month} + interval '1 month'"
)


def _org_kpi(key: str, label: str, org_type: str) -> Kpi:
    return Kpi(
        key, label, "家",
        f"在册的{org_type}数 (机构类型 = {org_type}，至少一条未删除的源记录)。",
        "marts.dim_org", ("org_type", "is_live"),
        f"select count(*) {_ORG} and org_type = '{org_type}'",
        f"{_ORG_ROWS}{_ORG} and org_type = '{org_type}' order by org_code",
    )  # fmt: skip


def _area_kpi(key, label, unit, definition, expr, columns, decimals=0, rows=None, **kw) -> Kpi:
    """A KPI of the reporting month from the area aggregate (one row per area and month);
    ``rows``: the facts behind it (lineage)."""
    return Kpi(
        key, label, unit, definition, "marts.agg_area_monthly", columns,
        f"select {expr} {_AREA_MONTH}", rows, decimals=decimals, area=True,
        rows_facts=rows is not None, **kw,
    )  # fmt: skip


register(
    Kpi(
        "elders", "老年人总数", "人",
        "在册且未故的长者 (长者码去重，同一人多条登记合并为一人)。",
        "marts.dim_elder", ("elder_code", "is_live", "is_deceased"),
        f"select count(*) {_LIVE_ELDER}",
        f"{_ELDER_ROWS}{_LIVE_ELDER} order by elder_code",
    ),
    Kpi(
        "elders_80", "80岁及以上", "人",
        "在册未故长者中，截至报告月末年满80周岁者 (出生日期取自身份证号)。",
        "marts.dim_elder", ("birth_date",),
        f"select count(*) {_LIVE_ELDER} and birth_date <= {{month}} - interval '80 years'",
        f"{_ELDER_ROWS}{_LIVE_ELDER} and birth_date <= {{month}} - interval '80 years'"
        " order by elder_code",
    ),
    Kpi(
        "elders_alone", "独居老人", "人",
        "在册未故长者中，居住状况为“独居”者。",
        "marts.dim_elder", ("living_type",),
        f"select count(*) {_LIVE_ELDER} and living_type = '独居'",
        f"{_ELDER_ROWS}{_LIVE_ELDER} and living_type = '独居' order by elder_code",
    ),
    _org_kpi("institutions", "养老机构", "养老机构"),
    _org_kpi("care_centres", "社区照料中心", "社区照料中心"),
    _org_kpi("home_providers", "居家服务商", "居家服务商"),
    _org_kpi("canteens", "长者食堂", "长者食堂"),
    _area_kpi(
        "work_orders", "本月工单", "单",
        "报告月内开始服务的有效工单数 (已删除工单不计)，按长者住址归属区域。",
        "sum(work_orders)", ("work_orders",), rows=_ORDER_ROWS, counts_rows=True,
    ),
    _area_kpi(
        "order_amount", "本月工单金额", "元",
        "报告月内有效工单金额合计。", "sum(order_amount)", ("order_amount",), rows=_ORDER_ROWS,
    ),
    _area_kpi(
        "order_subsidy", "本月补贴金额", "元",
        "报告月内有效工单的政府补贴金额合计。", "sum(order_subsidy)", ("order_subsidy",),
        rows=_ORDER_ROWS,
    ),
    _area_kpi(
        "family_beds", "在建家庭养老床位", "张",
        "报告月末处于“建床”状态的家庭养老床位数 (床位码去重)。",
        "sum(family_beds_active)", ("family_beds_active",), counts_rows=True,
        rows="select distinct b.bed_code, b.fbed_id, b.elder_code, b.org_code, b.valid_from,"
        " b.valid_to, e.county_code, e.town_code from marts.fct_family_bed_state b"
        " left join marts.dim_elder e on e.elder_code = b.elder_code where {where}"
        " and b.state = '建床' and b.valid_from <= {month} + interval '1 month' - interval '1 day'"
        " and (b.valid_to is null"
        " or b.valid_to > {month} + interval '1 month' - interval '1 day') order by b.bed_code",
        county="e.county_code", town="e.town_code",
    ),
    _area_kpi(
        "alarms", "本月报警", "次", "报告月内的有效报警数。", "sum(alarms)", ("alarms",),
        rows=f"{_ALARM_ROWS} order by alarm_id", counts_rows=True,
    ),
    _area_kpi(
        "alarm_response", "平均响应时长", "分钟",
        "报告月内已处置报警的平均响应时长 = 处置时间 − 报警时间 (分钟)。",
        "sum(avg_response_minutes * alarms_handled) / nullif(sum(alarms_handled), 0)",
        ("avg_response_minutes", "alarms_handled"), decimals=1,
        rows=f"{_ALARM_ROWS} and is_handled order by alarm_id",
    ),
    _area_kpi(
        "complaints_on_time", "投诉3个工作日内答复率", "%",
        "报告月内提交的问题投诉中，3个工作日内答复的比例 (工作日按国务院节假日及调休安排计算)。",
        "sum(complaints_replied_on_time) * 1.0 / nullif(sum(complaints), 0)",
        ("complaints", "complaints_replied_on_time"),
        rows="select complaint_id, channel, category, org_code, create_time, reply_time,"
        " reply_working_days, is_reply_on_time, county_code, town_code from marts.fct_complaint"
        " where {where} and create_time >= {month} and create_time < {month} + interval '1 month'"
        " order by complaint_id",
    ),
)  # fmt: skip

HEADLINE = (
    "elders", "elders_80", "elders_alone", "institutions", "care_centres", "home_providers",
    "canteens", "family_beds", "work_orders", "order_amount", "order_subsidy", "alarms",
    "alarm_response", "complaints_on_time",
)  # fmt: skip


def reporting_month() -> dt.date:
    """The latest month with work orders: the cockpit's 本月 (the data, not the calendar)."""
    value = scalar("select max(month_start) from marts.agg_area_monthly where work_orders > 0")
    return pd.Timestamp(value).date()


def kpi_value(key: str, scope: Scope, month: dt.date | None = None):
    sql, params = get(key).render(scope, month or reporting_month())
    return scalar(sql, params)


def kpi_rows(key: str, scope: Scope, limit: int = 200, offset: int = 0) -> pd.DataFrame:
    """The mart rows behind a KPI (lineage), a page at a time."""
    sql, params = get(key).render(scope, reporting_month(), rows=True)
    return query(f"{sql} limit ? offset ?", (*params, limit, offset))


def headline(scope: Scope) -> dict[str, object]:
    month = reporting_month()
    return {key: kpi_value(key, scope, month) for key in HEADLINE}


def elders_by(scope: Scope, column: str) -> pd.DataFrame:
    """Living elders by economic type or ability level (column names fixed here)."""
    col = {"economic_type": "economic_type", "ability_level": "ability_level"}[column]
    predicate, params = scope.where()
    return query(
        f"select coalesce({col}, '未知') as category, count(*) as elders"
        f" from marts.dim_elder where is_live and not is_deceased and {predicate}"
        " group by 1 order by 2 desc",
        params,
    )


def monthly_trend(scope: Scope, months: int = 12) -> pd.DataFrame:
    """The last ``months`` months of the area aggregate for the scope's own area."""
    predicate, params = scope.area_where()
    return query(
        "select month_start, work_orders, order_amount, order_subsidy, alarms,"
        " avg_response_minutes, complaints, complaints_replied_on_time, family_beds_active"
        f" from marts.agg_area_monthly where {predicate} and month_start <= ?"
        " order by month_start desc limit ?",
        (*params, reporting_month(), months),
    ).sort_values("month_start")


def county_ranking(scope: Scope) -> pd.DataFrame:
    """Counties (or the towns of a county) in the reporting month, most work orders first."""
    level = "town" if scope.county_code else "county"
    predicate, params = (
        ("area_code like ?", (scope.county_code + "%",)) if scope.county_code else ("true", ())
    )
    return query(
        "select area_code, area_name, work_orders, served_elders, order_amount, order_subsidy,"
        f" alarms, {rounded('avg_response_minutes', 1)} as avg_response_minutes, family_beds_active"
        f" from marts.agg_area_monthly where area_level = ? and {predicate}"
        " and month_start = ? order by work_orders desc, area_code",
        (level, *params, reporting_month()),
    )


def towns(county_code: str) -> pd.DataFrame:
    return query(
        "select area_code as town_code, area_name as town_name from marts.dim_area"
        " where area_level = 3 and county_code = ? order by area_code",
        (county_code,),
    )
