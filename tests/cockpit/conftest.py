"""Cockpit fixtures: the tiny warehouse built and published (dbt, quality, models), an
application database with one account per role and county, and the settings pointing at both.

The published warehouse is a copy of the session's dbt build, so the cockpit's tests never hold
a lock on the file other tests write.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from cockpit.data.core import close_connections
from eldercare import accounts, mfa
from eldercare.accounts import county_names
from eldercare.appdb import engine
from eldercare.settings import get_settings

PASSWORD = "cockpit-test-2026"


@pytest.fixture(scope="session")
def cockpit_warehouse(duckdb_build, tmp_path_factory) -> Path:
    """The tiny DuckDB warehouse after the whole build (``eldercare build``'s publish step)."""
    from pipelines.build import publish

    assert duckdb_build.error is None, duckdb_build.error
    path = tmp_path_factory.mktemp("cockpit") / "warehouse.duckdb"
    shutil.copy2(duckdb_build.target, path)
    publish(str(path), echo=lambda *a, **k: None)
    return path


@pytest.fixture(scope="session")
def app_db_url(tmp_path_factory) -> str:
    """An application database with the test accounts: ``leader`` (city), ``county_<code>``
    for every county, ``steward``, ``analyst``, ``admin``, ``secadmin``, ``auditor``; password
    ``PASSWORD``, second factor enrolled (``add_ready_account``)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('appdb') / 'app.sqlite'}"
    eng = engine(url)
    add_ready_account(eng, "leader", "city_leader", None, "市领导")
    for code, name in county_names().items():
        add_ready_account(eng, f"county_{code}", "county_user", code, f"{name}用户")
    add_ready_account(eng, "steward", "data_steward", None, "数据专员")
    add_ready_account(eng, "analyst", "analyst", None, "分析员")
    add_ready_account(eng, "admin", "sysadmin", None, "管理员")
    add_ready_account(eng, "secadmin", "secadmin", None, "安全管理员")
    add_ready_account(eng, "auditor", "auditadmin", None, "审计管理员")
    return url


def add_ready_account(eng, username: str, role: str, county: str | None, name: str) -> None:
    """An account past its first login: password ``PASSWORD``, TOTP secret
    ``mfa.demo_secret(username)`` (what ``browser.Cockpit.open`` computes its codes from)."""
    accounts.add(eng, username, PASSWORD, role, county, name, must_change=False,
                 totp_secret=mfa.demo_secret(username))  # fmt: skip


@pytest.fixture
def cockpit_env(cockpit_warehouse, app_db_url, monkeypatch) -> Iterator[Path]:
    """Settings (and therefore the cockpit's data access) pointing at the test stores."""
    monkeypatch.setenv("ELDERCARE_WAREHOUSE", str(cockpit_warehouse))
    monkeypatch.setenv("ELDERCARE_APP_DB", app_db_url)
    get_settings.cache_clear()
    st.cache_data.clear()
    yield cockpit_warehouse
    close_connections()  # a test may have pointed the cockpit at another warehouse
    get_settings.cache_clear()
    st.cache_data.clear()
