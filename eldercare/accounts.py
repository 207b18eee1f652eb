"""Local accounts of the cockpit: roles, area scope and argon2 password hashes.

Roles (the cockpit issue; the security issue adds second factor, lockout and the three admins):

- ``city_leader`` 市级领导: every page, all counties;
- ``county_user`` 县区用户: every business page, one county (``county_code`` required);
- ``data_steward`` 数据专员: data-quality and lineage pages (a county, or the whole city);
- ``analyst`` 分析员: aggregate pages and reports, no personal records;
- ``sysadmin`` 系统管理员: the accounts page only, no business data.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from eldercare.appdb import accounts
from eldercare.errors import EldercareError
from eldercare.settings import REPO_ROOT

ROLES: dict[str, str] = {
    "city_leader": "市级领导",
    "county_user": "县区用户",
    "data_steward": "数据专员",
    "analyst": "分析员",
    "sysadmin": "系统管理员",
}
COUNTY_ROLES = {"county_user"}  # roles that must be bound to one county
MIN_PASSWORD_LENGTH = 8
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


def county_names() -> dict[str, str]:
    """The 9 counties of Zhanjiang from the reference seed: code -> Chinese name."""
    with (REPO_ROOT / "seeds" / "counties.csv").open(encoding="utf-8") as f:
        return {r["area_code"]: r["area_name"] for r in csv.DictReader(f) if r["area_level"] == "2"}


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    county_code: str | None
    disabled: bool = False
    last_login_at: dt.datetime | None = None

    @property
    def role_label(self) -> str:
        return ROLES[self.role]


def _row_to_account(row) -> Account:
    return Account(
        row.username, row.display_name, row.role, row.county_code, row.disabled, row.last_login_at
    )


def _check(role: str, county_code: str | None, password: str | None) -> None:
    if role not in ROLES:
        raise EldercareError(f"role {role!r} unknown; choose one of {', '.join(ROLES)}")
    if role in COUNTY_ROLES and not county_code:
        raise EldercareError(f"role {role} ({ROLES[role]}) needs --county (a 6-digit county code)")
    if county_code and county_code not in county_names():
        known = ", ".join(f"{c} {n}" for c, n in county_names().items())
        raise EldercareError(f"county {county_code!r} is not a county of the city ({known})")
    if role == "sysadmin" and county_code:
        raise EldercareError("role sysadmin reads no business data and takes no county")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise EldercareError(f"password too short: at least {MIN_PASSWORD_LENGTH} characters")


def add(
    engine: sa.Engine,
    username: str,
    password: str,
    role: str,
    county_code: str | None = None,
    display_name: str | None = None,
    *,
    replace: bool = False,
) -> Account:
    """Create an account (``replace``: overwrite one of the same name, for demo set-up)."""
    _check(role, county_code, password)
    values = {
        "username": username,
        "display_name": display_name or username,
        "role": role,
        "county_code": county_code or None,
        "password_hash": _HASHER.hash(password),
        "disabled": False,
        "created_at": dt.datetime.now(),
    }
    with engine.begin() as conn:
        exists = conn.execute(sa.select(accounts.c.username).where(accounts.c.username == username))
        if exists.first():
            if not replace:
                raise EldercareError(f"account {username!r} exists (use 'users reset')")
            conn.execute(accounts.delete().where(accounts.c.username == username))
        conn.execute(accounts.insert().values(**values))
    return get(engine, username)


def get(engine: sa.Engine, username: str) -> Account:
    with engine.connect() as conn:
        row = conn.execute(sa.select(accounts).where(accounts.c.username == username)).first()
    if row is None:
        raise EldercareError(f"account {username!r} does not exist")
    return _row_to_account(row)


def list_all(engine: sa.Engine) -> list[Account]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(accounts).order_by(accounts.c.username)).all()
    return [_row_to_account(r) for r in rows]


def set_disabled(engine: sa.Engine, username: str, disabled: bool = True) -> Account:
    get(engine, username)
    with engine.begin() as conn:
        conn.execute(
            accounts.update().where(accounts.c.username == username).values(disabled=disabled)
        )
    return get(engine, username)


def reset_password(engine: sa.Engine, username: str, password: str) -> Account:
    account = get(engine, username)
    _check(account.role, account.county_code, password)
    with engine.begin() as conn:
        conn.execute(
            accounts.update()
            .where(accounts.c.username == username)
            .values(password_hash=_HASHER.hash(password), disabled=False)
        )
    return get(engine, username)


def authenticate(engine: sa.Engine, username: str, password: str) -> Account | None:
    """The account if the password is right and the account is enabled, else None.

    The same answer for an unknown user and a wrong password, so a login form reveals nothing.
    """
    with engine.connect() as conn:
        row = conn.execute(sa.select(accounts).where(accounts.c.username == username)).first()
    if row is None:
        _HASHER.hash(password)  # spend the same time as a real check
        return None
    try:
        _HASHER.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row.disabled:
        return None
    with engine.begin() as conn:
        conn.execute(
            accounts.update()
            .where(accounts.c.username == username)
            .values(last_login_at=dt.datetime.now())
        )
    return _row_to_account(row)
