"""The ``eldercare`` command line. Each command is a thin call into its domain module."""

from __future__ import annotations

import sys

import click

from eldercare.cli_users import users
from eldercare.errors import EldercareError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """eldercare: migrate, model, check and show a city's elderly-care data."""


@cli.command()
@click.option("--scale", required=True, metavar="tiny|small|city", help="Size of the city.")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed.")
@click.option(
    "--to", "url", required=True, metavar="URL", help="sqlite:///file or mysql+pymysql://"
)
@click.option("--exports", "exports_dir", metavar="DIR", help="Folder for district exports.")
@click.option("--truth", "truth_dir", metavar="DIR", help="Folder for the truth (Parquet).")
@click.option(
    "--rate", "rates", multiple=True, metavar="KIND=RATE", help="Override a dirt/fraud rate."
)
@click.option(
    "--variant", metavar="NAME", help="Reshape as another vendor's dump: drift | string_keys."
)
def generate(scale, seed, url, exports_dir, truth_dir, rates, variant) -> None:
    """Generate realistic legacy vendor data (+ district exports and the truth)."""
    from migration.generator import generate as run

    overrides = {}
    for item in rates:
        kind, _, value = item.partition("=")
        try:
            overrides[kind.strip()] = float(value)
        except ValueError:
            raise EldercareError(
                f"--rate {item!r}: expected KIND=RATE, e.g. phone_plus86=0.1"
            ) from None
    if variant:  # fail on an unknown name before generating
        from migration.generator.variants import VARIANTS

        if variant not in VARIANTS:
            raise EldercareError(f"--variant {variant}: unknown (known: {', '.join(VARIANTS)})")
    s = run(scale, seed, url, exports_dir, truth_dir, overrides)
    for table, n in s.rows.items():
        click.echo(f"{table:<22}{n:>12,}")
    if s.files:
        folders = sorted({str(f.parent) for f in s.files})
        click.echo(f"{len(s.files)} files in {', '.join(folders)}")
    click.echo(f"generated scale {scale} seed {seed} in {s.seconds:.1f} s")
    if variant:
        from migration.generator.variants import VARIANTS, apply_variant

        apply_variant(variant, url, exports_dir)
        gone = " (exports folder removed)" if VARIANTS[variant].no_exports and exports_dir else ""
        click.echo(f"reshaped as vendor variant {variant}{gone}")


_LEGACY_HELP = "Legacy DB URL and/or exports folder; may be given twice (default: settings)."
_WAREHOUSE_HELP = "DuckDB path or postgresql:// URL (default: settings)."


@cli.command()
@click.option("--legacy", "legacy", multiple=True, metavar="URL_OR_FOLDER", help=_LEGACY_HELP)
@click.option("--json", "json_path", metavar="PATH", help="Also write the report as JSON.")
@click.option("--html", "html_path", metavar="PATH", help="Also write the report as one HTML page.")
def inspect(legacy, json_path, html_path) -> None:
    """Dry run: read the sources, write nothing, report what build would meet (exit 2 if it
    would fail)."""
    from migration.inspect_cli import run

    run(legacy, json_path, html_path)


@cli.command()
@click.option("--legacy", "legacy", multiple=True, metavar="URL_OR_FOLDER", help=_LEGACY_HELP)
@click.option("--warehouse", metavar="TARGET", help=_WAREHOUSE_HELP)
@click.option("--from", "first_month", metavar="YYYY-MM", help="First month of partitioned tables.")
@click.option("--to", "last_month", metavar="YYYY-MM", help="Last month of partitioned tables.")
@click.option("-v", "--verbose", is_flag=True, help="Show the Dagster run's progress log.")
def migrate(legacy, warehouse, first_month, last_month, verbose) -> None:
    """Land every legacy row into the warehouse's raw schema, reconciled (Dagster job)."""
    from pipelines.build import migrate as run

    run(legacy, warehouse, first_month, last_month, verbose=verbose)


@cli.command()
@click.option("--legacy", "legacy", multiple=True, metavar="URL_OR_FOLDER", help=_LEGACY_HELP)
@click.option("--warehouse", metavar="TARGET", help=_WAREHOUSE_HELP)
@click.option("--from", "first_month", metavar="YYYY-MM", help="First month of partitioned tables.")
@click.option("--to", "last_month", metavar="YYYY-MM", help="Last month of partitioned tables.")
@click.option("-v", "--verbose", is_flag=True, help="Show the Dagster runs' progress logs.")
def build(legacy, warehouse, first_month, last_month, verbose) -> None:
    """The whole build: migrate, then the later steps (dbt, checks, models)."""
    from pipelines.build import build as run

    run(legacy, warehouse, first_month, last_month, verbose=verbose)


