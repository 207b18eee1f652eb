"""Coordinates: where homes and facilities lie, and the systems Chinese map apps use.

The formulas of GCJ-02 (Amap/Tencent) and BD-09 (Baidu) are the widely published ones (e.g. the
``eviltransform`` and ``coordtransform`` projects); the migration must undo them, so the
generator applies them exactly. Points are kept inside their county's real boundary
(``seeds/zhanjiang_counties.geojson``) by ``keep_inside``.
"""

from __future__ import annotations

import numpy as np
import shapely

_A = 6378245.0
_EE = 0.00669342162296594323
_XPI = np.pi * 3000.0 / 180.0


def _dlat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    r += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    r += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    r += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return r


def _dlng(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    r += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    r += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    r += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lng, lat = np.asarray(lng, float), np.asarray(lat, float)
    dlat = _dlat(lng - 105.0, lat - 35.0)
    dlng = _dlng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return lng + dlng, lat + dlat


def gcj02_to_bd09(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(lng * lng + lat * lat) + 0.00002 * np.sin(lat * _XPI)
    theta = np.arctan2(lat, lng) + 0.000003 * np.cos(lng * _XPI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_bd09(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def haversine_m(lng1, lat1, lng2, lat2) -> np.ndarray:
    lng1, lat1, lng2, lat2 = (np.radians(np.asarray(v, float)) for v in (lng1, lat1, lng2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6371000.0 * np.arcsin(np.sqrt(a))


def offset_m(rng: np.random.Generator, lng, lat, sd_m, n: int | None = None):
    """Points scattered around (lng, lat) with a normal spread of sd_m metres."""
    n = len(lng) if n is None else n
    dy = rng.normal(0, 1, n) * sd_m
    dx = rng.normal(0, 1, n) * sd_m
    return (
        lng + dx / (111320.0 * np.cos(np.radians(lat))),
        lat + dy / 110540.0,
    )


def keep_inside(
    rng: np.random.Generator,
    lng: np.ndarray,
    lat: np.ndarray,
    county_idx: np.ndarray,
    centre_lng: np.ndarray,
    centre_lat: np.ndarray,
    sd_m,
    rounds: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered around their centre, kept inside their county's real boundary.

    Rejection sampling: a point outside its county (in the sea, or across a border) is drawn
    again around its own centre, from ``rng`` alone (a stream of its own, so the other draws of
    the caller do not move). A point still outside after ``rounds`` takes its centre, which
    lies inside (towns are placed inside their county: seeds/build_synthetic_areas.py).
    """
    from migration.generator.reference import county_boundaries

    lng, lat = np.array(lng, float), np.array(lat, float)
    sd = np.broadcast_to(np.asarray(sd_m, float), lng.shape)
    shapes = county_boundaries()
    todo = np.arange(len(lng))
    for attempt in range(rounds + 1):
        inside = np.zeros(len(todo), bool)
        for c in np.unique(county_idx[todo]):
            m = county_idx[todo] == c
            inside[m] = shapely.contains_xy(shapes[c], lng[todo[m]], lat[todo[m]])
        todo = todo[~inside]
        if not len(todo) or attempt == rounds:
            break
        lng[todo], lat[todo] = offset_m(rng, centre_lng[todo], centre_lat[todo], sd[todo])
    lng[todo], lat[todo] = centre_lng[todo], centre_lat[todo]
    return lng, lat
