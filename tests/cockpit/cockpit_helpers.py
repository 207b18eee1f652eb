"""Helpers of the cockpit tests: viewers and running one page headless (AppTest)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from cockpit import session
from cockpit.data.core import DUCKDB_CONFIG
from cockpit.scope import Viewer
from eldercare import accounts, appdb, mfa, sessions
from eldercare.appdb import app_engine

PASSWORD = "cockpit-test-2026"  # conftest.PASSWORD (conftest is not importable from here)

APP = Path(__file__).resolve().parents[2] / "cockpit" / "app.py"

CITY_VIEWER = Viewer("leader", "市领导", "city_leader", None)


def county_viewer(code: str) -> Viewer:
    return Viewer(f"county_{code}", "县区用户", "county_user", code)


def login(viewer: Viewer) -> str:
    """A real server-side session for ``viewer`` in the settings' application database: the
    account is made to match the viewer (tests give roles and scopes of their own), then a
    session is opened as the login form opens it; returns its token."""
    eng = app_engine()
    values = {"display_name": viewer.display_name, "role": viewer.role,
              "county_code": viewer.county_code, "disabled": False}  # fmt: skip
    with eng.begin() as conn:
        updated = conn.execute(
            appdb.accounts.update().where(appdb.accounts.c.username == viewer.username)
            .values(**values)
        ).rowcount  # fmt: skip
    if not updated:
        accounts.add(eng, viewer.username, PASSWORD, "analyst", None, viewer.display_name,
                     must_change=False, totp_secret=mfa.demo_secret(viewer.username))  # fmt: skip
        with eng.begin() as conn:
            conn.execute(appdb.accounts.update()
                         .where(appdb.accounts.c.username == viewer.username).values(**values))  # fmt: skip
    return sessions.start(eng, viewer.username, "apptest")


def run_page(page: str, viewer: Viewer, **query_params) -> AppTest:
    """Run the app as ``viewer`` on ``cockpit/app_pages/<page>.py`` with these URL parameters
    (through app.py, so navigation and page links resolve as in the browser)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state[session.TOKEN] = login(viewer)
    for key, value in query_params.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(f"app_pages/{page}.py").run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def sql(path: Path, query: str, params=()) -> list[tuple]:
    """The test's own SQL on the marts (the expectation), on a connection configured like the
    cockpit's: DuckDB refuses two configurations of one file in one process."""
    con = duckdb.connect(str(path), read_only=True, config=DUCKDB_CONFIG)
    try:
        return con.execute(query, list(params)).fetchall()
    finally:
        con.close()
