"""服务质量 (issue 14): quality scores, the daily inspection plan and the complaints SLA.

Scope: scores, plan rows and complaints carry the organisation's (or complaint's) county_code;
a county viewer sees only their county. No personal data in these marts.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from cockpit.data.core import query, scalar, table_exists
from cockpit.scope import Scope
from models.quality_score import quarter_bounds

SLA_WORKING_DAYS = 3
SCORE_LABELS = {
    "org_name": "机构", "org_type": "类型", "total_score": "总分", "lower_90": "区间下限",
    "upper_90": "区间上限", "service_eval_score": "服务评价", "civil_check_score": "民政检查",
    "guidance_score": "指导中心巡检", "provider_eval_score": "服务商评价", "n": "评价量",
    "county_rank": "县区同类排名", "county_peers": "同类机构数", "star_band": "星级",
    "status": "状态", "incident": "严重事件",
}  # fmt: skip


def periods(scope: Scope) -> list[str]:
    if not table_exists("marts", "quality_score"):
        return []
    w, p = scope.where(town=None)
    df = query(f"select distinct period from marts.quality_score where {w} order by 1 desc", p)
    return list(df["period"])


_ROUNDED = {"total_score", "lower_90", "upper_90", "n"} | {
    c for c in SCORE_LABELS if c.endswith("_score")
}


def org_scores(scope: Scope, period: str) -> pd.DataFrame:
    w, p = scope.where(town=None)
    df = query(
        f"select {', '.join(SCORE_LABELS)} from marts.quality_score where period = ? and {w}"
        " order by total_score desc nulls last, org_code",
        (period, *p),
    )
    rounded = sorted(_ROUNDED)
    df[rounded] = df[rounded].astype(float).round(1)
    return df


def complete_period(scope: Scope) -> str | None:
    """The latest quarter that has ended by the data's latest day (the published result; the
    current quarter is still moving)."""
    first, last = report_period()
    done = [q for q in periods(scope) if quarter_bounds(q)[1] <= last]
    return done[0] if done else None


def county_scores(scope: Scope, period: str) -> pd.DataFrame:
    w, p = scope.where("c.county_code", town=None)
    return query(
        "select coalesce(a.area_name, c.county_code) as county, c.total_score, c.city_rank,"
        " c.orgs_scored, c.orgs_no_data from marts.county_quality_score c"
        " left join marts.dim_area a on a.area_code = c.county_code"
        f" where c.period = ? and {w} order by c.total_score desc",
        (period, *p),
    )


def plan_days(scope: Scope) -> list[dt.date]:
    if not table_exists("marts", "inspection_plan"):
        return []
    w, p = scope.where(town=None)
    df = query(f"select distinct plan_date from marts.inspection_plan where {w} order by 1", p)
    return [pd.Timestamp(d).date() for d in df["plan_date"]]


def plan_for(scope: Scope, day: dt.date) -> pd.DataFrame:
    """The day's plan; ``evidence`` parsed into item -> what the warehouse says."""
    w, p = scope.where(town=None)
    df = query(
        "select plan_date, category, risk_rank, org_code, org_name, county_code, risk_score,"
        " risk_reasons, check_items, evidence from marts.inspection_plan"
        f" where plan_date = ? and {w} order by category, risk_rank",
        (day, *p),
    )
    df["evidence"] = df["evidence"].map(lambda e: json.loads(e or "{}"))
    return df


def report_period() -> tuple[dt.date, dt.date]:
    """The default report period: the 14 days ending on the data's latest work-order day
    (city-wide: the data's 今天, one date for everyone)."""
    value = scalar("select max(cast(create_time as date)) from marts.fct_work_order")
    last = pd.Timestamp(value).date() if value is not None else dt.date.today()
    return last - dt.timedelta(days=13), last


def complaints_as_of() -> dt.date | None:
    """The SLA's clock: the data's latest complaint day, city-wide (one date for everyone)."""
    value = scalar("select max(cast(create_time as date)) from marts.fct_complaint")
    return pd.Timestamp(value).date() if value is not None else None


_ELAPSED = (
    "(select count(*) from reference.cn_workday_calendar k where k.is_workday"
    " and k.calendar_date > cast(c.create_time as date) and k.calendar_date <= ?)"
)


def complaint_sla(scope: Scope) -> pd.DataFrame:
    """Per channel: complaints, replied on time (≤ 3 working days), replied late, open overdue."""
    as_of = complaints_as_of()
    w, p = scope.where("c.county_code", "c.town_code")
    return query(
        "select c.channel, count(*) as complaints,"
        " sum(case when c.is_reply_on_time then 1 else 0 end) as on_time,"
        " sum(case when c.is_replied and not c.is_reply_on_time then 1 else 0 end) as late,"
        f" sum(case when not c.is_replied and {_ELAPSED} > {SLA_WORKING_DAYS} then 1 else 0 end)"
        " as open_overdue from marts.fct_complaint c"
        f" where {w} group by 1 order by 2 desc, 1",
        (as_of, *p),
    )


def overdue_complaints(scope: Scope) -> pd.DataFrame:
    """Complaints past the 3-working-day SLA: replied late, or still open beyond it."""
    as_of = complaints_as_of()
    w, p = scope.where("c.county_code", "c.town_code")
    return query(
        "select c.create_time, c.channel, c.category, o.org_name, c.county_code,"
        f" coalesce(c.reply_working_days, {_ELAPSED}) as working_days,"
        " case when c.is_replied then '逾期答复' else '未答复' end as state"
        " from marts.fct_complaint c left join marts.dim_org o on o.org_code = c.org_code"
        f" where {w} and ((c.is_replied and not c.is_reply_on_time)"
        f" or (not c.is_replied and {_ELAPSED} > {SLA_WORKING_DAYS}))"
        " order by c.create_time desc",
        (as_of, *p, as_of),
    )


def complaint_trend(scope: Scope) -> pd.DataFrame:
    """Per month and channel: complaints and the share replied within 3 working days."""
    w, p = scope.where()
    df = query(
        "select cast(date_trunc('month', create_time) as date) as month, channel,"
        " count(*) as complaints,"
        " avg(case when is_reply_on_time then 1.0 else 0.0 end) as on_time_share"
        f" from marts.fct_complaint where {w} group by 1, 2 order by 1, 2",
        p,
    )
    df["month"] = pd.to_datetime(df["month"]).dt.strftime("%Y-%m")
    return df
