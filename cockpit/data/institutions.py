"""养老机构专题 (#18, #98–101): institutions by type, ownership and star level; approved, filed,
archived and actual beds; occupancy; the district monthly reports (机构运营月报) and who has not
filed.

Scope rule: an organisation belongs to the county of ``dim_org.county_code``. Organisations are
registered to a county only (``dim_org.town_code`` is empty in the legacy data), so these
functions filter by county; the page offers no town selector.

Two months appear on the page, both taken from the data, not the calendar: the cockpit's 本月
(``overview.reporting_month``, the latest month with work orders) for occupancy, and the latest
month any district report arrived (``report_month``) for everything taken from the reports.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cockpit.data import overview  # also registers the KPIs shown here: institutions, care_centres
from cockpit.data._sql import percent
from cockpit.data.core import query, scalar, table_exists
from cockpit.kpis import Kpi, get, register
from cockpit.scope import Scope

INSTITUTION = "养老机构"
CARE_CENTRE = "社区照料中心"
ORG = "o.county_code"  # the scope column of every query here

_INST = "from marts.dim_org o where o.is_live and o.org_type = '养老机构' and {where}"
_INST_ROWS = (
    "select o.org_code, o.org_name, o.county_code, o.ownership, o.star_level, o.approved_beds,"
    " o.filed_beds, o.source_org_ids "
)
_LATEST_REPORT = "(select max(month_start) from marts.fct_district_monthly_report)"
_REPORT = (
    "from marts.fct_district_monthly_report r join marts.dim_org o on o.org_code = r.org_code"
    f" where r.month_start = {_LATEST_REPORT} and {{where}}"
)
_REPORT_ROWS = (
    "select r.report_month, r.org_code, r.org_name, o.county_code, r.residents, r.approved_beds,"
    " r.actual_beds, r.staff, r.caregivers, r.certified_caregivers, r.filled_date,"
    " r.source_file, r.source_row "
)
_OCC = "from marts.agg_org_occupancy_monthly o where o.month_start = {month} and {where}"

# Definitions shared by the KPIs and the trends, so a month's number and its trend point agree.
OCCUPANCY = "sum(residents) * 1.0 / nullif(sum(approved_beds), 0)"
_BOTH = "r.residents is not null and r.{col} is not null"
PER_100_RESIDENTS = (
    "sum(case when " + _BOTH + " then r.{col} end) * 100.0"
    " / nullif(sum(case when " + _BOTH + " then r.residents end), 0)"
)
STAR = (
    "case o.star_level when 0 then '未评定' when 1 then '一星' when 2 then '二星'"
    " when 3 then '三星' when 4 then '四星' when 5 then '五星' end"
)
_UNFILED_QUALITY = (
    "from quality.district_reporting_issues o where o.issue_kind = 'not_reported'"
    " and o.month = (select max(report_month) from marts.fct_district_monthly_report)"
    " and {where}"
)
_UNFILED_COMPUTED = (
    "from marts.dim_org o where o.is_live and o.org_type = '养老机构' and {where}"
    " and not exists (select 1 from marts.fct_district_monthly_report r"
    f" where r.org_code = o.org_code and r.month_start = {_LATEST_REPORT})"
)


def _kpi(key, label, unit, definition, mart, columns, sql, rows_sql=None, decimals=0) -> Kpi:
    return Kpi(
        key, label, unit, definition, mart, columns, sql, rows_sql,
        county=ORG, town=None, decimals=decimals,
    )  # fmt: skip


register(
    _kpi(
        "inst_approved_beds", "核定床位", "张",
        "在册养老机构的核定床位数合计 (机构维度，取最新源记录)。",
        "marts.dim_org", ("approved_beds", "org_type"),
        f"select sum(o.approved_beds) {_INST}", f"{_INST_ROWS}{_INST} order by o.org_code",
    ),
    _kpi(
        "inst_filed_beds", "备案床位", "张",
        "在册养老机构的备案床位数合计 (机构维度)。",
        "marts.dim_org", ("filed_beds", "org_type"),
        f"select sum(o.filed_beds) {_INST}", f"{_INST_ROWS}{_INST} order by o.org_code",
    ),
    _kpi(
        "inst_archive_beds", "床位档案", "张",
        "床位档案中在册养老机构的机构床位数 (床位码去重，已删除床位不计)。",
        "marts.dim_bed", ("bed_code", "bed_kind", "is_live"),
        "select count(*) from marts.dim_bed b join marts.dim_org o on o.org_code = b.org_code"
        " where b.bed_kind = 'institution' and b.is_live and o.is_live"
        " and o.org_type = '养老机构' and {where}",
        "select b.bed_code, b.org_code, o.org_name, b.building, b.floor_no, b.room_no, b.bed_no,"
        " b.bed_status, b.source_bed_ids from marts.dim_bed b"
        " join marts.dim_org o on o.org_code = b.org_code where b.bed_kind = 'institution'"
        " and b.is_live and o.is_live and o.org_type = '养老机构' and {where}"
        " order by b.org_code, b.bed_code",
    ),
    _kpi(
        "inst_actual_beds", "实际床位 (月报)", "张",
        "最新月报月份各机构填报的实际床位数合计 (区县机构运营月报，按机构码匹配)。",
        "marts.fct_district_monthly_report", ("actual_beds", "month_start"),
        f"select sum(r.actual_beds) {_REPORT}", f"{_REPORT_ROWS}{_REPORT} order by r.org_code",
    ),
    _kpi(
        "inst_residents", "在院老人 (月报)", "人",
        "最新月报月份各机构填报的在院老人数合计。",
        "marts.fct_district_monthly_report", ("residents", "month_start"),
        f"select sum(r.residents) {_REPORT}", f"{_REPORT_ROWS}{_REPORT} order by r.org_code",
    ),
    Kpi(
        "inst_occupancy", "床位入住率", "%",
        "本月末在住老人数 ÷ 核定床位数 (机构入住记录，按月末仍在住计；各机构合计后相除)。",
        "marts.agg_org_occupancy_monthly", ("residents", "approved_beds"),
        f"select {OCCUPANCY} {_OCC}",
        f"select o.month_start, o.org_code, o.org_name, o.county_code, o.approved_beds,"
        f" o.beds_on_file, o.residents, o.occupancy_rate {_OCC} order by o.org_code",
        county=ORG, town=None,
    ),
    _kpi(
        "inst_staff_per_100", "每百名老人工作人员", "人",
        "最新月报月份：工作人员数 ÷ 在院老人数 × 100 (两项均填报的机构合计后相除)。",
        "marts.fct_district_monthly_report", ("staff", "residents"),
        f"select {PER_100_RESIDENTS.format(col='staff')} {_REPORT}",
        f"{_REPORT_ROWS}{_REPORT} order by r.org_code", decimals=1,
    ),
    _kpi(
        "inst_certified_per_100", "每百名老人持证护理员", "人",
        "最新月报月份：持证护理员数 ÷ 在院老人数 × 100 (两项均填报的机构合计后相除)。",
        "marts.fct_district_monthly_report", ("certified_caregivers", "residents"),
        f"select {PER_100_RESIDENTS.format(col='certified_caregivers')} {_REPORT}",
        f"{_REPORT_ROWS}{_REPORT} order by r.org_code", decimals=1,
    ),
    _kpi(
        "inst_over_capacity", "在院老人超床位", "家",
        "最新月报月份填报的在院老人数大于填报的实际床位数的机构数。",
        "marts.fct_district_monthly_report", ("residents", "actual_beds"),
        f"select count(*) {_REPORT} and r.residents > r.actual_beds",
        f"{_REPORT_ROWS}{_REPORT} and r.residents > r.actual_beds order by r.org_code",
    ),
    _kpi(
        "inst_filed_over_approved", "备案床位超核定", "家",
        "在册养老机构中备案床位数大于核定床位数的机构数 (机构维度)。",
        "marts.dim_org", ("filed_beds", "approved_beds"),
        f"select count(*) {_INST} and o.filed_beds > o.approved_beds",
        f"{_INST_ROWS}{_INST} and o.filed_beds > o.approved_beds order by o.org_code",
    ),
    _kpi(
        "inst_actual_over_approved", "月报床位超核定", "家",
        "最新月报月份填报的实际床位数大于机构维度核定床位数的机构数。",
        "marts.fct_district_monthly_report", ("actual_beds", "approved_beds"),
        f"select count(*) {_REPORT} and r.actual_beds > o.approved_beds",
        f"{_REPORT_ROWS}{_REPORT} and r.actual_beds > o.approved_beds order by r.org_code",
    ),
    _kpi(
        "inst_unfiled", "本月未报送", "家",
        "最新月报月份未报送机构运营月报的在册养老机构数 (取数据质量检查 quality.district_reporting_issues"
        " 中的 not_reported)。",
        "quality.district_reporting_issues", ("issue_kind", "month"),
        f"select count(*) {_UNFILED_QUALITY}",
        f"select o.org_code, o.org_name, o.county_code, o.month, o.detail {_UNFILED_QUALITY}"
        " order by o.org_code",
    ),
    _kpi(
        "inst_unfiled_computed", "本月未报送", "家",
        "最新月报月份 (任一区县报送了月报的最近月份) 没有按机构码匹配到月报的在册养老机构数。",
        "marts.fct_district_monthly_report", ("org_code", "month_start"),
        f"select count(*) {_UNFILED_COMPUTED}",
        f"{_INST_ROWS}{_UNFILED_COMPUTED} order by o.org_code",
    ),
)  # fmt: skip


def unfiled_kpi() -> str:
    """The quality check's list when it has been published, else the same rule over the marts."""
    return (
        "inst_unfiled"
        if table_exists("quality", "district_reporting_issues")
        else "inst_unfiled_computed"
    )


