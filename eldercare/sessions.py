"""Server-side sessions of the cockpit (GB/T 22239-2019 level 3, 8.1.4.1 b and d).

A login creates a random token (256 bits); the browser keeps it in a cookie, the database keeps
only its sha256, the account, when it was created and last seen, and when and why it ended.
Every script run of the cockpit checks the token here: a session ended (logout, password change,
reset, disabled, role change) or idle longer than ``settings.session_idle_minutes`` is refused,
so a copied token is useless once its session is over. Times are UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from eldercare.appdb import accounts, sessions


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(engine: sa.Engine, username: str, client: str | None = None) -> str:
    """A new session of ``username``; returns the token (shown to the browser only)."""
    token = secrets.token_urlsafe(32)
    now = _utcnow()
    with engine.begin() as conn:
        conn.execute(sessions.insert().values(
            token_hash=_hash(token), username=username, client=(client or "")[:64] or None,
            created_at=now, last_seen_at=now,
        ))  # fmt: skip
    return token


@dataclass(frozen=True)
class Check:
    """``reason`` None: the session of ``username`` is alive; else why not: ``unknown``,
    ``ended``, ``idle`` or ``disabled`` (``username`` then the account it belonged to)."""

    username: str | None
    reason: str | None = None

    @property
    def alive(self) -> bool:
        return self.reason is None


def check(engine: sa.Engine, token: str, idle_minutes: float) -> Check:
    """Validate a token and, when alive, mark it seen now (the idle clock restarts)."""
    if not token:
        return Check(None, "unknown")
    key = _hash(token)
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(sessions, accounts.c.disabled)
            .join(accounts, accounts.c.username == sessions.c.username, isouter=True)
            .where(sessions.c.token_hash == key)
        ).first()
    if row is None:
        return Check(None, "unknown")
    if row.ended_at is not None:
        return Check(row.username, "ended")
    now = _utcnow()
    if row.disabled is None or row.disabled:
        end(engine, token, "disabled")
        return Check(row.username, "disabled")
    if now - row.last_seen_at > dt.timedelta(minutes=idle_minutes):
        end(engine, token, "idle")
        return Check(row.username, "idle")
    with engine.begin() as conn:
        conn.execute(sessions.update().where(sessions.c.token_hash == key).values(last_seen_at=now))
    return Check(row.username)


def end(engine: sa.Engine, token: str, reason: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sessions.update()
            .where(sessions.c.token_hash == _hash(token), sessions.c.ended_at.is_(None))
            .values(ended_at=_utcnow(), end_reason=reason)
        )


def end_all(engine: sa.Engine, username: str, reason: str) -> int:
    """End every open session of an account (all browsers, all devices); how many ended."""
    with engine.begin() as conn:
        done = conn.execute(
            sessions.update()
            .where(sessions.c.username == username, sessions.c.ended_at.is_(None))
            .values(ended_at=_utcnow(), end_reason=reason)
        )
    return done.rowcount
