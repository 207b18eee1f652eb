"""Shared fixtures: fresh PostgreSQL and MariaDB databases on this machine's real servers.

Tests that use them carry the ``postgres`` or ``mariadb`` marker. A server that is down makes
those tests fail (never skip): `.ci/run` starts both before `make test`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

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