def headline_keys() -> tuple[str, ...]:
    return (
        "institutions", "care_centres", "inst_approved_beds", "inst_filed_beds",
        "inst_archive_beds", "inst_actual_beds", "inst_residents", "inst_occupancy",
        "inst_staff_per_100", "inst_certified_per_100", unfiled_kpi(), "inst_over_capacity",
        "inst_filed_over_approved", "inst_actual_over_approved",
    )  # fmt: skip


def report_month() -> dt.date | None:
    """The latest month for which any district report arrived: the reports' 本月."""
    value = scalar("select max(month_start) from marts.fct_district_monthly_report")
    return None if value is None else pd.Timestamp(value).date()


def headline(scope: Scope) -> dict[str, object]:
    return {key: overview.kpi_value(key, scope) for key in headline_keys()}


def breakdown(
    scope: Scope, by: str, org_types: tuple[str, ...] = (INSTITUTION, CARE_CENTRE)
) -> pd.DataFrame:
    """Organisations of these types by ownership or star level: count and approved beds."""
    expr = {
        "ownership": "coalesce(o.ownership, '未知')",
        "star_level": f"coalesce({STAR}, '未知')",
    }[by]
    predicate, params = scope.where(ORG, None)
    types = ", ".join("?" for _ in org_types)
    return query(
        f"select o.org_type, {expr} as category, count(*) as orgs,"
        " coalesce(sum(o.approved_beds), 0) as approved_beds"
        f" from marts.dim_org o where o.is_live and o.org_type in ({types}) and {predicate}"
        " group by 1, 2 order by 1, 2",
        (*org_types, *params),
    )


