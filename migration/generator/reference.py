"""Reference data from seeds/ (counties, towns, communities, catalogue, subsidies, dictionaries)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"

ECONOMIC = ["特困", "低保", "低保边缘", "低收入", "普通"]  # codes '1'..'5'
ABILITY = ["能力完好", "轻度失能", "中度失能", "重度失能", "完全失能"]  # codes '0'..'4'


def read_csv(name: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass(frozen=True)
class Reference:
    city: dict[str, str]
    counties: list[dict[str, str]]
    towns: list[dict[str, str]]
    communities: list[dict[str, str]]
    items: list[dict[str, str]]
    dict_rows: list[dict[str, str]]
    # subsidy[economic 0..4, ability 0..4] in yuan per month
    home_subsidy: np.ndarray
    bed_subsidy: np.ndarray

    @property
    def county_codes(self) -> np.ndarray:
        return np.array([c["area_code"] for c in self.counties])

    @property
    def town_codes(self) -> np.ndarray:
        return np.array([t["area_code"] for t in self.towns])

    def town_county_index(self) -> np.ndarray:
        idx = {c["area_code"]: i for i, c in enumerate(self.counties)}
        return np.array([idx[t["parent_code"]] for t in self.towns])

    def town_xy(self) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.array([float(t["lng"]) for t in self.towns]),
            np.array([float(t["lat"]) for t in self.towns]),
        )

    def town_is_street(self) -> np.ndarray:
        return np.array([t["area_name"].endswith("街道") for t in self.towns])

    def town_weights(self) -> np.ndarray:
        """Share of the city's elders in each town: county population x town weight."""
        pop = {c["area_code"]: float(c["population_2020"]) for c in self.counties}
        w = np.array([float(t["weight"]) for t in self.towns])
        parent = np.array([t["parent_code"] for t in self.towns])
        out = np.empty(len(w))
        for code, p in pop.items():
            m = parent == code
            out[m] = p * w[m] / w[m].sum()
        return out / out.sum()


@lru_cache(maxsize=1)
def load() -> Reference:
    rows = read_csv("counties.csv")
    home = np.zeros((5, 5))
    bed = np.zeros((5, 5))
    for r in read_csv("subsidy_standards.csv"):
        e, a = int(r["economic_type"]) - 1, int(r["ability_level"])
        home[e, a] = float(r["home_service_monthly"])
        bed[e, a] = float(r["family_bed_monthly"])
    return Reference(
        city=rows[0],
        counties=rows[1:],
        towns=read_csv("towns.csv"),
        communities=read_csv("communities.csv"),
        items=read_csv("service_items.csv"),
        dict_rows=read_csv("sys_dict_data.csv"),
        home_subsidy=home,
        bed_subsidy=bed,
    )


@lru_cache(maxsize=1)
def county_boundaries() -> list[shapely.Geometry]:
    """The real county boundaries (prepared for fast point tests), in ``load().counties`` order."""
    with open(SEEDS_DIR / "zhanjiang_counties.geojson", encoding="utf-8") as fh:
        features = {
            f["properties"]["area_code"]: shape(f["geometry"]) for f in json.load(fh)["features"]
        }
    shapes = [features[c["area_code"]] for c in load().counties]
    for geom in shapes:
        shapely.prepare(geom)
    return shapes
