"""智慧模型 (issue 13): the elder profile, service demand and service-expiry reminder as Dagster
assets in group ``models`` (kind scikit-learn), downstream of the marts; merged into the
models domain by ``pipelines/models.py``. Model code: ``models/profile.py``,
``models/demand.py``, ``models/expiry.py``; model cards: docs/models.md.

Each asset reads its inputs (the modules' ``INPUTS``), computes, replaces its tables in one
transaction, writes its artefact card (models/artefacts.py) and reports its measured numbers as
Dagster metadata.
"""

import time
from pathlib import Path

import dagster as dg
import pandas as pd
from dagster import AssetExecutionContext

from eldercare.errors import EldercareError
from eldercare.warehouse import Warehouse
from models import demand, entitlement_dates, expiry, profile
from models.artefacts import data_hash, write_card
from models.warehouse_tables import read_frame, replace_tables

OWNERS = ["team:models"]
KINDS = {"scikitlearn"}  # + the engine, added by pipelines/definitions.py
_MARTS = ("dim_elder", "fct_work_order", "fct_residency")
DEPS = {
    "profile": [*_MARTS, "fct_health_daily", "fct_alarm", "fct_family_bed_state"],
    "demand": list(_MARTS),
    "expiry": [*_MARTS, "fct_family_bed"],
}
_STAGING = [dg.AssetKey(["staging", "stg_legacy__yl_elder"]),
            dg.AssetKey(["intermediate", "int_elder_resolved"])]  # fmt: skip


def _deps(model: str) -> list[dg.AssetKey]:
    keys = [dg.AssetKey(["marts", m]) for m in DEPS[model]]
    return keys + (_STAGING if model in ("profile", "expiry") else [])


def _read(
    context: AssetExecutionContext, inputs: dict
) -> tuple[Warehouse, dict[str, pd.DataFrame]]:
    warehouse: Warehouse = context.resources.warehouse.get()
    if not warehouse.postgres and not Path(warehouse.target).is_file():
        raise EldercareError(f"models: warehouse file {warehouse.target} does not exist")
    with warehouse.connect() as conn:
        frames = {name: read_frame(conn, sql, cols) for name, (sql, cols) in inputs.items()}
    return warehouse, frames


def _write(warehouse: Warehouse, tables: dict[str, tuple[str, pd.DataFrame]]) -> dict[str, int]:
    with warehouse.connect() as conn:
        return replace_tables(conn, "marts", tables)


