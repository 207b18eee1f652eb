"""The application database: what people write (accounts, and later sessions, the audit log,
review decisions, inspection results, analysts' comments), kept apart from the warehouse.

SQLite ``data/app.sqlite`` by default, a PostgreSQL schema ``app`` in production; one SQLAlchemy
Core layer for both. Later issues add their tables to ``METADATA`` here, so ``create_all`` knows
every table of the application in one place.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from eldercare.errors import EldercareError

METADATA = sa.MetaData()

accounts = sa.Table(
    "accounts",
    METADATA,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(128), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    # 6-digit GB/T 2260 county code for county-scoped roles; NULL means the whole city
    sa.Column("county_code", sa.String(6)),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_login_at", sa.DateTime),
)


def _normalise(url: str) -> str:
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@lru_cache(maxsize=4)
def engine(url: str) -> sa.Engine:
    """The engine of one application database, its tables created on first use."""
    url = _normalise(url)
    postgres = url.startswith("postgresql")
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    kwargs = {"execution_options": {"schema_translate_map": {None: "app"}}} if postgres else {}
    try:
        eng = sa.create_engine(url, **kwargs)
        with eng.begin() as conn:
            if postgres:
                conn.execute(sa.text("create schema if not exists app"))
            METADATA.create_all(conn)
    except sa.exc.SQLAlchemyError as exc:
        raise EldercareError(
            f"application database: cannot open it: {exc.__class__.__name__}: "
            f"{str(exc.orig if hasattr(exc, 'orig') else exc).splitlines()[0]}"
        ) from None
    return eng


def app_engine() -> sa.Engine:
    from eldercare.settings import get_settings

    return engine(get_settings().app_db)