@cli.command()
@click.option("--warehouse", metavar="TARGET", help=_WAREHOUSE_HELP)
@click.option("--out", type=click.Path(), help="Folder for the static site (default: dbt/target).")
@click.option("--serve", is_flag=True, help="Open the documentation in a browser afterwards.")
def docs(warehouse, out, serve) -> None:
    """Generate the dbt documentation (models, columns, lineage) as a static site, offline."""
    from pipelines.dbt_docs import generate_docs

    index = generate_docs(warehouse, out)
    click.echo(f"documentation: {index}")
    if serve:
        click.launch(index.as_uri())


@cli.command()
@click.option("--warehouse", metavar="TARGET", help=_WAREHOUSE_HELP)
@click.option("--layer", "layers", multiple=True, metavar="raw|staging|marts", help="Only these.")
@click.option("--texts/--no-texts", default=True, show_default=True, help="Review public texts.")
@click.option("--docs", "docs_dir", type=click.Path(), help="Also render GX Data Docs here.")
def check(warehouse, layers, texts, docs_dir) -> None:
    """Run the data-quality suites (and the review of public texts) against the warehouse."""
    from pathlib import Path

    from eldercare.settings import get_settings
    from quality.report import check_warehouse
    from quality.text_review import review_public_texts

    target = warehouse or get_settings().warehouse
    lines = check_warehouse(target, layers, Path(docs_dir) if docs_dir else None)
    for line in lines:
        click.echo(str(line))
    if texts:
        hits = review_public_texts(target)
        summary = ", ".join(f"{c} {n}" for c, n in sorted(hits.items())) or "none"
        click.echo(f"text review: {sum(hits.values())} hits to review ({summary})")
    if any(line.status == "ERROR" for line in lines):
        raise EldercareError("quality: critical expectations failed (see ERROR lines above)")


@cli.command()
@click.option("--quarter", required=True, metavar="YYYYQn", help="The quarter, e.g. 2025Q3.")
@click.option("--warehouse", metavar="TARGET", help=_WAREHOUSE_HELP)
def score(quarter, warehouse) -> None:
    """Publish the quality scores and provider evaluation of a quarter (docs/quality-score.md)."""
    from eldercare.settings import get_settings
    from eldercare.warehouse import Warehouse
    from models.quality_publish import publish_scores
    from models.quality_score import quarter_index

    try:
        quarter_index(quarter)
    except ValueError as exc:
        raise EldercareError(str(exc)) from None
    settings = get_settings()
    with Warehouse(warehouse or settings.warehouse).connect() as conn:
        out = publish_scores(conn, [quarter.upper()], settings.app_db, keep_others=True)
    rows = out["quality_score"][out["quality_score"]["period"] == quarter.upper()]
    scored = int((rows["status"] == "已评分").sum())
    click.echo(f"{quarter.upper()}: {scored} organisations scored, {len(rows) - scored} 数据不足")


@cli.command()
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "date_to", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--county", metavar="CODE", help="6-digit county code (default: the whole city).")
@click.option("--warehouse", metavar="TARGET", help=_WAREHOUSE_HELP)
@click.option("--out", type=click.Path(), help="Folder for the files (default: data/reports).")
def report(date_from, date_to, county, warehouse, out) -> None:
    """Write the quality analysis report (.docx and .pdf) of a period."""
    from pathlib import Path

    from eldercare.settings import get_settings
    from reports.generate import generate

    settings = get_settings()
    out_dir = Path(out) if out else settings.data_dir / "reports"
    r = generate(warehouse or settings.warehouse, date_from.date(), date_to.date(), county,
                 out_dir=out_dir, by="cli")  # fmt: skip
    click.echo(f"{r.docx_path}\n{r.pdf_path}\nreport {r.file_id} in {r.seconds:.1f} s")


@cli.command()
@click.option("--warehouse", metavar="TARGET", help=_WAREHOUSE_HELP)
@click.option("--port", type=int, help="Port on 127.0.0.1 (default: settings, 8501).")
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    help="Streamlit processes behind the port, about one core each (default: settings, 1).",
)
def cockpit(warehouse, port, workers) -> None:
    """Serve the cockpits (Streamlit) on 127.0.0.1, usage statistics off."""
    from cockpit.serve import serve

    serve(warehouse, port, workers)


cli.add_command(users)


@cli.group()
def audit() -> None:
    """The tamper-evident audit log (application database, settings.app_db)."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the whole hash chain; name the first changed, inserted or deleted row (exit 1)."""
    from eldercare.audit import verify

    verdict = verify()
    if not verdict.ok:
        click.echo(f"audit log BROKEN after {verdict.rows - 1} good rows: {verdict.message}")
        raise SystemExit(1)
    click.echo(verdict.message)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except EldercareError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
