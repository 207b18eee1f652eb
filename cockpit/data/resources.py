"""服务资源 (#20): organisations with their indicators, a page at a time (``limit ? offset ?``),
and one organisation's card.

Scope rule: an organisation belongs to the county of ``dim_org.county_code`` (organisations are
registered to a county only, so there is no town filter).

Windows, from the data's 本月 (``overview.reporting_month``): 本月工单 = that month; 近12个月 =
that month and the eleven before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from cockpit.data._sql import percent
from cockpit.data.archives import CODE_CHARS
from cockpit.data.core import query
from cockpit.data.institutions import STAR
from cockpit.data.overview import reporting_month
from cockpit.scope import Scope

PAGE_SIZE = 50
ORG = "o.county_code"
ORG_STATUS = {"0": "正常", "1": "停用"}  # sys_normal_disable: dim_org publishes the code
COMPLAINT_STATUS = {"0": "待回复", "1": "已回复", "2": "已办结"}  # yl_complaint_status


def _month_shift(months: int) -> dt.date:
    return (pd.Timestamp(reporting_month()) + pd.DateOffset(months=months)).date()


@dataclass(frozen=True)
class OrgQuery:
    org_type: str | None = None
    ownership: str | None = None
    name: str | None = None  # part of the name
    code: str | None = None  # 机构码 or its beginning
    live_only: bool = True  # organisations with a live source record (dim_org.is_live)


def _org_where(scope: Scope, q: OrgQuery) -> tuple[str, list]:
    predicate, scope_params = scope.where(ORG, None)
    parts, params = [predicate], list(scope_params)
    if q.live_only:
        parts.append("o.is_live")
    if q.org_type:
        parts.append("o.org_type = ?")
        params.append(q.org_type)
    if q.ownership:
        parts.append("o.ownership = ?")
        params.append(q.ownership)
    if q.name and q.name.strip():
        parts.append("position(? in o.org_name) > 0")
        params.append(q.name.strip())
    if q.code:
        code = q.code.strip().upper()
        if not CODE_CHARS.match(code):
            raise ValueError("not a 机构码")
        parts.append("o.org_code like ?")
        params.append(code + "%")
    return " and ".join(parts), params


def _org_sql(scope: Scope, q: OrgQuery) -> tuple[str, list]:
    predicate, params = _org_where(scope, q)
    month = reporting_month()
    start12, end = _month_shift(-11), _month_shift(1)
    sql = (
        "with orders as (select org_code, count(*) as orders_month from marts.fct_work_order"
        " where order_month = ? group by org_code),"
        " staff as (select main_org_code as org_code, count(*) as staff,"
        " sum(case when is_certified then 1 else 0 end) as certified_staff"
        " from marts.dim_staff where is_live group by main_org_code),"
        " failed as (select org_code, count(*) as inspections_failed from marts.fct_inspection"
        " where is_failed and inspect_date >= ? and inspect_date < ? group by org_code),"
        " complaints as (select org_code, count(*) as complaints from marts.fct_complaint"
        " where create_time >= ? and create_time < ? group by org_code)"
        " select o.org_code, o.org_name, o.org_type, a.area_name as county_name, o.ownership,"
        f" {STAR} as star, o.approved_beds, o.filed_beds, occ.residents,"
        f" {percent('occ.occupancy_rate')} as occupancy_pct,"
        " coalesce(w.orders_month, 0) as orders_month, coalesce(s.staff, 0) as staff,"
        " cast(coalesce(s.certified_staff, 0) as integer) as certified_staff,"
        " coalesce(f.inspections_failed, 0) as inspections_failed,"
        " coalesce(c.complaints, 0) as complaints, o.is_live"
        " from marts.dim_org o"
        " left join marts.dim_area a on a.area_code = o.county_code and a.area_level = 2"
        " left join marts.agg_org_occupancy_monthly occ"
        " on occ.org_code = o.org_code and occ.month_start = ?"
        " left join orders w on w.org_code = o.org_code"
        " left join staff s on s.org_code = o.org_code"
        " left join failed f on f.org_code = o.org_code"
        " left join complaints c on c.org_code = o.org_code"
        f" where {predicate}"
    )
    return sql, [month, start12, end, start12, end, month, *params]


def org_count(scope: Scope, q: OrgQuery) -> int:
    predicate, params = _org_where(scope, q)
    return int(query(f"select count(*) from marts.dim_org o where {predicate}", params).iat[0, 0])


def org_list(scope: Scope, q: OrgQuery, page: int = 1, page_size: int = PAGE_SIZE) -> pd.DataFrame:
    """One page of organisations with their indicators, by county, type and name."""
    sql, params = _org_sql(scope, q)
    return query(
        f"{sql} order by o.county_code, o.org_type, o.org_name, o.org_code limit ? offset ?",
        (*params, page_size, (max(page, 1) - 1) * page_size),
    )


def org_options(scope: Scope, column: str) -> list[str]:
    col = {"org_type": "o.org_type", "ownership": "o.ownership"}[column]
    predicate, params = scope.where(ORG, None)
    df = query(
        f"select distinct {col} as v from marts.dim_org o where {predicate}"
        f" and {col} is not null order by 1",
        params,
    )
    return df["v"].tolist()


def org(scope: Scope, code: str) -> dict | None:
    """One organisation's card: attributes and this month's indicators; None outside scope."""
    sql, params = _org_sql(scope, OrgQuery(live_only=False))
    df = query(
        f"select t.*, d.credit_code, d.charge_min, d.charge_max, d.medical_condition, d.status,"
        f" d.source_org_ids from ({sql} and o.org_code = ?) t"
        " join marts.dim_org d on d.org_code = t.org_code",
        (*params, code),
    )
    if df.empty:
        return None
    card = df.iloc[0].to_dict()
    card["status"] = ORG_STATUS.get(card["status"], card["status"])
    return card


def org_monthly(scope: Scope, code: str, months: int = 12) -> pd.DataFrame:
    """Work orders and amounts per month over the last ``months`` months."""
    predicate, params = scope.where(ORG, None)
    return query(
        "select x.order_month as month_start, count(*) as orders, sum(x.amount) as amount,"
        " sum(x.subsidy_amount) as subsidy from marts.fct_work_order x"
        " join marts.dim_org o on o.org_code = x.org_code"
        f" where x.org_code = ? and {predicate} and x.order_month > ? and x.order_month <= ?"
        " group by x.order_month order by x.order_month",
        (code, *params, _month_shift(-months), reporting_month()),
    )


def org_failed_inspections(scope: Scope, code: str) -> pd.DataFrame:
    """Failed inspection items of the last 12 months."""
    predicate, params = scope.where(ORG, None)
    return query(
        "select x.inspect_date, x.source, x.item_name, x.deduction from marts.fct_inspection x"
        " join marts.dim_org o on o.org_code = x.org_code"
        f" where x.org_code = ? and {predicate} and x.is_failed"
        " and x.inspect_date >= ? and x.inspect_date < ? order by x.inspect_date desc",
        (code, *params, _month_shift(-11), _month_shift(1)),
    )


def org_complaints(scope: Scope, code: str) -> pd.DataFrame:
    """Complaints about the organisation in the last 12 months."""
    predicate, params = scope.where(ORG, None)
    df = query(
        "select x.create_time, x.channel, x.category, x.status, x.reply_working_days,"
        " x.is_reply_on_time from marts.fct_complaint x"
        " join marts.dim_org o on o.org_code = x.org_code"
        f" where x.org_code = ? and {predicate} and x.create_time >= ? and x.create_time < ?"
        " order by x.create_time desc",
        (code, *params, _month_shift(-11), _month_shift(1)),
    )
    df["status"] = df["status"].map(lambda v: COMPLAINT_STATUS.get(v, v))
    return df


def org_reports(scope: Scope, code: str) -> pd.DataFrame:
    """The institution's district monthly reports, latest first."""
    predicate, params = scope.where(ORG, None)
    return query(
        "select x.report_month, x.residents, x.approved_beds, x.actual_beds, x.staff,"
        " x.caregivers, x.certified_caregivers, x.activities, x.fire_check, x.filled_date"
        " from marts.fct_district_monthly_report x join marts.dim_org o on o.org_code = x.org_code"
        f" where x.org_code = ? and {predicate} order by x.month_start desc",
        (code, *params),
    )
