"""District reporting (feature map row 16): which institutions did not file their monthly
operations report (机构运营月报), which filed late, and which numbers contradict the warehouse.

Everything is one SQL statement over the marts, run inside the warehouse (DuckDB or PostgreSQL);
the result replaces ``quality.district_reporting_issues`` (the current state; a row names its
run). Rules (docs/quality-bar.md):

- **Months** checked: those for which any district export arrived (a month with no file at all is
  not yet due or was never exported, and cannot tell one institution from another).
- **Who must report**: every live organisation of type 养老机构 in ``marts.dim_org``.
- ``not_reported``: no report row matched to the institution's 机构码 for the month.
- ``late``: 填报日期 after the deadline, the 10th of the following month, moved to the next
  working day when it is a holiday or a weekend (``reference.cn_workday_calendar``, holidays and
  make-up days counted). ``reported_value`` = working days late. Judged on the first
  submission: a corrected resubmission of a month filed on time is not late (the mart keeps
  the correction's numbers and the first 填报日期).
- ``filled_date_missing``: no submission of the month gives a (readable) 填报日期, so whether
  it was on time is unknown; flagged rather than counted as on time.
- ``unmatched_report``: a report row matched to no organisation (by credit code or unique name).
- ``residents_above_beds``: reported residents above the reported actual beds (实际床位数).
- ``beds_above_approved``: reported actual beds above the warehouse's approved beds (核定床位数).
- ``approved_beds_differ``: reported approved beds differ from the warehouse's.
- ``residents_differ``: reported residents differ from the stays open at month end in
  ``marts.fct_residency`` by more than ``max(RESIDENTS_TOLERANCE, RESIDENTS_SHARE x warehouse)``
  (a stay may be entered some days late; more than that is a contradiction).
"""

import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster import AssetExecutionContext

from eldercare.warehouse import Warehouse
from quality.gx_runtime import existing_warehouse
from quality.scorecard import literal, run_sql

TABLE = "quality.district_reporting_issues"
DEADLINE_DAY = 10  # of the month after the reported month
RESIDENTS_TOLERANCE = 2
RESIDENTS_SHARE = 0.10
INSTITUTION = "养老机构"

_DDL = (
    "run_id text not null, checked_at timestamp not null, issue_kind text not null,"
    " org_code text, org_name text, county_code text, month text not null,"
    " reported_value double precision, warehouse_value double precision, detail text"
)


