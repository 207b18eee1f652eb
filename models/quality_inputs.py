"""The evaluation events of the quality score, read from the marts and the application database.

Every event is one thing someone said or found about an organisation, worth 0–100 points
(seeds/quality_score.yml ``events``): a rating of a work order, a return visit, a complaint, an
inspected item, a daily-sampling result recorded in the cockpit. The warning rate of #27 is
used only when issue 12's ``fct_work_order.is_suspicious`` exists in the warehouse.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from eldercare.warehouse import WarehouseConnection
from models.quality_score import EVENT_COLUMNS, ORG_COLUMNS, Rules, quarter_bounds, quarter_index
from models.warehouse_tables import read_frame

PROVIDER_TYPES = ("居家服务商", "家床服务商")

ORGS_SQL = "select org_code, org_name, org_type, county_code from marts.dim_org where is_live"
RATINGS_SQL = (
    "select org_code, cast(coalesce(end_time, start_time, create_time) as date), rating"
    " from marts.fct_work_order where rating is not null and org_code is not null"
    " and cast(coalesce(end_time, start_time, create_time) as date) between ? and ?"
)
VISITS_SQL = (
    "select org_code, visit_date, visit_result from marts.fct_return_visit"
    " where org_code is not null and visit_date between ? and ?"
)
COMPLAINTS_SQL = (
    "select org_code, cast(create_time as date), category from marts.fct_complaint"
    " where org_code is not null and cast(create_time as date) between ? and ?"
)
INSPECTIONS_SQL = (
    "select org_code, inspect_date, source, result, deduction from marts.fct_inspection"
    " where org_code is not null and source in ('民政检查', '指导中心巡检')"
    " and inspect_date between ? and ?"
)
RESPONSE_SQL = (
    "select org_code, cast(plan_time as date), {minutes} from marts.fct_work_order"
    " where org_code is not null and plan_time is not null and start_time is not null"
    " and cast(plan_time as date) between ? and ?"
)
WARNINGS_SQL = (
    "select org_code, cast(coalesce(start_time, create_time) as date), is_suspicious"
    " from marts.fct_work_order where org_code is not null and is_suspicious is not null"
    " and cast(coalesce(start_time, create_time) as date) between ? and ?"
)
# Issue 12's marts.death_warning lists orders after a registered death; the same rule stands in
# for it (AFTER_DEATH_SQL) on a warehouse built without it.
DEATH_WARNING_SQL = (
    "select org_code, cast(event_time as date) from marts.death_warning"
    " where kind in ('order', 'subsidy') and org_code is not null"
    " and cast(event_time as date) between ? and ?"
)
AFTER_DEATH_SQL = (
    "select w.org_code, cast(w.start_time as date) from marts.fct_work_order w"
    " join marts.dim_elder e on e.elder_code = w.elder_code"
    " where e.death_date is not null and cast(w.start_time as date) > e.death_date"
    " and w.org_code is not null and cast(w.start_time as date) between ? and ?"
)
FRAUD_SQL = (
    "select s.org_code, cast(coalesce(w.start_time, w.create_time) as date)"
    " from marts.suspicious_order s join marts.fct_work_order w on w.order_id = s.order_id"
    " where s.state = '已审核' and cast(coalesce(w.start_time, w.create_time) as date) between ? and ?"
)


def window(period: str, rules: Rules) -> tuple[dt.date, dt.date]:
    """First and last day of the quarters the score of ``period`` looks at."""
    i = quarter_index(period) - rules.window_quarters + 1
    first, _ = quarter_bounds(f"{i // 4}Q{i % 4 + 1}")
    return first, quarter_bounds(period)[1]


def has_warnings(conn: WarehouseConnection) -> bool:
    """Whether issue 12's warning has landed (fct_work_order.is_suspicious)."""
    return "is_suspicious" in conn.columns("marts", "fct_work_order")


def _minutes(conn: WarehouseConnection) -> str:
    if conn.postgres:
        return "extract(epoch from (start_time - plan_time)) / 60.0"
    return "date_diff('second', plan_time, start_time) / 60.0"


def read_orgs(conn: WarehouseConnection) -> pd.DataFrame:
    return read_frame(conn, ORGS_SQL, ORG_COLUMNS)


def _inspection_value(result: pd.Series, deduction: pd.Series, rules: Rules) -> np.ndarray:
    ev = rules.events
    failed = np.maximum(0.0, 100.0 - ev["inspection_deduction_points"] * deduction.fillna(0.0))
    failed = np.where(deduction.fillna(0.0) > 0, failed, ev["inspection_failed_without_deduction"])
    return np.where(result == "不合格", failed, 100.0)


