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
from eldercare import accounts
from eldercare.accounts import county_names
from eldercare.appdb import engine
from eldercare.settings import get_settings

PASSWORD = "cockpit-test-2026"


@pytest.fixture(scope="session")
def cockpit_warehouse(duckdb_build, tmp_path_factory) -> Path:
    """The tiny DuckDB warehouse after the whole build (``eldercare build``'s publish step)."""
    from eldercare.build import publish

    assert duckdb_build.error is None, duckdb_build.error
    path = tmp_path_factory.mktemp("cockpit") / "warehouse.duckdb"
    shutil.copy2(duckdb_build.target, path)
    publish(str(path), echo=lambda *a, **k: None)
    return path


@pytest.fixture(scope="session")
def app_db_url(tmp_path_factory) -> str:
    """An application database with the test accounts: ``leader`` (city), ``county_<code>``
    for every county, ``steward``, ``analyst``, ``admin``; password ``PASSWORD``."""
    url = f"sqlite:///{tmp_path_factory.mktemp('appdb') / 'app.sqlite'}"
    eng = engine(url)
    accounts.add(eng, "leader", PASSWORD, "city_leader", None, "市领导")
    for code, name in county_names().items():
        accounts.add(eng, f"county_{code}", PASSWORD, "county_user", code, f"{name}用户")
    accounts.add(eng, "steward", PASSWORD, "data_steward", None, "数据专员")
    accounts.add(eng, "analyst", PASSWORD, "analyst", None, "分析员")
    accounts.add(eng, "admin", PASSWORD, "sysadmin", None, "管理员")
    return url


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