@dg.asset(
    key=["marts", "elder_profile"],
    deps=_deps("profile"),
    group_name="models",
    kinds=KINDS,
    owners=OWNERS,
    description="老人画像: tags with their rule and evidence per living elder, and a k-means "
    "segment (models/profile.py, docs/models.md).",
    required_resource_keys={"warehouse"},
)
def elder_profile(context: AssetExecutionContext) -> dg.MaterializeResult:
    started = time.perf_counter()
    warehouse, frames = _read(context, profile.INPUTS)
    result = profile.compute(frames)
    written = _write(warehouse, {"elder_profile": (profile.TABLE, result.table)})
    tags = result.table["tags"].dropna().str.split(",").explode().value_counts()
    card = write_card(warehouse.target, "elder_profile", data_hash(frames), {
        "k": result.k, "silhouettes": result.silhouettes, "features": list(profile.FEATURES),
        "centroids": result.centroids.reset_index().to_dict("records"),
        "tag_counts": tags.to_dict(),
    })  # fmt: skip
    return dg.MaterializeResult(metadata={
        "rows": written["elder_profile"], "k": result.k,
        "silhouette": result.silhouettes[result.k], "segments": ", ".join(
            f"{s}: {lbl}" for s, lbl in zip(result.centroids.index, result.centroids["segment_label"], strict=True)),
        "artefact": str(card), "seconds": round(time.perf_counter() - started, 2),
    })  # fmt: skip


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["marts", name],
            deps=_deps("demand"),
            group_name="models",
            kinds=KINDS,
            owners=OWNERS,
            description=text,
        )
        for name, text in {
            "demand_forecast": "服务需求预测: orders and hours per city/county/town × category, "
            "next 3 months, 80 % intervals, reconciled (models/demand.py).",
            "demand_backtest": "服务需求预测回测: WAPE, bias and interval coverage per level, "
            "model against naive, seasonal-naive and moving-average baselines.",
            "demand_unmet": "未满足需求: per town, entitled elders and subsidy standard against "
            "the subsidy used in the last complete month.",
        }.items()
    ],  # fmt: skip
    name="service_demand",
    required_resource_keys={"warehouse"},
)
def service_demand(context: AssetExecutionContext):
    started = time.perf_counter()
    warehouse, frames = _read(context, demand.INPUTS)
    result = demand.compute(frames)
    frames_out = {"demand_forecast": result.forecast, "demand_backtest": result.backtest,
                  "demand_unmet": result.unmet}  # fmt: skip
    written = _write(warehouse, {n: (demand.TABLES[n], df) for n, df in frames_out.items()})
    bt = result.backtest[result.backtest["horizon"] == "all"]
    wape = bt.pivot_table(index="level", columns="model", values="wape").round(4)
    card = write_card(warehouse.target, "service_demand", data_hash(frames), {
        "features": demand.FEATURES, "half_life_months": demand.HALF_LIFE,
        "backtest_months": demand.BACKTEST_MONTHS, "wape": wape.to_dict("index"),
        "coverage": bt[bt["model"] == "model"].set_index("level")["coverage"].round(4).to_dict(),
    })  # fmt: skip
    seconds = round(time.perf_counter() - started, 2)
    cc = wape.loc["county_category"] if "county_category" in wape.index else None
    for name in frames_out:
        meta = {"rows": written[name], "seconds": seconds, "artefact": str(card)}
        if name == "demand_backtest" and cc is not None:
            meta |= {f"wape_county_category_{m}": float(v) for m, v in cc.items()}
        yield dg.MaterializeResult(asset_key=["marts", name], metadata=meta)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["marts", "expiry_reminder"],
            deps=_deps("expiry"),
            group_name="models",
            kinds=KINDS,
            owners=OWNERS,
            description="服务临过期提醒: entitlements at risk of lapsing this month, each "
            "day, with the family (phone masked) and provider to remind (models/expiry.py); "
            "family-bed agreements and re-assessments falling due (models/entitlement_dates.py).",
        ),
        dg.AssetSpec(
            ["marts", "expiry_evaluation"],
            deps=_deps("expiry"),
            group_name="models",
            kinds=KINDS,
            owners=OWNERS,
            description="临过期模型评估: recall and precision of the model and of the rule "
            "'more than half unused' on held-out months.",
        ),
    ],  # fmt: skip
    name="service_expiry",
    required_resource_keys={"warehouse"},
)
def service_expiry(context: AssetExecutionContext):
    started = time.perf_counter()
    warehouse, frames = _read(context, expiry.INPUTS)
    result = expiry.compute(frames)
    evaluation = expiry.evaluation_table(result.metrics)
    _, beds = _read(context, entitlement_dates.INPUTS)
    dated = entitlement_dates.reminders({**frames, **beds})
    parts = [r for r in (result.reminders, dated) if len(r)]
    reminders = pd.concat(parts, ignore_index=True) if parts else result.reminders
    written = _write(warehouse, {
        "expiry_reminder": (expiry.TABLE, reminders),
        "expiry_evaluation": (expiry.EVALUATION_TABLE, evaluation),
    })  # fmt: skip
    card = write_card(warehouse.target, "service_expiry", data_hash(frames), {
        "features": expiry.FEATURES, "threshold": result.threshold, "metrics": result.metrics,
    })  # fmt: skip
    seconds = round(time.perf_counter() - started, 2)
    flat = {f"{k}_{m}": v for k, d in result.metrics.items() if isinstance(d, dict)
            for m, v in d.items() if m in ("recall", "precision")}  # fmt: skip
    yield dg.MaterializeResult(asset_key=["marts", "expiry_reminder"], metadata={
        "rows": written["expiry_reminder"], "date_bound_rows": len(dated),
        "threshold": result.threshold, **flat,
        "artefact": str(card), "seconds": seconds})  # fmt: skip
    yield dg.MaterializeResult(asset_key=["marts", "expiry_evaluation"],
                               metadata={"rows": written["expiry_evaluation"]})  # fmt: skip


defs = dg.Definitions(assets=[elder_profile, service_demand, service_expiry])
