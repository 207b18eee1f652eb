"""Local accounts of the cockpit: roles, area scope and who may change which (三员分立).

Business roles (the cockpit issue):

- ``city_leader`` 市级领导: every page, all counties;
- ``county_user`` 县区用户: every business page, one county (``county_code`` required);
- ``data_steward`` 数据专员: data-quality and lineage pages (a county, or the whole city);
- ``analyst`` 分析员: aggregate pages and reports, no personal records.

The three administrators (GB/T 22239-2019 level 3, 8.1.4.2), none of whom reads business data:

- ``sysadmin`` 系统管理员: creates and disables accounts, resets passwords and second factors;
- ``secadmin`` 安全管理员: sets roles and county scopes, unlocks locked accounts;
- ``auditadmin`` 审计管理员: reads the audit log, nothing else.

An account has exactly one role (one column). An account that holds one of the three admin
roles keeps it for life: it can never be given another role, so no account ever holds two
admin duties (or an admin duty and business data) one after the other. A new account created
in the cockpit by the 系统管理员 has role ``pending`` (待分配) until the 安全管理员 sets one.

Passwords, lockout and the second factor live in ``eldercare/auth.py`` and ``eldercare/mfa.py``;
every change here is written to the audit log (``eldercare/audit.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from eldercare import audit, auth, mfa, sessions
from eldercare.appdb import accounts
from eldercare.errors import EldercareError
from eldercare.settings import REPO_ROOT

ROLES: dict[str, str] = {
    "city_leader": "市级领导",
    "county_user": "县区用户",
    "data_steward": "数据专员",
    "analyst": "分析员",
    "sysadmin": "系统管理员",
    "secadmin": "安全管理员",
    "auditadmin": "审计管理员",
}
PENDING = "pending"  # created in the cockpit, no role yet: sees nothing
ADMIN_ROLES = frozenset({"sysadmin", "secadmin", "auditadmin"})
COUNTY_ROLES = {"county_user"}  # roles that must be bound to one county


def role_label(role: str) -> str:
    return "待分配角色" if role == PENDING else ROLES.get(role, role)


def county_names() -> dict[str, str]:
    """The 9 counties of Zhanjiang from the reference seed: code -> Chinese name."""
    with (REPO_ROOT / "seeds" / "counties.csv").open(encoding="utf-8") as f:
        return {r["area_code"]: r["area_name"] for r in csv.DictReader(f) if r["area_level"] == "2"}


@dataclass(frozen=True)
class Actor:
    """Who makes a change, for the permission check and the audit row. ``role`` is ``cli`` for
    the ``eldercare users`` command (the installer on the server, who holds the database)."""

    username: str
    role: str
    county_code: str | None = None
    client: str | None = None


CLI = Actor("cli", "cli", None, "cli")


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    county_code: str | None
    disabled: bool = False
    last_login_at: dt.datetime | None = None
    locked_until: dt.datetime | None = None  # UTC
    totp_enrolled: bool = False
    must_change_password: bool = False

    @property
    def role_label(self) -> str:
        return role_label(self.role)

    @property
    def locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > auth.utcnow()


def _row_to_account(row) -> Account:
    return Account(
        row.username, row.display_name, row.role, row.county_code, row.disabled,
        row.last_login_at, row.locked_until, row.totp_secret is not None,
        row.must_change_password,
    )  # fmt: skip


def _check(role: str, county_code: str | None) -> None:
    if role not in ROLES and role != PENDING:
        raise EldercareError(f"role {role!r} unknown; choose one of {', '.join(ROLES)}")
    if role in COUNTY_ROLES and not county_code:
        raise EldercareError(f"role {role} ({ROLES[role]}) needs --county (a 6-digit county code)")
    if county_code and county_code not in county_names():
        known = ", ".join(f"{c} {n}" for c, n in county_names().items())
        raise EldercareError(f"county {county_code!r} is not a county of the city ({known})")
    if role in ADMIN_ROLES and county_code:
        raise EldercareError(f"role {role} reads no business data and takes no county")


def _require(actor: Actor, duty: str, what: str) -> None:
    """The cockpit's admins each do their own duty only; the CLI (the installer) does all."""
    if actor.role not in ("cli", duty):
        raise EldercareError(f"{what}: only {role_label(duty)} ({duty}) may do this")


def _audit(eng: sa.Engine, actor: Actor, event: str, target: str, **detail) -> None:
    audit.record(
        event, username=actor.username, role=actor.role, county_code=actor.county_code,
        client=actor.client, result="success", detail={"account": target, **detail}, engine=eng,
    )  # fmt: skip


