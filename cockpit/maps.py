"""Maps (pydeck), offline: the shipped county boundaries on a blank basemap, never a tile or a
style from the internet.

``pdk.Deck(map_provider=None, map_style="/app/static/blank_style.json")``: the style is served
by Streamlit's static serving (``eldercare cockpit`` turns it on) and holds only a background.
Layers take DataFrames from ``cockpit/data/geo.py`` (already scoped to the viewer), so a map
draws exactly the rows it is given. Every pickable object carries its Chinese tooltip as
``title`` and ``detail``. Hexagons use deck.gl's ``H3HexagonLayer``: Streamlit bundles h3-js, nothing is fetched.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

from cockpit import ui
from cockpit.scope import Scope

BOUNDARIES = Path(__file__).resolve().parents[1] / "seeds" / "zhanjiang_counties.geojson"
BLANK_STYLE = "/app/static/blank_style.json"
Palette = Sequence[tuple[int, int, int]]
# ColorBrewer sequential palettes (5 classes): Blues for people and amounts, Greens for a share
# within reach (more is better), Greys for the background of the gap map.
BLUES: Palette = [(239, 243, 255), (189, 215, 231), (107, 174, 214), (49, 130, 189), (8, 81, 156)]
GREENS: Palette = [(237, 248, 233), (186, 228, 179), (116, 196, 118), (49, 163, 84), (0, 109, 44)]
GREYS: Palette = [(247, 247, 247), (204, 204, 204), (150, 150, 150), (99, 99, 99), (37, 37, 37)]
FACILITY_COLOURS = {
    "养老机构": (200, 64, 58),
    "社区照料中心": (31, 111, 178),
    "长者食堂": (232, 119, 46),
    "居家服务商": (58, 158, 95),
    "家床服务商": (141, 107, 184),
    "评估机构": (127, 127, 127),
}
# Streamlit HTML-escapes the values it puts into the template: a title and plain-text lines.
TOOLTIP = {
    "html": "<b>{title}</b><br/>{detail}",
    "style": {"backgroundColor": "white", "color": "#222", "fontSize": "13px", "whiteSpace": "pre-line"},
}  # fmt: skip


# About 150 m: invisible at county zoom, and it cuts the vertices the browser is sent ~10-fold
# (every deck carries the outlines; serialising the full ones dominated the maps page's time).
DISPLAY_TOLERANCE_DEG = 0.0015


@cache
def boundaries() -> dict:
    """The shipped county boundaries, simplified for display and rounded to ~10 m."""
    from shapely.geometry import MultiPolygon, mapping, shape

    with open(BOUNDARIES, encoding="utf-8") as f:
        data = json.load(f)
    for feature in data["features"]:
        geom = shape(feature["geometry"]).simplify(DISPLAY_TOLERANCE_DEG, preserve_topology=True)
        geom = geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])  # shape kept
        feature["geometry"] = json.loads(
            json.dumps(mapping(geom)), parse_float=lambda v: round(float(v), 4)
        )
    return data


def _features(codes: Sequence[str] | None) -> list[dict]:
    return [
        f for f in boundaries()["features"]
        if codes is None or f["properties"]["area_code"] in codes
    ]  # fmt: skip


def view_for(scope: Scope, height: int = 520, width: int | None = None) -> pdk.ViewState:
    """The city, or the scope's county, fitted into a map of about ``width`` × ``height`` px."""
    xs, ys = [], []
    for f in _features([scope.county_code] if scope.county_code else None):
        for polygon in f["geometry"]["coordinates"]:
            xs.extend(x for x, _ in polygon[0])
            ys.extend(y for _, y in polygon[0])
    lng, lat = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    width = width or int(height * 1.4)
    # Web Mercator: 512 px × 2^zoom around the world; a degree of latitude is 1/cos(lat) longer
    fit_x = width * 360 / (512 * max(max(xs) - min(xs), 0.02))
    fit_y = height * 360 * math.cos(math.radians(lat)) / (512 * max(max(ys) - min(ys), 0.02))
    zoom = math.log2(min(fit_x, fit_y) * 0.9)
    return pdk.ViewState(longitude=lng, latitude=lat, zoom=round(zoom, 2), pitch=0, bearing=0)


