"""设施分布与服务圈 (004 §2.1, §2.3) and the area maps: scoped data for ``cockpit/maps.py``.

Facilities come from ``marts.dim_org``; elder counts, the service circle and the gap
candidates from the spatial model's tables (``models/service_reach.py``):
``marts.agg_elder_hex``, ``marts.agg_service_reach``, ``marts.service_gap_candidate``. Every
function filters by the row's own county/town column, so a county viewer gets no row of another
county. Elders appear only as counts per hexagon or area, never as points.
"""

from __future__ import annotations

import pandas as pd

from cockpit.data.core import query, table_exists
from cockpit.data.overview import reporting_month
from cockpit.kpis import Kpi, get, register
from cockpit.scope import Scope
from models.service_reach import load_circle

_TYPES = load_circle().facility_types
if any("'" in t for t in _TYPES):
    raise ValueError("seeds/service_circle.yml: a facility type holds a quote")
_CIRCLE_TYPES = ", ".join(f"'{t}'" for t in _TYPES)
_REACH = "from marts.agg_service_reach where {where}"

register(
    Kpi(
        "reach_share", "服务圈覆盖率", "%",
        f"有住址坐标的在册未故长者中，步行可达 (直线距离 × 绕行系数 ≤ 服务半径) 任一社区养老设施"
        f" ({'、'.join(_TYPES)}，在册且状态正常) 的比例。服务半径、绕行系数见"
        " seeds/service_circle.yml (默认 1000 米、1.3，约步行15分钟)。",
        "marts.agg_service_reach", ("elders_reached", "elders_located", "reach_share"),
        f"select reach_share {_REACH}",
        f"select area_level, area_code, area_name, elders_located, elders_reached, reach_share,"
        f" facilities, reach_m, detour_factor {_REACH}",
        area=True, counts_rows=False,
    ),
    Kpi(
        "elders_reached", "服务圈内长者", "人",
        "有住址坐标的在册未故长者中，步行可达社区养老设施者 (口径同服务圈覆盖率)。",
        "marts.agg_service_reach", ("elders_reached",),
        f"select elders_reached {_REACH}", area=True,
    ),
    Kpi(
        "elders_located", "有住址坐标的长者", "人",
        "在册未故且有住址坐标 (已转换为 WGS-84，精确到约100米) 的长者：服务圈覆盖率的分母。",
        "marts.agg_service_reach", ("elders_located",),
        f"select elders_located {_REACH}",
        "select elder_code, id_card_masked, county_code, town_code, source_elder_ids"
        " from marts.dim_elder where is_live and not is_deceased and home_lng is not null"
        " and home_lat is not null and {where} order by elder_code",
        area=True, rows_facts=True, counts_rows=True,
    ),
    Kpi(
        "circle_facilities", "社区养老设施", "家",
        f"构成服务圈的设施数：{'、'.join(_TYPES)}，在册、状态正常且有坐标。",
        "marts.agg_service_reach", ("facilities",),
        f"select facilities {_REACH}",
        "select org_code, org_name, org_type, county_code, town_code, lng, lat, source_org_ids"
        f" from marts.dim_org where is_live and status = '0' and org_type in ({_CIRCLE_TYPES})"
        " and lng is not null and lat is not null and {where} order by org_code",
        area=True, rows_facts=True, counts_rows=True,
    ),
    Kpi(
        "gap_sites", "缺口候选点位", "个",
        "中心点步行范围内没有社区养老设施、且本格及相邻一圈六边形内未覆盖长者达到门槛的 H3"
        " 六边形 (分辨率8，约0.7平方公里)，按可新增覆盖人数逐个选出 (已计入的长者不重复计)，"
        "每县区至多10个。",
        "marts.service_gap_candidate", ("county_code", "county_rank", "elders_not_reached"),
        "select count(*) from marts.service_gap_candidate where {where}",
        "select county_code, county_rank, h3_cell, town_code, elders_not_reached,"
        " nearest_facility_m from marts.service_gap_candidate where {where}"
        " order by county_code, county_rank",
    ),
)  # fmt: skip

HEADLINE = ("reach_share", "elders_reached", "elders_located", "circle_facilities", "gap_sites")
FACILITY_TYPES = _TYPES


def available() -> bool:
    """Whether the spatial model's tables were published (``eldercare build``'s last step)."""
    return all(
        table_exists("marts", t)
        for t in ("agg_service_reach", "agg_elder_hex", "service_gap_candidate")
    )


def headline(scope: Scope) -> dict[str, object]:
    values = {}
    for key in HEADLINE:
        sql, params = get(key).render(scope, reporting_month())
        df = query(sql, params)
        values[key] = None if df.empty or pd.isna(df.iat[0, 0]) else df.iat[0, 0]
    return values


def circle_settings() -> dict[str, object]:
    """The reach and detour factor the tables were computed with, and when."""
    df = query(
        "select reach_m, detour_factor, computed_at from marts.agg_service_reach"
        " where area_level = 'city'"
    )
    return df.iloc[0].to_dict() if not df.empty else {}


def facilities(scope: Scope) -> pd.DataFrame:
    """Live organisations with a location (WGS-84), every type. Organisations are registered
    with a county (their town is mostly unknown), so a town's view shows its county's."""
    predicate, params = scope.where(town=None)
    return query(
        "select org_code, org_name, org_type, county_code, lng, lat, approved_beds, star_level"
        " from marts.dim_org"
        f" where is_live and lng is not null and lat is not null and {predicate}"
        " order by org_type, org_code",
        params,
    )


