"""三员分立 in the cockpit (AppTest, real application database): the 系统管理员 creates an account
without a role, the 安全管理员 gives it one; each administrator's navigation holds their page
only."""

from __future__ import annotations

import pytest
from cockpit_helpers import run_page

from cockpit.navigation import pages_for
from cockpit.scope import Viewer
from eldercare import accounts
from eldercare.appdb import engine
from eldercare.settings import get_settings

SYSADMIN = Viewer("ops", "系统管理员", "sysadmin", None)
SECADMIN = Viewer("sec", "安全管理员", "secadmin", None)
AUDITOR = Viewer("aud", "审计管理员", "auditadmin", None)


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("ELDERCARE_APP_DB", url)
    get_settings.cache_clear()
    yield engine(url)
    get_settings.cache_clear()


def test_each_admin_sees_only_their_page() -> None:
    assert [p.url_path for p in pages_for(SYSADMIN)] == ["accounts"]
    assert [p.url_path for p in pages_for(SECADMIN)] == ["security"]
    assert [p.permission for p in pages_for(AUDITOR)] == ["audit"]


def _form_input(at, label: str, value: str) -> None:
    next(t for t in at.text_input if t.label == label).input(value)


def test_sysadmin_creates_and_secadmin_assigns(app_db) -> None:
    at = run_page("accounts", SYSADMIN)
    assert not at.exception, at.exception
    assert "角色" not in [s.label for s in at.selectbox]  # the 系统管理员 sets no role
    _form_input(at, "用户名", "zhou")
    _form_input(at, "姓名", "周")
    _form_input(at, "初始密码（首次登录须修改）", "Initial-pass-2026")
    at = next(b for b in at.button if b.label == "创建").click().run()
    assert not at.exception, at.exception
    made = accounts.get(app_db, "zhou")
    assert (made.role, made.must_change_password, made.totp_enrolled) == ("pending", True, False)

    at = run_page("security", SECADMIN)
    assert not at.exception, at.exception
    assert "sec" not in next(s for s in at.selectbox if s.label == "账号").options  # not oneself
    next(s for s in at.selectbox if s.label == "账号").select("zhou")
    next(s for s in at.selectbox if s.label == "角色").select("county_user")
    next(s for s in at.selectbox if s.label == "县区").select("440803")
    at = next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception, at.exception
    got = accounts.get(app_db, "zhou")
    assert (got.role, got.county_code) == ("county_user", "440803")
    # and the sysadmin account cannot be made a second admin from this page either
    next(s for s in at.selectbox if s.label == "账号").select("ops")
    next(s for s in at.selectbox if s.label == "角色").select("auditadmin")
    next(s for s in at.selectbox if s.label == "县区").select(None)
    at = next(b for b in at.button if b.label == "保存").click().run()
    assert any("no account holds two admin roles" in e.value for e in at.error)
    assert accounts.get(app_db, "ops").role == "sysadmin"
