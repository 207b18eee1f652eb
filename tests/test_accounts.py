"""Accounts of the cockpit: argon2 hashes, roles and county binding, separated duties (三员分立),
the ``users`` commands, on SQLite and on PostgreSQL (schema ``app``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from eldercare import accounts, auth, mfa
from eldercare.accounts import Actor
from eldercare.appdb import engine
from eldercare.errors import EldercareError

ELDERCARE = str(Path(sys.executable).with_name("eldercare"))
PASSWORD = "a-long-pass-2026"


@pytest.fixture
def sqlite_engine(tmp_path) -> sa.Engine:
    return engine(f"sqlite:///{tmp_path / 'app.sqlite'}")


def _login(eng, username: str, password: str, ahead: int = 0) -> auth.Login:
    """Log in with the code of the current step (``ahead``: a later one; a code works once)."""
    secret = mfa.stored_secret(eng, username)
    step = int(time.time()) // mfa.STEP + ahead
    return auth.login(eng, username, password, mfa.code_at(secret, step) if secret else "")


def test_password_is_stored_as_argon2id_and_verified(sqlite_engine) -> None:
    accounts.add(sqlite_engine, "li", PASSWORD, "county_user", "440803", "李",
                 totp_secret=mfa.new_secret())  # fmt: skip
    with sqlite_engine.connect() as conn:
        stored = conn.execute(sa.text("select password_hash from accounts")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert _login(sqlite_engine, "li", PASSWORD).status == "ok"
    assert accounts.get(sqlite_engine, "li").county_code == "440803"
    assert _login(sqlite_engine, "li", PASSWORD + "x").status == "failed"
    assert _login(sqlite_engine, "nobody", PASSWORD).status == "failed"


def test_disabled_account_cannot_log_in_until_enabled(sqlite_engine) -> None:
    accounts.add(sqlite_engine, "wang", PASSWORD, "city_leader", totp_secret=mfa.new_secret())
    accounts.set_disabled(sqlite_engine, "wang", True)
    assert _login(sqlite_engine, "wang", PASSWORD).status == "failed"
    accounts.set_disabled(sqlite_engine, "wang", False)
    assert _login(sqlite_engine, "wang", PASSWORD).status == "ok"
    assert _login(sqlite_engine, "wang", PASSWORD).status == "failed"  # the same code again


def test_reset_replaces_the_password_and_forces_a_change(sqlite_engine) -> None:
    accounts.add(sqlite_engine, "zhao", PASSWORD, "analyst", must_change=False,
                 totp_secret=mfa.new_secret())  # fmt: skip
    assert _login(sqlite_engine, "zhao", PASSWORD).must_change is False
    accounts.reset_password(sqlite_engine, "zhao", "another-pass-2026")
    assert _login(sqlite_engine, "zhao", PASSWORD).status == "failed"
    after = _login(sqlite_engine, "zhao", "another-pass-2026", ahead=1)
    assert (after.status, after.must_change) == ("ok", True)


@pytest.mark.parametrize(
    ("role", "county", "password", "message"),
    [
        ("county_user", None, PASSWORD, "needs --county"),
        ("county_user", "110101", PASSWORD, "not a county of the city"),
        ("sysadmin", "440803", PASSWORD, "takes no county"),
        ("secadmin", "440803", PASSWORD, "takes no county"),
        ("boss", None, PASSWORD, "unknown"),
        ("analyst", None, "Short-1", "too short"),
        ("analyst", None, "onlylowercaseletters", "needs 3 of"),
        ("analyst", None, "lowercase2026only", "needs 3 of"),
    ],
)
def test_invalid_accounts_are_refused(sqlite_engine, role, county, password, message) -> None:
    with pytest.raises(EldercareError, match=message):
        accounts.add(sqlite_engine, "x", password, role, county)
    assert accounts.list_all(sqlite_engine) == []


def test_no_account_is_given_a_second_admin_role(sqlite_engine) -> None:
    """三员分立: an admin account keeps its one admin role; the CLI refuses too."""
    for name, role in (("ops", "sysadmin"), ("sec", "secadmin"), ("aud", "auditadmin")):
        accounts.add(sqlite_engine, name, PASSWORD, role)
        for other in sorted(accounts.ADMIN_ROLES - {role}) + ["city_leader"]:
            with pytest.raises(EldercareError, match="no account holds two admin roles"):
                accounts.set_role(sqlite_engine, name, other)
        assert accounts.get(sqlite_engine, name).role == role
    # a business account may become an admin once, and then is held to it
    accounts.add(sqlite_engine, "li", PASSWORD, "analyst")
    accounts.set_role(sqlite_engine, "li", "auditadmin")
    with pytest.raises(EldercareError, match="no account holds two admin roles"):
        accounts.set_role(sqlite_engine, "li", "secadmin")
    assert {a.username: a.role for a in accounts.list_all(sqlite_engine)} == {
        "ops": "sysadmin", "sec": "secadmin", "aud": "auditadmin", "li": "auditadmin",
    }  # fmt: skip


def test_each_admin_does_only_their_own_duty(sqlite_engine) -> None:
    accounts.add(sqlite_engine, "ops", PASSWORD, "sysadmin")
    accounts.add(sqlite_engine, "sec", PASSWORD, "secadmin")
    accounts.add(sqlite_engine, "aud", PASSWORD, "auditadmin")
    ops, sec, aud = (Actor(n, r) for n, r in
                     (("ops", "sysadmin"), ("sec", "secadmin"), ("aud", "auditadmin")))  # fmt: skip
    # 系统管理员 creates accounts without a role, disables and resets; sets no role, unlocks none
    accounts.add(sqlite_engine, "new", PASSWORD, accounts.PENDING, actor=ops)
    with pytest.raises(EldercareError, match="without a role"):
        accounts.add(sqlite_engine, "boss", PASSWORD, "city_leader", actor=ops)
    for call in (lambda a: accounts.set_role(sqlite_engine, "new", "analyst", actor=a),
                 lambda a: accounts.unlock(sqlite_engine, "new", actor=a)):  # fmt: skip
        for actor in (ops, aud):
            with pytest.raises(EldercareError, match="only 安全管理员"):
                call(actor)
    # 安全管理员 sets roles and unlocks; creates, disables and resets nothing; not their own role
    assert accounts.set_role(sqlite_engine, "new", "county_user", "440803", actor=sec).role == (
        "county_user"
    )
    accounts.unlock(sqlite_engine, "new", actor=sec)
    with pytest.raises(EldercareError, match="their own role"):
        accounts.set_role(sqlite_engine, "sec", "analyst", actor=sec)
    for call in (lambda a: accounts.add(sqlite_engine, "y", PASSWORD, "pending", actor=a),
                 lambda a: accounts.set_disabled(sqlite_engine, "new", actor=a),
                 lambda a: accounts.reset_password(sqlite_engine, "new", PASSWORD, actor=a)):  # fmt: skip
        for actor in (sec, aud):
            with pytest.raises(EldercareError, match="only 系统管理员"):
                call(actor)
    with pytest.raises(EldercareError, match="own account"):
        accounts.set_disabled(sqlite_engine, "ops", actor=ops)


def test_users_commands_end_to_end(tmp_path) -> None:
    env = {**os.environ, "ELDERCARE_APP_DB": f"sqlite:///{tmp_path / 'app.sqlite'}"}
    env.pop("ELDERCARE_TOTP_KEY", None)

    def cli(*args: str, **extra) -> subprocess.CompletedProcess:
        return subprocess.run([ELDERCARE, "users", *args], env={**env, **extra},
                              capture_output=True, text=True, check=False)  # fmt: skip

    assert cli("add", "chen", "--role", "county_user", "--county", "440882", "--password",
               PASSWORD).returncode == 0  # fmt: skip
    again = cli("add", "chen", "--role", "analyst", "--password", PASSWORD)
    assert (
        again.returncode == 2
        and again.stderr.strip() == "error: account 'chen' exists (use 'users reset')"
    )
    assert "chen" in cli("list").stdout and "440882" in cli("list").stdout
    assert cli("disable", "chen").returncode == 0
    assert "disabled" in cli("list").stdout
    assert cli("reset", "chen", "--password", "new-password-2026").returncode == 0
    assert "active" in cli("list").stdout  # a reset enables the account again
    eng = engine(env["ELDERCARE_APP_DB"])
    # no second factor bound yet: the right password leads to enrolment, the change is forced
    assert _login(eng, "chen", "new-password-2026") == auth.Login("enrol", "chen", None, True)
    assert PASSWORD not in (tmp_path / "app.sqlite").read_bytes().decode("latin-1")

    assert cli("add", "ops", "--role", "sysadmin", "--password", PASSWORD).returncode == 0
    second = cli("role", "ops", "--role", "auditadmin")
    assert second.returncode == 2 and "no account holds two admin roles" in second.stderr

    # demo accounts: known second factor, codes shown only under the public demo key
    assert cli("add", "demo", "--role", "analyst", "--password", PASSWORD, "--demo").returncode == 0
    shown = cli("demo-code").stdout.split()
    assert shown[0] == "demo" and shown[1] in {
        mfa.code_at(mfa.demo_secret("demo"), step)
        for step in range(int(time.time()) // mfa.STEP - 1, int(time.time()) // mfa.STEP + 1)
    }
    real_key = "x" * 43 + "="  # any other Fernet key
    refused = cli("demo-code", ELDERCARE_TOTP_KEY=real_key)
    assert refused.returncode == 2 and "public demo TOTP key" in refused.stderr


@pytest.mark.postgres
def test_accounts_live_in_schema_app_on_postgresql(pg_url) -> None:
    eng = engine(pg_url)
    accounts.add(eng, "li", PASSWORD, "county_user", "440803", totp_secret=mfa.new_secret())
    with eng.connect() as conn:
        tables = set(
            conn.execute(
                sa.text(
                    "select table_name from information_schema.tables where table_schema = 'app'"
                )
            ).scalars()
        )
    assert {"accounts", "sessions", "password_history"} <= tables
    assert _login(eng, "li", PASSWORD).status == "ok"
    with pytest.raises(EldercareError, match="no account holds two admin roles"):
        accounts.add(eng, "ops", PASSWORD, "sysadmin")
        accounts.set_role(eng, "ops", "secadmin")
    eng.dispose()


def test_an_older_app_database_gains_the_new_columns(tmp_path) -> None:
    """data/app.sqlite of an earlier demo (accounts without the security columns) still opens."""
    path = tmp_path / "old.sqlite"
    old = sa.create_engine(f"sqlite:///{path}")
    with old.begin() as conn:
        conn.exec_driver_sql(
            "create table accounts (username varchar(64) primary key, display_name varchar(128)"
            " not null, role varchar(32) not null, county_code varchar(6), password_hash"
            " varchar(255) not null, disabled boolean not null, created_at datetime not null,"
            " last_login_at datetime)"
        )
        conn.exec_driver_sql(
            "insert into accounts values ('old', 'old', 'analyst', null, 'x', 0,"
            " '2026-01-01 00:00:00', null)"
        )
    old.dispose()
    eng = engine(f"sqlite:///{path}")
    got = accounts.get(eng, "old")
    assert (got.role, got.totp_enrolled, got.must_change_password, got.locked) == (
        "analyst", False, False, False,
    )  # fmt: skip
