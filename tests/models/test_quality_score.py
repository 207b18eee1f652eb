"""The quality score against a fixture computed by hand (docs/quality-score.md), shrinkage by
sample size, the weights file, the minimum n and the incident cap."""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from models import quality_score as qs

SEED = Path(qs.SEEDS_DIR) / "quality_score.yml"
Q3 = dt.date(2025, 8, 1)


def _rules(tmp_path, **changes) -> qs.Rules:
    raw = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    raw.update(changes)
    path = tmp_path / "quality_score.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return qs.load_rules(path)


def _events(rows):
    return pd.DataFrame(rows, columns=["org_code", "dimension", "event_date", "value"])


def _orgs(codes, org_type="养老机构", county="440802"):
    return pd.DataFrame({"org_code": codes, "org_name": codes, "org_type": org_type,
                         "county_code": county})  # fmt: skip


def test_scores_equal_the_hand_computed_fixture(tmp_path):
    rules = _rules(tmp_path, weights={"养老机构": {"civil_check": 1.0}}, min_n=2,
                   shrinkage={"min_group": 99, "min_between_variance": 4.0})  # fmt: skip
    events = _events(
        [("A", "civil_check", Q3, v) for v in (100, 80)]
        + [("B", "civil_check", Q3, v) for v in (60, 80, 70, 70)]
        + [("C", "civil_check", Q3, 50)]
    )
    incidents = pd.DataFrame({"org_code": ["B"], "event_date": [Q3], "kind": ["身故后服务"]})
    s = qs.score_quarter(events, _orgs(["A", "B", "C"]), "2025Q3", rules, None, incidents)
    a, b, c = (s.orgs.set_index("org_code").loc[x] for x in "ABC")
    # By hand: means 90 (n 2, var 100), 70 (n 4, var 50), 50 (n 1, var 0); pooled sigma2 =
    # (2*100 + 4*50 + 0)/7 = 57.142857; mu = 70; between var of means 400, minus mean noise
    # (28.571429 + 14.285714 + 57.142857)/3 = 33.333333 -> tau2 = 366.666667.
    # A: B = 366.666667 / (366.666667 + 28.571429) = 0.927711; 70 + 0.927711*20 = 88.554217,
    #    var 0.927711 * 28.571429 = 26.506024, sd 5.148400 -> 90 % interval +- 8.469118.
    assert a["total_score"] == pytest.approx(88.554217, abs=1e-5)
    assert a["lower_90"] == pytest.approx(80.085099, abs=1e-5)
    assert a["upper_90"] == pytest.approx(97.023335, abs=1e-5)
    assert (a["county_rank"], a["star_band"], a["status"]) == (1, "四星", qs.SCORED)
    # B: B = 366.666667 / (366.666667 + 14.285714) = 0.9625; 70 + 0 = 70.0, capped at 59.
    assert b["civil_check_score"] == pytest.approx(70.0, abs=1e-9)
    assert (b["total_score"], b["incident"], b["star_band"]) == (59.0, "身故后服务", "一星")
    # C: one event < min_n 2 -> 数据不足, no total, no rank
    assert c["status"] == qs.NO_DATA and np.isnan(c["total_score"]) and np.isnan(c["county_rank"])
    assert c["civil_check_score"] == pytest.approx(
        70 + (366.666667 / (366.666667 + 57.142857)) * -20, abs=1e-5
    )
    # county: volume-weighted (n) mean of the scored: (88.554217*2 + 59*4) / 6
    assert s.counties.iloc[0]["total_score"] == pytest.approx(
        (88.554217 * 2 + 59 * 4) / 6, abs=1e-5
    )


def test_recent_quarters_weigh_more(tmp_path):
    rules = _rules(tmp_path)
    events = _events([("A", "guidance", Q3, 100.0), ("A", "guidance", dt.date(2025, 5, 1), 0.0),
                      ("A", "guidance", dt.date(2024, 5, 1), 0.0)])  # fmt: skip
    row = qs.summarise(events, "2025Q3", rules).iloc[0]
    # decay 0.5: weights 1 and 0.5; the quarter 5 back is outside the 4-quarter window
    assert row["mean"] == pytest.approx(100 / 1.5)
    assert row["n"] == pytest.approx(1.5**2 / 1.25)


def test_three_reviews_shrink_more_than_three_hundred(tmp_path):
    rules = _rules(tmp_path)
    rng = np.random.default_rng(1)
    rows = []
    for i in range(20):  # the peers: about 75 points
        rows += [(f"P{i:02d}", "service_eval", Q3, v) for v in rng.normal(75, 15, 40)]
    rows += [("FEW", "service_eval", Q3, 95.0)] * 3
    rows += [("MANY", "service_eval", Q3, 95.0)] * 300
    codes = [f"P{i:02d}" for i in range(20)] + ["FEW", "MANY"]
    post = qs.shrink(
        qs.summarise(_events(rows), "2025Q3", rules), _orgs(codes, "居家服务商"), rules
    )
    post = post.set_index("org_code")
    few, many = post.loc["FEW"], post.loc["MANY"]
    assert few["mean"] == many["mean"] == 95.0
    assert (few["mean"] - few["post"]) > 5 * (many["mean"] - many["post"])
    assert few["post_var"] > many["post_var"]


def test_a_weight_change_changes_the_scores_as_documented(tmp_path):
    events = _events(
        [(o, "civil_check", Q3, v) for o, v in (("A", 100), ("A", 90), ("B", 60), ("B", 70))]
        + [(o, "guidance", Q3, v) for o, v in (("A", 50), ("A", 60), ("B", 100), ("B", 90))]
    )
    orgs = _orgs(["A", "B"])
    before = qs.score_quarter(events, orgs, "2025Q3", _rules(tmp_path, min_n=2)).orgs.set_index(
        "org_code"
    )
    weights = yaml.safe_load(SEED.read_text(encoding="utf-8"))["weights"]
    weights["养老机构"] = {"civil_check": 3, "guidance": 1}  # need not sum to 1
    rules = _rules(tmp_path, weights=weights, min_n=2)
    after = qs.score_quarter(events, orgs, "2025Q3", rules).orgs.set_index("org_code")
    for code in "AB":
        # documented: total = sum(w_d * dimension_d) / sum(w_d), dimensions unchanged
        assert after.loc[code, "civil_check_score"] == before.loc[code, "civil_check_score"]
        expected = (
            3 * after.loc[code, "civil_check_score"] + after.loc[code, "guidance_score"]
        ) / 4
        assert after.loc[code, "total_score"] == pytest.approx(expected)
        assert after.loc[code, "total_score"] != pytest.approx(before.loc[code, "total_score"])
    assert after.loc["A", "total_score"] > before.loc["A", "total_score"]  # A is better at checks


def test_same_data_same_scores(tmp_path):
    rules = _rules(tmp_path, min_n=1)
    events = _events(
        [(o, "civil_check", Q3, float(v)) for o, v in zip("ABAB", (90, 80, 70, 60), strict=True)]
    )
    one = qs.score_quarter(events, _orgs(["A", "B"]), "2025Q3", rules).orgs
    two = qs.score_quarter(
        events.sample(frac=1, random_state=3), _orgs(["B", "A"]), "2025Q3", rules
    ).orgs
    cols = ["org_code", "total_score", "lower_90", "upper_90"]
    pd.testing.assert_frame_equal(one[cols].sort_values("org_code").reset_index(drop=True),
                                  two[cols].sort_values("org_code").reset_index(drop=True))  # fmt: skip
