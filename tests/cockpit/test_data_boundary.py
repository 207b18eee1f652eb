"""On DuckDB, which has no roles, the data-access module is the boundary: its connection is
read-only, reaches no file or network beyond the warehouse, and no query can change that; and
no page runs SQL of its own (docs/security.md, County scope)."""

from __future__ import annotations

import ast
from pathlib import Path

import duckdb
import pytest

from cockpit.data import core
from eldercare.settings import REPO_ROOT, get_settings

PAGES = REPO_ROOT / "cockpit" / "app_pages"
# What would let a page reach a database past cockpit/data's named, scoped functions.
FORBIDDEN = (
    "duckdb",
    "psycopg",
    "psycopg2",
    "sqlalchemy",
    "cockpit.data.core",
    "eldercare.warehouse",
)


@pytest.fixture
def cockpit_duckdb(built_duckdb_warehouse, monkeypatch):
    monkeypatch.setenv("ELDERCARE_WAREHOUSE", str(built_duckdb_warehouse))
    get_settings.cache_clear()
    core.close_connections()
    yield built_duckdb_warehouse
    core.close_connections()
    get_settings.cache_clear()


def test_the_connection_reads(cockpit_duckdb) -> None:
    assert core.run("select count(*) as n from marts.dim_elder").iat[0, 0] > 0


@pytest.mark.parametrize(
    "statement",
    [
        "set enable_external_access = true",
        "set lock_configuration = false",
        "reset enable_external_access",
        "copy (select 1 as x) to '{tmp}/out.csv'",
        "attach '{tmp}/other.duckdb' as other",
        "install httpfs",
        "load httpfs",
        "select * from read_csv('{tmp}/in.csv')",
        "create table marts.planted (x integer)",
        "delete from marts.dim_elder",
    ],
)
def test_a_query_cannot_leave_the_warehouse(cockpit_duckdb, tmp_path: Path, statement) -> None:
    (tmp_path / "in.csv").write_text("x\n1\n")
    with pytest.raises(duckdb.Error):
        core.run(statement.format(tmp=tmp_path))
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.duckdb").exists()
    # and the refusal changed nothing: external access is still off
    setting = core.run("select current_setting('enable_external_access') as v").iat[0, 0]
    assert setting is False or str(setting).lower() == "false"


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (``from a import b`` gives a and a.b)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _forbidden(modules: set[str]) -> list[str]:
    return sorted(m for m in modules for f in FORBIDDEN if m == f or m.startswith(f + "."))


def test_no_page_imports_a_driver_or_the_query_runner() -> None:
    pages = sorted(PAGES.glob("*.py"))
    assert len(pages) > 10
    offenders = {p.name: bad for p in pages if (bad := _forbidden(_imports(p)))}
    assert not offenders, f"pages that could run SQL of their own: {offenders}"


def test_the_import_check_sees_every_form(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    for line in (
        "import duckdb",
        "import psycopg.rows",
        "from sqlalchemy import text",
        "from cockpit.data import core",
        "from cockpit.data.core import run",
        "def f():\n    import psycopg2",
    ):
        page.write_text(line + "\n")
        assert _forbidden(_imports(page)), line
    page.write_text("from cockpit.data import archives\nimport streamlit as st\n")
    assert not _forbidden(_imports(page))
