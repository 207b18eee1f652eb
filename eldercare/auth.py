"""Logging in with two factors: the password policy, its history, lockout (GB/T 22239-2019
level 3, 8.1.4.1 a–d).

- Passwords: argon2id, at least 10 characters of at least 3 kinds (upper case, lower case,
  digits, symbols), none of the account's last 5 again (their hashes are kept).
- 5 failed logins in a row (a wrong password or a wrong code) lock the account for 15 minutes;
  while locked every attempt is refused, even with the right password and code.
- The second factor is a TOTP code (``eldercare/mfa.py``); the answer to a wrong password and to
  a wrong code is the same, so the form tells nobody which factor was wrong.

Every outcome is written to the audit log. Times are UTC.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from eldercare import audit, mfa, sessions
from eldercare.appdb import accounts, password_history
from eldercare.errors import EldercareError

MIN_LENGTH = 10
MIN_KINDS = 3
HISTORY = 5  # a new password differs from the last 5 (the current one included)
MAX_FAILURES = 5
LOCK_MINUTES = 15
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
_KINDS = (
    ("大写字母", set(string.ascii_uppercase)),
    ("小写字母", set(string.ascii_lowercase)),
    ("数字", set(string.digits)),
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_policy(password: str) -> None:
    """Raise an error saying what the password lacks (Chinese first: the cockpit shows it)."""
    if len(password) < MIN_LENGTH:
        raise EldercareError(
            f"密码太短：至少 {MIN_LENGTH} 个字符 (password too short: at least {MIN_LENGTH})"
        )
    kinds = sum(1 for _, chars in _KINDS if chars & set(password))
    kinds += any(not c.isalnum() for c in password)  # symbols, spaces, anything else
    if kinds < MIN_KINDS:
        raise EldercareError(
            f"密码须包含大写字母、小写字母、数字、符号中的至少 {MIN_KINDS} 类 "
            f"(password needs {MIN_KINDS} of: upper case, lower case, digits, symbols)"
        )


def remember(conn: sa.Connection, username: str, hashed: str, at: dt.datetime) -> None:
    conn.execute(password_history.insert().values(username=username, password_hash=hashed,
                                                  set_at=at))  # fmt: skip


def forget_history(conn: sa.Connection, username: str) -> None:
    conn.execute(password_history.delete().where(password_history.c.username == username))


def set_password(engine: sa.Engine, username: str, password: str, *, must_change: bool) -> None:
    """Store a new password after the policy and the no-reuse check; ends no session itself."""
    check_policy(password)
    with engine.connect() as conn:
        recent = conn.execute(
            sa.select(password_history.c.password_hash)
            .where(password_history.c.username == username)
            .order_by(password_history.c.id.desc())
            .limit(HISTORY)
        ).scalars()
        if any(_verify(h, password) for h in recent):
            raise EldercareError(
                f"不能使用最近 {HISTORY} 次用过的密码 (password used among the last {HISTORY})"
            )
    now, hashed = utcnow(), hash_password(password)
    with engine.begin() as conn:
        conn.execute(
            accounts.update()
            .where(accounts.c.username == username)
            .values(password_hash=hashed, must_change_password=must_change,
                    password_changed_at=now)
        )  # fmt: skip
        remember(conn, username, hashed, now)


@dataclass(frozen=True)
class Login:
    """The outcome of one attempt. ``status``: ``ok`` (both factors right), ``enrol`` (password
    right, no second factor yet: enrolment next), ``failed`` or ``locked`` (with ``until``)."""

    status: str
    username: str | None = None
    until: dt.datetime | None = None
    must_change: bool = False


def _record(event: str, row, client: str | None, result: str, engine, **detail) -> None:
    audit.record(
        event, username=row.username if row is not None else None,
        role=row.role if row is not None else None,
        county_code=row.county_code if row is not None else None,
        client=client, result=result, detail=detail or None, engine=engine,
    )  # fmt: skip


def login(
    engine: sa.Engine, username: str, password: str, code: str, client: str | None = None
) -> Login:
    """Check both factors; count a failure, lock at the 5th, refuse while locked."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(accounts).where(accounts.c.username == username)).first()
    if row is None:
        _HASHER.hash(password)  # spend the same time as a real check
        # the name typed is not recorded: it may be a password typed into the wrong field
        _record("login", None, client, "failure", engine, reason="unknown account")
        return Login("failed")
    now = utcnow()
    if row.locked_until is not None and row.locked_until > now:
        _record("login", row, client, "failure", engine, reason="locked")
        return Login("locked", username, row.locked_until)
    password_ok = _verify(row.password_hash, password)
    if password_ok and row.disabled:
        _record("login", row, client, "failure", engine, reason="disabled")
        return Login("failed")
    if password_ok and row.totp_secret is None:
        _record("login", row, client, "pending", engine, reason="second factor to enrol")
        return Login("enrol", username, must_change=row.must_change_password)
    if password_ok and mfa.verify(engine, username, code):
        with engine.begin() as conn:
            conn.execute(accounts.update().where(accounts.c.username == username)
                         .values(failed_logins=0, locked_until=None, last_login_at=now))  # fmt: skip
        _record("login", row, client, "success", engine)
        return Login("ok", username, must_change=row.must_change_password)
    return _failure(engine, row, client, "wrong password" if not password_ok else "wrong code")


def _failure(engine: sa.Engine, row, client: str | None, reason: str) -> Login:
    # an expired lock starts a new count
    failures = 0 if row.locked_until is not None else row.failed_logins
    failures += 1
    until = utcnow() + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
    with engine.begin() as conn:
        conn.execute(
            accounts.update()
            .where(accounts.c.username == row.username)
            .values(failed_logins=0 if until else failures, locked_until=until)
        )
    _record("login", row, client, "failure", engine, reason=reason, failures=failures)
    if until:
        _record("lockout", row, client, "success", engine, until=until.isoformat(), minutes=15)
    return Login("failed")


def change_own_password(
    engine: sa.Engine,
    username: str,
    new_password: str,
    *,
    current_password: str | None,
    client: str | None = None,
) -> None:
    """The account's own change; ends every session of the account (all devices).

    ``current_password`` None only in the forced change right after both factors succeeded.
    """
    with engine.connect() as conn:
        row = conn.execute(sa.select(accounts).where(accounts.c.username == username)).first()
    if row is None:
        raise EldercareError(f"account {username!r} does not exist")
    if current_password is not None and not _verify(row.password_hash, current_password):
        _record("password_change", row, client, "failure", engine, reason="wrong password")
        raise EldercareError("当前密码错误 (current password wrong)")
    set_password(engine, username, new_password, must_change=False)
    ended = sessions.end_all(engine, username, "password")
    _record("password_change", row, client, "success", engine, sessions_ended=ended)
