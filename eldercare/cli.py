"""The ``eldercare`` command line. Each command is a thin call into its domain module."""

from __future__ import annotations

import sys

import click

from eldercare.errors import EldercareError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """eldercare: migrate, model, check and show a city's elderly-care data."""


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
