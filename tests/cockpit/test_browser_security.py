"""Logging in, for real, in Chromium (issue 15, "Done when"): the 6th wrong password locks the
account; a wrong TOTP code fails; an idle session is logged out; after logout a copied session
token replayed in a fresh browser gets the login form.

One cockpit server for the module, on its own application database with one account per test
(administrators: their pages read no warehouse, so an empty one serves) and an idle limit of
18 seconds instead of 15 minutes.
"""

from __future__ import annotations

import re
import time

import duckdb
import pytest
import sqlalchemy as sa
from browser import (
    SESSION_COOKIE,
    Cockpit,
    chromium,
    cockpit_server,
    fonts_conf,
    free_port,
    next_code,
)
from conftest import PASSWORD, add_ready_account

from eldercare import accounts, auth
from eldercare.appdb import audit_log, engine, sessions

IDLE_MINUTES = 0.3
REFUSED = "用户名、密码或动态口令错误"
_FORM_OR_IN = """() => !!document.querySelector('input[aria-label="动态口令"]')
  || [...document.querySelectorAll('button')].some(b => b.textContent.includes('退出登录'))"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("security")
    warehouse = folder / "empty.duckdb"
    duckdb.connect(str(warehouse)).close()
    url = f"sqlite:///{folder / 'app.sqlite'}"
    eng = engine(url)
    for name in ("lock_me", "totp_me", "idle_me", "replay_me"):
        add_ready_account(eng, name, "sysadmin", None, name)
    fonts = fonts_conf(folder / "fontconfig")
    with pytest.MonkeyPatch.context() as mp, chromium(fonts) as browser:
        mp.setenv("ELDERCARE_SESSION_IDLE_MINUTES", str(IDLE_MINUTES))
        with cockpit_server(str(warehouse), url, folder / "server.log", free_port(8931)) as base:
            yield browser, base, eng


@pytest.fixture
def cockpit(server):
    browser, base, _ = server
    page = Cockpit(browser, base)
    yield page
    page.close()


def _on_login_form(cockpit: Cockpit) -> bool:
    return (
        cockpit.page.get_by_label("动态口令", exact=True).count() == 1
        and not cockpit.page.get_by_role("button", name="退出登录").count()
    )


def _events(eng, event: str, username: str) -> list[str]:
    with eng.connect() as conn:
        return list(conn.execute(
            sa.select(audit_log.c.result)
            .where(audit_log.c.event == event, audit_log.c.username == username)
            .order_by(audit_log.c.id)
        ).scalars())  # fmt: skip


def test_the_sixth_wrong_password_locks_the_account(server, cockpit) -> None:
    _, base, eng = server
    cockpit.page.goto(base)
    cockpit.page.wait_for_function(_FORM_OR_IN, timeout=60_000)
    for attempt in range(1, auth.MAX_FAILURES + 1):
        cockpit.submit_login("lock_me", f"Wrong-pass-{attempt}", "")
        assert cockpit.page.get_by_text(REFUSED).count() == 1, attempt
    # the 6th attempt: even the right password and the right code are refused
    cockpit.submit_login("lock_me", PASSWORD, next_code("lock_me"))
    alert = cockpit.page.get_by_text("账号已锁定")
    alert.wait_for(timeout=30_000)
    assert alert.count() == 1
    assert re.search(r"\d\d:\d\d 后自动解锁", alert.inner_text())
    assert _on_login_form(cockpit)
    assert accounts.get(eng, "lock_me").locked
    assert _events(eng, "lockout", "lock_me") == ["success"]
    assert _events(eng, "login", "lock_me").count("failure") == auth.MAX_FAILURES + 1


def test_a_wrong_totp_code_fails(server, cockpit) -> None:
    _, base, eng = server
    cockpit.page.goto(base)
    cockpit.page.wait_for_function(_FORM_OR_IN, timeout=60_000)
    right = next_code("totp_me")
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    cockpit.submit_login("totp_me", PASSWORD, wrong)
    assert cockpit.page.get_by_text(REFUSED).count() == 1
    assert _on_login_form(cockpit)
    # the same form with the right code logs in: the wrong code was the only thing wrong
    cockpit.log_in("totp_me", PASSWORD, code=right)
    assert cockpit.page.get_by_role("button", name="退出登录").count() == 1
    assert _events(eng, "login", "totp_me") == ["failure", "success"]


def test_an_idle_session_is_logged_out(server, cockpit) -> None:
    _, _, eng = server
    cockpit.open("accounts", "idle_me", PASSWORD, fresh_login=True)
    assert cockpit.page.get_by_role("button", name="退出登录").count() == 1
    time.sleep(IDLE_MINUTES * 60 + 3)
    # the next click (a harmless one: enable the enabled) is refused before the page runs
    cockpit.page.get_by_role("button", name="启用").click()
    cockpit.page.get_by_text("未操作，会话已结束").wait_for(timeout=30_000)
    assert _on_login_form(cockpit)
    with eng.connect() as conn:
        reasons = conn.execute(
            sa.select(sessions.c.end_reason).where(sessions.c.username == "idle_me")
        ).scalars().all()  # fmt: skip
    assert reasons == ["idle"]
    assert _events(eng, "logout", "idle_me") == ["idle"]
    assert _events(eng, "account_enable", "idle_me") == []  # the click did nothing


def _replay(browser, base: str, token: str) -> Cockpit:
    """A fresh browser (no state of the first) that only carries the copied cookie."""
    other = Cockpit(browser, base)
    other.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base}])
    other.page.goto(f"{base}/accounts")
    other.page.wait_for_function(_FORM_OR_IN, timeout=60_000)
    return other


def test_after_logout_a_replayed_session_is_refused(server, cockpit) -> None:
    browser, base, eng = server
    cockpit.open("accounts", "replay_me", PASSWORD, fresh_login=True)
    token = cockpit.session_cookie()
    # the copied token is the session while it lives: a fresh browser with it is logged in
    alive = _replay(browser, base, token)
    try:
        assert alive.page.get_by_role("button", name="退出登录").count() == 1
    finally:
        alive.close()
    # the logout's run can start and end between two looks at the page: wait for its message
    cockpit.page.get_by_role("button", name="退出登录").click()
    cockpit.page.get_by_text("已退出登录").wait_for(timeout=30_000)
    replayed = _replay(browser, base, token)
    try:
        assert _on_login_form(replayed)
        replayed.page.get_by_text("会话已结束").wait_for(timeout=10_000)
    finally:
        replayed.close()
    with eng.connect() as conn:
        open_sessions = conn.execute(
            sa.select(sa.func.count()).select_from(sessions)
            .where(sessions.c.username == "replay_me", sessions.c.ended_at.is_(None))
        ).scalar_one()  # fmt: skip
    assert open_sessions == 0
    assert _events(eng, "logout", "replay_me") == ["success"]
