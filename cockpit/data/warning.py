"""工单预警与存疑工单审核 (#26, #63, #65–70, #74, #81): the review queue, one order's card, the
settlement check and the death warnings, read from ``marts.suspicious_order``,
``marts.fct_work_order``, ``marts.order_warning``, ``marts.settlement_check`` and
``marts.death_warning`` (models/warning/, dbt/models/marts/death_warning.sql). Reviewers'
decisions are not here: they go to the application database (eldercare/review.py).
"""

from __future__ import annotations

import pandas as pd

from cockpit.data.core import query, table_exists
from cockpit.scope import Scope
from models.warning.rules import load_rules

STATES = ("存疑", "已申诉", "已审核", "已作废")


def available(scope: Scope) -> bool:
    """Whether the warning was published in this warehouse (the model runs in every build)."""
    return table_exists("marts", "suspicious_order")


def queue(scope: Scope, limit: int = 500) -> pd.DataFrame:
    """The scope's flagged orders, most money at risk first."""
    where, params = scope.where("q.county_code", None)
    return query(
        "select q.order_id, q.county_code, a.area_name as county_name, q.org_code,"
        " o.org_name, q.order_month, q.start_time, q.source, q.state, q.warning_score,"
        " q.subsidy_amount, q.money_at_risk, q.reasons"
        " from marts.suspicious_order q"
        " left join marts.dim_org o on o.org_code = q.org_code"
        " left join marts.dim_area a on a.area_code = q.county_code"
        f" where {where} order by q.money_at_risk desc, q.warning_score desc, q.order_id"
        " limit ?",
        (*params, int(limit)),
    )


def queue_by_county(scope: Scope) -> pd.DataFrame:
    """Per county: flagged orders, still open (存疑/已申诉), and money at risk."""
    where, params = scope.where("q.county_code", None)
    return query(
        "select q.county_code, a.area_name as county_name, count(*) as orders,"
        " sum(case when q.state in ('存疑', '已申诉') then 1 else 0 end) as open_orders,"
        " cast(sum(q.money_at_risk) as numeric(14, 2)) as money_at_risk"
        " from marts.suspicious_order q left join marts.dim_area a on a.area_code = q.county_code"
        f" where {where} group by 1, 2 order by money_at_risk desc",
        params,
    )


def order_card(scope: Scope, order_id: int) -> dict:
    """One order in the scope: the order with its warning, the elder's home, the return visits
    and the other orders sharing its photos. Empty frames for an order outside the scope."""
    where, params = scope.where("w.county_code", None)
    order = query(
        "select w.order_id, w.order_no, w.elder_code, w.org_code, o.org_name, w.staff_code,"
        " w.item_name, w.item_category, w.item_min_minutes, w.item_max_minutes, w.plan_time,"
        " w.start_time, w.end_time, w.duration_min, w.start_lng, w.start_lat, w.end_lng,"
        " w.end_lat, e.home_lng, e.home_lat, w.photo_before, w.photo_after, w.audio_seconds,"
        " w.amount, w.subsidy_amount, w.warning_score, w.warning_reasons, w.is_suspicious,"
        " ow.rules_hit, ow.rules_not_evaluable, w.county_code"
        " from marts.fct_work_order w"
        " left join marts.dim_elder e on e.elder_code = w.elder_code"
        " left join marts.dim_org o on o.org_code = w.org_code"
        " left join marts.order_warning ow on ow.order_id = w.order_id"
        f" where w.order_id = ? and {where}",
        (int(order_id), *params),
    )
    visits = query(
        "select v.visit_time, v.visit_way, v.visit_result from marts.fct_return_visit v"
        " join marts.fct_work_order w on w.order_id = v.order_id"
        f" where v.order_id = ? and {where} order by v.visit_time",
        (int(order_id), *params),
    )
    # other orders with the same photo: counted city-wide, listed only inside the scope
    photos = query(
        "select p.order_id, p.org_code, p.start_time, p.county_code,"
        " p.photo_before = w.photo_before or p.photo_after = w.photo_after"
        " or p.photo_before = w.photo_after or p.photo_after = w.photo_before as same_photo"
        " from marts.fct_work_order w join marts.fct_work_order p"
        " on p.order_id <> w.order_id and (p.photo_before in (w.photo_before, w.photo_after)"
        " or p.photo_after in (w.photo_before, w.photo_after))"
        f" where w.order_id = ? and {where} order by p.start_time",
        (int(order_id), *params),
    )
    doubts = query(
        "select d.doubt_source, d.reason, d.doubt_time, d.appeal_time, d.appeal_reason,"
        " d.review_time, d.review_result from marts.fct_order_doubt d"
        " join marts.fct_work_order w on w.order_id = d.order_id"
        f" where d.order_id = ? and {where} order by d.doubt_time",
        (int(order_id), *params),
    )
    for col in ("rules_hit", "rules_not_evaluable"):  # codes -> the rules file's Chinese labels
        order[col] = [_labels(v) for v in order[col]]
    return {"order": order, "visits": visits, "photos": photos, "doubts": doubts}


def _labels(codes) -> str | None:
    if not isinstance(codes, str) or not codes:
        return None
    names = {r.code: r.label for r in load_rules().rules}
    return "；".join(names.get(c, c) for c in codes.split(","))


def settlement(scope: Scope, month=None) -> pd.DataFrame:
    """Per provider and month in the scope (the provider's county): billing and subsidy
    matching, over and under payment, money at risk."""
    where, params = scope.where("o.county_code", None)
    month_sql, month_params = ("and s.month = ?", (month,)) if month is not None else ("", ())
    return query(
        "select s.org_code, o.org_name, s.month, s.orders, s.billed_amount, s.standard_amount,"
        " s.subsidy_paid, s.subsidy_entitled, s.over_payment, s.under_payment,"
        " s.suspicious_orders, s.money_at_risk"
        " from marts.settlement_check s join marts.dim_org o on o.org_code = s.org_code"
        f" where {where} {month_sql} order by s.money_at_risk desc, s.over_payment desc",
        (*params, *month_params),
    )


def death_warnings(scope: Scope) -> pd.DataFrame:
    where, params = scope.where("d.county_code", None)
    return query(
        "select d.kind_label, d.elder_code, d.org_code, o.org_name, d.ref, d.event_time,"
        " d.death_date, d.amount, d.county_code"
        " from marts.death_warning d left join marts.dim_org o on o.org_code = d.org_code"
        f" where {where} order by d.county_code, d.org_code, d.death_date",
        params,
    )
