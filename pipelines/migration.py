"""Migration domain: one asset per legacy table and one for the district exports, group "migration".

Keys are ``["raw", <legacy table>]`` and ``["raw", "district_monthly_report"]``; the dbt sources
(source ``raw``) map onto them. The six large tables are partitioned by month over the frozen
history and use a single-run backfill policy: a backfill of any month range is one run that
reads the source once and publishes month by month (see ``migration.landing``). Each asset
carries a blocking ``reconciled`` check that fails when landed and source disagree.
"""

import warnings
from collections.abc import Callable

import dagster as dg
from dagster import AssetExecutionContext

from migration import district_exports
from migration.landing import NOT_GIVEN, LandingOutcome, land_absent, land_table, month_range
from migration.legacy_schema import HISTORY_END, HISTORY_START, PARTITIONED_TABLES, TABLES
from pipelines.resources import LegacyResource, WarehouseResource

# Single-run backfills are what make one pass over the source possible; the policy is "beta".
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")

GROUP = "migration"
OWNERS = ["team:migration"]
MONTHLY = dg.MonthlyPartitionsDefinition(
    start_date=HISTORY_START.strftime("%Y-%m"),
    end_date=f"{HISTORY_END.year + HISTORY_END.month // 12}-{HISTORY_END.month % 12 + 1:02d}",
    fmt="%Y-%m",
)
DISTRICT_KEY = dg.AssetKey(["raw", district_exports.TABLE])
RECONCILED = "reconciled"
# The engine's kind (duckdb/postgres) is added where the definitions are bound to the settings
# (pipelines/definitions.py), not here at import.
KINDS = {"python"}


def _reconciled_result(outcome: LandingOutcome) -> dg.AssetCheckResult:
    bad = [r.describe() for r in outcome.partitions if not r.ok]
    if outcome.streamed_rows != outcome.source_rows:
        bad.insert(0, f"read {outcome.streamed_rows} rows, source counts {outcome.source_rows}")
    if outcome.whole is not None and outcome.full_range and not outcome.whole.ok:
        bad.append(outcome.whole.describe())
    return dg.AssetCheckResult(
        check_name=RECONCILED,
        passed=outcome.ok,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "source_rows": outcome.source_rows,
            "loaded_rows": outcome.whole.loaded_rows if outcome.whole else 0,
            "deleted_rows": outcome.whole.deleted_rows if outcome.whole else 0,
            "partitions_checked": len(outcome.partitions),
            "disagreements": "; ".join(bad[:20]) or "none",
        },
    )


def _notes(note: str | None, warnings: list[str]) -> dict[str, str]:
    """Metadata the CLI turns into its warning lines (pipelines.run._summarise)."""
    out = {"absent": note} if note else {}
    return out | ({"contract_warnings": "\n".join(warnings)} if warnings else {})


def _legacy_asset(table: str) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", table])
    partitioned = table in PARTITIONED_TABLES
    how = f"monthly by {PARTITIONED_TABLES[table]}" if partitioned else "reloaded whole"

    @dg.asset(
        key=key,
        group_name=GROUP,
        description=f"Legacy table {table}, every value as text ({how}).",
        partitions_def=MONTHLY if partitioned else None,
        backfill_policy=dg.BackfillPolicy.single_run() if partitioned else None,
        kinds=KINDS,
        owners=OWNERS,
        tags={"domain": "migration", "legacy_table": table},
        check_specs=[
            dg.AssetCheckSpec(
                RECONCILED,
                asset=key,
                blocking=True,
                description="Landed rows and key checksum equal the source's.",
            )
        ],
    )
    def _land(
        context: AssetExecutionContext, legacy: LegacyResource, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        months = None
        if partitioned:
            keys = context.partition_key_range
            months = month_range(keys.start, keys.end)
        if not legacy.url:  # exports alone: every legacy table lands empty
            outcome = land_absent(warehouse.get(), table, context.run.run_id, NOT_GIVEN)
        else:
            source = legacy.source()
            try:
                outcome = land_table(
                    source,
                    warehouse.get(),
                    table,
                    context.run.run_id,
                    months=months,
                    log=context.log.info,
                )
            finally:
                source.dispose()
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": outcome.landed_rows,
                "source_rows": outcome.source_rows,
                "months": len(months) if months else 0,
                "seconds": round(outcome.seconds, 2),
                "rows_per_second": round(outcome.streamed_rows / max(outcome.seconds, 1e-6)),
                **_notes(outcome.note, outcome.warnings),
            },
            check_results=[_reconciled_result(outcome)],
        )

    return _land


@dg.asset(
    key=DISTRICT_KEY,
    group_name=GROUP,
    description="District monthly exports (机构运营月报), one row per institution and month.",
    kinds=KINDS,
    owners=OWNERS,
    tags={"domain": "migration"},
    check_specs=[
        dg.AssetCheckSpec(RECONCILED, asset=DISTRICT_KEY, blocking=True),
        dg.AssetCheckSpec(
            "files_readable", asset=DISTRICT_KEY, description="Every export file was landed."
        ),
    ],
)
def district_monthly_report(
    context: AssetExecutionContext, legacy: LegacyResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    folder = legacy.exports_path()
    if folder is None:  # the database alone: the exports often come weeks later
        absent = land_absent(
            warehouse.get(),
            district_exports.TABLE,
            context.run.run_id,
            NOT_GIVEN,
            columns=[*district_exports.COLUMNS, "run_id", "loaded_at"],
        )
        return dg.MaterializeResult(
            metadata={"dagster/row_count": 0, "files": 0, **_notes(absent.note, [])},
            check_results=[
                dg.AssetCheckResult(check_name=RECONCILED, passed=True),
                dg.AssetCheckResult(check_name="files_readable", passed=True),
            ],
        )
    outcome = district_exports.land_exports(
        folder, warehouse.get(), context.run.run_id, log=_warn(context)
    )
    rec = outcome.reconciliation
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": outcome.rows,
            "files": outcome.files,
            **_notes(None, [f"{district_exports.TABLE}: {outcome.kept}"] if outcome.kept else []),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=RECONCILED,
                passed=outcome.ok,
                metadata={"source_rows": rec.source_rows, "loaded_rows": rec.loaded_rows},
            ),
            dg.AssetCheckResult(
                check_name="files_readable",
                passed=not outcome.errors,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "rejected_files": len(outcome.errors),
                    "errors": "\n".join(outcome.errors),
                },
            ),
        ],
    )


def _warn(context: AssetExecutionContext) -> Callable[[str], None]:
    def log(message: str) -> None:
        (context.log.warning if "rejected:" in message else context.log.info)(message)

    return log


legacy_assets = [_legacy_asset(t) for t in TABLES]
_ALL = [*legacy_assets, district_monthly_report]
migration_job = dg.define_asset_job(
    "migration_job",
    # Only the migration's own checks: other domains' checks on raw (quality suites) run in
    # their own jobs and in the UI, so that a migration run is as fast as the landing itself.
    selection=dg.AssetSelection.groups(GROUP).without_checks()
    | dg.AssetSelection.checks(*(key for a in _ALL for key in a.check_keys)),
    # DuckDB allows one writing process, so the steps run one after another in one process.
    executor_def=dg.in_process_executor,
    description="Land every legacy table and district export into raw, reconciled.",
)

defs = dg.Definitions(assets=_ALL, jobs=[migration_job])
