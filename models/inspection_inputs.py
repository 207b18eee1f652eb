"""What the daily inspection plan reads: each organisation's risk signals as of the quarter's
start (so a day's plan does not move while the quarter's data arrives) and the evidence the
warehouse already holds for the check items (as of the data's latest day)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from eldercare.warehouse import WarehouseConnection
from models.inspection_plan import Sampling
from models.quality_inputs import has_warnings
from models.warehouse_tables import read_frame

ORGS_SQL = (
    "select org_code, org_name, org_type, county_code, approved_beds, filed_beds, credit_code,"
    " lng, lat, charge_min, source_org_ids from marts.dim_org where is_live"
)
ORG_COLUMNS = (
    "org_code", "org_name", "org_type", "county_code", "approved_beds", "filed_beds",
    "credit_code", "lng", "lat", "charge_min", "source_org_ids",
)  # fmt: skip
# Basic information an organisation must have filled in (基础信息是否完善).
BASIC_FIELDS = {"credit_code": "统一社会信用代码", "lng": "经纬度", "charge_min": "收费标准"}


def _counts(conn, sql: str, params=()) -> dict[str, float]:
    return {k: float(v) for k, v in conn.execute(sql, params)}


def as_of(conn: WarehouseConnection) -> dt.date:
    """The data's latest day (the last work order's creation date)."""
    value = conn.scalar("select max(cast(create_time as date)) from marts.fct_work_order")
    return pd.Timestamp(value).date() if value is not None else dt.date.today()


def features(
    conn: WarehouseConnection, sampling: Sampling, start: dt.date, scores: pd.DataFrame | None
) -> pd.DataFrame:
    """One row per organisation of a sampled category with its signals as of ``start``."""
    orgs = read_frame(conn, ORGS_SQL, ORG_COLUMNS)
    orgs["category"] = orgs["org_type"].map(sampling.category_of)
    orgs = orgs[orgs["category"].notna()].reset_index(drop=True)
    since = start - dt.timedelta(days=90)
    code = orgs["org_code"]
    latest = {}
    if scores is not None and not scores.empty:
        s = scores[scores["total_score"].notna()].sort_values("period")
        latest = dict(zip(s["org_code"], s["total_score"], strict=True))
    orgs["low_score"] = code.map(lambda c: 100.0 - latest[c] if c in latest else 0.0)
    orgs["complaints"] = code.map(_counts(conn,
        "select org_code, count(*) from marts.fct_complaint where org_code is not null"
        " and cast(create_time as date) >= ? and cast(create_time as date) < ? group by 1",
        (since, start))).fillna(0.0)  # fmt: skip
    orgs["warnings"] = 0.0
    if has_warnings(conn):
        orgs["warnings"] = code.map(_counts(conn,
            "select org_code, count(*) from marts.fct_work_order where is_suspicious"
            " and cast(create_time as date) >= ? and cast(create_time as date) < ? group by 1",
            (since, start))).fillna(0.0)  # fmt: skip
    orgs["report_contradictions"] = 0.0
    if conn.table_exists("quality", "district_reporting_issues"):
        orgs["report_contradictions"] = code.map(_counts(conn,
            "select org_code, count(*) from quality.district_reporting_issues"
            " where org_code is not null group by 1")).fillna(0.0)  # fmt: skip
    orgs["text_hits"] = 0.0
    if conn.table_exists("quality", "text_review"):
        hits = _counts(conn,
            "select source_key, count(*) from quality.text_review"
            " where source_table = 'yl_org' and not coalesce(reviewed, false) group by 1")  # fmt: skip
        orgs["text_hits"] = orgs["source_org_ids"].map(
            lambda ids: sum(hits.get(i, 0.0) for i in str(ids or "").split(","))
        )
    last = dict(conn.execute(
        "select org_code, max(inspect_date) from marts.fct_inspection"
        " where source = '指导中心巡检' and inspect_date < ? group by 1", (start,)))  # fmt: skip
    orgs["days_since_inspection"] = code.map(
        lambda c: float((start - pd.Timestamp(last[c]).date()).days) if last.get(c) else 365.0
    )
    return orgs


def evidence(conn: WarehouseConnection, orgs: pd.DataFrame, day: dt.date) -> dict:
    """org_code -> check item -> what the warehouse says about it (as of ``day``)."""
    month = day.replace(day=1)
    occupancy = {r[0]: r[1:] for r in conn.execute(
        "select org_code, residents, beds_on_file, approved_beds from marts.agg_org_occupancy_monthly"
        " where month_start = (select max(month_start) from marts.agg_org_occupancy_monthly"
        " where month_start <= ?)", (month,))}  # fmt: skip
    d30, d90 = day - dt.timedelta(days=30), day - dt.timedelta(days=90)
    meals = _counts(conn, "select org_code, count(*) from marts.fct_meal_order"
                    " where order_date > ? and order_date <= ? group by 1", (d30, day))  # fmt: skip
    orders = _counts(conn, "select org_code, count(*) from marts.fct_work_order"
                     " where cast(create_time as date) > ? and cast(create_time as date) <= ?"
                     " group by 1", (d30, day))  # fmt: skip
    visits = {r[0]: r[1:] for r in conn.execute(
        "select org_code, count(*), sum(case when is_satisfied then 1 else 0 end)"
        " from marts.fct_return_visit where visit_date > ? and visit_date <= ? group by 1",
        (d90, day))}  # fmt: skip
    out: dict[str, dict[str, str]] = {}
    for o in orgs.itertuples():
        e: dict[str, str] = {}
        missing = [label for f, label in BASIC_FIELDS.items() if pd.isna(getattr(o, f))]
        basic = "齐全" if not missing else "缺" + "、".join(missing)
        for item in ("居家服务商基础信息是否完善抽检", "基础信息是否完善抽检"):
            e[item] = f"基础信息{basic}"
        if o.org_code in occupancy:
            residents, on_file, approved = occupancy[o.org_code]
            e["入住老人数与床位数是否一致"] = (
                f"在住老人 {int(residents or 0)} 人，床位档案 {int(on_file or 0)} 张"
            )
            e["配置床位数与备案数是否一致"] = (
                f"核定床位 {int(approved or 0)} 张，备案床位 {_int(o.filed_beds)} 张"
            )
        e["长者食堂上线情况排查"] = f"近30天助餐订单 {int(meals.get(o.org_code, 0))} 单"
        e["居家服务内容合规性抽查"] = f"近30天工单 {int(orders.get(o.org_code, 0))} 单"
        n, ok = visits.get(o.org_code, (0, 0))
        e["居家服务评价质量情况电话回访抽检"] = f"近90天回访 {int(n)} 次，满意 {int(ok or 0)} 次"
        out[o.org_code] = e
    return out


def _int(value) -> str:
    return "未填" if value is None or pd.isna(value) else str(int(value))
