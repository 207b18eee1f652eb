"""对账结算 (#74, #81, §3.1.1 资金闭环): per provider and month, what was billed against the
catalogue standard, what subsidy was paid against each elder's entitlement, and the money at
risk on suspicious orders.

Per order (completed orders, status 2):
- standard_amount: price per visit, or price per started half hour of the duration (capped at
  the item's maximum) for hourly items (rules.standard_amount);
- entitled subsidy: the part of the order's subsidy the elder's monthly standard (economic type
  × ability, seeds/subsidy_standards.csv) still covers, orders taken in time order (all of it
  when the elder's standard is unknown: nothing can be claimed back);
- over_payment: billed above standard, plus subsidy beyond the entitlement;
- under_payment: billed below standard;
- money_at_risk: subsidy × warning_score, on suspicious orders only.
Orders whose standard cannot be known (hourly item without a duration) count at their billed
amount on both sides.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TABLE_DDL = (
    "org_code varchar, month date, orders bigint, billed_amount double precision, "
    "standard_amount double precision, subsidy_paid double precision, "
    "subsidy_entitled double precision, over_payment double precision, "
    "under_payment double precision, suspicious_orders bigint, money_at_risk double precision"
)


def order_money(o: pd.DataFrame, m: pd.DataFrame, score, suspicious) -> pd.DataFrame:
    """The per-order money lines behind settlement_check (aligned with o by position)."""
    billed = o["amount"].fillna(0.0).to_numpy()
    standard = m["standard_amount"].fillna(o["amount"]).fillna(0.0).to_numpy()
    subsidy = o["subsidy_amount"].fillna(0.0).to_numpy()
    # an elder whose standard is unknown: nothing can be claimed back, so all counts as entitled
    covered = m["subsidy_covered"].where(m["monthly_entitlement"].notna(), o["subsidy_amount"])
    covered = covered.fillna(0.0)
    entitled = np.minimum(subsidy, covered.to_numpy())
    suspicious = np.asarray(suspicious, dtype=bool)
    when = o["start_time"].fillna(o["plan_time"])
    return pd.DataFrame(
        {
            "order_id": o["order_id"].to_numpy(),
            "org_code": o["org_code"].to_numpy(),
            "month": when.dt.to_period("M").dt.start_time.dt.date.to_numpy(),
            "completed": (o["order_status"].astype(str) == "2").to_numpy(),
            "billed_amount": billed,
            "standard_amount": standard,
            "subsidy_paid": subsidy,
            "subsidy_entitled": entitled,
            "over_payment": np.maximum(billed - standard, 0) + (subsidy - entitled),
            "under_payment": np.maximum(standard - billed, 0),
            "suspicious": suspicious,
            "money_at_risk": np.where(suspicious, subsidy * np.asarray(score, dtype=float), 0.0),
        }
    )


def settlement_check(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per provider and month over the completed orders' money lines."""
    done = lines[lines["completed"] & lines["org_code"].notna() & lines["month"].notna()]
    money = ["billed_amount", "standard_amount", "subsidy_paid", "subsidy_entitled",
             "over_payment", "under_payment", "money_at_risk"]  # fmt: skip
    g = done.groupby(["org_code", "month"], sort=True)
    out = g[money].sum().round(2)
    out["orders"] = g.size()
    out["suspicious_orders"] = g["suspicious"].sum()
    return out.reset_index()[
        ["org_code", "month", "orders", *money[:6], "suspicious_orders", "money_at_risk"]
    ]
