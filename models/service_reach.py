"""The 15-minute service circle (15分钟养老服务圈, seed 004 §2.3): who is within reach of a
community facility, where the elders live (H3 hexagons, counts only), and where a new facility
would reach the most elders who have none.

Pure functions over DataFrames; ``pipelines/models.py`` reads the marts, calls ``compute`` and
writes the three tables. The rules live in ``seeds/service_circle.yml`` (docs/maps.md):

- **Within reach**: straight-line (haversine) distance to the nearest facility × the detour
  factor ≤ ``reach_m``. Nearest neighbours with scikit-learn's ``BallTree(metric="haversine")``.
- **Areas**: an elder belongs to the county and town of their area codes (never to the polygon
  their point falls in: the boundaries are coarse at the borders).
- **Hexagons**: H3 cells per county (a cell on a border gives one row per county, each counting
  only that county's elders, so a county's view holds none of its neighbour's). Top-down from
  the coarsest resolution: a cell is split into its children when each non-empty child holds at
  least ``min_elders_per_cell`` elders, else published whole; a coarsest cell below that is
  suppressed.
- **Gap candidates**: greedy per county over the finest cells whose centre has no facility
  within reach: the cell whose own and ring-1 neighbours' elders not reached are the most is
  taken, those elders are then counted as served, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import h3
import numpy as np
import pandas as pd
import yaml
from sklearn.neighbors import BallTree

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
EARTH_RADIUS_M = 6_371_008.8
AREA_LEVELS = ("city", "county", "town")


# Inputs, from the marts (column names as ``compute`` takes them).
ELDERS_SQL = (
    "select county_code, town_code, cast(home_lng as double precision) as lng,"
    " cast(home_lat as double precision) as lat"
    " from marts.dim_elder where is_live and not is_deceased"
)
ELDER_COLUMNS = ("county_code", "town_code", "lng", "lat")
# Operating facilities: live, and status '0' (the vendor's RuoYi code for 正常; '1' is 停用).
FACILITIES_SQL = (
    "select org_code, org_type, county_code, town_code, lng, lat"
    " from marts.dim_org where is_live and status = '0'"
)
FACILITY_COLUMNS = ("org_code", "org_type", "county_code", "town_code", "lng", "lat")
AREAS_SQL = (
    "select case area_level when 1 then 'city' when 2 then 'county' else 'town' end,"
    " area_code, area_name, county_code, town_code from marts.dim_area where area_level <= 3"
)
AREA_COLUMNS = ("area_level", "area_code", "area_name", "county_code", "town_code")

# Outputs, in schema marts (models/warehouse_tables.py adds computed_at).
TABLES = {
    "agg_service_reach": (
        "area_level text not null, area_code text not null, area_name text, county_code text,"
        " town_code text, elders_located bigint not null,"
        " elders_reached bigint not null, reach_share double precision,"
        " facilities bigint not null, reach_m double precision not null,"
        " detour_factor double precision not null"
    ),
    "agg_elder_hex": (
        "county_code text not null, h3_cell text not null, resolution integer not null,"
        " town_code text, elders bigint not null, elders_reached bigint not null,"
        " reach_share double precision not null, center_lng double precision not null,"
        " center_lat double precision not null, area_km2 double precision not null,"
        " elders_per_km2 double precision not null"
    ),
    "service_gap_candidate": (
        "county_code text not null, county_rank integer not null, h3_cell text not null,"
        " town_code text, center_lng double precision not null,"
        " center_lat double precision not null, elders_not_reached bigint not null,"
        " nearest_facility_m double precision, nearest_org_code text,"
        " reach_m double precision not null"
    ),
}


@dataclass(frozen=True)
class Circle:
    reach_m: float
    detour_factor: float
    facility_types: tuple[str, ...]
    h3_resolution: int
    h3_coarsest_resolution: int
    min_elders_per_cell: int
    gap_min_elders: int
    candidates_per_county: int

    @property
    def straight_line_m(self) -> float:
        """The crow-fly distance that counts as within reach."""
        return self.reach_m / self.detour_factor


def load_circle(path: Path = SEEDS_DIR / "service_circle.yml") -> Circle:
    with open(path, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    circle = Circle(
        reach_m=float(raw["reach_m"]),
        detour_factor=float(raw["detour_factor"]),
        facility_types=tuple(raw["facility_types"]),
        h3_resolution=int(raw["h3_resolution"]),
        h3_coarsest_resolution=int(raw["h3_coarsest_resolution"]),
        min_elders_per_cell=int(raw["min_elders_per_cell"]),
        gap_min_elders=int(raw["gap_min_elders"]),
        candidates_per_county=int(raw["candidates_per_county"]),
    )
    if not (
        circle.reach_m > 0
        and circle.detour_factor >= 1
        and 0 <= circle.h3_coarsest_resolution <= circle.h3_resolution <= 15
        and circle.min_elders_per_cell >= 1
    ):
        raise ValueError(f"{path}: reach_m > 0, detour_factor >= 1, 0 <= coarsest <= h3 <= 15")
    return circle


@dataclass
class Outputs:
    reach: pd.DataFrame  # marts.agg_service_reach
    hexes: pd.DataFrame  # marts.agg_elder_hex
    gaps: pd.DataFrame  # marts.service_gap_candidate


def walking_m(
    lng: np.ndarray, lat: np.ndarray, facilities: pd.DataFrame, detour_factor: float
) -> tuple[np.ndarray, np.ndarray]:
    """Estimated walking distance (m) to the nearest facility and that facility's row number
    (-1 and infinity without any facility)."""
    if len(facilities) == 0 or len(lng) == 0:
        return np.full(len(lng), np.inf), np.full(len(lng), -1)
    tree = BallTree(np.radians(facilities[["lat", "lng"]].to_numpy(float)), metric="haversine")
    dist, idx = tree.query(np.radians(np.column_stack([lat, lng]).astype(float)), k=1)
    return dist[:, 0] * EARTH_RADIUS_M * detour_factor, idx[:, 0]


def cells(lng: np.ndarray, lat: np.ndarray, resolution: int) -> np.ndarray:
    return np.array(
        [h3.latlng_to_cell(y, x, resolution) for x, y in zip(lng, lat, strict=True)], dtype=object
    )


def compute(
    elders: pd.DataFrame, facilities: pd.DataFrame, areas: pd.DataFrame, circle: Circle
) -> Outputs:
    """``elders``: one row per living elder (county_code, town_code, lng, lat; no location =
    NaN). ``facilities``: org_code, org_type, county_code, town_code, lng, lat (the operating
    ones). ``areas``: area_level (city/county/town), area_code, area_name, county_code,
    town_code."""
    fac = facilities[
        facilities["org_type"].isin(circle.facility_types)
        & facilities["lng"].notna()
        & facilities["lat"].notna()
    ].reset_index(drop=True)
    located = elders[elders["lng"].notna() & elders["lat"].notna()].reset_index(drop=True)
    lng, lat = located["lng"].to_numpy(float), located["lat"].to_numpy(float)
    walk, _ = walking_m(lng, lat, fac, circle.detour_factor)
    located = located.assign(
        reached=walk <= circle.reach_m, cell=cells(lng, lat, circle.h3_resolution)
    )
    return Outputs(
        reach=area_reach(located, fac, areas, circle),
        hexes=hexagons(located, circle),
        gaps=gap_candidates(located, fac, circle),
    )


def area_reach(
    located: pd.DataFrame,
    facilities: pd.DataFrame,
    areas: pd.DataFrame,
    circle: Circle,
) -> pd.DataFrame:
    """One row per area (city, county, town): elders located, reached, share, facilities."""

    def counts(df: pd.DataFrame, key: str | None, value: str | None = None) -> pd.Series:
        keys = df[key] if key else pd.Series("city", index=df.index)
        return (df[value] if value else pd.Series(1, index=df.index)).groupby(keys).sum()

    parts = []
    for level, key in zip(AREA_LEVELS, (None, "county_code", "town_code"), strict=True):
        rows = areas[areas["area_level"] == level].copy()
        lookup = "city" if key is None else rows["area_code"]
        for column, df, value in (
            ("elders_located", located, None),
            ("elders_reached", located, "reached"),
            ("facilities", facilities, None),
        ):
            series = counts(df, key, value)
            if key is None:
                rows[column] = int(series.get("city", 0))
            else:
                rows[column] = lookup.map(series).fillna(0).astype("int64")
        parts.append(rows)
    out = pd.concat(parts, ignore_index=True)
    out["reach_share"] = np.where(
        out["elders_located"] > 0,
        out["elders_reached"] / out["elders_located"].where(out["elders_located"] > 0, 1),
        np.nan,
    )
    out["reach_m"] = circle.reach_m
    out["detour_factor"] = circle.detour_factor
    columns = [
        "area_level", "area_code", "area_name", "county_code", "town_code", "elders_located", "elders_reached", "reach_share", "facilities", "reach_m",
        "detour_factor",
    ]  # fmt: skip
    return out[columns]


def _majority(values: pd.Series) -> str | None:
    """The most frequent value; ties to the smallest, so the result does not depend on order."""
    counts = values.dropna().value_counts()
    if counts.empty:
        return None
    return str(min(counts[counts == counts.max()].index))


def _publishable(located: pd.DataFrame, circle: Circle) -> pd.Series:
    """Each elder's published cell (top-down split rule), or None where suppressed."""
    k = circle.min_elders_per_cell
    levels = range(circle.h3_coarsest_resolution, circle.h3_resolution + 1)
    parent = {
        r: located["cell"].map(lambda c, r=r: h3.cell_to_parent(c, r)) for r in levels
    }  # the finest level maps a cell onto itself
    published = pd.Series(None, index=located.index, dtype=object)
    sizes = parent[levels[0]].value_counts()
    open_rows = parent[levels[0]].map(sizes) >= k  # below k at the coarsest: suppressed
    for r in levels:
        if r == circle.h3_resolution:
            published[open_rows] = parent[r][open_rows]
            break
        child = parent[r + 1][open_rows]
        child_size = child.map(child.value_counts())
        smallest_child = child_size.groupby(parent[r][open_rows]).min()
        split = parent[r][open_rows].map(smallest_child) >= k
        whole = split.index[~split]
        published[whole] = parent[r][whole]
        open_rows = pd.Series(False, index=located.index)
        open_rows[split.index[split]] = True
    return published


