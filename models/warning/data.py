"""What the work-order warning reads from the marts, and the labels that exist in real life.

Labels (never the generator's truth): the legacy reviews (fct_order_doubt: 已作废 positive,
已审核 negative), return visits (否认服务 positive, 满意 negative), and the cockpit reviewers'
decisions in the application database (the latest decision per order wins over everything).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from eldercare.warehouse import WarehouseConnection
from models.warehouse_tables import read_frame
from models.warning.rules import ORDER_COLUMNS

ORDERS_SQL = """
with visits as (
    select
        order_id,
        max(case when is_service_denied then 1 else 0 end) as denied,
        max(case when is_satisfied then 1 else 0 end) as satisfied
    from marts.fct_return_visit
    where order_id is not null
    group by order_id
),

stays as (
    select distinct w.order_id
    from marts.fct_work_order as w
    inner join marts.fct_residency as r on w.elder_code = r.elder_code
    where
        r.check_in_date <= cast(coalesce(w.start_time, w.plan_time) as date)
        and (r.check_out_date is null
            or r.check_out_date >= cast(coalesce(w.start_time, w.plan_time) as date))
)

select
    w.order_id, w.elder_code, w.org_code, w.staff_code, w.county_code, w.order_status,
    w.item_charge_mode, cast(w.item_price as double precision), w.item_min_minutes,
    w.item_max_minutes, w.plan_time, w.start_time, w.end_time, w.duration_min, w.start_lng,
    w.start_lat, w.end_lng, w.end_lat, w.photo_before, w.photo_after, w.audio_seconds,
    cast(w.amount as double precision), cast(w.subsidy_amount as double precision),
    e.home_lng, e.home_lat, e.death_date, e.economic_type_code, e.ability_level_code,
    case when v.order_id is null then null else v.denied = 1 end,
    case when e.elder_code is null then null else s.order_id is not null end,
    coalesce(v.satisfied, 0) = 1
from marts.fct_work_order as w
left join marts.dim_elder as e on w.elder_code = e.elder_code
left join visits as v on w.order_id = v.order_id
left join stays as s on w.order_id = s.order_id
order by w.order_id
"""
ORDER_FRAME_COLUMNS = [*ORDER_COLUMNS, "visit_satisfied"]

DOUBTS_SQL = """
select order_id, review_result, doubt_source, reason, state, appeal_reason
from marts.fct_order_doubt
"""
DOUBT_COLUMNS = ["order_id", "review_result", "doubt_source", "reason", "state", "appeal_reason"]


def read_orders(conn: WarehouseConnection) -> pd.DataFrame:
    o = read_frame(conn, ORDERS_SQL, ORDER_FRAME_COLUMNS)
    for c in ("plan_time", "start_time", "end_time"):
        o[c] = pd.to_datetime(o[c])
    o["death_date"] = pd.to_datetime(o["death_date"])
    for c in ("item_min_minutes", "item_max_minutes", "duration_min", "audio_seconds", "item_price",
              "amount", "subsidy_amount", "start_lng", "start_lat", "end_lng", "end_lat",
              "home_lng", "home_lat"):  # fmt: skip
        o[c] = pd.to_numeric(o[c], errors="coerce").astype(float)
    return o


def read_doubts(conn: WarehouseConnection) -> pd.DataFrame:
    return read_frame(conn, DOUBTS_SQL, DOUBT_COLUMNS)


def labels(
    orders: pd.DataFrame, doubts: pd.DataFrame, decisions: pd.DataFrame | None = None
) -> pd.Series:
    """Per order: 1 positive, 0 negative, NaN unlabelled (positive-unlabelled learning)."""
    y = pd.Series(float("nan"), index=orders["order_id"].to_numpy())
    y[orders.loc[orders["visit_satisfied"].astype(bool), "order_id"].to_numpy()] = 0.0
    y[orders.loc[orders["visit_denied"].eq(True), "order_id"].to_numpy()] = 1.0
    reviewed = doubts[doubts["review_result"].isin(["已作废", "已审核"])]
    reviewed = reviewed[reviewed["order_id"].isin(y.index)]
    y[reviewed["order_id"].to_numpy()] = (
        (reviewed["review_result"] == "已作废").astype(float).to_numpy()
    )
    if decisions is not None and len(decisions):
        d = decisions[
            decisions["order_id"].isin(y.index) & decisions["action"].isin(["confirm", "clear"])
        ]
        d = d.sort_values("decided_at").groupby("order_id").tail(1)
        y[d["order_id"].to_numpy()] = (d["action"] == "confirm").astype(float).to_numpy()
    return y


def read_decisions(engine: sa.Engine | None) -> pd.DataFrame:
    """Reviewers' decisions from the application database (empty without one)."""
    from eldercare import review

    return review.decisions_frame(engine) if engine is not None else review.empty_decisions()