def _institution_rows(scope: Scope) -> tuple[str, tuple]:
    """SQL of one row per institution in scope (no order): beds four ways, occupancy, the
    latest report and its flags. ``institution_table`` lists it, ``beds_by`` sums it."""
    predicate, params = scope.where(ORG, None)
    sql = (
        "with beds as (select org_code, count(*) as archive_beds,"
        " sum(case when bed_status = '1' then 1 else 0 end) as occupied_beds"
        " from marts.dim_bed where bed_kind = 'institution' and is_live group by org_code),"
        " staff as (select main_org_code as org_code, count(*) as staff_on_file,"
        " sum(case when is_certified then 1 else 0 end) as certified_on_file"
        " from marts.dim_staff where is_live group by main_org_code),"
        " report as (select * from marts.fct_district_monthly_report"
        f" where month_start = {_LATEST_REPORT})"
        " select o.org_code, o.org_name, o.county_code, a.area_name as county_name, o.ownership,"
        f" {STAR} as star, o.approved_beds, o.filed_beds,"
        " coalesce(b.archive_beds, 0) as archive_beds,"
        " coalesce(b.occupied_beds, 0) as occupied_beds, r.actual_beds,"
        " occ.residents as residents_on_file,"
        f" {percent('occ.occupancy_rate')} as occupancy_pct,"
        " r.residents, r.staff, r.caregivers, r.certified_caregivers,"
        " coalesce(s.staff_on_file, 0) as staff_on_file,"
        " coalesce(s.certified_on_file, 0) as certified_on_file,"
        " r.org_code is not null as filed,"
        " coalesce(r.residents > r.actual_beds, false) as residents_above_beds,"
        " coalesce(o.filed_beds > o.approved_beds, false) as filed_above_approved,"
        " coalesce(r.actual_beds > o.approved_beds, false) as actual_above_approved"
        " from marts.dim_org o"
        " left join marts.dim_area a on a.area_code = o.county_code and a.area_level = 2"
        " left join beds b on b.org_code = o.org_code"
        " left join staff s on s.org_code = o.org_code"
        " left join report r on r.org_code = o.org_code"
        " left join marts.agg_org_occupancy_monthly occ"
        " on occ.org_code = o.org_code and occ.month_start = ?"
        f" where o.is_live and o.org_type = ? and {predicate}"
    )
    return sql, (overview.reporting_month(), INSTITUTION, *params)


