"""The tamper-evident audit trail (issue 15): who did what, when, from where, with what result.

Every row of ``app.audit_log`` carries ``row_hash = sha256(canonical row, prev_hash)``, so a row
changed, inserted or deleted anywhere but at the very end breaks the chain; ``verify`` walks it
and names the first row that does not fit. Writers serialise on one lock (an advisory lock on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so two cockpit processes cannot fork the chain.

``detail`` is JSON and never holds personal data: callers pass codes, counts and hashes of
parameters (``param_hash``), never an ID number, phone or name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from eldercare.appdb import app_engine, audit_log
from eldercare.errors import EldercareError

GENESIS = "0" * 64  # prev_hash of the first row
_PG_LOCK_KEY = 0x65_6C_64_61  # pg_advisory_xact_lock key of the audit writers ("elda")
_COLUMNS = ("id", "at", "username", "role", "county_code", "client", "event", "result", "detail")


def canonical(value: object) -> str:
    """Compact, key-sorted JSON: the one serialisation hashes are computed over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def param_hash(params: object) -> str:
    """A short fingerprint of query parameters: equal parameters, equal hash; no values kept."""
    return hashlib.sha256(canonical(params).encode()).hexdigest()[:16]


def _at_text(at: datetime | str) -> str:
    if isinstance(at, str):  # SQLite read without the table's types
        at = datetime.fromisoformat(at)
    return at.isoformat(timespec="microseconds")


def row_hash(row: dict, prev_hash: str) -> str:
    """sha256 over the row's fields (canonical JSON, time to the microsecond) and prev_hash."""
    fields = {c: row[c] for c in _COLUMNS}
    fields["at"] = _at_text(row["at"])
    fields["prev_hash"] = prev_hash
    return hashlib.sha256(canonical(fields).encode()).hexdigest()


def record(
    event: str,
    *,
    username: str | None,
    role: str | None,
    county_code: str | None,
    client: str | None,
    result: str,
    detail: dict | None = None,
    engine: sa.Engine | None = None,
) -> None:
    """Append one row to the audit log, chained to the last one. Raises EldercareError when it
    cannot be written: an action whose audit fails must not go ahead."""
    eng = engine or app_engine()
    row = {
        "username": username,
        "role": role,
        "county_code": county_code,
        # a mock or an object where an address belongs (AppTest's st.context) is no address
        "client": client[:64] if isinstance(client, str) and client else None,
        "event": event[:32],
        "result": result[:16],
        "detail": canonical(detail or {}),
    }
    try:
        with eng.connect() as conn:
            _lock(conn)
            # the time under the lock: ids and times rise together
            row["at"] = datetime.now(UTC).replace(tzinfo=None)
            last = conn.execute(
                sa.select(audit_log.c.id, audit_log.c.row_hash)
                .order_by(audit_log.c.id.desc())
                .limit(1)
            ).first()
            row["id"] = last.id + 1 if last else 1
            row["prev_hash"] = last.row_hash if last else GENESIS
            row["row_hash"] = row_hash(row, row["prev_hash"])
            conn.execute(audit_log.insert().values(**row))
            conn.commit()
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise EldercareError(
            f"audit log: cannot write the {event} event: {exc.__class__.__name__}: {reason}"
        ) from None


def _lock(conn: sa.Connection) -> None:
    """Take the writers' lock for the rest of this transaction."""
    if conn.dialect.name == "postgresql":
        # an advisory lock needs no UPDATE grant (LOCK TABLE ... EXCLUSIVE would)
        conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    elif conn.dialect.name == "sqlite":
        # pysqlite begins lazily (deferred); take the write lock before reading the last row
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def search(
    engine: sa.Engine | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    username: str | None = None,
    events: Sequence[str] = (),
    limit: int = 5000,
) -> pd.DataFrame:
    """The newest rows matching the filters (times UTC, ``until`` exclusive), newest first."""
    t = audit_log.c
    q = sa.select(audit_log).order_by(t.id.desc()).limit(limit)
    if since:
        q = q.where(t.at >= since)
    if until:
        q = q.where(t.at < until)
    if username:
        q = q.where(t.username == username)
    if events:
        q = q.where(t.event.in_(list(events)))
    with (engine or app_engine()).connect() as conn:
        rows = conn.execute(q).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in audit_log.columns])


def distinct(column: str, engine: sa.Engine | None = None) -> list[str]:
    """The values one column takes (``event``, ``username``), for filters."""
    col = audit_log.c[column]
    with (engine or app_engine()).connect() as conn:
        return [v for (v,) in conn.execute(sa.select(col).distinct().order_by(col)) if v]


def pg_grants(role: str) -> list[str]:
    """What the application's PostgreSQL role may do with the audit log: read and append, no
    more (docs/security.md). The role must not own the table: an owner could drop the trigger."""
    if not role.replace("_", "").isalnum():
        raise EldercareError(f"audit log: {role!r} is not a plain role name")
    return [
        f"grant usage on schema app to {role}",
        f"revoke all on app.audit_log from {role}",
        f"grant select, insert on app.audit_log to {role}",
    ]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rows: int
    message: str
    bad_id: int | None = None  # the first row that does not fit
    head: str = GENESIS  # row_hash of the last row checked


def verify(engine: sa.Engine | None = None, batch: int = 5000) -> Verdict:
    """Walk the whole chain in id order; the first row that does not fit is named."""
    eng = engine or app_engine()
    prev_hash, prev_id, n = GENESIS, 0, 0
    with eng.connect() as conn:
        while True:
            rows = conn.execute(
                sa.select(audit_log)
                .where(audit_log.c.id > prev_id)
                .order_by(audit_log.c.id)
                .limit(batch)
            ).mappings()
            got = 0
            for r in rows:
                got += 1
                n += 1
                bad = _check(dict(r), prev_id, prev_hash)
                if bad:
                    return Verdict(False, n, bad, r["id"], prev_hash)
                prev_hash, prev_id = r["row_hash"], r["id"]
            if got < batch:
                break
    return Verdict(True, n, f"audit log intact: {n} rows, head {prev_hash[:16]}", None, prev_hash)


def _check(r: dict, prev_id: int, prev_hash: str) -> str | None:
    """Why row ``r`` does not follow the row (prev_id, prev_hash), or None when it does."""
    rid = r["id"]
    if r["prev_hash"] != prev_hash:
        if rid != prev_id + 1:
            return f"row {rid}: rows {prev_id + 1}..{rid - 1} before it are missing (deleted)"
        return (
            f"row {rid}: its prev_hash is not row {prev_id}'s hash "
            f"(row {prev_id} rewritten with a new hash, or row {rid} changed)"
        )
    if rid != prev_id + 1:
        return f"row {rid}: its id does not follow row {prev_id} (rows renumbered)"
    if row_hash(r, prev_hash) != r["row_hash"]:
        return f"row {rid}: changed or forged (its row_hash does not match its content)"
    return None
