"""Writes towns.csv and communities.csv: synthetic names under the nine real counties.

Run once by hand (``python seeds/build_synthetic_areas.py``); its output is committed. The
codes follow the statistical scheme: town = county (6) + 3 digits (001-099 streets 街道,
100-199 towns 镇), community/village = town (9) + 3 digits (001-099 社区, 200-299 村).
Town centres are put near the county seat with a fixed random offset; names are made up.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
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


def main() -> None:
    rng = np.random.default_rng(2260)
    with open(HERE / "counties.csv", encoding="utf-8") as f:
        counties = {r["area_code"]: r for r in csv.DictReader(f)}
    towns, comms, used = [], [], set()
    for code, (streets, townships) in COUNTS.items():
        c = counties[code]
        spread = 0.03 if c["urban"] == "1" else 0.18
        for i in range(streets + townships):
            is_street = i < streets
            num = i + 1 if is_street else 100 + i - streets + 1
            tcode = f"{code}{num:03d}"
            tname = _name(rng, used) + ("街道" if is_street else "镇")
            lng = float(c["lng"]) + rng.normal(0, spread)
            lat = float(c["lat"]) + rng.normal(0, spread * 0.8)
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
