"""Session fixtures of the migration tests: tiny legacy data landed once, shared by the tests."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from migration_helpers import bad_files

from pipelines.run import MigrationSummary, run_migration

PG_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
MARIADB_ADMIN_URL = "mysql+pymysql://root@127.0.0.1:3306/"


@dataclass
class Landed:
    warehouse: str
    summary: MigrationSummary


def _admin(url: str, *statements: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    engine.dispose()


@pytest.fixture(scope="session")
def session_pg_url() -> Iterator[str]:
    """One fresh PostgreSQL database for the whole session (the per-test one is too slow here)."""
    name = f"eldercare_mig_{uuid.uuid4().hex[:10]}"
    _admin(
        PG_ADMIN_URL, f'drop database if exists "{name}" with (force)', f'create database "{name}"'
    )
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    _admin(PG_ADMIN_URL, f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
def tiny_mariadb_url(tiny_legacy) -> Iterator[str]:
    """The tiny legacy data in a fresh MariaDB database, written by the generator."""
    name = f"eldercare_mig_{uuid.uuid4().hex[:10]}"
    _admin(
        MARIADB_ADMIN_URL,
        f"drop database if exists `{name}`",
        f"create database `{name}` character set utf8mb4",
    )
    url = f"mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"
    tiny_legacy.write_to(url)
    yield url
    _admin(MARIADB_ADMIN_URL, f"drop database if exists `{name}`")


@pytest.fixture(scope="session")
def exports_with_bad_files(tiny_legacy, tmp_path_factory) -> Path:
    """The generator's exports plus one file of each kind of damage."""
    folder = tmp_path_factory.mktemp("exports") / "exports"
    shutil.copytree(tiny_legacy.exports_dir, folder)
    for name, (data, _) in bad_files().items():
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture(scope="session")
def landed_duckdb(tiny_legacy, exports_with_bad_files, tmp_path_factory) -> Landed:
    """SQLite + exports -> DuckDB through the Dagster job, once per session (the reference run)."""
    tmp = tmp_path_factory.mktemp("landed")
    target = str(tmp / "warehouse.duckdb")
    summary = run_migration(
        legacy_url=tiny_legacy.url,
        exports_dir=exports_with_bad_files,
        warehouse=target,
        dagster_home=tmp / "dagster_home",
    )
    return Landed(target, summary)
