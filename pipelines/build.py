"""The whole build, as ``eldercare build`` runs it, and its first step ``migrate``.

``build`` is the one function later steps extend (dbt, quality checks, models): each appends a
call after the migration. Both are thin: the work happens in Dagster jobs run in process
(``pipelines/run.py``), each built from the settings of the run: the command's ``--warehouse``
over the settings', decided once here (:func:`pipelines.run.run_settings`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from eldercare.errors import EldercareError
from eldercare.legacy_args import split_legacy
from eldercare.row_security import apply_county_scope
from eldercare.warehouse import Warehouse
from migration.readers import redact
from pipelines.run import run_migration, run_publish, run_settings, run_warehouse

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
    settings = run_settings(warehouse)  # checks the target first
    if legacy:
        url, folder = split_legacy(list(legacy))
    else:
        url, folder = settings.legacy_url, settings.exports_dir
    target = settings.warehouse
    sources = " + ".join(x for x in (url and redact(url), folder and str(folder)) if x)
    where = redact(target) if "://" in target else target
    echo(f"migrating {sources} -> {settings.warehouse_kind} {where}", err=True)
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
    if absent := summary.absent_line():
        echo(f"warning: {absent}", err=True)
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
    """Everything from legacy data to published marts and models.

    On DuckDB the build writes a working copy and switches it in only when every step passed,
    so the cockpit keeps reading the last complete warehouse meanwhile (``staged``).
    """
    target = run_settings(warehouse).warehouse
    with staged(target, echo) as working:
        landed = migrate(legacy, working, first_month, last_month, verbose=verbose, echo=echo)
        transform(working, verbose=verbose, echo=echo)
        if landed.database_given:
            publish(working, verbose=verbose, echo=echo)
        else:  # exports alone: no elders, orders or organisations to score or model
            echo("warning: quality and models not published: the vendor database was not given")


def building_path(target: str) -> Path:
    """Where a DuckDB build writes before the switch: same file name (DuckDB names the catalog
    after it), a hidden folder beside it (same file system, so the switch is one rename)."""
    path = Path(target)
    return path.parent / ".building" / path.name


@contextmanager
def staged(target: str, echo: Echo = click.echo) -> Iterator[str]:
    """Yield the path to build into; on success replace ``target`` with it in one rename.

    Readers that opened the old file keep reading it until they reopen (the cockpit reopens
    when the file's identity changes). A failed build leaves the working copy, and the next
    build resumes from it, as the migration resumes.
    """
    if Warehouse(target).postgres:
        yield target
        return
    working = building_path(target)
    if working.exists():
        echo(f"resuming the unfinished build in {working}", err=True)
    else:
        working.parent.mkdir(parents=True, exist_ok=True)
        if Path(target).exists():
            shutil.copy2(target, working)
    yield str(working)
    os.replace(working, target)
    echo(f"warehouse {target} switched to the new build", err=True)


def publish(warehouse: str | None = None, *, verbose: bool = False, echo: Echo = click.echo):
    """The Python assets downstream of the marts (quality publications, models)."""
    settings = run_settings(warehouse)
    summary = run_publish(settings.warehouse, dagster_home=settings.dagster_home, quiet=not verbose)
    # PostgreSQL: the tables just published are new and granted to nobody; give them the
    # county scope the dbt build gave the marts (docs/security.md, County scope)
    apply_county_scope(settings.warehouse)
    echo(
        f"published quality and models {'passed' if summary.success else 'FAILED'} "
        f"on {settings.warehouse_kind} in {summary.seconds:.0f} s"
    )
    if not summary.success:
        raise EldercareError(f"publishing failed (run {summary.run_id}): {summary.failures[0]}")
    return summary


def transform(warehouse: str | None = None, *, verbose: bool = False, echo: Echo = click.echo):
    """dbt build (seeds, staging with quarantine and reconciliation, intermediate, marts)."""
    settings = run_settings(warehouse)
    summary = run_warehouse(
        settings.warehouse, dagster_home=settings.dagster_home, quiet=not verbose
    )
    verdict = "passed" if summary.success else "FAILED"
    echo(f"dbt build {verdict} on {settings.warehouse_kind} in {summary.seconds:.0f} s")
    for check in summary.failed_checks:
        echo(f"warning: check did not pass: {check}", err=True)
    if not summary.success:
        # dbt's own reason first: a failed check may be a warning, a step failure only says
        # that dbt exited non-zero (pipelines.dbt_failures).
        for reason in summary.reasons[1:]:
            echo(f"error: {reason}", err=True)
        first = (summary.reasons or summary.failures or summary.failed_checks or ["see the run"])[0]
        raise EldercareError(f"dbt build failed (run {summary.run_id}): {first}")
    return summary
