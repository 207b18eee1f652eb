"""Two-factor login, password history, lockout and server-side sessions, against the real
application database: SQLite and PostgreSQL (schema ``app``)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import sqlalchemy as sa

from eldercare import accounts, auth, mfa, sessions
from eldercare.appdb import accounts as accounts_table
from eldercare.appdb import audit_log, engine, password_history
from eldercare.appdb import sessions as sessions_table
from eldercare.errors import EldercareError

PASSWORD = "Right-pass-2026"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def eng(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'app.sqlite'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    e = engine(url)
    yield e
    e.dispose()


def _step() -> int:
    return int(time.time()) // mfa.STEP


def _ready(eng, username: str = "li") -> str:
    """An account past its first login; returns its TOTP secret."""
    secret = mfa.new_secret()
    accounts.add(eng, username, PASSWORD, "county_user", "440803", must_change=False,
                 totp_secret=secret)  # fmt: skip
    return secret


def _events(eng, event: str) -> list[tuple]:
    with eng.connect() as conn:
        return conn.execute(
            sa.select(audit_log.c.username, audit_log.c.result, audit_log.c.detail)
            .where(audit_log.c.event == event).order_by(audit_log.c.id)
        ).all()  # fmt: skip


@pytest.mark.parametrize(
    ("password", "ok"),
    [("Short-1a", False), ("abcdefghijk", False), ("abcdefghij1", False), ("ABCDEFGHIJ-", False),
     ("Abcdefghij1", True), ("abcdefghi-1", True), ("ABCDEFGH-12", True), ("长者照护服务平台-2026a", True)],
)  # fmt: skip
def test_password_policy(password, ok) -> None:
    if ok:
        auth.check_policy(password)
    else:
        with pytest.raises(EldercareError):
            auth.check_policy(password)


def test_none_of_the_last_five_passwords_again(tmp_path) -> None:
    # SQLite only: the rule is Python over one table, and argon2 is slow on purpose
    eng = engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    _ready(eng)
    history = [PASSWORD] + [f"Next-pass-{i}" for i in range(1, 6)]
    for old, new in zip(history, history[1:], strict=False):
        auth.change_own_password(eng, "li", new, current_password=old)
    # the last five (Next-pass-1 … 5, the current one included) are refused, the sixth is not
    for reused in (history[1], history[-1]):  # the oldest and the newest of the five
        with pytest.raises(EldercareError, match="last 5"):
            auth.change_own_password(eng, "li", reused, current_password=history[-1])
    auth.change_own_password(eng, "li", PASSWORD, current_password=history[-1])
    with eng.connect() as conn:
        hashes = conn.execute(sa.select(password_history.c.password_hash)).scalars().all()
    assert len(hashes) == 7 and all(h.startswith("$argon2id$") for h in hashes)
    with pytest.raises(EldercareError, match="current password wrong"):
        auth.change_own_password(eng, "li", "Another-pass-1", current_password="wrong")


def test_the_sixth_attempt_after_five_failures_is_locked_out(eng) -> None:
    secret = _ready(eng)
    for _ in range(auth.MAX_FAILURES):
        assert auth.login(eng, "li", "Wrong-pass-2026", mfa.current_code(secret)).status == (
            "failed"
        )
    before = auth.utcnow()
    locked = auth.login(eng, "li", PASSWORD, mfa.current_code(secret))  # right, but locked
    assert locked.status == "locked"
    assert before + dt.timedelta(minutes=14) < locked.until < before + dt.timedelta(minutes=16)
    assert [r.result for r in _events(eng, "lockout")] == ["success"]
    assert accounts.get(eng, "li").locked
    # 15 minutes later (the lock moved into the past) the right factors work again
    with eng.begin() as conn:
        conn.execute(accounts_table.update().values(locked_until=before - dt.timedelta(seconds=1)))
    assert auth.login(eng, "li", PASSWORD, mfa.current_code(secret)).status == "ok"
    with eng.connect() as conn:
        assert conn.execute(sa.select(accounts_table.c.failed_logins)).scalar_one() == 0


def test_four_failures_then_success_do_not_lock_and_secadmin_unlocks(eng) -> None:
    secret = _ready(eng)
    for _ in range(auth.MAX_FAILURES - 1):
        auth.login(eng, "li", "Wrong-pass-2026", "")
    assert auth.login(eng, "li", PASSWORD, mfa.current_code(secret)).status == "ok"
    for _ in range(auth.MAX_FAILURES):
        auth.login(eng, "li", "Wrong-pass-2026", "")
    assert accounts.get(eng, "li").locked
    accounts.unlock(eng, "li")
    assert auth.login(eng, "li", PASSWORD, mfa.code_at(secret, _step() + 1)).status == "ok"
    assert [r.result for r in _events(eng, "unlock")] == ["success"]


def test_wrong_code_fails_counts_and_a_code_works_once(eng) -> None:
    secret = _ready(eng)
    right = mfa.current_code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert auth.login(eng, "li", PASSWORD, wrong).status == "failed"
    assert auth.login(eng, "li", PASSWORD, "").status == "failed"
    with eng.connect() as conn:
        assert conn.execute(sa.select(accounts_table.c.failed_logins)).scalar_one() == 2
    assert auth.login(eng, "li", PASSWORD, right).status == "ok"
    assert auth.login(eng, "li", PASSWORD, right).status == "failed"  # replayed
    # an older step is refused once a later one was used; the next step still works
    assert auth.login(eng, "li", PASSWORD, mfa.code_at(secret, _step() - 1)).status == "failed"
    assert auth.login(eng, "li", PASSWORD, mfa.code_at(secret, _step() + 1)).status == "ok"
    results = [(r.result, r.detail) for r in _events(eng, "login")]
    assert ("failure", '{"failures":1,"reason":"wrong code"}') in results


def test_enrolment_binds_an_encrypted_secret_confirmed_by_a_code(eng) -> None:
    accounts.add(eng, "new", PASSWORD, "analyst")  # as created: no second factor, must change
    first = auth.login(eng, "new", PASSWORD, "")
    assert (first.status, first.must_change) == ("enrol", True)
    secret = mfa.new_secret()
    assert not mfa.enrol(eng, "new", secret, "000000" if mfa.current_code(secret) != "000000"
                         else "111111")  # fmt: skip
    assert mfa.enrol(eng, "new", secret, mfa.current_code(secret))
    with eng.connect() as conn:
        stored = conn.execute(sa.select(accounts_table.c.totp_secret)).scalar_one()
    assert secret not in stored and mfa.decrypt(stored) == secret
    # bound: another secret cannot replace it without a reset by the 系统管理员
    other = mfa.new_secret()
    assert not mfa.enrol(eng, "new", other, mfa.code_at(other, _step() + 1))
    assert mfa.stored_secret(eng, "new") == secret
    assert "otpauth://totp/" in mfa.uri("new", secret) and mfa.qr_png("x")[:4] == b"\x89PNG"


def test_a_secret_under_another_key_is_a_clear_error(eng, monkeypatch) -> None:
    _ready(eng)
    from eldercare.settings import get_settings

    monkeypatch.setenv("ELDERCARE_TOTP_KEY", "A" * 43 + "=")
    get_settings.cache_clear()
    try:
        with pytest.raises(EldercareError, match="does not open with ELDERCARE_TOTP_KEY"):
            mfa.stored_secret(eng, "li")
    finally:
        get_settings.cache_clear()


def test_sessions_end_on_idle_logout_password_change_and_disable(eng) -> None:
    _ready(eng)
    token = sessions.start(eng, "li", "127.0.0.1")
    with eng.connect() as conn:
        kept = conn.execute(sa.select(sessions_table.c.token_hash)).scalar_one()
    assert token not in kept and len(kept) == 64  # only its sha256
    assert sessions.check(eng, token, 15) == sessions.Check("li")
    assert sessions.check(eng, token + "x", 15).reason == "unknown"
    # idle: last seen 16 minutes ago
    with eng.begin() as conn:
        conn.execute(sessions_table.update().values(
            last_seen_at=auth.utcnow() - dt.timedelta(minutes=16)))  # fmt: skip
    assert sessions.check(eng, token, 15).reason == "idle"
    assert sessions.check(eng, token, 15).reason == "ended"  # and stays ended
    # every session of the account ends on logout, on a password change, on disabling
    for end in (
        lambda: sessions.end_all(eng, "li", "logout"),
        lambda: auth.change_own_password(
            eng, "li", f"Pass-{time.time_ns()}", current_password=None
        ),
        lambda: accounts.set_disabled(eng, "li", True),
        lambda: accounts.set_role(eng, "li", "analyst"),
        lambda: accounts.reset_password(eng, "li", f"Reset-{time.time_ns()}"),
    ):
        accounts.set_disabled(eng, "li", False)
        both = [sessions.start(eng, "li"), sessions.start(eng, "li")]
        assert all(sessions.check(eng, t, 15).alive for t in both)
        end()
        assert [sessions.check(eng, t, 15).alive for t in both] == [False, False]