def colour(
    values: pd.Series,
    palette: Palette = BLUES,
    *,
    lo: float | None = None,
    hi: float | None = None,
    alpha: int = 200,
) -> list[list[int]]:
    """RGBA per value on a sequential palette from ``lo`` to ``hi`` (the data's range by
    default); a missing value is grey."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").astype(float)
    lo = v.min() if lo is None else lo
    hi = v.max() if hi is None else hi
    out = []
    for x in v:
        if math.isnan(x) or math.isnan(lo):
            out.append([200, 200, 200, alpha])
            continue
        t = 0.0 if hi <= lo else min(max((x - lo) / (hi - lo), 0.0), 1.0)
        i = min(int(t * (len(palette) - 1)), len(palette) - 2)
        f = t * (len(palette) - 1) - i
        a, b = palette[i], palette[i + 1]
        out.append([round(a[k] + (b[k] - a[k]) * f) for k in range(3)] + [alpha])
    return out


def fmt(value, unit: str = "", *, percent: bool = False) -> str:
    if value is None or pd.isna(value):
        return "—"
    if percent:
        return f"{float(value) * 100:.1f} %"
    number = f"{float(value):,.0f}" if float(value).is_integer() else f"{float(value):,.1f}"
    return f"{number} {unit}".strip()


class CompactDeck(pdk.Deck):
    """A Deck serialised without indentation: pydeck's ``indent=2`` forces Python's pure-Python
    JSON encoder (about 10× slower than the C one) and triples what the browser downloads."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def deck(layers: list[pdk.Layer], view: pdk.ViewState) -> pdk.Deck:
    return CompactDeck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        map_style=BLANK_STYLE,
        tooltip=TOOLTIP,
    )


def outline_layer(scope: Scope) -> pdk.Layer:
    """The scope's county borders (the city's nine) without a value."""
    features = _features([scope.county_code] if scope.county_code else None)
    return pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": features},
        id="county-outline",
        stroked=True, filled=True, pickable=False,
        get_fill_color=[255, 255, 255, 150], get_line_color=[90, 90, 90, 220],
        line_width_min_pixels=1,
    )  # fmt: skip


def county_layers(
    df: pd.DataFrame,
    value: str,
    label: str,
    unit: str = "",
    *,
    percent: bool = False,
    palette: Palette = BLUES,
    pickable: bool = True,
) -> list[pdk.Layer]:
    """Choropleth of the counties in ``df`` (area_code, area_name, ``value``): a county not in
    ``df`` is not drawn, so a county's view shows no neighbour's number. Fills are a primitive
    ``SolidPolygonLayer`` (one row per part): Streamlit reports clicks on primitive layers, not
    on composite ones such as ``GeoJsonLayer``."""
    rows = df.set_index("area_code")
    fills = dict(zip(rows.index, colour(rows[value], palette), strict=True))
    parts, borders = [], []
    for f in _features(list(rows.index)):
        code, name = f["properties"]["area_code"], f["properties"]["area_name"]
        detail = f"{label}：{fmt(rows.at[code, value], unit, percent=percent)}"
        for polygon in f["geometry"]["coordinates"]:
            parts.append({"area_code": code, "area_name": name, "polygon": polygon,
                          "fill": fills[code], "title": name, "detail": detail})  # fmt: skip
            borders.extend({"path": ring} for ring in polygon)
    fill = pdk.Layer(
        "SolidPolygonLayer", pd.DataFrame(parts), id="county-choropleth",
        get_polygon="polygon", get_fill_color="fill", filled=True, pickable=pickable,
        auto_highlight=pickable, highlight_color=[255, 200, 0, 160],
    )  # fmt: skip
    border = pdk.Layer(
        "PathLayer", pd.DataFrame(borders), id="county-borders", get_path="path",
        get_color=[255, 255, 255, 255], width_min_pixels=1.5, pickable=False,
    )  # fmt: skip
    return [fill, border]


