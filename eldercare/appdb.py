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

# Issue 14. Append-only (the audit trail): a correction is a new row; the latest row counts.
inspection_results = sa.Table(
    "inspection_results",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("plan_date", sa.Date, nullable=False),
    sa.Column("org_code", sa.String(32), nullable=False),
    sa.Column("county_code", sa.String(6)),
    sa.Column("check_item", sa.String(128), nullable=False),
    sa.Column("result", sa.String(16), nullable=False),  # 合格 | 不合格 | 无法核实
    sa.Column("deduction", sa.Float),
    sa.Column("note", sa.Text),
    sa.Column("recorded_by", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)
report_comments = sa.Table(
    "report_comments",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("report_key", sa.String(64), nullable=False),  # from_to_county (reports.store)
    sa.Column("section", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("written_by", sa.String(64), nullable=False),
    sa.Column("written_at", sa.DateTime, nullable=False),
)
report_files = sa.Table(
    "report_files",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("report_key", sa.String(64), nullable=False),
    sa.Column("date_from", sa.Date, nullable=False),
    sa.Column("date_to", sa.Date, nullable=False),
    sa.Column("county_code", sa.String(6)),  # NULL: the whole city
    sa.Column("docx", sa.LargeBinary, nullable=False),
    sa.Column("pdf", sa.LargeBinary, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# Reviewers' decisions on suspicious work orders (#65, #66): append-only, one row per action,
# so the table is its own audit trail; the latest confirm/clear per order is a training label
# of the next work-order warning model (eldercare/review.py, docs/warning.md).
order_review_decisions = sa.Table(
    "order_review_decisions",
    METADATA,
    sa.Column("decision_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("order_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("action", sa.String(16), nullable=False),  # confirm / clear / appeal
    sa.Column("reason", sa.Text),
    sa.Column("reviewer", sa.String(64), nullable=False),
    sa.Column("county_code", sa.String(6)),
    sa.Column("decided_at", sa.DateTime, nullable=False),
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
