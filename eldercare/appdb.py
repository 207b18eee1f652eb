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
    # Issue 15 (eldercare/auth.py): times in UTC. A created or reset account must change its
    # password at first login; 5 failures in a row lock it until locked_until.
    sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime),
    sa.Column("password_changed_at", sa.DateTime),
    # Fernet token of the TOTP secret (settings.totp_key); NULL: enrolment at next login
    sa.Column("totp_secret", sa.Text),
    sa.Column("totp_last_step", sa.BigInteger),  # last accepted 30-s step: a code works once
)
# Every password hash an account has had (the current one included), for the no-reuse rule.
password_history = sa.Table(
    "password_history",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("set_at", sa.DateTime, nullable=False),
)
# Server-side cockpit sessions (eldercare/sessions.py): only the token's sha256 is kept.
sessions = sa.Table(
    "sessions",
    METADATA,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("client", sa.String(64)),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
    sa.Column("ended_at", sa.DateTime),
    sa.Column("end_reason", sa.String(16)),  # logout | idle | password | disabled | ...
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

# Issue 15. The tamper-evident audit trail (eldercare/audit.py writes and verifies it): append-only,
# each row's row_hash chains it to the previous one. ``id`` is assigned by audit.record under a
# lock (previous id + 1), so a gap is a deleted row, not a rolled-back sequence value.
audit_log = sa.Table(
    "audit_log",
    METADATA,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("at", sa.DateTime, nullable=False),  # UTC
    sa.Column("username", sa.String(64)),
    sa.Column("role", sa.String(32)),
    sa.Column("county_code", sa.String(6)),
    sa.Column("client", sa.String(64)),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("result", sa.String(16), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),  # canonical JSON, never personal data
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("row_hash", sa.String(64), nullable=False),
    sa.Index("ix_audit_log_at", "at"),
)
# On PostgreSQL the table refuses UPDATE, DELETE and TRUNCATE even from its owner (grants keep
# the application role from disabling the trigger: docs/security.md, Audit).
sa.event.listen(
    audit_log,
    "after_create",
    sa.DDL(
        "create or replace function app.audit_log_append_only() returns trigger"
        " language plpgsql as $$ begin raise exception"
        " 'audit_log is append-only: %% refused', tg_op; end $$;"
        " create trigger audit_log_no_change before update or delete on app.audit_log"
        " for each row execute function app.audit_log_append_only();"
        " create trigger audit_log_no_truncate before truncate on app.audit_log"
        " for each statement execute function app.audit_log_append_only();"
    ).execute_if(dialect="postgresql"),
)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Every cockpit page run appends an audit row: with WAL and synchronous=NORMAL a commit
    # costs about 1.5 ms instead of 22 ms (no fsync per commit; a power cut may lose the last
    # commits, never corrupt the file). Production runs on PostgreSQL.
    dbapi_connection.execute("pragma journal_mode=wal")
    dbapi_connection.execute("pragma synchronous=normal")
    dbapi_connection.execute("pragma busy_timeout=10000")


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
        if url.startswith("sqlite"):
            sa.event.listen(eng, "connect", _sqlite_pragmas)
        with eng.begin() as conn:
            if postgres:
                conn.execute(sa.text("create schema if not exists app"))
            METADATA.create_all(conn)
            _add_new_columns(conn, "app" if postgres else None)
    except sa.exc.SQLAlchemyError as exc:
        raise EldercareError(
            f"application database: cannot open it: {exc.__class__.__name__}: "
            f"{str(exc.orig if hasattr(exc, 'orig') else exc).splitlines()[0]}"
        ) from None
    return eng


def _add_new_columns(conn: sa.Connection, schema: str | None) -> None:
    """Columns a later issue added to a table that an older database already holds (every such
    column is nullable or has a server default): the demo's app.sqlite survives an upgrade."""
    inspector = sa.inspect(conn)
    for table in METADATA.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name, schema=schema)}
        for column in table.columns:
            if column.name not in have:
                ddl = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
                name = f"{schema}.{table.name}" if schema else table.name
                conn.execute(sa.text(f"alter table {name} add column {ddl}"))


def app_engine() -> sa.Engine:
    from eldercare.settings import get_settings

    return engine(get_settings().app_db)
