"""Reviewers' decisions on suspicious work orders, in the application database.

Append-only (``appdb.order_review_decisions``): each action is a new row with who and when, so
the table is the audit trail. The latest confirm (作废) or clear (审核通过) per order becomes a
label of the next warning model's training (models/warning/data.py). An appeal (申诉) records
the provider's reason and moves the order to 已申诉 until a reviewer decides.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from eldercare.appdb import order_review_decisions as table
from eldercare.errors import EldercareError

ACTIONS = {"confirm": "已作废", "clear": "已审核", "appeal": "已申诉"}
COLUMNS = ["order_id", "action", "reason", "reviewer", "county_code", "decided_at"]


def record_decision(
    engine: sa.Engine,
    order_id: int,
    action: str,
    reviewer: str,
    *,
    reason: str | None = None,
    county_code: str | None = None,
    when: datetime | None = None,
) -> None:
    if action not in ACTIONS:
        raise EldercareError(f"review: unknown action {action!r} (confirm, clear or appeal)")
    if action == "appeal" and not (reason or "").strip():
        raise EldercareError(f"review: order {order_id}: an appeal needs the provider's reason")
    with engine.begin() as conn:
        conn.execute(
            table.insert().values(
                order_id=int(order_id),
                action=action,
                reason=(reason or "").strip() or None,
                reviewer=reviewer,
                county_code=county_code,
                decided_at=when or datetime.now().replace(microsecond=0),
            )
        )


def empty_decisions() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)


def decisions_frame(engine: sa.Engine, order_ids=None) -> pd.DataFrame:
    """Every decision (oldest first), optionally of these orders only."""
    q = sa.select(*[table.c[c] for c in COLUMNS]).order_by(table.c.decided_at, table.c.decision_id)
    if order_ids is not None:
        q = q.where(table.c.order_id.in_([int(i) for i in order_ids]))
    with engine.connect() as conn:
        rows = conn.execute(q).fetchall()
    return pd.DataFrame(rows, columns=COLUMNS) if rows else empty_decisions()


def current_states(decisions: pd.DataFrame) -> dict[int, str]:
    """Order id -> its state after the reviewers' latest action (已作废 / 已审核 / 已申诉)."""
    latest = decisions.groupby("order_id").tail(1)
    return {int(o): ACTIONS[a] for o, a in zip(latest["order_id"], latest["action"], strict=True)}