def institution_table(scope: Scope) -> pd.DataFrame:
    """One row per institution in scope, by county and name."""
    sql, params = _institution_rows(scope)
    return query(f"{sql} order by o.county_code, o.org_name, o.org_code", params)


def beds_by(scope: Scope) -> pd.DataFrame:
    """Approved, filed, archived and reported beds per county (city scope) or per institution
    (county scope): the sums of ``institution_table``'s columns."""
    sql, params = _institution_rows(scope)
    label = "org_name" if scope.county_code else "county_name"
    key = "org_code" if scope.county_code else "county_code"
    return query(
        f"select {label} as label, sum(approved_beds) as approved_beds,"
        " sum(filed_beds) as filed_beds, sum(archive_beds) as archive_beds,"
        f" sum(actual_beds) as actual_beds from ({sql}) t group by {key}, {label}"
        f" order by {key}",
        params,
    )


def occupancy_trend(scope: Scope, months: int = 24) -> pd.DataFrame:
    """Monthly occupancy of the scope's institutions (same definition as the KPI)."""
    predicate, params = scope.where(ORG, None)
    return query(
        "select month_start, sum(residents) as residents, sum(approved_beds) as approved_beds,"
        f" {OCCUPANCY} as occupancy_rate from marts.agg_org_occupancy_monthly o"
        f" where {predicate} and month_start <= ? group by month_start"
        " order by month_start desc limit ?",
        (*params, overview.reporting_month(), months),
    ).sort_values("month_start")


def report_trend(scope: Scope) -> pd.DataFrame:
    """Each report month: residents, actual beds, staff per 100 residents (as the KPIs)."""
    predicate, params = scope.where(ORG, None)
    return query(
        "select r.month_start, sum(r.residents) as residents, sum(r.actual_beds) as actual_beds,"
        f" {PER_100_RESIDENTS.format(col='staff')} as staff_per_100,"
        f" {PER_100_RESIDENTS.format(col='certified_caregivers')} as certified_per_100,"
        " count(*) as reports"
        " from marts.fct_district_monthly_report r join marts.dim_org o on o.org_code = r.org_code"
        f" where {predicate} group by r.month_start order by r.month_start",
        params,
    )


def unfiled(scope: Scope) -> pd.DataFrame:
    """Institutions without a report for the latest report month (the KPI's rows)."""
    sql, params = get(unfiled_kpi()).render(scope, overview.reporting_month(), rows=True)
    return query(sql, params)


def unmatched_reports(scope: Scope) -> pd.DataFrame:
    """Report rows matched to no 机构码. Their county is unknown, so only a city scope sees them."""
    if scope.county_code:
        return pd.DataFrame(columns=["report_month", "org_name", "source_file", "source_row"])
    return query(
        "select report_month, org_name, source_file, source_row"
        " from marts.fct_district_monthly_report where org_code is null"
        " order by month_start desc, source_file, source_row"
    )
