"""`eldercare docs`: the dbt documentation as one static page, built offline, without secrets."""

from __future__ import annotations

from click.testing import CliRunner

from eldercare.cli import cli
from eldercare.settings import get_settings


def test_docs_are_one_static_page_without_the_secret(built_duckdb_warehouse, tmp_path) -> None:
    secret = get_settings().code_secret.get_secret_value()  # the one `eldercare docs` uses
    out = tmp_path / "docs"
    result = CliRunner().invoke(
        cli, ["docs", "--warehouse", str(built_duckdb_warehouse), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "stg_legacy__yl_elder" in page and "dim_elder" in page
    assert secret not in page
    assert not (out / "partial_parse.msgpack").exists()
