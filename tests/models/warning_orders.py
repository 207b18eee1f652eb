"""Hand-built work orders for the warning tests: a genuine completed order, varied per test."""

from __future__ import annotations

import pandas as pd

from models.warning import rules

RULESET = rules.load_rules()
ENT = rules.load_entitlements()
T0 = pd.Timestamp("2026-03-10 09:00:00")
HOME = (110.36, 21.27)  # Zhanjiang


def order(i: int = 1, **kw) -> dict:
    """A genuine completed order: 60 minutes of cleaning (min 60, max 180, 40 yuan/hour) at the
    elder's door, photos and audio, a satisfied visit, alive elder with a 300-yuan standard."""
    base = {
        "order_id": i, "elder_code": f"E{i}", "org_code": "ORG1", "staff_code": f"S{i}",
        "county_code": "440802", "order_status": "2", "item_charge_mode": "2",
        "item_price": 40.0, "item_min_minutes": 60, "item_max_minutes": 180,
        "plan_time": T0, "start_time": T0, "end_time": T0 + pd.Timedelta(minutes=60),
        "duration_min": 60.0, "start_lng": HOME[0], "start_lat": HOME[1], "end_lng": HOME[0],
        "end_lat": HOME[1], "photo_before": f"a{i:031d}", "photo_after": f"b{i:031d}",
        "audio_seconds": 600.0, "amount": 40.0, "subsidy_amount": 40.0, "home_lng": HOME[0],
        "home_lat": HOME[1], "death_date": pd.NaT, "economic_type_code": "1",
        "ability_level_code": "1", "visit_denied": False, "in_institution": False,
    }  # fmt: skip
    base.update(kw)
    return base
