"""``eldercare inspect`` as the command line runs it (kept out of the shared cli module)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from eldercare.errors import EldercareError
from eldercare.settings import get_settings
from migration.inspect import inspect_sources
from migration.inspect_report import text, verdict, write_html, write_json


def run(legacy: Sequence[str], json_path: str | None, html_path: str | None) -> None:
    from eldercare.legacy_args import split_legacy

    if legacy:
        url, folder = split_legacy(list(legacy))
    else:
        settings = get_settings()
        url, folder = settings.legacy_url, settings.exports_dir
    report = inspect_sources(url, folder)
    click.echo(text(report))
    if json_path:
        write_json(report, Path(json_path))
        click.echo(f"report: {json_path}", err=True)
    if html_path:
        write_html(report, Path(html_path))
        click.echo(f"report: {html_path}", err=True)
    if not report.ok:
        raise EldercareError(verdict(report))
    click.echo(verdict(report))
