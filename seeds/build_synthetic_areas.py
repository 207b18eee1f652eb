"""Writes towns.csv and communities.csv: synthetic names under the nine real counties.

Run once by hand (``python seeds/build_synthetic_areas.py``); its output is committed. The
codes follow the statistical scheme: town = county (6) + 3 digits (001-099 streets 街道,
100-199 towns 镇), community/village = town (9) + 3 digits (001-099 社区, 200-299 村).
Names are made up. Town centres lie inside their county's real boundary
(``zhanjiang_counties.geojson``): streets (街道, the county town) near the county seat, towns
(镇) spread over the county, each the best of 30 random candidates (farthest from the centres
already placed and from the boundary), so they cover the county like real townships do.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

HERE = Path(__file__).parent
CANDIDATES = 30
STREET_SPREAD = 0.03  # degrees around the county seat
# county code -> (streets, towns); close to the real counts, names are synthetic
COUNTS = {
    "440802": (8, 0),
    "440803": (10, 0),
    "440804": (3, 4),
    "440811": (3, 4),
    "440823": (0, 15),
    "440825": (1, 13),
    "440881": (3, 18),
    "440882": (3, 18),
    "440883": (5, 10),
}
SYLLABLES = list("东西南北中新安和平乐康宁福寿海港湖山岭田河江湾岗塘村城桥林荔青石龙凤金")


def _name(rng: np.random.Generator, used: set[str]) -> str:
    while True:
        name = "".join(rng.choice(SYLLABLES, 2))
        if name[0] != name[1] and name not in used:
            used.add(name)
            return name


def _boundaries() -> dict[str, shapely.Geometry]:
    with open(HERE / "zhanjiang_counties.geojson", encoding="utf-8") as f:
        features = json.load(f)["features"]
    out = {f["properties"]["area_code"]: shape(f["geometry"]) for f in features}
    for geom in out.values():
        shapely.prepare(geom)
    return out


def _place(
    rng: np.random.Generator,
    county: shapely.Geometry,
    seat: tuple[float, float],
    placed: list[tuple[float, float]],
    street: bool,
) -> tuple[float, float]:
    """A town centre inside the county: the candidate farthest from the centres placed so far."""
    x0, y0, x1, y1 = county.bounds
    candidates: list[tuple[float, float]] = []
    while len(candidates) < CANDIDATES:
        if street:
            x = seat[0] + rng.normal(0, STREET_SPREAD)
            y = seat[1] + rng.normal(0, STREET_SPREAD * 0.8)
        else:
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if shapely.contains_xy(county, x, y):
            candidates.append((x, y))
    if not placed:
        return candidates[0]
    pts, done = np.array(candidates), np.array(placed)
    gap = np.min(
        np.hypot(pts[:, None, 0] - done[None, :, 0], pts[:, None, 1] - done[None, :, 1]), 1
    )
    # twice the distance to the boundary counts too, or the farthest points crowd the coast
    edge = 2 * shapely.distance(county.boundary, shapely.points(pts))
    return candidates[int(np.argmax(np.minimum(gap, edge)))]


def main() -> None:
    rng = np.random.default_rng(2260)
    place_rng = np.random.default_rng(2261)
    boundaries = _boundaries()
    with open(HERE / "counties.csv", encoding="utf-8") as f:
        counties = {r["area_code"]: r for r in csv.DictReader(f)}
    towns, comms, used = [], [], set()
    for code, (streets, townships) in COUNTS.items():
        c = counties[code]
        seat = (float(c["lng"]), float(c["lat"]))
        placed: list[tuple[float, float]] = []
        for i in range(streets + townships):
            is_street = i < streets
            num = i + 1 if is_street else 100 + i - streets + 1
            tcode = f"{code}{num:03d}"
            tname = _name(rng, used) + ("街道" if is_street else "镇")
            rng.normal(size=2)  # the former offset from the seat: drawn so names stay the same
            lng, lat = _place(place_rng, boundaries[code], seat, placed, is_street)
            placed.append((lng, lat))
            weight = round(float(rng.lognormal(0, 0.4)), 3)
            towns.append([tcode, tname, code, 3, f"{lng:.5f}", f"{lat:.5f}", weight, 1])
            n_comm = int(rng.integers(3, 7))
            for j in range(n_comm):
                urban = is_street or j == 0
                ccode = f"{tcode}{(j + 1) if urban else 200 + j:03d}"
                cname = _name(rng, used) + ("社区" if urban else "村")
                comms.append([ccode, cname, tcode, 4, 1])
    header = ["area_code", "area_name", "parent_code", "area_level"]
    with open(HERE / "towns.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([*header, "lng", "lat", "weight", "synthetic"])
        w.writerows(towns)
    with open(HERE / "communities.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([*header, "synthetic"])
        w.writerows(comms)


if __name__ == "__main__":
    main()
