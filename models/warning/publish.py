"""One run of the work-order warning: read the marts and the labels, evaluate the rules, train
the model, score every order, and publish.

Publishes (docs/warning.md):
- ``marts.fct_work_order``: its contract columns warning_score, warning_reasons, is_suspicious
  (added to the dbt-built table and filled here, so the cockpit reads them in one place);
- ``marts.order_warning``: per order, the score, the rules hit and the rules not evaluable;
- ``marts.suspicious_order``: the review queue (flagged orders and the legacy doubts);
- ``marts.settlement_check``: billing and subsidy matching, money at risk;
- ``marts.warning_model``: the model versions (training window, data hash, metrics, numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from eldercare.warehouse import WarehouseConnection
from models.warehouse_tables import read_frame, replace_tables
from models.warning import data, model, rules, settlement

ORDER_WARNING_DDL = (
    "order_id bigint, warning_score double precision, warning_reasons varchar, "
    "is_suspicious boolean, rules_hit varchar, rules_not_evaluable varchar"
)
SUSPICIOUS_DDL = (
    "order_id bigint, org_code varchar, county_code varchar, elder_code varchar, "
    "order_month date, start_time timestamp, subsidy_amount double precision, "
    "source varchar, reasons varchar, state varchar, warning_score double precision, "
    "money_at_risk double precision, is_suspicious boolean"
)
MODEL_DDL = "version varchar, trained_at timestamp, artefact varchar"
REVIEWABLE = ("2", "4")  # completed, or already 存疑 in the vendor system


@dataclass
class Scored:
    orders: pd.DataFrame
    hits: pd.DataFrame
    measures: pd.DataFrame
    x: pd.DataFrame
    y: pd.Series
    model: model.WarningModel
    score: np.ndarray
    suspicious: np.ndarray


def score_orders(
    orders: pd.DataFrame,
    doubts: pd.DataFrame,
    decisions: pd.DataFrame | None,
    ruleset: rules.RuleSet,
    train_until: pd.Timestamp | None = None,
) -> Scored:
    """Rules, features and labels for every order; the model trained on the orders before
    ``train_until`` (all when None) and applied to all."""
    orders = orders.reset_index(drop=True)
    hits, m = rules.evaluate(orders, ruleset, rules.load_entitlements())
    x = model.features(orders, hits, m)
    y = data.labels(orders, doubts, decisions).reindex(orders["order_id"]).reset_index(drop=True)
    when = orders["start_time"].fillna(orders["plan_time"])
    fit = np.ones(len(orders), bool) if train_until is None else (when < train_until).to_numpy()
    completed = orders["order_status"].astype(str).isin(REVIEWABLE).to_numpy()
    window = (str(when[fit].min())[:10], str(when[fit].max())[:10]) if fit.any() else ("", "")
    mdl = model.train(
        x[fit].reset_index(drop=True), hits[fit].reset_index(drop=True), y[fit],
        completed[fit], ruleset, window,
    )  # fmt: skip
    score = mdl.score(x, hits)
    return Scored(orders, hits, m, x, y, mdl, score, completed & (score >= mdl.threshold))


def order_warning_frame(s: Scored, ruleset: rules.RuleSet) -> pd.DataFrame:
    labels = {r.code: r.label for r in ruleset.rules}
    shown = (s.hits.to_numpy() == 1.0).any(axis=1) | (s.score >= 0.3)
    reasons = np.full(len(s.orders), "", dtype=object)
    idx = np.flatnonzero(shown)
    if len(idx):
        reasons[idx] = model.reasons(
            s.model,
            s.x.iloc[idx].reset_index(drop=True),
            s.hits.iloc[idx].reset_index(drop=True),
            labels,
        )
    codes = np.array(s.hits.columns)
    hit = s.hits.to_numpy() == 1.0
    nev = np.isnan(s.hits.to_numpy())
    return pd.DataFrame(
        {
            "order_id": s.orders["order_id"].to_numpy(),
            "warning_score": np.round(s.score, 4),
            "warning_reasons": [r or None for r in reasons],
            "is_suspicious": s.suspicious,
            "rules_hit": [",".join(codes[r]) or None for r in hit],
            "rules_not_evaluable": [",".join(codes[r]) or None for r in nev],
        }
    )


def suspicious_frame(
    s: Scored, warn: pd.DataFrame, doubts: pd.DataFrame, decisions
) -> pd.DataFrame:
    """Flagged orders and the legacy doubts, with source, reasons and state."""
    o = s.orders
    legacy = (
        doubts.sort_values("order_id")
        .drop_duplicates("order_id", keep="last")
        .set_index("order_id")
    )
    keep = s.suspicious | o["order_id"].isin(legacy.index).to_numpy()
    q = o.loc[keep, ["order_id", "org_code", "county_code", "elder_code", "start_time", "plan_time",
                     "subsidy_amount"]].copy()  # fmt: skip
    w = warn.set_index("order_id").loc[q["order_id"]]
    q["order_month"] = (
        q["start_time"].fillna(q["plan_time"]).dt.to_period("M").dt.start_time.dt.date
    )
    q["warning_score"] = w["warning_score"].to_numpy()
    q["is_suspicious"] = w["is_suspicious"].to_numpy()
    q["money_at_risk"] = (
        (q["subsidy_amount"].fillna(0) * q["warning_score"]).where(q["is_suspicious"], 0.0).round(2)
    )
    denied = o.loc[keep, "visit_denied"].eq(True).to_numpy()
    lsrc = q["order_id"].map(legacy["doubt_source"])
    q["source"] = lsrc.where(lsrc.notna(), np.where(denied, "回访存疑", "系统监管存疑"))
    lreason = q["order_id"].map(legacy["reason"])
    q["reasons"] = [
        "；".join(p for p in dict.fromkeys([a, b]) if isinstance(p, str) and p) or None
        for a, b in zip(w["warning_reasons"], lreason, strict=True)
    ]
    state = q["order_id"].map(legacy["state"]).astype(object).fillna("存疑")
    if decisions is not None and len(decisions):
        from eldercare.review import current_states

        state = q["order_id"].map(current_states(decisions)).fillna(state)
    q["state"] = state.to_numpy()
    return q.drop(columns=["plan_time"]).reset_index(drop=True)


def publish(conn: WarehouseConnection, app_engine: sa.Engine | None = None) -> dict:
    """The whole run on one warehouse connection; returns metadata for Dagster."""
    ruleset = rules.load_rules()
    orders = data.read_orders(conn)
    doubts = data.read_doubts(conn)
    decisions = data.read_decisions(app_engine)
    s = score_orders(orders, doubts, decisions, ruleset)
    warn = order_warning_frame(s, ruleset)
    queue = suspicious_frame(s, warn, doubts, decisions)
    lines = settlement.order_money(s.orders, s.measures, s.score, s.suspicious)
    check = settlement.settlement_check(lines)
    trained_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    version = f"{trained_at:%Y%m%d%H%M%S}-{s.model.info['data_hash']}"
    history = _model_history(conn)
    history = pd.concat(
        [
            history,
            pd.DataFrame(
                [{"version": version, "trained_at": trained_at, "artefact": model.to_json(s.model)}]
            ),
        ],  # fmt: skip
        ignore_index=True,
    ).tail(20)
    written = replace_tables(
        conn,
        "marts",
        {
            "order_warning": (ORDER_WARNING_DDL, warn),
            "suspicious_order": (SUSPICIOUS_DDL, queue),
            "settlement_check": (settlement.TABLE_DDL, check),
            "warning_model": (MODEL_DDL, history),
        },
    )
    _fill_work_order(conn)
    return {
        "version": version,
        "orders": len(orders),
        "suspicious": int(s.suspicious.sum()),
        "threshold": round(s.model.threshold, 4),
        "money_at_risk": round(float(check["money_at_risk"].sum()), 2),
        **{k: v for k, v in s.model.info.items() if isinstance(v, int | float | str)},
        **{f"rows_{k}": v for k, v in written.items()},
    }


def _model_history(conn: WarehouseConnection) -> pd.DataFrame:
    if not conn.table_exists("marts", "warning_model"):
        return pd.DataFrame(columns=["version", "trained_at", "artefact"])
    return read_frame(conn, "select version, trained_at, artefact from marts.warning_model "
                      "order by trained_at", ["version", "trained_at", "artefact"])  # fmt: skip


def _fill_work_order(conn: WarehouseConnection) -> None:
    """The contract's warning columns on marts.fct_work_order, from marts.order_warning."""
    with conn.transaction():
        existing = set(conn.columns("marts", "fct_work_order"))
        for col, kind in (("warning_score", "double precision"), ("warning_reasons", "varchar"),
                          ("is_suspicious", "boolean")):  # fmt: skip
            if col not in existing:
                conn.execute(f"alter table marts.fct_work_order add column {col} {kind}")
        conn.execute(
            "update marts.fct_work_order set warning_score = w.warning_score, "
            "warning_reasons = w.warning_reasons, is_suspicious = w.is_suspicious "
            "from marts.order_warning as w where marts.fct_work_order.order_id = w.order_id"
        )