def read_events(
    conn: WarehouseConnection, period: str, rules: Rules, results: pd.DataFrame | None = None
) -> pd.DataFrame:
    """service_eval, civil_check and guidance events of the window of ``period``.

    ``results``: daily-sampling results from the cockpit (org_code, plan_date, result,
    deduction), counted as guidance-centre items.
    """
    lo, hi = window(period, rules)
    ev = rules.events
    ratings = read_frame(conn, RATINGS_SQL, ("org_code", "event_date", "rating"), (lo, hi))
    visits = read_frame(conn, VISITS_SQL, ("org_code", "event_date", "result"), (lo, hi))
    complaints = read_frame(conn, COMPLAINTS_SQL, ("org_code", "event_date", "category"), (lo, hi))
    cols = ("org_code", "event_date", "source", "result", "deduction")
    insp = read_frame(conn, INSPECTIONS_SQL, cols, (lo, hi))
    if results is not None and not results.empty:
        r = results[(results["plan_date"] >= lo) & (results["plan_date"] <= hi)]
        app = r.rename(columns={"plan_date": "event_date"}).assign(source="指导中心巡检")
        insp = pd.concat([insp, app[list(cols)]], ignore_index=True)
    insp["deduction"] = pd.to_numeric(insp["deduction"], errors="coerce").astype(float)
    # a complaint needs a denominator: it counts where elders also rate or are visited
    rated = set(ratings["org_code"]) | set(visits["org_code"])
    complaints = complaints[complaints["org_code"].isin(rated)]
    frames = [
        ratings.assign(dimension="service_eval", value=(ratings["rating"].astype(float) - 1) * 25),
        visits.assign(
            dimension="service_eval",
            value=visits["result"].map(ev["return_visit"]).astype(float),
        ).dropna(subset=["value"]),
        complaints.assign(dimension="service_eval", value=float(ev["complaint"])),
        insp.assign(
            dimension=np.where(insp["source"] == "民政检查", "civil_check", "guidance"),
            value=_inspection_value(insp["result"], insp["deduction"], rules),
        ),
    ]
    return _events(frames)


def read_provider_events(conn: WarehouseConnection, period: str, rules: Rules) -> pd.DataFrame:
    """#27 parts: quality (ratings), attitude (return visits, 服务态度 complaints), response
    (minutes from planned to actual start) and, when issue 12 has landed, the warning rate."""
    lo, hi = window(period, rules)
    ev = rules.events
    ratings = read_frame(conn, RATINGS_SQL, ("org_code", "event_date", "rating"), (lo, hi))
    visits = read_frame(conn, VISITS_SQL, ("org_code", "event_date", "result"), (lo, hi))
    complaints = read_frame(conn, COMPLAINTS_SQL, ("org_code", "event_date", "category"), (lo, hi))
    sql = RESPONSE_SQL.format(minutes=_minutes(conn))
    late = read_frame(conn, sql, ("org_code", "event_date", "minutes"), (lo, hi))
    on_time, zero = ev["response_on_time_minutes"], ev["response_zero_minutes"]
    minutes = late["minutes"].astype(float)
    response = 100.0 * (zero - minutes.clip(lower=on_time, upper=zero)) / (zero - on_time)
    frames = [
        ratings.assign(part="quality", value=(ratings["rating"].astype(float) - 1) * 25),
        visits.assign(
            part="attitude", value=visits["result"].map(ev["return_visit"]).astype(float)
        ).dropna(subset=["value"]),
        complaints[complaints["category"] == "服务态度"].assign(
            part="attitude", value=float(ev["complaint"])
        ),
        late.assign(part="response", value=response),
    ]
    if has_warnings(conn):
        cols = ("org_code", "event_date", "is_suspicious")
        warn = read_frame(conn, WARNINGS_SQL, cols, (lo, hi))
        flagged = warn["is_suspicious"].astype(bool)
        frames.append(warn.assign(part="warning_rate", value=np.where(flagged, 0.0, 100.0)))
    return _events(frames, key="part")


def read_incidents(conn: WarehouseConnection, period: str) -> pd.DataFrame:
    """Confirmed serious incidents of the quarter: service after the elder's death, and fraud
    confirmed on review (issue 12's marts.suspicious_order state 已审核, when it exists)."""
    lo, hi = quarter_bounds(period)
    cols = ("org_code", "event_date")
    deaths = DEATH_WARNING_SQL if conn.table_exists("marts", "death_warning") else AFTER_DEATH_SQL
    frames = [read_frame(conn, deaths, cols, (lo, hi)).assign(kind="身故后服务")]
    if conn.table_exists("marts", "suspicious_order"):
        frames.append(read_frame(conn, FRAUD_SQL, cols, (lo, hi)).assign(kind="骗补查实"))
    out = pd.concat(frames, ignore_index=True)
    out["event_date"] = pd.to_datetime(out["event_date"]).dt.date
    return out


def _events(frames: list[pd.DataFrame], key: str = "dimension") -> pd.DataFrame:
    cols = [c if c != "dimension" else key for c in EVENT_COLUMNS]
    out = pd.concat([f[cols] for f in frames if not f.empty], ignore_index=True)
    if out.empty:
        return pd.DataFrame(columns=cols)
    out["event_date"] = pd.to_datetime(out["event_date"]).dt.date
    out["value"] = out["value"].astype(float)
    return out
