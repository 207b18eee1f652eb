"""Settlement and subsidy matching against a hand-computed fixture, and the feedback loop:
a reviewer's decision in the application database changes the next model's training set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from warning_orders import ENT, RULESET, order

from eldercare import review
from eldercare.appdb import engine
from eldercare.errors import EldercareError
from models.warning import data, rules, settlement

T = pd.Timestamp("2026-03-05 09:00:00")


def frame(*orders: dict) -> pd.DataFrame:
    f = pd.DataFrame(list(orders))
    for c in ("plan_time", "start_time", "end_time", "death_date"):
        f[c] = pd.to_datetime(f[c])
    return f


def hours(h: float) -> pd.Timedelta:
    return pd.Timedelta(hours=h)


@pytest.fixture(scope="module")
def fixture_orders() -> pd.DataFrame:
    # elder E1: 特困 (1) × 轻度失能 (1) -> 300 yuan a month (seeds/subsidy_standards.csv)
    e1 = {"elder_code": "E1", "economic_type_code": "1", "ability_level_code": "1"}
    return frame(
        # hourly 40/h, 61 min -> 3 half hours -> standard 60; billed 60; subsidy 60 (covered)
        order(1, **e1, duration_min=61.0, amount=60.0, subsidy_amount=60.0),
        # per visit 12; billed 15 (3 over); subsidy 12 (covered: 60 used before)
        order(2, **e1, item_charge_mode="1", item_price=12.0, amount=15.0, subsidy_amount=12.0,
              start_time=T + hours(30), plan_time=T + hours(30)),
        # hourly 60 min -> standard 40; billed 30 (10 under); subsidy 250, 72 used before:
        # 228 covered, 22 beyond the standard
        order(3, **e1, amount=30.0, subsidy_amount=250.0, start_time=T + hours(60),
              plan_time=T + hours(60)),
        # another provider: a cancelled order (not settled) and an April order of E1
        order(4, **e1, org_code="ORG2", order_status="3", amount=40.0, subsidy_amount=40.0),
        order(5, **e1, org_code="ORG2", item_charge_mode="1", item_price=12.0, amount=12.0,
              subsidy_amount=12.0, start_time=pd.Timestamp("2026-04-02 10:00"),
              plan_time=pd.Timestamp("2026-04-02 10:00")),
    )  # fmt: skip


def test_settlement_equals_the_hand_computed_fixture(fixture_orders):
    _, m = rules.evaluate(fixture_orders, RULESET, ENT)
    score = np.array([0.1, 0.2, 0.8, 0.0, 0.9])
    suspicious = np.array([False, False, True, False, True])
    lines = settlement.order_money(fixture_orders, m, score, suspicious)
    check = settlement.settlement_check(lines).set_index(["org_code", "month"])
    march = check.loc[("ORG1", pd.Timestamp("2026-03-01").date())]
    assert march["orders"] == 3
    assert march["billed_amount"] == 105.0
    assert march["standard_amount"] == 112.0
    assert march["subsidy_paid"] == 322.0
    assert march["subsidy_entitled"] == 300.0
    assert march["over_payment"] == 3.0 + 22.0
    assert march["under_payment"] == 10.0
    assert march["suspicious_orders"] == 1
    assert march["money_at_risk"] == 250.0 * 0.8
    april = check.loc[("ORG2", pd.Timestamp("2026-04-01").date())]
    assert (april["orders"], april["subsidy_entitled"], april["over_payment"]) == (1, 12.0, 0.0)
    assert april["money_at_risk"] == pytest.approx(12.0 * 0.9)
    assert ("ORG2", pd.Timestamp("2026-03-01").date()) not in check.index  # cancelled only


def test_unknown_entitlement_claims_nothing_back():
    f = frame(order(1, economic_type_code="9", subsidy_amount=500.0, amount=40.0))
    _, m = rules.evaluate(f, RULESET, ENT)
    lines = settlement.order_money(f, m, [0.0], [False])
    assert lines.loc[0, "subsidy_entitled"] == 500.0 and lines.loc[0, "over_payment"] == 0.0


def test_a_decision_changes_the_next_training_set(tmp_path):
    eng = engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    orders = frame(order(1), order(2), order(3, visit_denied=True))
    orders["visit_satisfied"] = [True, False, False]
    doubts = pd.DataFrame(
        [{"order_id": 2, "review_result": "已审核", "doubt_source": "系统监管存疑", "reason": "x",
          "state": "已审核", "appeal_reason": None}]
    )  # fmt: skip
    before = data.labels(orders, doubts, data.read_decisions(eng))
    assert before.to_dict() == {1: 0.0, 2: 0.0, 3: 1.0}
    review.record_decision(eng, 2, "appeal", "reviewer1", reason="家属代为签收")
    review.record_decision(eng, 2, "confirm", "reviewer1", county_code="440802")
    review.record_decision(eng, 3, "clear", "reviewer2")
    after = data.labels(orders, doubts, data.read_decisions(eng))
    assert after.to_dict() == {1: 0.0, 2: 1.0, 3: 0.0}
    log = review.decisions_frame(eng)
    assert list(log["action"]) == ["appeal", "confirm", "clear"]  # the audit trail keeps all
    assert review.current_states(log) == {2: "已作废", 3: "已审核"}


def test_an_appeal_needs_a_reason(tmp_path):
    eng = engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    with pytest.raises(EldercareError, match="appeal needs"):
        review.record_decision(eng, 1, "appeal", "r", reason="  ")
    with pytest.raises(EldercareError, match="unknown action"):
        review.record_decision(eng, 1, "approve", "r")