def facility_layer(df: pd.DataFrame, radius_m: float = 300) -> pdk.Layer:
    """Facilities (org_code, org_name, org_type, lng, lat) coloured by type."""
    data = df[["org_code", "org_name", "org_type", "lng", "lat"]].assign(
        fill=[[*FACILITY_COLOURS.get(t, (60, 60, 60)), 230] for t in df["org_type"]],
        title=df["org_name"],
        detail=[f"{t}　机构码 {c}" for t, c in zip(df["org_type"], df["org_code"], strict=True)],
    )  # fmt: skip
    return pdk.Layer(
        "ScatterplotLayer", data, id="facilities",
        get_position=["lng", "lat"], get_fill_color="fill", get_line_color=[255, 255, 255],
        stroked=True, line_width_min_pixels=1, get_radius=radius_m,
        radius_min_pixels=3, radius_max_pixels=12, pickable=True,
    )  # fmt: skip


def legend(colours: dict[str, tuple[int, int, int]], counts: dict[str, int] | None = None) -> str:
    """A one-line legend (HTML: coloured dots, Chinese names, counts) for the map above."""
    items = []
    for name, (r, g, b) in colours.items():
        n = f" {counts.get(name, 0):,}" if counts is not None else ""
        items.append(
            f"<span style='white-space:nowrap'><span style='color:rgb({r},{g},{b});"
            f"font-size:1.2em'>●</span> {name}{n}</span>"
        )
    return "　".join(items)


def scale_legend(palette: Palette, low: str, high: str) -> str:
    """A colour ramp from ``low`` to ``high`` (HTML)."""
    stops = ", ".join(f"rgb{c}" for c in palette)
    bar = f"<span style='display:inline-block;width:140px;height:10px;background:linear-gradient(90deg, {stops})'></span>"  # fmt: skip
    return f"{low} {bar} {high}"


def hex_layer(
    df: pd.DataFrame,
    value: str,
    *,
    palette: Palette = BLUES,
    lo: float | None = None,
    hi: float | None = None,
    quantiles: bool = False,
    alpha: int = 190,
) -> pdk.Layer:
    """Elder hexagons (h3_cell of any resolution, town_name, elders, reach_share,
    elders_per_km2, area_km2) coloured by ``value`` (``quantiles``: by its rank, so a dense
    centre does not wash the rest out)."""
    details = [
        f"长者 {n:,} 人 (每平方公里 {d:,.1f} 人)\n服务圈覆盖率 {fmt(s, percent=True)}"
        f"\n六边形面积 {a:.2f} 平方公里"
        for n, d, s, a in zip(df["elders"], df["elders_per_km2"], df["reach_share"],
                              df["area_km2"], strict=True)
    ]  # fmt: skip
    values = pd.to_numeric(df[value], errors="coerce")
    data = df[["h3_cell", "elders"]].assign(
        fill=colour(values.rank(pct=True) if quantiles else values,
                    palette, lo=lo, hi=hi, alpha=alpha),
        title=df["town_name"].fillna("—"),
        detail=details,
    )  # fmt: skip
    return pdk.Layer(
        "H3HexagonLayer", data, id="elder-hexagons",
        get_hexagon="h3_cell", get_fill_color="fill", get_line_color=[255, 255, 255, 120],
        line_width_min_pixels=0.5, stroked=True, filled=True, extruded=False,
        high_precision=True,  # cells of several resolutions: each drawn in its own shape
        pickable=True,
    )  # fmt: skip


