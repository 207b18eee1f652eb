"""Run the jobs in process, as the CLI does, on the Dagster instance of the settings.

There is no second implementation: each runner executes a job of the definitions that
``dagster dev`` shows (``pipelines/definitions.py``), built from the settings of this run (the
command's ``--warehouse`` included), on the instance at ``settings.dagster_home``, so CLI runs
appear in the UI's run history, tagged with the warehouse's engine. ``migration_job`` gets a
partition range when --from/--to are given.
"""

from __future__ import annotations

import contextlib
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from eldercare.errors import EldercareError
from eldercare.settings import Settings, get_settings
from eldercare.warehouse import Warehouse
from migration.district_exports import TABLE as DISTRICT_TABLE
from migration.landing import ABSENT_TABLE, FIRST_MONTH, LAST_MONTH, NOT_GIVEN
from migration.legacy_schema import TABLES
from pipelines import dbt_failures
from pipelines.definitions import WAREHOUSE_TAG, build_defs, migration_defs

# Dagster's run tags for a partition range (one run over many partitions).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


@dataclass
class MigrationSummary:
    run_id: str
    success: bool
    failures: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    absent: dict[str, str] = field(default_factory=dict)  # raw table -> why it is empty

    @property
    def database_given(self) -> bool:
        return not any(
            note == NOT_GIVEN and table != DISTRICT_TABLE for table, note in self.absent.items()
        )

    def absent_line(self) -> str | None:
        """One line naming the sources not given and the tables the dump lacks, or None."""
        not_given = [t for t, note in self.absent.items() if note == NOT_GIVEN]
        lacking = sorted(t for t, note in self.absent.items() if note != NOT_GIVEN)
        parts = []
        if any(t != DISTRICT_TABLE for t in not_given):
            parts.append(f"{NOT_GIVEN}: the vendor database")
        if DISTRICT_TABLE in not_given:
            parts.append(f"{NOT_GIVEN}: the district exports")
        if lacking:
            parts.append(f"{ABSENT_TABLE}: {', '.join(lacking)}")
        return "; ".join(parts) + " (audit.reconciliation.note)" if parts else None


def dagster_instance(home: Path | None = None) -> dg.DagsterInstance:
    """The persistent instance at settings.dagster_home (created on first use), opened from its
    folder: the process environment (DAGSTER_HOME) stays as it was."""
    home = (home or get_settings().dagster_home).resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return dg.DagsterInstance.from_config(str(home))


def run_settings(warehouse: str | None = None, settings: Settings | None = None) -> Settings:
    """The settings of one run: the command's warehouse (when given) over the settings', so
    everything built from them (resources, asset kinds, run tags, dbt's target) agrees."""
    base = settings or get_settings()
    if warehouse is None:
        return base
    return base.model_copy(update={"warehouse": Warehouse(warehouse).target})


def _month(value: str | None, default: str) -> str:
    if value is None:
        return default
    if len(value) != 7 or value[4] != "-" or not value.replace("-", "").isdigit():
        raise EldercareError(f"month {value!r}: expected YYYY-MM")
    if not FIRST_MONTH <= value <= LAST_MONTH:
        raise EldercareError(
            f"month {value}: outside the legacy history {FIRST_MONTH}..{LAST_MONTH}"
        )
    return value


def run_migration(
    *,
    legacy_url: str | None,
    exports_dir: Path | None,
    warehouse: str,
    first_month: str | None = None,
    last_month: str | None = None,
    dagster_home: Path | None = None,
    quiet: bool = True,
) -> MigrationSummary:
    """Execute migration_job in process over the month range; returns what happened."""
    if not legacy_url and not exports_dir:
        raise EldercareError(
            "migrate: give --legacy URL and/or --legacy FOLDER (or set legacy_url)"
        )
    lo, hi = _month(first_month, FIRST_MONTH), _month(last_month, LAST_MONTH)
    if lo > hi:
        raise EldercareError(f"--from {lo} is after --to {hi}")
    # Every raw table, whichever sources were given: one not given lands empty, with a note.
    selection = [dg.AssetKey(["raw", t]) for t in [*TABLES, DISTRICT_TABLE]]
    run_config = {"loggers": {"console": {"config": {"log_level": "ERROR" if quiet else "INFO"}}}}
    # The sources of this run replace the settings' (an absent one stays absent).
    settings = run_settings(warehouse).model_copy(
        update={"legacy_url": legacy_url, "exports_dir": exports_dir}
    )
    job = migration_defs(settings).resolve_job_def("migration_job")
    # The job's own checks (reconciliation) of the selected assets, not other domains' checks.
    checks = {dg.AssetCheckKey(k, c) for k in selection for c in ("reconciled", "files_readable")}
    job = job.get_subset(
        asset_selection=set(selection), asset_check_selection=checks & _checks(job)
    )
    result = job.execute_in_process(
        run_config=run_config,
        instance=dagster_instance(dagster_home),
        tags={RANGE_START_TAG: lo, RANGE_END_TAG: hi, WAREHOUSE_TAG: settings.warehouse_kind},
        raise_on_error=False,
    )
    return _summarise(result)


