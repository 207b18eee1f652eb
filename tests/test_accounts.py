"""Accounts of the cockpit: argon2 hashes, roles and county binding, the ``users`` commands, on
SQLite and on PostgreSQL (schema ``app``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from eldercare import accounts
from eldercare.appdb import engine
from eldercare.errors import EldercareError

ELDERCARE = str(Path(sys.executable).with_name("eldercare"))
PASSWORD = "a-long-pass-2026"


@pytest.fixture
def sqlite_engine(tmp_path) -> sa.Engine:
    return engine(f"sqlite:///{tmp_path / 'app.sqlite'}")


def test_password_is_stored_as_argon2id_and_verified(sqlite_engine) -> None:
    accounts.add(sqlite_engine, "li", PASSWORD, "county_user", "440803", "李")
    with sqlite_engine.connect() as conn:
        stored = conn.execute(sa.text("select password_hash from accounts")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.authenticate(sqlite_engine, "li", PASSWORD).county_code == "440803"
    assert accounts.authenticate(sqlite_engine, "li", PASSWORD + "x") is None
    assert accounts.authenticate(sqlite_engine, "nobody", PASSWORD) is None


def test_disabled_account_cannot_log_in_until_enabled(sqlite_engine) -> None:
    accounts.add(sqlite_engine, "wang", PASSWORD, "city_leader")
    accounts.set_disabled(sqlite_engine, "wang", True)
    assert accounts.authenticate(sqlite_engine, "wang", PASSWORD) is None
    accounts.set_disabled(sqlite_engine, "wang", False)
    assert accounts.authenticate(sqlite_engine, "wang", PASSWORD) is not None


def test_reset_replaces_the_password(sqlite_engine) -> None:
    accounts.add(sqlite_engine, "zhao", PASSWORD, "analyst")
    accounts.reset_password(sqlite_engine, "zhao", "another-pass-2026")
    assert accounts.authenticate(sqlite_engine, "zhao", PASSWORD) is None
    assert accounts.authenticate(sqlite_engine, "zhao", "another-pass-2026") is not None


@pytest.mark.parametrize(
    ("role", "county", "password", "message"),
    [
        ("county_user", None, PASSWORD, "needs --county"),
        ("county_user", "110101", PASSWORD, "not a county of the city"),
        ("sysadmin", "440803", PASSWORD, "takes no county"),
        ("boss", None, PASSWORD, "unknown"),
        ("analyst", None, "short", "too short"),
    ],
)
def test_invalid_accounts_are_refused(sqlite_engine, role, county, password, message) -> None:
    with pytest.raises(EldercareError, match=message):
        accounts.add(sqlite_engine, "x", password, role, county)
    assert accounts.list_all(sqlite_engine) == []


def test_users_commands_end_to_end(tmp_path) -> None:
    env = {**os.environ, "ELDERCARE_APP_DB": f"sqlite:///{tmp_path / 'app.sqlite'}"}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([ELDERCARE, "users", *args], env=env, capture_output=True,
                              text=True, check=False)  # fmt: skip

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
    assert accounts.authenticate(eng, "chen", "new-password-2026") is not None
    assert PASSWORD not in (tmp_path / "app.sqlite").read_bytes().decode("latin-1")


@pytest.mark.postgres
def test_accounts_live_in_schema_app_on_postgresql(pg_url) -> None:
    eng = engine(pg_url)
    accounts.add(eng, "li", PASSWORD, "county_user", "440803")
    with eng.connect() as conn:
        tables = (
            conn.execute(
                sa.text(
                    "select table_name from information_schema.tables where table_schema = 'app'"
                )
            )
            .scalars()
            .all()
        )
    assert "accounts" in tables
    assert accounts.authenticate(eng, "li", PASSWORD).county_code == "440803"
    eng.dispose()
