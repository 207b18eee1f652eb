"""The shipped county boundaries (seeds/zhanjiang_counties.geojson) and the places the generator
puts inside them."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import duckdb
import pytest
import shapely
from shapely.geometry import Point, shape

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _rows(name: str) -> list[dict[str, str]]:
    with open(SEEDS / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def counties() -> dict[str, dict[str, str]]:
    return {r["area_code"]: r for r in _rows("counties.csv") if r["area_level"] == "2"}


@pytest.fixture(scope="module")
def polygons() -> dict[str, shapely.Geometry]:
    with open(SEEDS / "zhanjiang_counties.geojson", encoding="utf-8") as f:
        features = json.load(f)["features"]
    return {f["properties"]["area_code"]: shape(f["geometry"]) for f in features}


def _km2(geom: shapely.Geometry) -> float:
    """Area on the sphere, near enough: degrees² scaled at the polygon's own latitude."""
    lat = math.radians(geom.centroid.y)
    return geom.area * (111.32 * math.cos(lat)) * 110.57


def test_nine_counties_with_the_codes_and_names_of_counties_csv(polygons, counties) -> None:
    with open(SEEDS / "zhanjiang_counties.geojson", encoding="utf-8") as f:
        features = json.load(f)["features"]
    assert len(features) == 9
    assert {f["properties"]["area_code"]: f["properties"]["area_name"] for f in features} == {
        code: row["area_name"] for code, row in counties.items()
    }


def test_polygons_are_valid_and_hold_their_county_seat(polygons, counties) -> None:
    for code, geom in polygons.items():
        assert geom.is_valid, code
        assert geom.geom_type == "MultiPolygon", code
        seat = Point(float(counties[code]["lng"]), float(counties[code]["lat"]))
        assert geom.contains(seat), f"{code}: seat outside its own polygon"
        others = [c for c, g in polygons.items() if c != code and g.contains(seat)]
        assert not others, f"{code}: seat also inside {others}"


def test_total_area_is_that_of_zhanjiang(polygons) -> None:
    total = sum(_km2(g) for g in polygons.values())
    assert 13_000 < total < 14_000, total  # about 13,500 km² (land of the 9 divisions)


def test_every_town_centre_lies_inside_its_county(polygons) -> None:
    towns = _rows("towns.csv")
    outside = [
        t["area_code"]
        for t in towns
        if not polygons[t["parent_code"]].contains(Point(float(t["lng"]), float(t["lat"])))
    ]
    assert len(towns) == 118
    assert outside == []


def test_homes_and_facilities_lie_inside_their_own_county(built_duckdb_warehouse, polygons):
    """The generated tiny data, migrated and cleaned (WGS-84 in the marts): at least 99 % of the
    homes and organisations with a location lie inside their own county's boundary (homes are
    rounded to 0.001° and the boundary is coarse, so a few on the coast may fall just out)."""
    con = duckdb.connect(str(built_duckdb_warehouse), read_only=True)
    try:
        homes = con.execute(
            "select county_code, cast(home_lng as double), cast(home_lat as double)"
            " from marts.dim_elder where home_lng is not null and county_code is not null"
        ).fetchall()
        orgs = con.execute(
            "select county_code, lng, lat from marts.dim_org"
            " where lng is not null and county_code is not null"
        ).fetchall()
    finally:
        con.close()
    for name, rows in (("homes", homes), ("organisations", orgs)):
        assert len(rows) > 50, name
        inside = sum(bool(shapely.contains_xy(polygons[code], x, y)) for code, x, y in rows)
        assert inside / len(rows) >= 0.99, f"{name}: {inside} of {len(rows)} inside"
