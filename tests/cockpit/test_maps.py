"""设施分布与服务圈 and the overview's area map: numbers equal SQL on the marts, the decks hold no
external URL, and a county user's maps hold no row of another county."""

from __future__ import annotations

import json

import pytest
from cockpit_helpers import CITY_VIEWER, county_viewer, metric, run_page, sql

from cockpit.scope import Scope
from eldercare.accounts import county_names
from models.service_reach import load_circle

CIRCLE = load_circle()
TYPES = ", ".join(f"'{t}'" for t in CIRCLE.facility_types)


def _decks(at) -> list[dict]:
    return [json.loads(el.proto.json) for el in at.get("deck_gl_json_chart")]


def _layer_rows(decks: list[dict], layer_id: str) -> list[dict]:
    return [
        row
        for deck in decks
        for layer in deck["layers"]
        if layer.get("id") == layer_id
        for row in layer["data"]
    ]


def _located(path, county=None) -> int:
    query = (
        "select count(*) from marts.dim_elder where is_live and not is_deceased"
        " and home_lng is not null and home_lat is not null"
    )
    if county:
        return sql(path, query + " and county_code = ?", (county,))[0][0]
    return sql(path, query)[0][0]


def test_the_build_published_the_spatial_tables(cockpit_env) -> None:
    """eldercare build's publish step (the fixture) ran the models group."""
    for table in ("agg_service_reach", "agg_elder_hex", "service_gap_candidate"):
        assert sql(cockpit_env, f"select count(*) from marts.{table}")[0][0] > 0, table


def test_city_maps_page_shows_the_marts_numbers(cockpit_env) -> None:
    at = run_page("maps", CITY_VIEWER)
    assert not at.exception, at.exception
    share = sql(cockpit_env, "select reach_share from marts.agg_service_reach"
                " where area_level = 'city'")[0][0]  # fmt: skip
    assert metric(at, "服务圈覆盖率") == f"{share * 100:.1f} %"
    assert metric(at, "有住址坐标的长者") == f"{_located(cockpit_env):,} 人"
    facilities = sql(
        cockpit_env,
        f"select count(*) from marts.dim_org where is_live and status = '0'"
        f" and org_type in ({TYPES}) and lng is not null and lat is not null",
    )[0][0]
    assert metric(at, "社区养老设施") == f"{facilities:,} 家"
    gaps = sql(cockpit_env, "select count(*) from marts.service_gap_candidate")[0][0]
    assert metric(at, "缺口候选点位") == f"{gaps:,} 个"

    decks = _decks(at)
    assert len(decks) == 4  # facilities, heat, service circle (counties), gaps
    text = json.dumps(decks)
    assert "http" not in text  # no tile, style or script from the internet
    assert all(d["mapStyle"] == "/app/static/blank_style.json" for d in decks)
    hexes = {r["h3_cell"] for r in _layer_rows(decks, "elder-hexagons")}
    assert hexes == {c for (c,) in sql(cockpit_env, "select h3_cell from marts.agg_elder_hex")}
    counties = {r["area_code"] for r in _layer_rows(decks, "county-choropleth")}
    assert counties == set(county_names())
    orgs = {r["org_code"] for r in _layer_rows(decks[:1], "facilities")}
    assert orgs == {
        c for (c,) in sql(cockpit_env, "select org_code from marts.dim_org where is_live"
                          " and lng is not null and lat is not null")
    }  # fmt: skip


@pytest.mark.parametrize("county", ["440803", "440882"])
def test_county_user_sees_only_their_county_on_the_maps(cockpit_env, county) -> None:
    other = "440881"
    at = run_page("maps", county_viewer(county), county=other)  # asks for another county
    assert not at.exception, at.exception
    assert metric(at, "有住址坐标的长者") == f"{_located(cockpit_env, county):,} 人"
    decks = _decks(at)
    assert "http" not in json.dumps(decks)
    hexes = {r["h3_cell"] for r in _layer_rows(decks, "elder-hexagons")}
    assert hexes == {
        c for (c,) in sql(cockpit_env, "select h3_cell from marts.agg_elder_hex"
                          " where county_code = ?", (county,))
    }  # fmt: skip
    orgs = {r["org_code"] for r in _layer_rows(decks, "facilities")}
    own = {c for (c,) in sql(cockpit_env, "select org_code from marts.dim_org where is_live"
                             " and lng is not null and county_code = ?", (county,))}  # fmt: skip
    assert orgs and orgs <= own
    sites = _layer_rows(decks, "gap-candidates")
    assert len(sites) == sql(
        cockpit_env, "select count(*) from marts.service_gap_candidate where county_code = ?",
        (county,),
    )[0][0]  # fmt: skip
    # the tables and downloads: only this county's towns and candidates
    for df in (d.value for d in at.dataframe):
        for column in ("县区代码", "区划代码"):
            if column in df.columns:
                assert df[column].astype(str).str.startswith(county).all(), column
        if "县区" in df.columns:
            assert set(df["县区"]) <= {county_names()[county]}


def test_overview_map_of_the_city_and_of_a_county(cockpit_env) -> None:
    at = run_page("overview", CITY_VIEWER)
    assert not at.exception, at.exception
    decks = _decks(at)
    assert len(decks) == 1 and "http" not in json.dumps(decks)
    rows = _layer_rows(decks, "county-choropleth")
    assert {r["area_code"] for r in rows} == set(county_names())
    elders = dict(sql(cockpit_env, "select county_code, count(*) from marts.dim_elder"
                      " where is_live and not is_deceased group by county_code"))  # fmt: skip
    for r in rows:
        assert r["detail"] == f"老年人：{elders[r['area_code']]:,} 人"

    at = run_page("overview", county_viewer("440823"))
    assert not at.exception, at.exception
    decks = _decks(at)
    assert {r["area_code"] for r in _layer_rows(decks, "county-choropleth")} == {"440823"}
    towns = _layer_rows(decks, "towns")
    assert towns and all(r["area_code"].startswith("440823") for r in towns)
    town_elders = dict(sql(cockpit_env, "select town_code, count(*) from marts.dim_elder"
                           " where is_live and not is_deceased and county_code = '440823'"
                           " group by town_code"))  # fmt: skip
    for r in towns:
        assert r["detail"] == f"老年人：{town_elders[r['area_code']]:,} 人"


def test_geo_data_functions_hold_every_county_to_itself(cockpit_env) -> None:
    from cockpit.data import geo

    for county in county_names():
        scope = Scope(county)
        assert set(geo.facilities(scope)["county_code"]) <= {county}
        assert set(geo.elder_hexes(scope)["county_code"]) <= {county}
        assert geo.reach_areas(scope)["area_code"].str.startswith(county).all()
        assert set(geo.reach_counties(scope)["area_code"]) == {county}
        assert set(geo.gap_candidates(scope)["county_code"]) <= {county}
        for metric_key in geo.MAP_METRICS:
            counties, towns = geo.area_map(scope, metric_key)
            assert set(counties["area_code"]) == {county}
            assert towns["area_code"].str.startswith(county).all()
        values = geo.headline(scope)
        assert values["elders_located"] == _located(cockpit_env, county)
