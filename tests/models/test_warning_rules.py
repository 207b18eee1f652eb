"""Every supervision rule on hand-built orders: one that hits, one that does not, and one the
rule cannot evaluate (never a flag). Pure pandas: no warehouse needed."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from warning_orders import ENT, HOME, RULESET, T0, order  # noqa: E402

from models.warning import rules

M_PER_DEG_LAT = 110_540.0


def run(*orders: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(orders))
    for c in ("plan_time", "start_time", "end_time", "death_date"):
        frame[c] = pd.to_datetime(frame[c])
    hits, _ = rules.evaluate(frame, RULESET, ENT)
    return hits


def north(metres: float) -> float:
    return HOME[1] + metres / M_PER_DEG_LAT


def test_the_rules_file_lists_every_rule_the_issue_asks_for():
    codes = {r.code for r in RULESET.rules}
    assert codes == set(rules.EVALUATORS)
    for r in RULESET.rules:
        assert r.label and not r.label.isascii()  # a Chinese label
        assert r.severity in rules.SEVERITIES


def test_a_genuine_order_hits_no_rule():
    hits = run(order())
    assert (hits.iloc[0] == 0.0).all(), hits.iloc[0][hits.iloc[0] != 0.0]


# rule -> (orders that hit it: the order checked is the last one)
HITTING = {
    "duration_short": [order(duration_min=20.0, end_time=T0 + pd.Timedelta(minutes=20))],
    "duration_long": [order(duration_min=200.0, end_time=T0 + pd.Timedelta(minutes=200))],
    "far_from_home": [order(end_lat=north(3000))],
    "worker_overlap": [
        order(1, staff_code="W"),
        order(2, staff_code="W", start_time=T0 + pd.Timedelta(minutes=20),
              end_time=T0 + pd.Timedelta(minutes=80)),
    ],
    "travel_too_fast": [
        order(1, staff_code="W"),
        order(2, staff_code="W", start_time=T0 + pd.Timedelta(minutes=65),
              end_time=T0 + pd.Timedelta(minutes=125), start_lat=north(20_000),
              end_lat=north(20_000), home_lat=north(20_000)),
    ],
    "photo_reused": [order(1), order(2, start_time=T0 + pd.Timedelta(days=3),
                                     photo_before=f"a{1:031d}")],
    "after_death": [order(death_date=pd.Timestamp("2026-03-01"))],
    "in_institution": [order(in_institution=True)],
    "amount_above_standard": [order(amount=120.0)],
    "subsidy_above_entitlement": [order(subsidy_amount=400.0, amount=400.0)],
    "denied_at_visit": [order(visit_denied=True)],
    "month_end_burst": [
        order(i, start_time=pd.Timestamp("2026-03-30 10:00") + pd.Timedelta(hours=i),
              plan_time=pd.Timestamp("2026-03-30 10:00") + pd.Timedelta(hours=i),
              end_time=pd.Timestamp("2026-03-30 11:00") + pd.Timedelta(hours=i))
        for i in range(1, 7)
    ],
    "missing_evidence": [order(photo_before=None, photo_after=None)],
}  # fmt: skip

# rule -> orders just inside the limit (the last one is checked)
NOT_HITTING = {
    "duration_short": [order(duration_min=60.0)],
    "duration_long": [order(duration_min=184.0, end_time=T0 + pd.Timedelta(minutes=184))],
    "far_from_home": [order(end_lat=north(600))],  # 500 m + 150 m GPS noise allowed
    "worker_overlap": [
        order(1, staff_code="W"),
        order(2, staff_code="W", start_time=T0 + pd.Timedelta(minutes=58),
              end_time=T0 + pd.Timedelta(minutes=118)),  # 2 minutes: clock tolerance
    ],
    "travel_too_fast": [
        order(1, staff_code="W"),
        order(2, staff_code="W", start_time=T0 + pd.Timedelta(minutes=90),
              end_time=T0 + pd.Timedelta(minutes=150), start_lat=north(20_000),
              end_lat=north(20_000), home_lat=north(20_000)),  # 20 km in 30 min = 40 km/h
    ],
    "photo_reused": [order(1), order(2, start_time=T0 + pd.Timedelta(days=3))],
    "after_death": [order(death_date=pd.Timestamp("2026-03-10"))],  # the day of death itself
    "in_institution": [order(in_institution=False)],
    "amount_above_standard": [order(amount=40.0)],
    "subsidy_above_entitlement": [order(subsidy_amount=300.0, amount=300.0)],
    "denied_at_visit": [order(visit_denied=False)],
    "month_end_burst": [
        order(i, start_time=pd.Timestamp("2026-03-30 10:00") + pd.Timedelta(hours=i),
              plan_time=pd.Timestamp("2026-03-30 10:00") + pd.Timedelta(hours=i),
              end_time=pd.Timestamp("2026-03-30 11:00") + pd.Timedelta(hours=i))
        for i in range(1, 5)  # four short orders: below min_orders
    ],
    "missing_evidence": [order(audio_seconds=None)],  # photos are enough
}  # fmt: skip

# rule -> an order the rule cannot judge
NOT_EVALUABLE = {
    "duration_short": order(duration_min=None, end_time=None),
    "duration_long": order(duration_min=None, end_time=None),
    "far_from_home": order(start_lng=None, start_lat=None, end_lng=None, end_lat=None),
    "worker_overlap": order(staff_code=None),
    "travel_too_fast": order(staff_code=None),
    "photo_reused": order(photo_before=None, photo_after=None),
    "after_death": order(elder_code=None),
    "in_institution": order(in_institution=None),
    "amount_above_standard": order(item_charge_mode=None),
    "subsidy_above_entitlement": order(economic_type_code=None),
    "denied_at_visit": order(visit_denied=None),
    "month_end_burst": order(org_code=None),
    "missing_evidence": order(order_status="0"),
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(rules.EVALUATORS))
def test_rule_hits_a_hand_built_order(code):
    hits = run(*HITTING[code])
    assert hits[code].iloc[-1] == 1.0


@pytest.mark.parametrize("code", sorted(rules.EVALUATORS))
def test_rule_spares_the_order_just_inside_its_limit(code):
    hits = run(*NOT_HITTING[code])
    assert hits[code].iloc[-1] == 0.0


@pytest.mark.parametrize("code", sorted(rules.EVALUATORS))
def test_rule_says_not_evaluable_never_a_flag(code):
    hits = run(NOT_EVALUABLE[code])
    assert math.isnan(hits[code].iloc[0])


def test_only_the_later_order_of_a_reused_photo_is_flagged():
    hits = run(order(1), order(2, start_time=T0 + pd.Timedelta(days=3), photo_after=f"b{1:031d}"))
    assert list(hits["photo_reused"]) == [0.0, 1.0]


def test_changing_the_rules_file_rescores_without_code(tmp_path: Path):
    doc = yaml.safe_load(rules.RULES_FILE.read_text(encoding="utf-8"))
    for r in doc["rules"]:
        if r["code"] == "far_from_home":
            r["params"]["max_distance_m"] = 5000
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    frame = pd.DataFrame([order(end_lat=north(3000))])
    for c in ("plan_time", "start_time", "end_time", "death_date"):
        frame[c] = pd.to_datetime(frame[c])
    default, _ = rules.evaluate(frame, RULESET, ENT)
    relaxed, _ = rules.evaluate(frame, rules.load_rules(path), ENT)
    assert default["far_from_home"].iloc[0] == 1.0 and relaxed["far_from_home"].iloc[0] == 0.0


def test_a_bad_rules_file_is_one_clear_error(tmp_path: Path):
    from eldercare.errors import EldercareError

    path = tmp_path / "rules.yml"
    path.write_text("rules:\n  - code: no_such_rule\n    label: x\n    severity: high\n")
    with pytest.raises(EldercareError, match="unknown code 'no_such_rule'"):
        rules.load_rules(path)


def test_standard_amount_by_charge_mode():
    frame = pd.DataFrame([order(duration_min=61.0), order(2, item_charge_mode="1", item_price=12.0),
                          order(3, duration_min=500.0), order(4, duration_min=None)])  # fmt: skip
    # 61 min = 3 started half hours = 1.5 h x 40; per visit 12; capped at 180 min = 3 h x 40
    assert rules.standard_amount(frame).iloc[:3].tolist() == [60.0, 12.0, 120.0]
    assert np.isnan(rules.standard_amount(frame).iloc[3])


def test_far_from_home_spares_an_elder_served_where_they_now_live():
    """A registered address gone stale: every visit 5 km from it, at one place (the elder's
    usual place) is not a fake visit; one of the same elder's visits 3 km from that place is."""
    moved = north(5000)
    visits = [
        order(i, elder_code="E1", start_time=T0 + pd.Timedelta(days=i), start_lat=moved,
              end_lat=moved)
        for i in range(1, 5)
    ]  # fmt: skip
    assert (run(*visits)["far_from_home"] == 0.0).all()
    fake = order(5, elder_code="E1", start_time=T0 + pd.Timedelta(days=5),
                 start_lat=moved + 3000 / M_PER_DEG_LAT, end_lat=moved + 3000 / M_PER_DEG_LAT)  # fmt: skip
    hits = run(*visits, fake)
    assert list(hits["far_from_home"]) == [0.0, 0.0, 0.0, 0.0, 1.0]


def _short(i: int, when: pd.Timestamp) -> dict:
    return order(i, start_time=when, plan_time=when, end_time=when + pd.Timedelta(minutes=60))


def test_month_end_burst_of_a_large_provider_against_its_own_pace():
    """A provider with 3 short orders a day all March: 13 in its last two days is a burst (6
    expected at its pace), 6 is its pace; a share of the month's short orders (13 of 100) could
    not tell the burst from the pace."""
    steady = [_short(i, pd.Timestamp("2026-03-01 09:00") + pd.Timedelta(hours=8 * i))
              for i in range(87)]  # 3 a day, 1-29 March  # fmt: skip
    end = pd.Timestamp("2026-03-30 08:00")
    burst = [_short(100 + i, end + pd.Timedelta(hours=3 * i)) for i in range(13)]
    assert run(*steady, *burst)["month_end_burst"].iloc[-1] == 1.0
    pace = [_short(100 + i, end + pd.Timedelta(hours=8 * i)) for i in range(6)]
    assert run(*steady, *pace)["month_end_burst"].iloc[-1] == 0.0