def gap_layers(df: pd.DataFrame) -> list[pdk.Layer]:
    """Candidate sites: a ring of the reach's radius, and the rank as a number on it."""
    data = df[["county_rank", "center_lng", "center_lat", "reach_m"]].assign(
        label=df["county_rank"].astype(str),
        title=[f"{c} 第 {r} 位候选点位" for c, r in zip(df["county_name"], df["county_rank"],
                                                       strict=True)],
        detail=[f"{t if isinstance(t, str) else ''}\n新增可覆盖长者 {n:,} 人"
                f"\n距最近设施 {fmt(m / 1000, '公里')}"
                for t, n, m in zip(df["town_name"], df["elders_not_reached"],
                                   df["nearest_facility_m"], strict=True)],
    )  # fmt: skip
    ring = pdk.Layer(
        "ScatterplotLayer", data, id="gap-candidates",
        get_position=["center_lng", "center_lat"], get_radius="reach_m",
        get_fill_color=[200, 40, 40, 50], get_line_color=[180, 20, 20, 240], stroked=True,
        line_width_min_pixels=2, radius_min_pixels=7, pickable=True,
    )  # fmt: skip
    rank = pdk.Layer(
        "TextLayer", data, id="gap-rank",
        get_position=["center_lng", "center_lat"], get_text="label",  # digits: default glyphs
        get_size=13, get_color=[110, 0, 0], font_weight=700, pickable=False,
    )  # fmt: skip
    return [ring, rank]


def town_layer(df: pd.DataFrame, value: str, label: str, unit: str) -> pdk.Layer:
    """Towns as points (area_code, area_name, lng, lat, ``value``), sized by value."""
    v = pd.to_numeric(df[value], errors="coerce").fillna(0)
    data = df[["area_code", "lng", "lat"]].assign(
        radius=(v / max(float(v.max()), 1.0)).pow(0.5) * 2500 + 400,
        fill=colour(df[value], alpha=220),
        title=df["area_name"],
        detail=[f"{label}：{fmt(x, unit)}" for x in df[value]],
    )  # fmt: skip
    return pdk.Layer(
        "ScatterplotLayer", data, id="towns",
        get_position=["lng", "lat"], get_radius="radius", get_fill_color="fill",
        get_line_color=[60, 60, 60, 200], stroked=True, line_width_min_pixels=1,
        pickable=True, auto_highlight=True,
    )  # fmt: skip


# --- decks for pages --------------------------------------------------------------------------


def facility_deck(facilities: pd.DataFrame, scope: Scope) -> pdk.Deck:
    return deck([outline_layer(scope), facility_layer(facilities)], view_for(scope))


def hex_deck(hexes: pd.DataFrame, scope: Scope, *, by_share: bool = False) -> pdk.Deck:
    """Elder hexagons by density (people per km², by rank), or by the share within reach."""
    layer = (
        hex_layer(hexes, "reach_share", palette=GREENS, lo=0.0)
        if by_share
        else hex_layer(hexes, "elders_per_km2", quantiles=True)
    )
    return deck([outline_layer(scope), layer], view_for(scope))


def gap_deck(
    hexes: pd.DataFrame, gaps: pd.DataFrame, facilities: pd.DataFrame, scope: Scope
) -> pdk.Deck:
    """Elder hexagons (grey by density), the circle's facilities and the ranked sites."""
    layers = [
        outline_layer(scope),
        hex_layer(hexes, "elders_per_km2", palette=GREYS[:4], quantiles=True, alpha=150),
        facility_layer(facilities, radius_m=120),
        *gap_layers(gaps),
    ]
    return deck(layers, view_for(scope))


def _on_pick(key: str, layer_id: str, select: Callable[[str], None]) -> None:
    """The map's callback: the picked area drills the whole page. It runs before the page
    reruns, so the area selectors follow."""
    state = st.session_state.get(key) or {}
    picked = ((state.get("selection") or {}).get("objects") or {}).get(layer_id) or []
    if picked:
        obj = picked[0]
        code = obj.get("area_code")
        if code:
            select(str(code))


