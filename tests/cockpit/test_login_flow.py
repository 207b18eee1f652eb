"""The login flow headless (AppTest, real application database, no warehouse needed): a first
login binds the authenticator app from the QR code's secret and changes the password before any
page; logout ends every session, and a copied token is refused afterwards."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from cockpit_helpers import APP
from streamlit.testing.v1 import AppTest

from cockpit import session
from eldercare import accounts, mfa
from eldercare.appdb import audit_log, engine
from eldercare.settings import get_settings

INITIAL = "Initial-pass-2026"
NEW = "Chosen-pass-2026"


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("ELDERCARE_APP_DB", url)
    get_settings.cache_clear()
    yield engine(url)
    get_settings.cache_clear()


def _fill(at: AppTest, **fields: str) -> None:
    for label, value in fields.items():
        next(t for t in at.text_input if t.label == label).input(value)


def _press(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def _texts(at: AppTest) -> str:
    return "\n".join(e.value for kind in (at.error, at.warning, at.info, at.success) for e in kind)


def test_first_login_enrols_totp_and_changes_the_password(app_db) -> None:
    accounts.add(app_db, "fresh", INITIAL, "sysadmin", display_name="新管理员")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    _fill(at, 用户名="fresh", 密码=INITIAL)
    at = _press(at, "登录")
    assert not at.exception, at.exception
    # enrolment: the QR code and the same secret as text; a wrong code binds nothing
    assert at.get("image") and at.code
    secret = at.code[0].value.replace(" ", "")
    assert mfa.uri("fresh", secret).startswith("otpauth://totp/")
    wrong = "000000" if mfa.current_code(secret) != "000000" else "111111"
    _fill(at, 动态口令=wrong)
    at = _press(at, "绑定")
    assert "动态口令不正确" in _texts(at) and mfa.stored_secret(app_db, "fresh") is None
    _fill(at, 动态口令=mfa.current_code(secret))
    at = _press(at, "绑定")
    assert mfa.stored_secret(app_db, "fresh") == secret
    # the forced change: no page before it; the policy and the history hold
    assert not [b for b in at.button if b.label == "退出登录"]
    for bad, message in ((("short-1", "short-1"), "太短"), ((NEW, NEW + "x"), "不一致"),
                         ((INITIAL, INITIAL), "最近 5 次")):  # fmt: skip
        _fill(at, 新密码=bad[0], 确认新密码=bad[1])
        at = _press(at, "修改并登录")
        assert message in _texts(at), bad
    _fill(at, 新密码=NEW, 确认新密码=NEW)
    at = _press(at, "修改并登录")
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["账号管理"]
    token = at.session_state[session.TOKEN]
    with app_db.connect() as conn:
        events = conn.execute(sa.select(audit_log.c.event, audit_log.c.result)
                              .where(audit_log.c.username == "fresh")).all()  # fmt: skip
    assert ("totp_enrol", "success") in events and ("password_change", "success") in events

    # logout ends the session: the same token in another browser session gets the form
    at = _press(at, "退出登录")
    assert "已退出登录" in _texts(at)
    replay = AppTest.from_file(str(APP), default_timeout=60)
    replay.session_state[session.TOKEN] = token
    replay.run()
    assert not [b for b in replay.button if b.label == "退出登录"]
    assert "会话已结束" in _texts(replay)
    assert [b.label for b in replay.button] == ["登录"]
