"""The shape of home-service demand (docs/generator.md, "Demand"): what makes a forecast worth
back-testing. Enrolment growth comes from the county-by-county subsidy rollout
(services.ROLLOUT); on top of it, per entitled elder-month:

- **ageing**: an elder orders more as they age (+1.5 % per year of age around 75);
- **county differences**: urban districts use more of their standard than rural counties;
- **Spring Festival dip**: the month holding 春节 has fewer orders (families are home);
- **summer peak for 助浴**: in June-September part of the orders become bathing help.

Kept apart from services.py, with its own random streams, so other draws do not move.
"""

from __future__ import annotations

import numpy as np

from migration.generator.config import TODAY
from migration.generator.state import World

# Order-rate factor per county, in reference.county_codes order (440802 … 440883).
COUNTY_FACTOR = np.array([1.18, 1.12, 0.92, 1.05, 0.95, 0.82, 0.90, 0.86, 1.00])
AGE_SLOPE = 0.015  # per year of age, around AGE_PIVOT
AGE_PIVOT = 75
SPRING_FESTIVAL = np.array(["2023-01", "2024-02", "2025-01", "2026-02"], "datetime64[M]")
SPRING_FESTIVAL_FACTOR = 0.78
SUMMER_MONTHS = (6, 7, 8, 9)
SUMMER_BATHING_SHARE = 0.25  # share of summer orders turned into 助浴


def month_factor(w: World, person: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Multiplier of the expected orders of each (person, month)."""
    p = w.persons
    years_before_today = (TODAY.astype("datetime64[M]") - month).astype(int) / 12.0
    age = p["age"][person] - years_before_today
    ageing = np.clip(1.0 + AGE_SLOPE * (age - AGE_PIVOT), 0.7, 1.5)
    county = COUNTY_FACTOR[p["county_idx"][person]]
    festival = np.where(np.isin(month, SPRING_FESTIVAL), SPRING_FESTIVAL_FACTOR, 1.0)
    return ageing * county * festival


def summer_bathing(
    w: World, cat: dict[str, np.ndarray], item: np.ndarray, plan: np.ndarray
) -> np.ndarray:
    """Items with a share of June-September orders turned into a subsidised 助浴 item."""
    rng = w.cfg.rng("demand_bathing")
    bathing = np.flatnonzero((cat["category"] == "助浴") & cat["subsidized"])
    if not len(bathing):
        return item
    moy = plan.astype("datetime64[M]").astype(int) % 12 + 1
    turn = np.isin(moy, SUMMER_MONTHS) & (rng.random(len(item)) < SUMMER_BATHING_SHARE)
    out = item.copy()
    out[turn] = bathing[rng.integers(0, len(bathing), int(turn.sum()))]
    return out
