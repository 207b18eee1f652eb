"""The whole build, as ``eldercare build`` runs it, and its first step ``migrate``.

``build`` is the one function later steps extend (dbt, quality checks, models): each appends a
call after the migration. Both are thin: the work happens in Dagster jobs run in process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click

from eldercare.errors import EldercareError
from eldercare.settings import get_settings
from eldercare.warehouse import Warehouse

Echo = Callable[..., None]


def migrate(
    legacy: Sequence[str] = (),
    warehouse: str | None = None,
    first_month: str | None = None,
    last_month: str | None = None,
    *,
    verbose: bool = False,
    echo: Echo = click.echo,
):
    """Land the legacy DB and/or exports folder into the warehouse's raw schema, reconciled."""
    from migration.readers import redact
    from pipelines.run import run_migration, split_legacy

    settings = get_settings()
    if legacy:
        url, folder = split_legacy(list(legacy))
    else:
        url, folder = settings.legacy_url, settings.exports_dir
    target = Warehouse(warehouse or settings.warehouse).target  # checks the target first
    sources = " + ".join(x for x in (url and redact(url), folder and str(folder)) if x)
    echo(f"migrating {sources} -> {redact(target) if '://' in target else target}", err=True)
    summary = run_migration(
        legacy_url=url,
        exports_dir=folder,
        warehouse=target,
        first_month=first_month,
        last_month=last_month,
        dagster_home=settings.dagster_home,
        quiet=not verbose,
    )
    for line in summary.file_errors:
        echo(f"error: {line}", err=True)
    for line in summary.warnings:
        echo(f"warning: {line}", err=True)
    total = sum(summary.rows.values())
    echo(f"landed {total:,} rows in {len(summary.rows)} raw tables (run {summary.run_id})")
    if summary.failures:
        raise EldercareError(f"migration failed: {summary.failures[0]}")
    if summary.failed_checks:
        raise EldercareError(f"migration does not reconcile: {summary.failed_checks[0]}")
    return summary


def build(
    legacy: Sequence[str] = (),
    warehouse: str | None = None,
    first_month: str | None = None,
    last_month: str | None = None,
    *,
    verbose: bool = False,
    echo: Echo = click.echo,
) -> None:
    """Everything from legacy data to published marts; each later step appends itself here."""
    migrate(legacy, warehouse, first_month, last_month, verbose=verbose, echo=echo)
    transform(warehouse, verbose=verbose, echo=echo)


def transform(warehouse: str | None = None, *, verbose: bool = False, echo: Echo = click.echo):
    """dbt build (seeds, staging with quarantine and reconciliation, intermediate, marts)."""
    from pipelines.warehouse import run_warehouse

    settings = get_settings()
    summary = run_warehouse(
        warehouse or settings.warehouse, dagster_home=settings.dagster_home, quiet=not verbose
    )
    echo(f"dbt build {'passed' if summary.success else 'FAILED'} in {summary.seconds:.0f} s")
    for check in summary.failed_checks:
        echo(f"warning: check did not pass: {check}", err=True)
    if not summary.success:
        first = (summary.failed_checks or summary.failures or ["see the Dagster run"])[0]
        raise EldercareError(f"dbt build failed (run {summary.run_id}): {first}")
    return summary