def facility_counts(scope: Scope) -> pd.DataFrame:
    predicate, params = scope.where(town=None)
    return query(
        "select org_type, count(*) as facilities,"
        " sum(case when lng is not null and lat is not null then 1 else 0 end) as located"
        f" from marts.dim_org where is_live and {predicate}"
        " group by org_type order by facilities desc, org_type",
        params,
    )


def elder_hexes(scope: Scope) -> pd.DataFrame:
    """Elder counts per H3 cell (the county's own elders; a town: cells mostly of that town)."""
    predicate, params = scope.where("h.county_code", "h.town_code")
    return query(
        "select h.county_code, h.h3_cell, h.resolution, h.town_code, a.area_name as town_name,"
        " h.elders, h.elders_reached, h.reach_share, h.area_km2, h.elders_per_km2"
        " from marts.agg_elder_hex h left join marts.dim_area a on a.area_code = h.town_code"
        f" where {predicate} order by h.county_code, h.h3_cell",
        params,
    )


def reach_areas(scope: Scope) -> pd.DataFrame:
    """The service circle one level below the scope: counties of the city, towns of a county
    (a town: itself)."""
    if scope.town_code:
        where, params = "area_level = 'town' and area_code = ?", (scope.town_code,)
    elif scope.county_code:
        where, params = "area_level = 'town' and county_code = ?", (scope.county_code,)
    else:
        where, params = "area_level = 'county'", ()
    return query(
        "select area_code, area_name, elders_located, elders_reached,"
        " round(cast(reach_share * 100 as numeric(38, 10)), 1) as reach_pct, facilities"
        f" from marts.agg_service_reach where {where} order by area_code",
        params,
    )


def reach_counties(scope: Scope) -> pd.DataFrame:
    """The counties a map draws: the city's nine, or the scope's own."""
    where, params = ("area_code = ?", (scope.county_code,)) if scope.county_code else ("true", ())
    return query(
        "select area_code, area_name, elders_located, elders_reached, reach_share, facilities"
        f" from marts.agg_service_reach where area_level = 'county' and {where}"
        " order by area_code",
        params,
    )


def gap_candidates(scope: Scope) -> pd.DataFrame:
    """Ranked candidate sites, with the town and the nearest facility's name."""
    predicate, params = scope.where("g.county_code", "g.town_code")
    return query(
        "select g.county_code, c.area_name as county_name, g.county_rank, g.h3_cell,"
        " g.town_code, t.area_name as town_name, g.center_lng, g.center_lat,"
        " g.elders_not_reached, round(g.nearest_facility_m) as nearest_facility_m,"
        " o.org_name as nearest_org_name,"
        " g.reach_m from marts.service_gap_candidate g"
        " left join marts.dim_area c on c.area_code = g.county_code"
        " left join marts.dim_area t on t.area_code = g.town_code"
        " left join marts.dim_org o on o.org_code = g.nearest_org_code"
        f" where {predicate} order by g.county_code, g.county_rank",
        params,
    )


# --- the area map of other pages (overview) ---------------------------------------------------

MAP_METRICS = {"elders": ("老年人", "人"), "work_orders": ("本月工单", "单")}


def _town_centres(county_code: str) -> str:
    """SQL of each town's centre: the elder-weighted centre of its published hexagons (counts
    of at least the hexagon minimum, so no one's home shows)."""
    return (
        "select town_code, sum(center_lng * elders) / sum(elders) as lng,"
        " sum(center_lat * elders) / sum(elders) as lat from marts.agg_elder_hex"
        " where county_code = ? and town_code is not null group by town_code"
    ), (county_code,)


def area_map(scope: Scope, metric: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counties, towns) with ``value`` for the clickable area map: the city's counties, or at
    a county its own outline and its towns as points."""
    if metric == "elders":
        level_sql = (
            "select {col} as area_code, count(*) as value from marts.dim_elder"
            " where is_live and not is_deceased and county_code {cond} group by {col}"
        )
        county_sql = level_sql.format(
            col="county_code", cond="= ?" if scope.county_code else "is not null"
        )
        town_sql = level_sql.format(col="town_code", cond="= ?") + " having town_code is not null"
        month_params: tuple = ()
    elif metric == "work_orders":
        level_sql = (
            "select area_code, work_orders as value from marts.agg_area_monthly"
            " where area_level = '{level}' and month_start = ? and {cond}"
        )
        county_sql = level_sql.format(
            level="county", cond="area_code = ?" if scope.county_code else "true"
        )
        town_sql = level_sql.format(level="town", cond="area_code like ?")
        month_params = (reporting_month(),)
    else:
        raise ValueError(f"unknown map metric {metric}")
    names = "select area_code, area_name from marts.dim_area"
    county_params = (*month_params, *((scope.county_code,) if scope.county_code else ()))
    counties = query(
        f"select a.area_code, a.area_name, v.value from ({county_sql}) v"
        f" join ({names}) a on a.area_code = v.area_code order by a.area_code",
        county_params,
    )
    if not scope.county_code:
        return counties, pd.DataFrame(columns=["area_code", "area_name", "lng", "lat", "value"])
    centres, centre_params = _town_centres(scope.county_code)
    town_params = (
        (scope.county_code,) if metric == "elders" else (*month_params, scope.county_code + "%")
    )
    towns = query(
        f"select a.area_code, a.area_name, c.lng, c.lat, v.value from ({town_sql}) v"
        f" join ({names}) a on a.area_code = v.area_code"
        f" join ({centres}) c on c.town_code = v.area_code order by a.area_code",
        (*town_params, *centre_params),
    )
    return counties, towns
