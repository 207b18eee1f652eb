"""The daily inspection plan: reproducible by date, 5 per category per Chinese working day,
every organisation within the quarter, the riskier first."""

import datetime as dt

import chinese_calendar
import pandas as pd
import pytest

from models.inspection_plan import load_sampling, plan

Q3 = (dt.date(2025, 7, 1), dt.date(2025, 9, 30))


@pytest.fixture(scope="module")
def orgs() -> pd.DataFrame:
    rows = []
    sizes = {"居家服务商": 40, "养老机构": 3, "社区照料中心": 12, "长者食堂": 400}
    for category, n in sizes.items():
        for i in range(n):
            rows.append({"org_code": f"{category[:1]}{i:04d}", "org_name": f"{category}{i}",
                         "county_code": "440802", "category": category,
                         "risk_score": ((i * 37) % n) / n, "risk_reasons": "",
                         "days_since_inspection": float(i % 120)})  # fmt: skip
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def quarter(orgs) -> pd.DataFrame:
    return plan(orgs, load_sampling(), *Q3)


def test_five_per_category_per_chinese_working_day(quarter, orgs):
    days = sorted(set(quarter["plan_date"]))
    # the calendar's own word: the Sunday make-up day 2025-09-28 is in, weekends are out
    assert days == [d for d in pd.date_range(*Q3).date if chinese_calendar.is_workday(d)]
    assert dt.date(2025, 9, 28) in days and dt.date(2025, 7, 5) not in days
    per_day = quarter.groupby(["plan_date", "category"]).size().unstack()
    assert (per_day["居家服务商"] == 5).all() and (per_day["社区照料中心"] == 5).all()
    assert (per_day["养老机构"] == 3).all()  # fewer organisations than 5: all of them
    # 400 canteens cannot be covered at 5 a day: the quota grows just enough
    assert (per_day["长者食堂"] >= 5).all() and per_day["长者食堂"].max() <= 400 // len(days) + 2


def test_every_organisation_within_the_quarter(quarter, orgs):
    assert set(quarter["org_code"]) == set(orgs["org_code"])


def test_the_riskier_organisation_comes_first(quarter, orgs):
    first = quarter[quarter["plan_date"] == quarter["plan_date"].min()]
    for category, rows in first.groupby("category"):
        pool = orgs[orgs["category"] == category]
        top = pool.sort_values(["risk_score", "org_code"], ascending=[False, True]).head(len(rows))
        assert list(rows.sort_values("risk_rank")["org_code"]) == list(top["org_code"])
        assert rows.sort_values("risk_rank")["risk_score"].is_monotonic_decreasing


def test_a_day_is_reproducible_on_its_own(quarter, orgs):
    day = dt.date(2025, 8, 20)
    alone = plan(orgs, load_sampling(), day, day)
    again = plan(orgs.sample(frac=1, random_state=5), load_sampling(), day, day)
    expected = quarter[quarter["plan_date"] == day].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, expected)
    pd.testing.assert_frame_equal(again, expected)
