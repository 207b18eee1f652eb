"""服务队伍 (#21): care workers by organisation, post and certification, with their workload,
a page at a time (``limit ? offset ?``).

Scope rule: a care worker belongs to the county of their main employer (``dim_staff.main_org_code``,
the employer of their most recent live record, and ``dim_org.county_code``). A county user sees
the workers whose main employer is in their county and never one employed only elsewhere; for a
worker with several employers they see how many (``employer_count``), not who the others are.

Personal data: the masked ID number and the 服务人员码 only. Workload: live work orders of the
last 3 months (the data's 本月, ``overview.reporting_month``, and the two months before).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cockpit.data.archives import CODE_CHARS
from cockpit.data.core import query
from cockpit.data.overview import reporting_month
from cockpit.kpis import Kpi, get, register
from cockpit.scope import Scope

PAGE_SIZE = 50
ORG = "o.county_code"
# yl_staff_post: dim_staff publishes the dictionary code; an unknown value is shown as it is
POSTS = {
    "1": "护理员",
    "2": "服务员",
    "3": "社工",
    "4": "医生",
    "5": "护士",
    "6": "管理人员",
    "9": "其他",
}

_STAFF = (
    "from marts.dim_staff s join marts.dim_org o on o.org_code = s.main_org_code"
    " where s.is_live and {where}"
)
_STAFF_ROWS = (
    "select s.staff_code, s.id_card_masked, s.post, s.is_certified, s.main_org_code,"
    " s.employer_count, s.source_staff_ids "
)
# the same 3-month window for the KPI and the list: (本月 - 3 months, 本月]
_WINDOW = "w.order_month > cast({month} as date) - interval '3 months' and w.order_month <= {month}"

register(
    Kpi(
        "staff_total", "在册服务人员", "人",
        "在册服务人员数 (服务人员码去重，同一人多家机构任职计一人)，按主要任职机构所在县区归属。",
        "marts.dim_staff", ("staff_code", "is_live", "main_org_code"),
        f"select count(*) {_STAFF}", f"{_STAFF_ROWS}{_STAFF} order by s.staff_code",
        county=ORG, town=None,
    ),
    Kpi(
        "staff_certified", "持证服务人员", "人",
        "在册服务人员中持有职业资格证书者。",
        "marts.dim_staff", ("is_certified",),
        f"select count(*) {_STAFF} and s.is_certified",
        f"{_STAFF_ROWS}{_STAFF} and s.is_certified order by s.staff_code",
        county=ORG, town=None,
    ),
    Kpi(
        "staff_multi_employer", "多机构任职", "人",
        "在册服务人员中在两家及以上机构登记任职者 (可能兼职或挂靠，需核实)。",
        "marts.dim_staff", ("employer_count",),
        f"select count(*) {_STAFF} and s.employer_count > 1",
        f"{_STAFF_ROWS}{_STAFF} and s.employer_count > 1 order by s.staff_code",
        county=ORG, town=None,
    ),
    Kpi(
        "staff_orders_3m", "近3个月人均工单", "单",
        "近3个月 (本月及前两个月) 有工单的在册服务人员的人均工单数 = 工单数 ÷ 有工单人数。",
        "marts.fct_work_order", ("staff_code", "order_month"),
        "select count(*) * 1.0 / nullif(count(distinct w.staff_code), 0)"
        " from marts.fct_work_order w join marts.dim_staff s on s.staff_code = w.staff_code"
        " join marts.dim_org o on o.org_code = s.main_org_code where s.is_live and {where}"
        f" and {_WINDOW}",
        county=ORG, town=None, decimals=1,
    ),
)  # fmt: skip

HEADLINE = ("staff_total", "staff_certified", "staff_multi_employer", "staff_orders_3m")


def headline(scope: Scope) -> dict[str, object]:
    month = reporting_month()
    values: dict[str, object] = {}
    for key in HEADLINE:
        sql, params = get(key).render(scope, month)
        df = query(sql, params)
        values[key] = None if df.empty or pd.isna(df.iat[0, 0]) else df.iat[0, 0]
    return values


def post_label(value):
    return POSTS.get(value, value)


@dataclass(frozen=True)
class StaffQuery:
    org_code: str | None = None  # main employer
    post: str | None = None  # as published in dim_staff.post
    certified: bool | None = None
    multi_employer: bool = False
    code: str | None = None  # 服务人员码 or its beginning


def _where(scope: Scope, q: StaffQuery) -> tuple[str, list]:
    predicate, scope_params = scope.where(ORG, None)
    parts, params = ["s.is_live", predicate], list(scope_params)
    if q.org_code:
        parts.append("s.main_org_code = ?")
        params.append(q.org_code)
    if q.post:
        parts.append("s.post = ?")
        params.append(q.post)
    if q.certified is not None:
        parts.append("s.is_certified = ?")
        params.append(q.certified)
    if q.multi_employer:
        parts.append("s.employer_count > 1")
    if q.code:
        code = q.code.strip().upper()
        if not CODE_CHARS.match(code):
            raise ValueError("not a 服务人员码")
        parts.append("s.staff_code like ?")  # no wildcard can pass CODE_CHARS
        params.append(code + "%")
    return " and ".join(parts), params


_FROM = (
    " from marts.dim_staff s join marts.dim_org o on o.org_code = s.main_org_code"
    " left join marts.dim_area a on a.area_code = o.county_code and a.area_level = 2"
)


def count(scope: Scope, q: StaffQuery) -> int:
    predicate, params = _where(scope, q)
    return int(query(f"select count(*){_FROM} where {predicate}", params).iat[0, 0])


def search(scope: Scope, q: StaffQuery, page: int = 1, page_size: int = PAGE_SIZE) -> pd.DataFrame:
    """One page of care workers, busiest first (orders of the last 3 months), then by code."""
    predicate, params = _where(scope, q)
    window = _WINDOW.replace("{month}", "?")
    month = reporting_month()
    df = query(
        "with workload as (select w.staff_code, count(*) as orders_3m,"
        " count(distinct w.elder_code) as elders_3m from marts.fct_work_order w"
        f" where {window} group by w.staff_code)"
        " select s.staff_code, s.id_card_masked, s.post, s.is_certified, o.org_name,"
        " o.org_type, a.area_name as county_name, s.employer_count,"
        " coalesce(l.orders_3m, 0) as orders_3m, coalesce(l.elders_3m, 0) as elders_3m,"
        f" s.source_staff_ids{_FROM} left join workload l on l.staff_code = s.staff_code"
        f" where {predicate} order by coalesce(l.orders_3m, 0) desc, s.staff_code"
        " limit ? offset ?",
        (month, month, *params, page_size, (max(page, 1) - 1) * page_size),
    )
    df["post"] = df["post"].map(post_label)
    return df


def by_post(scope: Scope) -> pd.DataFrame:
    """Live workers per post, certified or not."""
    predicate, params = _where(scope, StaffQuery())
    df = query(
        "select s.post, case when s.is_certified then '持证' else '未持证' end as certified,"
        f" count(*) as staff{_FROM} where {predicate} group by 1, 2 order by 1, 2",
        params,
    )
    df["post"] = df["post"].map(post_label)
    return df


def by_org(scope: Scope, limit: int = 15) -> pd.DataFrame:
    """The organisations with most live workers (main employer): total and certified."""
    predicate, params = _where(scope, StaffQuery())
    return query(
        "select o.org_code, o.org_name, o.org_type, count(*) as staff,"
        " cast(sum(case when s.is_certified then 1 else 0 end) as integer) as certified,"
        " cast(sum(case when s.employer_count > 1 then 1 else 0 end) as integer)"
        f" as multi_employer{_FROM}"
        f" where {predicate} group by o.org_code, o.org_name, o.org_type"
        " order by count(*) desc, o.org_code limit ?",
        (*params, limit),
    )


def employers(scope: Scope) -> pd.DataFrame:
    """Organisations that are some live worker's main employer in scope (for the filter)."""
    predicate, params = _where(scope, StaffQuery())
    return query(
        f"select distinct o.org_code, o.org_name{_FROM} where {predicate} order by o.org_name",
        params,
    )


def posts(scope: Scope) -> list[str]:
    predicate, params = _where(scope, StaffQuery())
    df = query(f"select distinct s.post{_FROM} where {predicate} and s.post is not null", params)
    return sorted(df["post"].tolist())


# Chinese headers of ``search``'s columns (both the staff page and the organisation card use them)
LABELS = {
    "staff_code": "服务人员码", "id_card_masked": "身份证号(脱敏)", "post": "岗位",
    "is_certified": "持证", "org_name": "主要任职机构", "org_type": "机构类型",
    "county_name": "县区", "employer_count": "任职机构数", "orders_3m": "近3个月工单",
    "elders_3m": "近3个月服务长者", "source_staff_ids": "来源人员ID",
}  # fmt: skip
