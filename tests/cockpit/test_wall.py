"""大屏模式: the wall rotates through its three views by itself, shows the marts' numbers in the
viewer's scope, and hides the navigation."""

from __future__ import annotations

import pytest
from cockpit_helpers import CITY_VIEWER, county_viewer, metric, run_page, sql

from cockpit import kpis

COUNTY = "440881"
FIRST = {"overview": "老年人总数", "alarms": "今日报警", "service": "服务时长"}


def _view(at) -> str:
    labels = {m.label for m in at.metric}
    found = [view for view, label in FIRST.items() if label in labels]
    assert len(found) == 1, labels
    return found[0]


def _footer(at) -> str:
    return next(m.value for m in at.markdown if 'class="wall-foot"' in m.value)


def test_the_wall_rotates_through_three_views(cockpit_env) -> None:
    at = run_page("wall", CITY_VIEWER)
    assert not at.exception, at.exception
    seen = [_view(at)]
    for _ in range(3):  # each run of the fragment shows the next view
        at.run()
        assert not at.exception, at.exception
        seen.append(_view(at))
    assert seen == ["overview", "alarms", "service", "overview"]
    assert "每 20 秒自动切换" in _footer(at)


def test_start_view_and_interval_come_from_the_url(cockpit_env) -> None:
    at = run_page("wall", CITY_VIEWER, view="service", rotate="45")
    assert not at.exception, at.exception
    assert _view(at) == "service"
    assert "每 45 秒自动切换" in _footer(at)
    at = run_page("wall", CITY_VIEWER, view="nonsense", rotate="1; drop")
    assert _view(at) == "overview" and "每 20 秒自动切换" in _footer(at)
    at = run_page("wall", CITY_VIEWER, rotate="1")
    assert "每 5 秒自动切换" in _footer(at)  # a floor, so the wall never flickers


def test_dark_full_screen_without_navigation(cockpit_env) -> None:
    at = run_page("wall", CITY_VIEWER)
    css = at.markdown[0].value
    assert '[data-testid="stSidebar"]' in css and "display: none" in css
    assert "#060d1a" in css  # the dark background
    # nothing to click on the wall itself (the only button is the hidden sidebar's logout)
    assert [b.label for b in at.button] == ["退出登录"]


@pytest.mark.parametrize(
    ("viewer", "expected"), [(CITY_VIEWER, "440803"), (county_viewer(COUNTY), COUNTY)]
)
def test_the_wall_shows_the_marts_numbers_in_scope(cockpit_env, viewer, expected) -> None:
    """The URL asks for 霞山区: the city leader gets it, a county user stays in their own."""
    at = run_page("wall", viewer, county="440803")
    assert not at.exception, at.exception
    elders = sql(
        cockpit_env,
        "select count(*) from marts.dim_elder where is_live and not is_deceased"
        " and county_code = ?",
        (expected,),
    )[0][0]
    assert metric(at, "老年人总数") == kpis.get("elders").format(elders)
    at.run()  # the alarm board
    today = sql(cockpit_env, "select max(alarm_date) from marts.fct_alarm")[0][0]
    alarms_today, unhandled = sql(
        cockpit_env,
        "select sum(case when alarm_date = ? then 1 else 0 end),"
        " sum(case when is_handled then 0 else 1 end)"
        " from marts.fct_alarm where county_code = ?",
        (today, expected),
    )[0]
    assert metric(at, "今日报警") == kpis.get("alarms_today").format(alarms_today)
    assert metric(at, "未处置报警") == kpis.get("alarms_open").format(unhandled)
    at.run()  # home-service supervision
    month = sql(cockpit_env, "select max(order_month) from marts.fct_work_order")[0][0]
    orders = sql(
        cockpit_env,
        "select count(*) from marts.fct_work_order where order_month = ? and county_code = ?",
        (month, expected),
    )[0][0]
    assert metric(at, "本月工单") == kpis.get("work_orders").format(orders)
