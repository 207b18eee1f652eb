"""``eldercare users``: the accounts of the cockpit, for the installer on the server.

Whoever runs these commands holds the application database already, so the CLI may do every
administrator's duty; each change is audited under the account ``cli``. In the cockpit the
duties are separated (eldercare/accounts.py).
"""

from __future__ import annotations

import click

from eldercare.errors import EldercareError

_ROLE_HELP = (
    "city_leader 市级领导 | county_user 县区用户 | data_steward 数据专员 | analyst 分析员 | "
    "sysadmin 系统管理员 | secadmin 安全管理员 | auditadmin 审计管理员"
)


def _engine():
    from eldercare.appdb import app_engine

    return app_engine()


def _demo_allowed() -> None:
    from eldercare.settings import get_settings

    if not get_settings().uses_demo_totp_key:
        raise EldercareError(
            "--demo and demo-code work only with the public demo TOTP key; "
            "ELDERCARE_TOTP_KEY is set, so accounts enrol their own second factor"
        )


@click.group()
def users() -> None:
    """Accounts of the cockpit (application database, settings.app_db)."""


@users.command("add")
@click.argument("username")
@click.option("--role", required=True, help=_ROLE_HELP)
@click.option("--county", metavar="CODE", help="6-digit county code (required for county_user).")
@click.option("--name", "display_name", help="Display name (default: the username).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--replace", is_flag=True, help="Overwrite an account of that name (demo set-up).")
@click.option(
    "--demo",
    is_flag=True,
    help="Demo account: TOTP secret derived from the public demo key (codes: 'users demo-code'), "
    "no forced password change. Refused unless the demo TOTP key is in use.",
)
def users_add(username, role, county, display_name, password, replace, demo) -> None:
    """Create an account (it changes its password and binds its app at first login)."""
    from eldercare import accounts, mfa

    if demo:
        _demo_allowed()
    a = accounts.add(
        _engine(), username, password, role, county, display_name, replace=replace,
        must_change=not demo, totp_secret=mfa.demo_secret(username) if demo else None,
    )  # fmt: skip
    click.echo(f"created {a.username} ({a.role} {a.role_label}, {a.county_code or 'city'})")


@users.command("list")
def users_list() -> None:
    """List accounts (never their passwords or secrets)."""
    from eldercare import accounts

    for a in accounts.list_all(_engine()):
        state = "disabled" if a.disabled else "locked" if a.locked else "active"
        totp = "totp" if a.totp_enrolled else "no-totp"
        click.echo(
            f"{a.username:<20}{a.role:<14}{a.county_code or 'city':<8}{state:<10}{totp:<9}"
            f"{a.display_name}"
        )


@users.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable it again instead.")
def users_disable(username, enable) -> None:
    """Disable (or --enable) an account; disabling ends its sessions."""
    from eldercare import accounts

    a = accounts.set_disabled(_engine(), username, not enable)
    click.echo(f"{a.username}: {'disabled' if a.disabled else 'enabled'}")


@users.command("reset")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--totp", "reset_totp", is_flag=True, help="Also bind a new authenticator app.")
def users_reset(username, password, reset_totp) -> None:
    """Set a one-time password (changed at next login), enable the account, end its sessions."""
    from eldercare import accounts

    accounts.reset_password(_engine(), username, password, reset_totp=reset_totp)
    click.echo(f"{username}: password reset" + (", second factor reset" if reset_totp else ""))


@users.command("role")
@click.argument("username")
@click.option("--role", required=True, help=_ROLE_HELP)
@click.option("--county", metavar="CODE", help="6-digit county code (required for county_user).")
def users_role(username, role, county) -> None:
    """Set an account's one role and scope (an admin account keeps its admin role)."""
    from eldercare import accounts

    a = accounts.set_role(_engine(), username, role, county)
    click.echo(f"{a.username}: {a.role} {a.role_label}, {a.county_code or 'city'}")


@users.command("unlock")
@click.argument("username")
def users_unlock(username) -> None:
    """End a lockout (5 failed logins) before its 15 minutes are over."""
    from eldercare import accounts

    accounts.unlock(_engine(), username)
    click.echo(f"{username}: unlocked")


@users.command("demo-code")
@click.argument("usernames", nargs=-1)
def users_demo_code(usernames) -> None:
    """Current TOTP codes of demo accounts (those made with --demo), while the demo key is used."""
    from eldercare import accounts, mfa

    _demo_allowed()
    engine = _engine()
    shown = 0
    for a in accounts.list_all(engine):
        if usernames and a.username not in usernames:
            continue
        if a.totp_enrolled and mfa.stored_secret(engine, a.username) == mfa.demo_secret(a.username):
            click.echo(f"{a.username:<20}{mfa.current_code(mfa.demo_secret(a.username))}")
            shown += 1
    if not shown:
        raise EldercareError("no demo account found (make demo-accounts creates them)")
