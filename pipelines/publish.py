"""What the build publishes after dbt: the Python assets downstream of the marts.

Groups ``quality`` (scorecard, district reporting issues, trend outliers, text review) and
``models`` (scikit-learn and spatial models; ``pipelines/models.py``), executed in process as
``eldercare build``'s last step (``pipelines/run.py``, ``run_publish``). The GX suites are asset
checks run by ``eldercare check``.
"""

from __future__ import annotations

import dagster as dg

GROUPS = ("quality", "models")

publish_job = dg.define_asset_job(
    "publish_job",
    selection=dg.AssetSelection.groups(*GROUPS),
    description="Python assets downstream of the marts: quality publications and models.",
)

defs = dg.Definitions(jobs=[publish_job])
