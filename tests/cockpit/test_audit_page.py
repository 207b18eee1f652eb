"""审计日志: only 审计管理员 opens it; it shows the chain's status (naming the row that breaks
it), filters by event and account, and its rows are the audit log's."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from cockpit_helpers import APP, CITY_VIEWER, county_viewer, run_page
from streamlit.testing.v1 import AppTest

from cockpit.navigation import pages_for
from cockpit.scope import Viewer
from eldercare import audit
from eldercare.appdb import engine
from eldercare.settings import get_settings

AUDITOR = Viewer("auditor", "审计员", "auditadmin", None)
PAGE = APP.parent / "app_pages" / "audit_log.py"


@pytest.fixture
def fresh_log(cockpit_env, tmp_path, monkeypatch) -> sa.Engine:
    """An application database of its own (this test changes rows behind the app's back)."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("ELDERCARE_APP_DB", url)
    get_settings.cache_clear()
    eng = engine(url)
    for i, event in enumerate(["login", "page_view", "unmask", "page_view", "download"]):
        audit.record(
            event, username="county_440803" if i % 2 else "leader", role="county_user",
            county_code="440803", client="10.0.0.9", result="success", detail={"i": i},
            engine=eng,
        )  # fmt: skip
    return eng


def _table(at):
    return next(df.value for df in at.dataframe if "事件" in df.value.columns)


def test_auditor_sees_the_log_and_its_status(fresh_log) -> None:
    at = run_page("audit_log", AUDITOR)
    assert not at.exception, at.exception
    # the page lists the log before its own page_view row is written; it checks the chain
    # once per session, and run_page's first run may already have written rows
    listed = len(audit.search(fresh_log)) - 1
    status = " ".join(s.value for s in at.success)
    checked = re.search(r"哈希链完整：共 (\d+) 条记录", status)
    assert checked and 5 <= int(checked.group(1)) <= listed, status
    shown = _table(at)
    assert len(shown) == listed and "10.0.0.9" in set(shown["客户端地址"])
    at.multiselect(key="audit_events").select("unmask").run()
    assert list(_table(at)["事件"]) == ["查看明文"]
    at.multiselect(key="audit_events").unselect("unmask").run()
    at.selectbox(key="audit_user").select("leader").run()
    assert set(_table(at)["账号"]) == {"leader"} and len(_table(at)) == 3


def test_page_names_the_row_that_breaks_the_chain(fresh_log) -> None:
    with fresh_log.begin() as conn:
        conn.execute(sa.text("update audit_log set client = '10.6.6.6' where id = 3"))
    at = run_page("audit_log", AUDITOR)
    assert any("哈希链断裂：第 3 条" in e.value for e in at.error), [e.value for e in at.error]


@pytest.mark.parametrize(
    "viewer",
    [CITY_VIEWER, county_viewer("440803"), Viewer("admin", "管理员", "sysadmin", None),
     Viewer("sec", "安全员", "secadmin", None)],
    ids=["city", "county", "sysadmin", "secadmin"],
)  # fmt: skip
def test_no_one_else_opens_the_audit_log(cockpit_env, viewer) -> None:
    assert "audit-log" not in {p.url_path for p in pages_for(viewer)}
    assert "audit-log" in {p.url_path for p in pages_for(AUDITOR)}
    # the page itself refuses too, were it reached without the navigation
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state["viewer"] = viewer
    at.run()
    assert any("无权查看审计日志" in e.value for e in at.error)
    assert not at.dataframe
