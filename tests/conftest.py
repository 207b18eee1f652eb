"""Shared fixtures: fresh PostgreSQL and MariaDB databases on this machine's real servers.

Tests that use them carry the ``postgres`` or ``mariadb`` marker. A server that is down makes
those tests fail (never skip): `.ci/run` starts both before `make test`.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

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


@pytest.fixture(scope="session")
def built_duckdb_warehouse(tiny_legacy, tmp_path_factory) -> Path:
    """tiny_legacy migrated and `dbt build` run into a DuckDB file, once per session, for tests
    outside tests/dbt (read it; copy it to write). tests/dbt/conftest.py defines the same fixture
    for its own tests; moving that one here would let both share one build."""
    from eldercare.errors import EldercareError
    from eldercare.settings import Settings
    from pipelines.dbt_project import run_dbt
    from pipelines.run import run_migration

    tmp = tmp_path_factory.mktemp("built_duckdb")
    target = str(tmp / "warehouse.duckdb")
    summary = run_migration(
        legacy_url=tiny_legacy.url,
        exports_dir=tiny_legacy.exports_dir,
        warehouse=target,
        dagster_home=tmp / "dagster_home",
    )
    assert summary.success, summary.failures or summary.failed_checks
    try:  # a failing dbt data test still leaves the models built; tests/dbt reports it
        run_dbt(["build"], Settings(warehouse=target, code_secret="eldercare-test-secret"))
    except EldercareError as exc:
        warnings.warn(f"dbt build: {exc}", stacklevel=1)
    return Path(target)
