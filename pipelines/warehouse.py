"""Warehouse domain: the dbt project as Dagster assets (group per dbt folder).

Every dbt model, seed and snapshot is an asset keyed ``[schema, name]`` (``["staging",
"stg_legacy__yl_elder"]``, ``["marts", "dim_elder"]``, ``["reference", "counties"]``); the dbt
source ``raw.<table>`` maps onto the migration's asset ``["raw", <table>]``, so each model sits
downstream of the raw tables it reads. dbt tests become asset checks (dagster-dbt's default).

The manifest is prepared without network at load time (``dbt parse``, no hub packages) when it
is missing or older than the dbt files; ``dagster dev`` re-parses when definitions are reloaded.
"""

import contextlib
import io
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from eldercare.settings import get_settings
from pipelines.dbt_project import (
    DBT_DIR,
    DBT_LOG_FLAGS,
    dbt_environment,
    dbt_executable,
    manifest_is_stale,
    run_dbt,
)
from pipelines.resources import WarehouseResource

OWNERS = ["team:warehouse"]

DBT_PROJECT = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
# Our own staleness check instead of prepare_if_dev: it also runs outside `dagster dev` (CLI,
# tests) and calls the venv's dbt, which need not be on PATH.
if manifest_is_stale(DBT_PROJECT.manifest_path):
    run_dbt(["parse"], get_settings())


def _manifest() -> dict[str, Any]:
    """The parsed manifest, its adapter set to the settings' warehouse: dagster-dbt derives the
    assets' kind (duckdb/postgres) from it, whichever target happened to parse it."""
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))
    manifest["metadata"]["adapter_type"] = get_settings().warehouse_kind
    return manifest


class EldercareDbtTranslator(DagsterDbtTranslator):
    """Keys [schema, name]; sources onto the migration's ["raw", table]; group = dbt folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        schema = dbt_resource_props.get("schema") or "main"
        return dg.AssetKey([schema, dbt_resource_props["alias"] or dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn") or []
        return fqn[1] if len(fqn) > 2 else "warehouse"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return OWNERS

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        return {**super().get_tags(dbt_resource_props), "domain": "warehouse"}


TRANSLATOR = EldercareDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=_manifest(),
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    name="eldercare_dbt",
)
def eldercare_dbt_assets(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """``dbt build`` of the selected models, seeds and tests on the warehouse resource's target."""
    settings = get_settings().model_copy(update={"warehouse": warehouse.target})
    with dbt_environment(settings):
        yield from dbt.cli(["build", *DBT_LOG_FLAGS], context=context).stream()


warehouse_job = dg.define_asset_job(
    "warehouse_job",
    selection=dg.AssetSelection.assets(eldercare_dbt_assets),
    description="dbt build: seeds, staging (+ quarantine, reconciliation), intermediate, marts.",
)

defs = dg.Definitions(
    assets=[eldercare_dbt_assets],
    jobs=[warehouse_job],
    resources={"dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())},
)


@dataclass
class WarehouseSummary:
    run_id: str
    success: bool
    seconds: float
    failures: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # dbt's own errors, in words


def run_warehouse(
    target: str, *, dagster_home: Path | None = None, quiet: bool = True
) -> WarehouseSummary:
    """Execute warehouse_job in process (as ``eldercare build`` does) on ``target``."""
    from pipelines.definitions import defs as all_defs
    from pipelines.run import dagster_instance

    started = time.perf_counter()
    # dagster-dbt writes dbt's log lines to stdout (for the UI's step logs); quiet drops them.
    with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
        result = _execute(all_defs, target, dagster_instance(dagster_home), quiet)
    summary = WarehouseSummary(result.run_id, result.success, time.perf_counter() - started)
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            lines = event.step_failure_data.error.message.strip().splitlines()
            summary.failures.append(lines[-1] if lines else event.step_key)
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            data = event.event_specific_data
            if not data.passed:
                summary.failed_checks.append(
                    f"{data.asset_key.to_user_string()}: {data.check_name}"
                )
    if not result.success:
        from eldercare.warehouse import Warehouse
        from pipelines import dbt_failures

        summary.reasons = dbt_failures.reasons(result.run_id, Warehouse(target))
    return summary


def _execute(all_defs: dg.Definitions, target: str, instance, quiet: bool):
    return all_defs.resolve_job_def("warehouse_job").execute_in_process(
        run_config={
            "resources": {"warehouse": {"config": {"target": target}}},
            "loggers": {"console": {"config": {"log_level": "WARNING" if quiet else "INFO"}}},
        },
        instance=instance,
        raise_on_error=False,
    )