def issues_sql() -> str:
    """SELECT of all issues: issue_kind, org_code, org_name, county_code, month,
    reported_value, warehouse_value, detail."""
    return f"""
with
report as (select * from marts.fct_district_monthly_report),
institution as (
    select org_code, org_name, county_code, approved_beds
    from marts.dim_org where org_type = '{INSTITUTION}' and is_live
),
calendar as (select calendar_date, is_workday, workday_seq from reference.cn_workday_calendar),
month as (
    select
        month_start,
        min(report_month) as report_month,
        cast(month_start + interval '1 month' - interval '1 day' as date) as month_end,
        cast(month_start + interval '1 month' + interval '{DEADLINE_DAY - 1} days' as date)
            as nominal_deadline
    from report group by month_start
),
deadline as (
    select month.*, coalesce(
        (select min(c.calendar_date) from calendar c
         where c.calendar_date >= month.nominal_deadline and c.is_workday),
        month.nominal_deadline) as deadline
    from month
),
filed as (
    select
        report.*, deadline.deadline, deadline.month_end,
        institution.county_code, institution.approved_beds as wh_approved_beds,
        filed_day.workday_seq - due_day.workday_seq as workdays_late
    from report
    join deadline on deadline.month_start = report.month_start
    left join institution on institution.org_code = report.org_code
    left join calendar filed_day on filed_day.calendar_date = report.filled_date
    left join calendar due_day on due_day.calendar_date = deadline.deadline
),
residency as (
    select filed.org_code, filed.month_start, count(stay.org_code) as residents
    from (select distinct org_code, month_start, month_end from filed) filed
    left join marts.fct_residency stay
        on stay.org_code = filed.org_code
        and stay.check_in_date <= filed.month_end
        and (stay.check_out_date is null or stay.check_out_date > filed.month_end)
    group by filed.org_code, filed.month_start
),
issues as (
    select 'not_reported' as issue_kind, i.org_code, i.org_name, i.county_code,
        d.report_month as month, cast(null as double precision) as reported_value,
        cast(null as double precision) as warehouse_value,
        'deadline ' || cast(d.deadline as varchar) as detail
    from institution i cross join deadline d
    where not exists (
        select 1 from report r where r.org_code = i.org_code and r.month_start = d.month_start)
    union all
    select 'late', org_code, org_name, county_code, report_month,
        coalesce(workdays_late, filled_date - deadline), null,
        'filed ' || cast(filled_date as varchar) || ', deadline ' || cast(deadline as varchar)
    from filed where filled_date > deadline
    union all
    select 'filled_date_missing', org_code, org_name, county_code, report_month, null, null,
        source_file || ':' || cast(source_row as varchar)
    from filed where filled_date is null
    union all
    select 'unmatched_report', null, org_name, null, report_month, null, null,
        source_file || ':' || cast(source_row as varchar)
    from filed where org_code is null
    union all
    select 'residents_above_beds', org_code, org_name, county_code, report_month,
        residents, actual_beds, 'reported residents above reported actual beds'
    from filed where residents > actual_beds
    union all
    select 'beds_above_approved', org_code, org_name, county_code, report_month,
        actual_beds, wh_approved_beds, 'reported actual beds above approved beds'
    from filed where actual_beds > wh_approved_beds
    union all
    select 'approved_beds_differ', org_code, org_name, county_code, report_month,
        approved_beds, wh_approved_beds, 'reported approved beds differ from dim_org'
    from filed where approved_beds <> wh_approved_beds
    union all
    select 'residents_differ', f.org_code, f.org_name, f.county_code, f.report_month,
        f.residents, r.residents, 'reported residents vs stays open at month end'
    from filed f join residency r on r.org_code = f.org_code and r.month_start = f.month_start
    where abs(f.residents - r.residents)
        > greatest({RESIDENTS_TOLERANCE}, {RESIDENTS_SHARE} * r.residents)
)
select issue_kind, org_code, org_name, county_code, month,
    cast(reported_value as double precision) as reported_value,
    cast(warehouse_value as double precision) as warehouse_value, detail
from issues
"""


def check_district_reporting(warehouse_target: str | Path, *, run_id: str | None = None) -> Counter:
    """Refresh ``quality.district_reporting_issues``; returns the number of issues per kind."""
    run_id = run_id or f"district:{uuid.uuid4().hex[:12]}"
    checked_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    cols = "issue_kind, org_code, org_name, county_code, month, reported_value, warehouse_value"
    with Warehouse(existing_warehouse(warehouse_target)).connect() as conn:
        conn.execute("create schema if not exists quality")
        conn.execute(f"create table if not exists {TABLE} ({_DDL})")
        with conn.transaction():
            run_sql(conn, f"delete from {TABLE}")
            run_sql(
                conn,
                f"insert into {TABLE} (run_id, checked_at, {cols}, detail)"
                f" select {literal(run_id)}, {literal(checked_at)}, {cols}, detail"
                f" from ({issues_sql()}) i",
            )
            counts = run_sql(conn, f"select issue_kind, count(*) from {TABLE} group by 1")
    return Counter(dict(counts))


@dg.asset(
    key=["quality", "district_reporting_issues"],
    deps=[
        dg.AssetKey(["marts", "fct_district_monthly_report"]),
        dg.AssetKey(["marts", "dim_org"]),
        dg.AssetKey(["marts", "fct_residency"]),
        dg.AssetKey(["reference", "cn_workday_calendar"]),
    ],
    required_resource_keys={"warehouse"},
    group_name="quality",
    kinds={"sql"},  # + the engine, added by pipelines/definitions.py
    owners=["team:quality"],
    description="Monthly district reports (机构运营月报): institutions that did not report, "
    "reported late (after the 10th of the next month, next working day), or whose numbers "
    "contradict the warehouse.",
)
def district_reporting_issues(context: AssetExecutionContext) -> dg.MaterializeResult:
    from quality.checks import warehouse_target

    counts = check_district_reporting(
        warehouse_target(context.resources.warehouse), run_id=f"dagster:{context.run.run_id}"
    )
    return dg.MaterializeResult(
        metadata={"issues": sum(counts.values()), **{k: n for k, n in sorted(counts.items())}}
    )
