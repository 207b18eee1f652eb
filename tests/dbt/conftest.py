"""Session fixtures of the dbt tests: the tiny legacy data migrated (the real Dagster job) and
built with dbt once per target, shared by the staging, resolution and marts tests.

A failing `dbt build` does not abort the session: the fixture keeps dbt's first error line and
test_dbt_build_passes_* report it, so the other tests still show what was built.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from eldercare.errors import EldercareError
from eldercare.settings import Settings
from pipelines.dbt_project import run_dbt
from pipelines.run import run_migration

TEST_SECRET = "eldercare-test-secret"
PG_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


@dataclass
class Built:
    """A warehouse after migration + `dbt build`: its target, timing and dbt's verdict."""

    target: str
    settings: Settings
    seconds: float
    error: str | None


def _migrate_and_build(tiny_legacy, target: str, dagster_home: Path) -> Built:
    summary = run_migration(
        legacy_url=tiny_legacy.url,
        exports_dir=tiny_legacy.exports_dir,
        warehouse=target,
        dagster_home=dagster_home,
    )
    assert summary.success, summary.failures or summary.failed_checks
    settings = Settings(warehouse=target, code_secret=TEST_SECRET)
    started = time.perf_counter()
    try:
        run_dbt(["build"], settings)
        error = None
    except EldercareError as exc:
        error = str(exc)
    return Built(target, settings, time.perf_counter() - started, error)


@pytest.fixture(scope="session")
def code_secret() -> str:
    return TEST_SECRET


@pytest.fixture(scope="session")
def tiny_truth_dir(tiny_legacy) -> Path:
    return tiny_legacy.truth_dir


@pytest.fixture(scope="session")
def duckdb_build(tiny_legacy, tmp_path_factory) -> Built:
    tmp = tmp_path_factory.mktemp("dbt_duckdb")
    return _migrate_and_build(tiny_legacy, str(tmp / "warehouse.duckdb"), tmp / "dagster_home")


@pytest.fixture(scope="session")
def built_duckdb_warehouse(duckdb_build: Built) -> Path:
    """Path of the DuckDB warehouse: tiny data migrated and `dbt build` run (once per session)."""
    return Path(duckdb_build.target)


@pytest.fixture(scope="session")
def dbt_settings(duckdb_build: Built) -> Settings:
    """Settings pointing at the built DuckDB warehouse, with the test code secret."""
    return duckdb_build.settings


@pytest.fixture
def warehouse_con(built_duckdb_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-only connection, per test (a session-long one would lock out later dbt runs)."""
    con = duckdb.connect(str(built_duckdb_warehouse), read_only=True)
    yield con
    con.close()


def _admin(*statements: str) -> None:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    engine.dispose()


@pytest.fixture(scope="session")
def pg_build(tiny_legacy, tmp_path_factory) -> Iterator[Built]:
    """The same on PostgreSQL: a fresh database for the session, migrated and built once."""
    name = f"eldercare_dbt_{uuid.uuid4().hex[:10]}"
    _admin(f'drop database if exists "{name}" with (force)', f'create database "{name}"')
    tmp = tmp_path_factory.mktemp("dbt_pg")
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    yield _migrate_and_build(tiny_legacy, url, tmp / "dagster_home")
    _admin(f'drop database if exists "{name}" with (force)')
