"""Warehouse domain: the dbt project as Dagster assets (group per dbt folder).

Every dbt model, seed and snapshot is an asset keyed ``[schema, name]`` (``["staging",
"stg_legacy__yl_elder"]``, ``["marts", "dim_elder"]``, ``["reference", "counties"]``); the dbt
source ``raw.<table>`` maps onto the migration's asset ``["raw", <table>]``, so each model sits
downstream of the raw tables it reads. dbt tests become asset checks (dagster-dbt's default).

The manifest is prepared without network when the definitions are built (``dbt parse``, no hub
packages) if it is missing or older than the dbt files; ``dagster dev`` re-parses when
definitions are reloaded. Importing this module runs nothing.
"""

import json
from collections.abc import Mapping
from functools import cache
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

from eldercare.settings import Settings
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


@cache
def dbt_project() -> DbtProject:
    """The dbt project, read when first needed (it opens dbt_project.yml), never at import."""
    return DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


def _manifest(settings: Settings) -> dict[str, Any]:
    """The parsed manifest, parsed now if missing or stale, its adapter set to the settings'
    warehouse: dagster-dbt derives the assets' kind (duckdb/postgres) from it, whichever target
    happened to parse it. Our own staleness check instead of prepare_if_dev: it also runs outside
    `dagster dev` (CLI, tests) and calls the venv's dbt, which need not be on PATH."""
    project = dbt_project()
    if manifest_is_stale(project.manifest_path):
        run_dbt(["parse"], settings)
    manifest = json.loads(project.manifest_path.read_text(encoding="utf-8"))
    manifest["metadata"]["adapter_type"] = settings.warehouse_kind
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


def build_defs(settings: Settings) -> dg.Definitions:
    """The dbt assets and warehouse_job for ``settings``. dbt parses here, when the definitions
    are built, never at import: a broken model cannot stop a migration."""

    @dbt_assets(
        manifest=_manifest(settings),
        project=dbt_project(),
        dagster_dbt_translator=TRANSLATOR,
        name="eldercare_dbt",
    )
    def eldercare_dbt_assets(
        context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ):
        """``dbt build`` of the selected models, seeds and tests on the warehouse resource's
        target."""
        with dbt_environment(settings.model_copy(update={"warehouse": warehouse.target})):
            yield from dbt.cli(["build", *DBT_LOG_FLAGS], context=context).stream()

    warehouse_job = dg.define_asset_job(
        "warehouse_job",
        selection=dg.AssetSelection.assets(eldercare_dbt_assets),
        description="dbt build: seeds, staging (+ quarantine, reconciliation), intermediate, marts.",
    )
    return dg.Definitions(
        assets=[eldercare_dbt_assets],
        jobs=[warehouse_job],
        resources={
            "dbt": DbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable())
        },
    )