def county_map(
    counties: pd.DataFrame,
    value: str,
    label: str,
    key: str,
    *,
    scope: Scope,
    unit: str = "",
    percent: bool = False,
    towns: pd.DataFrame | None = None,
    height: int = 460,
    palette: Palette = BLUES,
) -> None:
    """The clickable area map of a page (联动). ``counties``: area_code, area_name, ``value`` of
    the counties in scope (the city's nine, or the scope's own); ``towns`` (at a county):
    area_code, area_name, lng, lat, ``value``. Clicking a county drills the whole page to it,
    clicking a town to the town; the URL keeps the scope."""
    by_town = scope.county_code is not None and towns is not None and not towns.empty
    layers = county_layers(
        counties, value, label, unit, percent=percent, palette=palette, pickable=not by_town
    )
    layer_id, select = "county-choropleth", ui.select_county
    if by_town:
        layers.append(town_layer(towns, value, label, unit))
        layer_id, select = "towns", ui.select_town
    # a chart per area: a selection made at the city does not carry over to a county's map
    key = f"{key}_{scope.area_code or 'city'}"
    st.pydeck_chart(
        deck(layers, view_for(scope, height)),
        height=height,
        on_select=lambda: _on_pick(key, layer_id, select),
        selection_mode="single-object",
        key=key,
    )
    shown = towns if layer_id == "towns" else counties
    values = pd.to_numeric(shown[value], errors="coerce")
    if values.notna().any():
        low, high = (fmt(v, unit, percent=percent) for v in (values.min(), values.max()))
        st.markdown(f"{label}：{scale_legend(palette, low, high)}", unsafe_allow_html=True)


ORDER_POINT_COLOURS = {
    "老人住址": (33, 102, 172),
    "服务开始": (26, 152, 80),
    "服务结束": (215, 48, 39),
}


def order_deck(order) -> pdk.Deck:
    """One work order's start and end against the elder's home (``order``: a row with
    home_, start_ and end_ lng/lat), joined by lines from home, centred on the home."""
    points = pd.DataFrame(
        [{"kind": kind, "lng": order[f"{p}_lng"], "lat": order[f"{p}_lat"]}
         for kind, p in (("老人住址", "home"), ("服务开始", "start"), ("服务结束", "end"))]
    )  # fmt: skip
    points = points.astype({"lng": float, "lat": float})
    pts = points.dropna(subset=["lng", "lat"]).assign(
        fill=lambda d: [[*ORDER_POINT_COLOURS.get(k, (60, 60, 60)), 230] for k in d["kind"]],
        title=lambda d: d["kind"],
    )
    home = pts[pts["kind"] == "老人住址"]
    centre = home.iloc[0] if len(home) else (pts.iloc[0] if len(pts) else None)
    lines = pd.DataFrame(
        [
            {"from": [centre["lng"], centre["lat"]], "to": [r.lng, r.lat]}
            for r in pts.itertuples()
            if centre is not None and r.kind != "老人住址"
        ]  # fmt: skip
    )
    layers = [
        pdk.Layer("LineLayer", lines, id="order-lines", get_source_position="from",
                  get_target_position="to", get_color=[90, 90, 90, 180], get_width=2),
        pdk.Layer("ScatterplotLayer", pts, id="order-points", get_position=["lng", "lat"],
                  get_fill_color="fill", get_line_color=[255, 255, 255], stroked=True,
                  get_radius=40, radius_min_pixels=6, radius_max_pixels=14, pickable=True),
    ]  # fmt: skip
    lng, lat = (
        (float(centre["lng"]), float(centre["lat"])) if centre is not None else (110.36, 21.27)
    )
    spread = (
        max((pts["lng"] - lng).abs().max(), (pts["lat"] - lat).abs().max(), 0.002)
        if len(pts)
        else 0.01
    )
    zoom = max(min(math.log2(360 / (spread * 2.5 * 2)), 16), 8)
    view = pdk.ViewState(longitude=lng, latitude=lat, zoom=round(zoom, 2), pitch=0, bearing=0)
    return deck(layers, view)
