"""Shared fixtures: fresh PostgreSQL and MariaDB databases on this machine's real servers.

Tests that use them carry the ``postgres`` or ``mariadb`` marker. A server that is down makes
those tests fail (never skip): `.ci/run` starts both before `make test`.
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

PG_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
MARIADB_ADMIN_URL = "mysql+pymysql://root@127.0.0.1:3306/"


def _fresh_database(admin_url: str, name: str, *, postgres: bool) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if postgres:
            conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
            conn.execute(sa.text(f'create database "{name}"'))
        else:
            conn.execute(sa.text(f"drop database if exists `{name}`"))
            conn.execute(sa.text(f"create database `{name}` character set utf8mb4"))
    engine.dispose()


def _drop_database(admin_url: str, name: str, *, postgres: bool) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if postgres:
            conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        else:
            conn.execute(sa.text(f"drop database if exists `{name}`"))
    engine.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database; yields a plain ``postgresql://`` URL."""
    name = f"eldercare_test_{uuid.uuid4().hex[:10]}"
    _fresh_database(PG_ADMIN_URL, name, postgres=True)
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    _drop_database(PG_ADMIN_URL, name, postgres=True)


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """A fresh, empty MariaDB database; yields a ``mysql+pymysql://`` URL."""
    name = f"eldercare_test_{uuid.uuid4().hex[:10]}"
    _fresh_database(MARIADB_ADMIN_URL, name, postgres=False)
    yield f"mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"
    _drop_database(MARIADB_ADMIN_URL, name, postgres=False)


@dataclass(frozen=True)
class LegacyData:
    """A generated legacy dataset: SQLite database, district exports and the truth."""

    url: str
    db_path: Path
    exports_dir: Path
    truth_dir: Path
    scale: str = "tiny"
    seed: int = 7

    def write_to(self, url: str) -> None:
        """The same legacy tables (same scale and seed) into another database, e.g. MariaDB."""
        from migration.generator import generate

        generate(self.scale, self.seed, url)


@pytest.fixture(scope="session")
def tiny_legacy(tmp_path_factory) -> LegacyData:
    """Scale tiny, seed 7, generated once per test session (read it, do not modify it)."""
    from migration.generator import generate

    root = tmp_path_factory.mktemp("tiny_legacy")
    data = LegacyData(
        url=f"sqlite:///{root / 'legacy.db'}",
        db_path=root / "legacy.db",
        exports_dir=root / "exports",
        truth_dir=root / "truth",
    )
    generate("tiny", 7, data.url, data.exports_dir, data.truth_dir)
    return data


# The tiny data migrated (the real Dagster job) and built with dbt once per target, shared by
# the dbt, quality and other tests. A failing `dbt build` does not abort the session: the
# fixture keeps dbt's first error line and test_dbt_build_passes_* report it.
TEST_SECRET = "eldercare-test-secret"


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
def defs(tmp_path_factory):
    """Every domain's Dagster definitions, bound to settings of a DuckDB warehouse (built once)."""
    from pipelines.definitions import build_defs

    target = tmp_path_factory.mktemp("defs") / "warehouse.duckdb"
    return build_defs(Settings(warehouse=str(target), code_secret=TEST_SECRET))


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


@pytest.fixture(scope="session")
def pg_build(tiny_legacy, tmp_path_factory) -> Iterator[Built]:
    """The same on PostgreSQL: a fresh database for the session, migrated and built once."""
    name = f"eldercare_dbt_{uuid.uuid4().hex[:10]}"
    _fresh_database(PG_ADMIN_URL, name, postgres=True)
    tmp = tmp_path_factory.mktemp("dbt_pg")
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    yield _migrate_and_build(tiny_legacy, url, tmp / "dagster_home")
    _drop_database(PG_ADMIN_URL, name, postgres=True)
