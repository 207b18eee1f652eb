"""存疑工单审核: the queue sorted by money at risk and scoped to the viewer's county, the order
card, and a decision written to the application database (audited) that the queue then shows."""

from __future__ import annotations

import sqlalchemy as sa
from cockpit_helpers import CITY_VIEWER, county_viewer, run_page, sql

from cockpit.data import warning
from cockpit.scope import Scope
from eldercare import review
from eldercare.appdb import engine


def _queue_sql(path, county=None) -> list[tuple]:
    where, params = (" where county_code = ?", (county,)) if county else ("", ())
    return sql(path, "select order_id, money_at_risk from marts.suspicious_order"
               f"{where} order by money_at_risk desc, warning_score desc, order_id", params)  # fmt: skip


def test_queue_is_sorted_by_money_at_risk_and_scoped(cockpit_env):
    city = warning.queue(Scope())
    assert list(city["order_id"]) == [r[0] for r in _queue_sql(cockpit_env)][: len(city)]
    assert city["money_at_risk"].is_monotonic_decreasing
    county = city["county_code"].dropna().iloc[0]
    own = warning.queue(Scope(county))
    assert set(own["county_code"]) == {county}
    assert len(own) == len(_queue_sql(cockpit_env, county))
    by_county = warning.queue_by_county(Scope())
    assert by_county["orders"].sum() == len(_queue_sql(cockpit_env))


def test_order_card_outside_the_scope_is_empty(cockpit_env):
    city = warning.queue(Scope())
    row = city.dropna(subset=["county_code"]).iloc[0]
    other = next(c for c in city["county_code"].dropna() if c != row["county_code"])
    assert len(warning.order_card(Scope(row["county_code"]), int(row["order_id"]))["order"]) == 1
    card = warning.order_card(Scope(other), int(row["order_id"]))
    assert all(len(df) == 0 for df in card.values())


def test_page_shows_the_queue_and_records_a_decision(cockpit_env, app_db_url):
    at = run_page("order_review", CITY_VIEWER)
    assert not at.exception, at.exception
    first = _queue_sql(cockpit_env)[0][0]
    assert at.selectbox(key="rv_order").value == first
    at.radio[0].set_value("confirm")
    at.text_input[0].set_value("核实未上门")
    submit = next(b for b in at.button if b.label == "提交")
    submit.click().run()
    assert not at.exception, at.exception
    log = review.decisions_frame(engine(app_db_url), [first])
    assert list(log["action"]) == ["confirm"] and log["reviewer"].iloc[0] == "leader"
    assert review.current_states(log)[first] == "已作废"
    with engine(app_db_url).begin() as conn:  # leave the shared app database as it was
        conn.execute(
            sa.text("delete from order_review_decisions where order_id = :o"), {"o": first}
        )


def test_county_user_sees_only_their_county(cockpit_env):
    county = sql(cockpit_env, "select county_code from marts.suspicious_order "
                 "where county_code is not null order by money_at_risk desc limit 1")[0][0]  # fmt: skip
    at = run_page("order_review", county_viewer(county))
    assert not at.exception, at.exception
    shown = at.dataframe[1].value
    assert len(shown) == len(_queue_sql(cockpit_env, county)) or len(shown) <= 500
