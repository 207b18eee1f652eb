"""What the build publishes after dbt: the Python assets downstream of the marts.

Groups ``quality`` (scorecard, district reporting issues, trend outliers, text review) and
``models`` (scikit-learn and spatial models; ``pipelines/models.py``), executed in process as
``eldercare build``'s last step. The GX suites are asset checks run by ``eldercare check``.
"""

from __future__ import annotations

import contextlib
import io
import time
from pathlib import Path

import dagster as dg

from pipelines.warehouse import WarehouseSummary

GROUPS = ("quality", "models")

publish_job = dg.define_asset_job(
    "publish_job",
    selection=dg.AssetSelection.groups(*GROUPS),
    description="Python assets downstream of the marts: quality publications and models.",
)

defs = dg.Definitions(jobs=[publish_job])


def run_publish(target: str, *, dagster_home: Path | None = None, quiet: bool = True):
    """Execute publish_job in process on ``target`` (the warehouse the dbt step just built)."""
    from pipelines.definitions import defs as all_defs
    from pipelines.run import dagster_instance

    started = time.perf_counter()
    job = all_defs.resolve_job_def("publish_job")
    with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
        result = job.execute_in_process(
            run_config={
                "resources": {"warehouse": {"config": {"target": target}}},
                "loggers": {"console": {"config": {"log_level": "WARNING" if quiet else "INFO"}}},
            },
            instance=dagster_instance(dagster_home),
            raise_on_error=False,
        )
    summary = WarehouseSummary(result.run_id, result.success, time.perf_counter() - started)
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None:  # the user's error, not Dagster's wrapper
                error = error.cause
            lines = error.message.strip().splitlines()
            summary.failures.append(f"{event.step_key}: {lines[0] if lines else 'failed'}")
    return summary