def hexagons(located: pd.DataFrame, circle: Circle) -> pd.DataFrame:
    """Elder counts per county and H3 cell (never fewer than ``min_elders_per_cell``)."""
    columns = [
        "county_code", "h3_cell", "resolution", "town_code", "elders", "elders_reached",
        "reach_share", "center_lng", "center_lat", "area_km2", "elders_per_km2",
    ]  # fmt: skip
    rows = []
    for county, group in located.groupby("county_code", sort=True):
        cell = _publishable(group, circle)
        kept = group.assign(h3_cell=cell).dropna(subset=["h3_cell"])
        for h3_cell, members in kept.groupby("h3_cell", sort=True):
            lat, lng = h3.cell_to_latlng(h3_cell)
            area = h3.cell_area(h3_cell, "km^2")
            n, reached = len(members), int(members["reached"].sum())
            rows.append(
                (county, h3_cell, h3.get_resolution(h3_cell), _majority(members["town_code"]),
                 n, reached, reached / n, lng, lat, area, n / area)
            )  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def gap_candidates(located: pd.DataFrame, facilities: pd.DataFrame, circle: Circle) -> pd.DataFrame:
    """Ranked candidate sites per county (greedy: each elder counted for one candidate)."""
    columns = [
        "county_code", "county_rank", "h3_cell", "town_code", "center_lng", "center_lat",
        "elders_not_reached", "nearest_facility_m", "nearest_org_code", "reach_m",
    ]  # fmt: skip
    rows = []
    for county, group in located.groupby("county_code", sort=True):
        unreached = group[~group["reached"]]
        need = unreached.groupby("cell").size().to_dict()
        towns = unreached.groupby("cell")["town_code"].agg(list).to_dict()
        sites = sorted({s for c in need for s in h3.grid_disk(c, 1)})
        if not sites:
            continue
        centre = np.array([h3.cell_to_latlng(s) for s in sites])
        walk, nearest = walking_m(centre[:, 1], centre[:, 0], facilities, circle.detour_factor)
        open_sites = {s: i for i, s in enumerate(sites) if walk[i] > circle.reach_m}
        disk = {s: h3.grid_disk(s, 1) for s in open_sites}
        demand = {s: sum(need.get(c, 0) for c in disk[s]) for s in open_sites}
        for rank in range(1, circle.candidates_per_county + 1):
            if not demand:
                break
            best = min(demand, key=lambda s: (-demand[s], s))  # ties: the smallest cell
            if demand[best] < circle.gap_min_elders:
                break
            served = [t for c in disk[best] if need.get(c) for t in towns[c]]
            for c in disk[best]:
                need.pop(c, None)
            count = demand.pop(best)
            for s in h3.grid_disk(best, 2):  # the sites whose disk overlaps the one taken
                if s in demand:
                    demand[s] = sum(need.get(c, 0) for c in disk[s])
            i = open_sites[best]
            j = nearest[i]
            rows.append(
                (county, rank, best, _majority(pd.Series(served)), centre[i, 1], centre[i, 0],
                 count, float(walk[i]) if np.isfinite(walk[i]) else None,
                 facilities["org_code"].iat[j] if j >= 0 else None, circle.reach_m)
            )  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
