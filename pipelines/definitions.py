"""The one assembly point: ``dagster dev -m pipelines.definitions`` loads ``defs``.

Each domain module contributes its own ``Definitions`` (assets, checks, jobs, schedules); this
file only merges them and binds the shared resources (``legacy``, ``warehouse``) from settings.
To add a domain, import its module and append its ``defs`` to the list.
"""

from __future__ import annotations

import dagster as dg

from pipelines import migration, models, publish, quality_score, warehouse
from pipelines.resources import resources_from_settings
from quality import defs as quality  # the module: a 2nd Definitions here breaks `dagster dev`

defs = dg.Definitions.merge(
    migration.defs,
    warehouse.defs,
    quality.defs,
    models.defs,
    quality_score.defs,
    publish.defs,
    dg.Definitions(resources=resources_from_settings()),
)
