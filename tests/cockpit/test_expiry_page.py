"""服务临过期提醒 page: the kinds of entitlement (monthly subsidy, family-bed agreement, ability
re-assessment) are offered and filter the list; a county user's list is their county's and its
head count equals SQL on the mart."""

from __future__ import annotations

from cockpit_helpers import county_viewer, metric, run_page, sql

DATED = ("家庭养老床位服务协议", "能力复评")


def _county_with_dated(path) -> str:
    rows = sql(
        path,
        "select county_code from marts.expiry_reminder where entitlement in (?, ?)"
        " and as_of_date = (select max(as_of_date) from marts.expiry_reminder)"
        " group by 1 order by count(*) desc limit 1",
        DATED,
    )
    assert rows, "the tiny build has a family bed falling due on the latest day"
    return rows[0][0]


def test_expiry_kinds_filter_and_count(cockpit_env) -> None:
    county = _county_with_dated(cockpit_env)
    at = run_page("expiry_reminder", county_viewer(county))
    assert not at.exception
    day = sql(cockpit_env, "select max(as_of_date) from marts.expiry_reminder")[0][0]
    present = {r[0] for r in sql(
        cockpit_env,
        "select distinct entitlement from marts.expiry_reminder where county_code = ?"
        " and entitlement in (?, ?)",
        (county, *DATED),
    )}  # fmt: skip
    kinds = at.selectbox(key="expiry_kind")
    assert kinds.options[0] == "全部" and present <= set(kinds.options)
    everyone = sql(
        cockpit_env,
        "select count(distinct elder_code) from marts.expiry_reminder"
        " where as_of_date = ? and county_code = ?",
        (day, county),
    )[0][0]
    assert metric(at, "需提醒长者") == f"{everyone:,} 人"
    for kind in sorted(present):
        at = at.selectbox(key="expiry_kind").set_value(kind).run()
        assert not at.exception
        table = at.dataframe[0].value
        assert len(table) and set(table["服务权益"]) == {kind}
        expected = sql(
            cockpit_env,
            "select count(*) from marts.expiry_reminder"
            " where as_of_date = ? and county_code = ? and entitlement = ?",
            (day, county, kind),
        )[0][0]
        assert len(table) == expected
