"""总览驾驶舱: the numbers on the page equal SQL on the marts, for the city and a county."""

from __future__ import annotations

import pytest
from cockpit_helpers import CITY_VIEWER, county_viewer, metric, run_page, sql


def _elders(path, county=None) -> int:
    query = "select count(*) from marts.dim_elder where is_live and not is_deceased"
    if county:
        return sql(path, query + " and county_code = ?", (county,))[0][0]
    return sql(path, query)[0][0]


def test_city_overview_shows_the_marts_numbers(cockpit_env) -> None:
    at = run_page("overview", CITY_VIEWER)
    assert not at.exception, at.exception
    assert metric(at, "老年人总数") == f"{_elders(cockpit_env):,} 人"


@pytest.mark.parametrize("asked", [None, "440881"])
def test_county_user_is_held_to_their_county(cockpit_env, asked) -> None:
    """A county user asking for another county in the URL still sees only their own."""
    params = {"county": asked} if asked else {}
    at = run_page("overview", county_viewer("440803"), **params)
    assert not at.exception, at.exception
    assert metric(at, "老年人总数") == f"{_elders(cockpit_env, '440803'):,} 人"
    assert _elders(cockpit_env, "440803") != _elders(cockpit_env)