def _checks(job: dg.JobDefinition) -> set[dg.AssetCheckKey]:
    return set(job.asset_layer.asset_graph.asset_check_keys)


def _summarise(result: dg.ExecuteInProcessResult) -> MigrationSummary:
    summary = MigrationSummary(result.run_id, result.success)
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            err = event.step_failure_data.error
            while err.cause is not None and "EldercareError" not in err.cls_name:
                err = err.cause
            message = err.message.strip().splitlines()[-1]
            message = message.removeprefix(f"{err.cls_name}: ").removeprefix(
                "eldercare.errors.EldercareError: "
            )
            summary.failures.append(f"{event.step_key}: {message}")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            data = event.event_specific_data
            if data.passed:
                continue
            where = f"{data.asset_key.to_user_string()} {data.check_name}"
            if data.check_name == "files_readable":
                summary.file_errors += str(data.metadata["errors"].value).splitlines()
            elif data.severity == dg.AssetCheckSeverity.ERROR:
                detail = data.metadata.get("disagreements")
                summary.failed_checks.append(
                    f"{where}: {detail.value if detail else data.description}"
                )
            else:
                summary.warnings.append(f"{where}: {data.description or 'failed'}")
        elif event.is_step_materialization:
            mat = event.step_materialization_data.materialization
            count = mat.metadata.get("dagster/row_count")
            if count is not None:
                summary.rows[mat.asset_key.path[-1]] = int(count.value)
            if (absent := mat.metadata.get("absent")) is not None:
                summary.absent[mat.asset_key.path[-1]] = str(absent.value)
            if (notes := mat.metadata.get("contract_warnings")) is not None:
                summary.warnings += str(notes.value).splitlines()
    return summary


@dataclass
class JobSummary:
    """What a dbt or publish run did: its failures in words (dbt's own reasons for dbt)."""

    run_id: str
    success: bool
    seconds: float
    failures: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # dbt's own errors, in words


def _execute(job_name: str, settings: Settings, dagster_home: Path | None, quiet: bool):
    """Run ``job_name`` of the definitions built from ``settings``; dagster-dbt writes dbt's
    log lines to stdout (for the UI's step logs): quiet drops them."""
    job = build_defs(settings).resolve_job_def(job_name)
    with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
        return job.execute_in_process(
            run_config={
                "loggers": {"console": {"config": {"log_level": "WARNING" if quiet else "INFO"}}}
            },
            instance=dagster_instance(dagster_home),
            tags={WAREHOUSE_TAG: settings.warehouse_kind},
            raise_on_error=False,
        )


def run_warehouse(
    target: str, *, dagster_home: Path | None = None, quiet: bool = True
) -> JobSummary:
    """Execute warehouse_job (``dbt build``) in process on ``target``."""
    started = time.perf_counter()
    settings = run_settings(target)
    result = _execute("warehouse_job", settings, dagster_home, quiet)
    summary = JobSummary(result.run_id, result.success, time.perf_counter() - started)
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
        summary.reasons = dbt_failures.reasons(result.run_id, Warehouse(settings.warehouse))
    return summary


def run_publish(target: str, *, dagster_home: Path | None = None, quiet: bool = True):
    """Execute publish_job in process on ``target`` (the warehouse the dbt step just built)."""
    started = time.perf_counter()
    result = _execute("publish_job", run_settings(target), dagster_home, quiet)
    summary = JobSummary(result.run_id, result.success, time.perf_counter() - started)
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None:  # the user's error, not Dagster's wrapper
                error = error.cause
            lines = error.message.strip().splitlines()
            summary.failures.append(f"{event.step_key}: {lines[0] if lines else 'failed'}")
    return summary
