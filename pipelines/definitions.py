"""The one assembly point: ``dagster dev -m pipelines.definitions`` loads ``defs``.

Each domain module contributes its own ``Definitions`` (assets, checks, jobs, schedules);
:func:`build_defs` merges them and binds them to one settings object: the shared resources
(``legacy``, ``warehouse``) and the engine's kind on every asset (``duckdb`` or ``postgres``)
come from it. The CLI builds its own settings from the command (``--warehouse``) and runs the
definitions built from them (``pipelines/run.py``); ``dagster dev`` gets those of the
environment. Importing this module builds nothing, so nothing is decided at import.
To add a domain, import its module and append its ``defs`` to the list.
"""

from __future__ import annotations

import warnings

import dagster as dg

from eldercare.settings import Settings, get_settings
from pipelines import migration, models, publish, quality_score, warehouse
from pipelines.resources import resources_from_settings
from quality import defs as quality  # the module: a 2nd Definitions here breaks `dagster dev`

# The engine's kind is merged into the specs the domains declared: a "preview" API in Dagster
# 1.13 (pinned in requirements.lock; tests/pipelines asserts the kinds it yields).
warnings.filterwarnings("ignore", category=dg.PreviewWarning, message=".*map_.*asset_specs")

# Run tag naming the engine of every run the CLI starts (the UI filters runs by tag).
WAREHOUSE_TAG = "eldercare/warehouse"


def build_defs(settings: Settings) -> dg.Definitions:
    """Every domain, bound to ``settings``."""
    return bind(
        dg.Definitions.merge(
            migration.defs,
            warehouse.build_defs(settings),
            quality.build_defs(settings),
            models.defs,
            quality_score.defs,
            publish.defs,
        ),
        settings,
    )


def migration_defs(settings: Settings) -> dg.Definitions:
    """The migration domain alone, as ``eldercare migrate`` runs it: landing needs no dbt, so a
    broken dbt model (which fails ``dbt parse``) cannot stop a migration."""
    return bind(migration.defs, settings)


def bind(defs: dg.Definitions, settings: Settings) -> dg.Definitions:
    """``defs`` with the settings' resources and the engine's kind on every asset."""
    kind = settings.warehouse_kind
    tagged = defs.map_asset_specs(func=lambda spec: spec.merge_attributes(kinds={kind}))
    return dg.Definitions.merge(tagged, dg.Definitions(resources=resources_from_settings(settings)))


@dg.definitions
def defs() -> dg.Definitions:
    """What ``dagster dev`` and ``dagster definitions validate`` load: the environment's settings."""
    return build_defs(get_settings())
