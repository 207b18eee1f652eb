"""The 15-minute service circle (models/service_reach.py) against an independent oracle: brute-
force haversine distances over the tiny data, written here with the textbook formula."""

from __future__ import annotations

import math
import shutil
from collections import Counter

import dagster as dg
import duckdb
import h3
import numpy as np
import pandas as pd
import pytest

from models import service_reach as sr
from models.warehouse_tables import read_frame, replace_tables
from pipelines.models import service_reach_assets
from pipelines.resources import WarehouseResource

CIRCLE = sr.load_circle()
R = 6_371_008.8


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(a))


def nearest_walk_m(lng: float, lat: float, facilities: list[tuple]) -> float:
    return min(haversine_m(lng, lat, x, y) for x, y in facilities) * CIRCLE.detour_factor


@pytest.fixture(scope="module")
def published(built_duckdb_warehouse, tmp_path_factory):
    """A copy of the tiny warehouse with the service-reach asset materialised by Dagster."""
    path = tmp_path_factory.mktemp("reach") / "warehouse.duckdb"
    shutil.copy2(built_duckdb_warehouse, path)
    result = dg.materialize(
        [service_reach_assets], resources={"warehouse": WarehouseResource(target=str(path))}
    )
    assert result.success
    metadata = {
        e.asset_key.path[-1]: {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }
    con = duckdb.connect(str(path), read_only=True)
    yield con, metadata
    con.close()


@pytest.fixture(scope="module")
def truth(published):
    """Per elder (living, located): county, town, point, reached by brute force."""
    con, _ = published
    types = ", ".join(f"'{t}'" for t in CIRCLE.facility_types)
    facilities = con.execute(
        f"select lng, lat, org_code, county_code, town_code from marts.dim_org where is_live"
        f" and status = '0' and org_type in ({types}) and lng is not null and lat is not null"
    ).fetchall()
    elders = con.execute(
        "select county_code, town_code, cast(home_lng as double), cast(home_lat as double)"
        " from marts.dim_elder where is_live and not is_deceased and home_lng is not null"
        " and home_lat is not null"
    ).fetchall()
    points = [(x, y) for x, y, *_ in facilities]
    rows = [(c, t, x, y, nearest_walk_m(x, y, points) <= CIRCLE.reach_m) for c, t, x, y in elders]
    return pd.DataFrame(rows, columns=["county", "town", "lng", "lat", "reached"]), facilities


def test_detour_factor_and_reach_on_hand_placed_points() -> None:
    """700 m as the crow flies × 1.3 = 910 m walking: within 1,000 m; 800 m × 1.3 is not."""
    lat0, lng0 = 21.2, 110.4
    dlat = 1 / 111_195  # degrees per metre north (R = 6,371,008.8 m)
    elders = pd.DataFrame(
        {"county_code": ["440802"] * 3, "town_code": ["440802001"] * 3,
         "lng": [lng0] * 3, "lat": [lat0 + 700 * dlat, lat0 + 800 * dlat, None]}
    )  # fmt: skip
    facilities = pd.DataFrame(
        {"org_code": ["O1", "O2"], "org_type": ["长者食堂", "居家服务商"],
         "county_code": ["440802"] * 2, "town_code": [None] * 2,
         "lng": [lng0, lng0], "lat": [lat0, lat0 + 750 * dlat]}
    )  # fmt: skip
    areas = pd.DataFrame(
        {"area_level": ["city", "county", "town"], "area_code": ["440800", "440802", "440802001"],
         "area_name": ["湛江市", "赤坎区", "寿南街道"], "county_code": [None, "440802", "440802"],
         "town_code": [None, None, "440802001"]}
    )  # fmt: skip
    out = sr.compute(elders, facilities, areas, CIRCLE)
    city = out.reach.set_index("area_level").loc["city"]
    # the home-service provider 50 m away does not count: it is not a community facility
    assert (city["elders_located"], city["elders_reached"], city["facilities"]) == (2, 1, 1)
    assert city["reach_share"] == 0.5
    assert out.hexes.empty  # 2 elders: below the 5 a hexagon must hold, suppressed


def test_area_reach_equals_brute_force(published, truth) -> None:
    con, _ = published
    elders, facilities = truth
    got = {
        (level, code): (located, reached, n_fac)
        for level, code, located, reached, n_fac in con.execute(
            "select area_level, area_code, elders_located, elders_reached, facilities"
            " from marts.agg_service_reach"
        ).fetchall()
    }
    assert got[("city", "440800")] == (len(elders), int(elders["reached"].sum()), len(facilities))
    for county, group in elders.groupby("county"):
        n_fac = sum(1 for f in facilities if f[3] == county)
        assert got[("county", county)] == (len(group), int(group["reached"].sum()), n_fac)
    for town, group in elders.groupby("town"):
        assert got[("town", town)][:2] == (len(group), int(group["reached"].sum()))
    assert 0 < elders["reached"].sum() < len(elders)  # the tiny data has both kinds


def test_hexagons_count_elders_without_overlap_or_small_cells(published, truth) -> None:
    con, _ = published
    elders, _ = truth
    hexes = con.execute(
        "select county_code, h3_cell, resolution, elders, elders_reached from marts.agg_elder_hex"
    ).fetchall()
    assert hexes
    fine = CIRCLE.h3_resolution
    cells = [
        h3.latlng_to_cell(y, x, fine) for x, y in zip(elders["lng"], elders["lat"], strict=True)
    ]
    elders = elders.assign(cell=cells)
    covered = Counter()
    for county, cell, resolution, n, reached in hexes:
        assert n >= CIRCLE.min_elders_per_cell
        assert CIRCLE.h3_coarsest_resolution <= resolution == h3.get_resolution(cell) <= fine
        members = elders[
            (elders["county"] == county)
            & (elders["cell"].map(lambda c, r=resolution: h3.cell_to_parent(c, r)) == cell)
        ]
        assert (len(members), int(members["reached"].sum())) == (n, reached), cell
        covered[county] += n
    # no published cell inside another of its county: each elder counted at most once
    by_county: dict[str, set[str]] = {}
    for county, cell, *_ in hexes:
        by_county.setdefault(county, set()).add(cell)
    for county, county_cells in by_county.items():
        for cell in county_cells:
            for r in range(CIRCLE.h3_coarsest_resolution, h3.get_resolution(cell)):
                assert h3.cell_to_parent(cell, r) not in county_cells
        assert covered[county] <= (elders["county"] == county).sum()


def test_gap_candidates_have_no_facility_in_reach_and_rank_by_elders(published, truth) -> None:
    con, _ = published
    elders, facilities = truth
    gaps = con.execute(
        "select county_code, county_rank, h3_cell, center_lng, center_lat, elders_not_reached,"
        " nearest_facility_m from marts.service_gap_candidate order by county_code, county_rank"
    ).fetchall()
    assert gaps, "the tiny data has places without a facility in reach"
    points = [(x, y) for x, y, *_ in facilities]
    unreached = elders[~elders["reached"]].assign(
        cell=[h3.latlng_to_cell(y, x, CIRCLE.h3_resolution)
              for x, y in zip(elders.loc[~elders["reached"], "lng"],
                              elders.loc[~elders["reached"], "lat"], strict=True)]
    )  # fmt: skip
    for county in {g[0] for g in gaps}:
        rows = [g for g in gaps if g[0] == county]
        assert [g[1] for g in rows] == list(range(1, len(rows) + 1))
        assert len(rows) <= CIRCLE.candidates_per_county
        counts = [g[5] for g in rows]
        assert counts == sorted(counts, reverse=True)
        assert min(counts) >= CIRCLE.gap_min_elders
        for _, _, cell, lng, lat, _, nearest in rows:
            assert (lat, lng) == pytest.approx(h3.cell_to_latlng(cell))
            walk = nearest_walk_m(lng, lat, points)
            assert walk > CIRCLE.reach_m
            assert nearest == pytest.approx(walk, abs=1.0)
        # the first candidate's count: every elder not reached in its cell and ring-1 neighbours
        first = rows[0]
        disk = set(h3.grid_disk(first[2], 1))
        own = unreached[(unreached["county"] == county) & unreached["cell"].isin(disk)]
        assert first[5] == len(own)


def test_asset_metadata_records_counts_and_seconds(published, truth) -> None:
    _, metadata = published
    elders, facilities = truth
    reach = metadata["agg_service_reach"]
    assert reach["elders_located"] == len(elders)
    assert reach["elders_reached"] == int(elders["reached"].sum())
    assert reach["facilities"] == len(facilities)
    assert reach["seconds"] > 0
    hexes = metadata["agg_elder_hex"]
    assert hexes["elders_in_cells"] + hexes["elders_suppressed"] == len(elders)


def test_the_asset_sits_in_group_models_downstream_of_the_dimensions(defs) -> None:
    graph = defs.resolve_asset_graph()
    for name in ("agg_service_reach", "agg_elder_hex", "service_gap_candidate"):
        key = dg.AssetKey(["marts", name])
        node = graph.get(key)
        assert node.group_name == "models"
        assert {dg.AssetKey(["marts", "dim_elder"]), dg.AssetKey(["marts", "dim_org"])} <= set(
            node.parent_keys
        )
        assert "team:models" in node.owners
    job = defs.resolve_job_def("publish_job")
    assert dg.AssetKey(["marts", "agg_service_reach"]) in job.asset_layer.executable_asset_keys


@pytest.mark.postgres
def test_tables_are_replaced_atomically_on_postgres(pg_url) -> None:
    """The writer on PostgreSQL: types, NULLs, a second run replacing the first."""
    from eldercare.warehouse import Warehouse

    df = pd.DataFrame(
        {"county_code": ["440802", "440803"], "county_rank": [1, 2], "h3_cell": ["a", "b"],
         "town_code": [None, "440803001"], "center_lng": [110.1, 110.2],
         "center_lat": [21.1, 21.2], "elders_not_reached": [12, 10],
         "nearest_facility_m": [np.nan, 1500.5], "nearest_org_code": [None, "O1"],
         "reach_m": [1000.0, 1000.0]}
    )  # fmt: skip
    ddl = {"service_gap_candidate": (sr.TABLES["service_gap_candidate"], df)}
    with Warehouse(pg_url).connect() as conn:
        conn.execute("create schema marts")
        assert replace_tables(conn, "marts", ddl) == {"service_gap_candidate": 2}
        replace_tables(
            conn, "marts", {"service_gap_candidate": (ddl["service_gap_candidate"][0], df)}
        )
        back = read_frame(
            conn,
            "select county_code, town_code, nearest_facility_m, computed_at"
            " from marts.service_gap_candidate order by county_rank",
            ("county_code", "town_code", "nearest_facility_m", "computed_at"),
        )
        nulls = conn.scalar(
            "select count(*) from marts.service_gap_candidate"
            " where town_code is null and nearest_facility_m is null"
        )
    assert back["county_code"].tolist() == ["440802", "440803"]
    assert nulls == 1  # NaN and None arrive as NULL
    assert back["nearest_facility_m"].iloc[1] == 1500.5
    assert back["computed_at"].notna().all()
