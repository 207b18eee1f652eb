"""Models domain: Python assets downstream of the marts (group ``models``), run by
``eldercare build``'s publish step (``pipelines/publish.py``).

- ``service_reach``: the 15-minute service circle (models/service_reach.py) →
  ``marts.agg_service_reach``, ``marts.agg_elder_hex``, ``marts.service_gap_candidate``.
- ``work_order_warning`` (pipelines/warning.py): rules, score and review queue →
  ``marts.order_warning``, ``suspicious_order``, ``settlement_check``, ``warning_model``.
- ``elder_profile``, ``service_demand``, ``service_expiry`` (pipelines/smart_models.py): 智慧模型
  → ``marts.elder_profile``, ``demand_forecast``, ``demand_backtest``, ``demand_unmet``,
  ``expiry_reminder``, ``expiry_evaluation``.
"""

import math
import time
from pathlib import Path

import dagster as dg
from dagster import AssetExecutionContext

from eldercare.errors import EldercareError
from eldercare.warehouse import Warehouse
from models import service_reach as sr
from models.warehouse_tables import read_frame, replace_tables
from pipelines.smart_models import defs as smart_defs
from pipelines.warning import defs as warning_defs

OWNERS = ["team:models"]
KINDS = {"python"}  # + the engine, added by pipelines/definitions.py
SERVICE_REACH_DEPS = [dg.AssetKey(["marts", "dim_elder"]), dg.AssetKey(["marts", "dim_org"])]
_DESCRIPTIONS = {
    "agg_service_reach": "服务圈覆盖 (15分钟养老服务圈): per area (city, county, town), living "
    "elders with a home location and those within reach of a community facility.",
    "agg_elder_hex": "长者分布热力 (H3 hexagons per county, counts only, at least "
    "min_elders_per_cell elders per published cell).",
    "service_gap_candidate": "服务圈缺口候选点位: hexagons whose centre has no facility within "
    "reach, ranked per county by elders not reached in the cell and its ring-1 neighbours.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["marts", name],
            deps=SERVICE_REACH_DEPS,
            group_name="models",
            kinds=KINDS,
            owners=OWNERS,
            description=description + " Rules: seeds/service_circle.yml, docs/maps.md.",
        )
        for name, description in _DESCRIPTIONS.items()
    ],
    name="service_reach",
    required_resource_keys={"warehouse"},
)
def service_reach_assets(context: AssetExecutionContext):
    started = time.perf_counter()
    circle = sr.load_circle()
    warehouse: Warehouse = context.resources.warehouse.get()
    if not warehouse.postgres and not Path(warehouse.target).is_file():
        raise EldercareError(f"models: warehouse file {warehouse.target} does not exist")
    with warehouse.connect() as conn:
        elders = read_frame(conn, sr.ELDERS_SQL, sr.ELDER_COLUMNS)
        facilities = read_frame(conn, sr.FACILITIES_SQL, sr.FACILITY_COLUMNS)
        areas = read_frame(conn, sr.AREAS_SQL, sr.AREA_COLUMNS)
        outputs = sr.compute(elders, facilities, areas, circle)
        frames = {
            "agg_service_reach": outputs.reach,
            "agg_elder_hex": outputs.hexes,
            "service_gap_candidate": outputs.gaps,
        }
        written = replace_tables(
            conn, "marts", {name: (sr.TABLES[name], df) for name, df in frames.items()}
        )
    seconds = round(time.perf_counter() - started, 2)
    city = outputs.reach[outputs.reach["area_level"] == "city"].iloc[0]
    common = {
        "seconds": seconds,
        "reach_m": circle.reach_m,
        "detour_factor": circle.detour_factor,
        "facilities": int(city["facilities"]),
        "elders_located": int(city["elders_located"]),
    }
    yield dg.MaterializeResult(
        asset_key=["marts", "agg_service_reach"],
        metadata={
            **common,
            "rows": written["agg_service_reach"],
            "elders_reached": int(city["elders_reached"]),
            "city_reach_share": _share(city["reach_share"]),
        },
    )
    hexes = outputs.hexes
    yield dg.MaterializeResult(
        asset_key=["marts", "agg_elder_hex"],
        metadata={
            **common,
            "rows": written["agg_elder_hex"],
            "elders_in_cells": int(hexes["elders"].sum()),
            "elders_suppressed": int(city["elders_located"]) - int(hexes["elders"].sum()),
            **{
                f"cells_resolution_{r}": int(n)
                for r, n in sorted(hexes["resolution"].value_counts().items())
            },
        },
    )
    yield dg.MaterializeResult(
        asset_key=["marts", "service_gap_candidate"],
        metadata={
            **common,
            "rows": written["service_gap_candidate"],
            "elders_not_reached_at_candidates": int(outputs.gaps["elders_not_reached"].sum()),
        },
    )


def _share(value) -> float:
    value = float(value)
    return 0.0 if math.isnan(value) else round(value, 4)


defs = dg.Definitions.merge(dg.Definitions(assets=[service_reach_assets]), warning_defs, smart_defs)
