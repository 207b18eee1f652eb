"""The work-order warning (models/warning/, docs/warning.md) as Dagster assets in group
``models``: trained and applied in every build, after the marts it reads."""

import time
from pathlib import Path

import dagster as dg
from dagster import AssetExecutionContext

from eldercare import appdb
from eldercare.errors import EldercareError
from eldercare.settings import get_settings
from eldercare.warehouse import Warehouse
from models.warning import publish

OWNERS = ["team:models"]
KINDS = {"python", "scikitlearn"}  # + the engine, added by pipelines/definitions.py
DEPS = [
    dg.AssetKey(["marts", name])
    for name in (
        "fct_work_order",
        "dim_elder",
        "fct_return_visit",
        "fct_residency",
        "fct_order_doubt",
    )
]
_DESCRIPTIONS = {
    "order_warning": "工单预警 (#26): per order the warning score (0–1), reasons in Chinese, "
    "rules hit and rules not evaluable; also fills marts.fct_work_order's warning_score, "
    "warning_reasons and is_suspicious.",
    "suspicious_order": "存疑工单 (#65, #66): flagged orders and the legacy doubts, with source, "
    "reasons, state and money at risk: the reviewers' queue.",
    "settlement_check": "对账结算 (#74, #81): per provider and month, billed vs catalogue "
    "standard, subsidy paid vs entitlement, over/under payment, money at risk.",
    "warning_model": "工单预警模型版本: training window, data hash, metrics and every number of "
    "the model (JSON; no pickle).",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["marts", name],
            deps=DEPS,
            group_name="models",
            kinds=KINDS,
            owners=OWNERS,
            description=text + " Rules: seeds/supervision_rules.yml.",
        )
        for name, text in _DESCRIPTIONS.items()
    ],
    name="work_order_warning",
    required_resource_keys={"warehouse"},
)
def work_order_warning(context: AssetExecutionContext):
    started = time.perf_counter()
    warehouse: Warehouse = context.resources.warehouse.get()
    if not warehouse.postgres and not Path(warehouse.target).is_file():
        raise EldercareError(f"models: warehouse file {warehouse.target} does not exist")
    with warehouse.connect() as conn:
        meta = publish.publish(conn, _app_engine())
    meta["seconds"] = round(time.perf_counter() - started, 2)
    for name in _DESCRIPTIONS:
        yield dg.MaterializeResult(asset_key=["marts", name], metadata=meta)


def _app_engine():
    """The application database holding reviewers' decisions; none yet (a fresh SQLite path):
    no decisions, and no file created by the build."""
    url = get_settings().app_db
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return None
    return appdb.app_engine()


defs = dg.Definitions(assets=[work_order_warning])