def add(
    engine: sa.Engine,
    username: str,
    password: str,
    role: str,
    county_code: str | None = None,
    display_name: str | None = None,
    *,
    replace: bool = False,
    must_change: bool = True,
    totp_secret: str | None = None,
    actor: Actor = CLI,
) -> Account:
    """Create an account (``replace``: overwrite one of the same name, for demo set-up).

    It must change its password and enrol a second factor at first login, unless the installer
    gives it a TOTP secret and ``must_change=False`` (demo and test accounts, ``--demo``).
    """
    _require(actor, "sysadmin", "create an account")
    if actor.role != "cli" and role != PENDING:
        raise EldercareError("系统管理员 creates accounts without a role: 安全管理员 sets it")
    if not username or len(username) > 64:
        raise EldercareError("username: 1 to 64 characters")
    _check(role, county_code)
    auth.check_policy(password)
    now = auth.utcnow()
    hashed = auth.hash_password(password)
    values = {
        "username": username,
        "display_name": display_name or username,
        "role": role,
        "county_code": county_code or None,
        "password_hash": hashed,
        "disabled": False,
        "created_at": now,
        "must_change_password": must_change,
        "failed_logins": 0,
        "password_changed_at": now,
        "totp_secret": mfa.encrypt(totp_secret) if totp_secret else None,
    }
    with engine.begin() as conn:
        exists = conn.execute(sa.select(accounts.c.username).where(accounts.c.username == username))
        if exists.first():
            if not replace:
                raise EldercareError(f"account {username!r} exists (use 'users reset')")
            conn.execute(accounts.delete().where(accounts.c.username == username))
            auth.forget_history(conn, username)
        conn.execute(accounts.insert().values(**values))
        auth.remember(conn, username, hashed, now)
    sessions.end_all(engine, username, "replaced")
    _audit(engine, actor, "account_create", username, role=role, county=county_code)
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


def _update(engine: sa.Engine, username: str, **values) -> None:
    with engine.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.username == username).values(**values))


def set_disabled(
    engine: sa.Engine, username: str, disabled: bool = True, *, actor: Actor = CLI
) -> Account:
    _require(actor, "sysadmin", "disable an account")
    if disabled and username == actor.username:
        raise EldercareError("an administrator cannot disable their own account")
    get(engine, username)
    _update(engine, username, disabled=disabled)
    if disabled:
        sessions.end_all(engine, username, "disabled")
    _audit(engine, actor, "account_disable" if disabled else "account_enable", username)
    return get(engine, username)


def reset_password(
    engine: sa.Engine,
    username: str,
    password: str,
    *,
    reset_totp: bool = False,
    actor: Actor = CLI,
) -> Account:
    """A new one-time password (the account must change it at next login), the account enabled;
    ``reset_totp``: the second factor is enrolled again (a lost phone)."""
    _require(actor, "sysadmin", "reset a password")
    get(engine, username)
    auth.check_policy(password)
    auth.set_password(engine, username, password, must_change=True)
    values: dict = {"disabled": False}
    if reset_totp:
        values.update(totp_secret=None, totp_last_step=None)
    _update(engine, username, **values)
    sessions.end_all(engine, username, "reset")
    _audit(engine, actor, "password_reset", username, totp_reset=reset_totp)
    return get(engine, username)


def set_role(
    engine: sa.Engine,
    username: str,
    role: str,
    county_code: str | None = None,
    *,
    actor: Actor = CLI,
) -> Account:
    """Give an account its one role and scope (安全管理员). An admin account keeps its role."""
    _require(actor, "secadmin", "set a role")
    account = get(engine, username)
    if username == actor.username:
        raise EldercareError("an administrator cannot change their own role or scope")
    _check(role, county_code)
    if account.role in ADMIN_ROLES and role != account.role:
        raise EldercareError(
            f"account {username!r} holds the admin role {account.role} ({account.role_label}) "
            "for life: no account holds two admin roles; create another account for "
            f"{role} ({role_label(role)})"
        )
    if role == account.role and (county_code or None) == account.county_code:
        return account
    _update(engine, username, role=role, county_code=county_code or None)
    # what the account may see changed: its open sessions end, the next login sees the new scope
    sessions.end_all(engine, username, "role")
    _audit(
        engine, actor, "role_change", username, old_role=account.role, role=role,
        old_county=account.county_code, county=county_code or None,
    )  # fmt: skip
    return get(engine, username)


def unlock(engine: sa.Engine, username: str, *, actor: Actor = CLI) -> Account:
    """End a lockout before its 15 minutes are over (安全管理员)."""
    _require(actor, "secadmin", "unlock an account")
    get(engine, username)
    _update(engine, username, failed_logins=0, locked_until=None)
    _audit(engine, actor, "unlock", username)
    return get(engine, username)
