"""The cockpit reads PostgreSQL with the same code: every data function gives on the tiny
PostgreSQL warehouse what it gives on the tiny DuckDB warehouse (same generated data, built
and published on both), for the city and for one county.

Comparison rule: tables as multisets of rows (order ignored, since SQL without ``order by``
promises none; rows cut by ``limit`` after an ``order by`` must still be the same rows), same
column names; numbers compared as floats rounded to 6 decimals (integers, decimals and floats
alike: the engines return different numeric types); dates and times as naive timestamps;
NULL, NaN, NaT and NA alike. Columns that record *when* or *which run* published something
(``VOLATILE``) differ by nature between two builds and are left out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import math
import uuid
from collections.abc import Iterator

import numpy as np
import pandas as pd
import psycopg
import pytest
import streamlit as st
from cockpit_helpers import sql
from data_walk import all_calls, codes_for, entity_counties

from cockpit.data.county import reading_as
from cockpit.scope import Scope
from eldercare.settings import get_settings

pytestmark = pytest.mark.postgres

VOLATILE = {"run_id", "previous_run_id", "checked_at", "computed_at", "landed_at", "loaded_at"}


@pytest.fixture(scope="module")
def pg_warehouse(pg_build, tmp_path_factory) -> Iterator[str]:
    """A copy of the session's tiny PostgreSQL warehouse (the build is shared with other
    tests; publishing adds tables) after ``eldercare build``'s publish step."""
    from pipelines.build import publish

    assert pg_build.error is None, pg_build.error
    source = pg_build.target.rsplit("/", 1)[1]
    name = f"eldercare_cockpit_{uuid.uuid4().hex[:10]}"
    admin = pg_build.target.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'create database "{name}" template "{source}"')
    target = pg_build.target.rsplit("/", 1)[0] + f"/{name}"
    try:
        with pytest.MonkeyPatch.context() as mp:
            home = tmp_path_factory.mktemp("dagster_pg_publish")
            mp.setenv("ELDERCARE_DAGSTER_HOME", str(home))
            get_settings.cache_clear()
            try:
                publish(target, echo=lambda *a, **k: None)
            finally:
                get_settings.cache_clear()
        yield target
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'drop database if exists "{name}" with (force)')


def _cell(v):
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | float | decimal.Decimal | np.integer | np.floating):
        f = float(v)
        return None if math.isnan(f) else round(f, 6) + 0.0
    if isinstance(v, pd.Timestamp | dt.datetime | dt.date | np.datetime64):
        ts = pd.Timestamp(v)
        return (ts.tz_convert(None) if ts.tzinfo else ts).isoformat()
    if isinstance(v, dt.timedelta | pd.Timedelta):
        return pd.Timedelta(v).total_seconds()
    if isinstance(v, str):
        return v
    return repr(v)


def canon(value):
    """A value both engines should agree on, with the comparison rule above applied."""
    if isinstance(value, pd.DataFrame):
        keep = [c for c in value.columns if str(c) not in VOLATILE]
        rows = [tuple(_cell(v) for v in row) for row in value[keep].itertuples(index=False)]
        return ("table", tuple(str(c) for c in keep), tuple(sorted(rows, key=repr)))
    if isinstance(value, pd.Series):
        return canon(value.to_frame())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return canon({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if isinstance(value, dict):
        return {str(k): canon(v) for k, v in value.items() if str(k) not in VOLATILE}
    if isinstance(value, list | tuple):
        return [canon(v) for v in value]
    return _cell(value)


def _results(target: str, scope: Scope, codes, monkeypatch) -> dict[str, object]:
    monkeypatch.setenv("ELDERCARE_WAREHOUSE", target)
    get_settings.cache_clear()
    st.cache_data.clear()
    out: dict[str, object] = {}
    # A city-level viewer's session, the county being the page's drill-down: row-level security
    # passes every row, so this compares the engines. A county user's own reads (where the
    # database filters too) are tested in tests/dbt/test_county_scope_postgres.py.
    with reading_as(None):
        for i, call in enumerate(all_calls(scope, codes)):
            try:
                out[f"{i:04d} {call.label}"] = canon(call())
            except Exception as exc:
                out[f"{i:04d} {call.label}"] = f"raised {type(exc).__name__}: {str(exc)[:300]}"
    return out


def _differences(duck, pg) -> list[str]:
    found = []
    for label in sorted(duck.keys() | pg.keys()):
        a, b = duck.get(label), pg.get(label)
        if a == b:
            continue
        if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0] == "table":
            if a[1] != b[1]:
                found.append(f"{label}: columns {a[1]} (DuckDB) vs {b[1]} (PostgreSQL)")
                continue
            only_duck = [r for r in a[2] if r not in b[2]][:2]
            only_pg = [r for r in b[2] if r not in a[2]][:2]
            found.append(
                f"{label}: {len(a[2])} vs {len(b[2])} rows; DuckDB only {only_duck}; "
                f"PostgreSQL only {only_pg}"
            )
        else:
            found.append(f"{label}: DuckDB {str(a)[:300]} vs PostgreSQL {str(b)[:300]}")
    return found


@pytest.mark.parametrize("county", [None, "440881"], ids=["city", "440881"])
def test_data_functions_agree_on_postgres(
    cockpit_warehouse, pg_warehouse, app_db_url, monkeypatch, county
) -> None:
    monkeypatch.setenv("ELDERCARE_APP_DB", app_db_url)
    entities = entity_counties(lambda q: sql(cockpit_warehouse, q))
    codes = codes_for(entities, county)
    scope = Scope(county)
    try:
        duck = _results(str(cockpit_warehouse), scope, codes, monkeypatch)
        pg = _results(pg_warehouse, scope, codes, monkeypatch)
    finally:
        get_settings.cache_clear()
        st.cache_data.clear()
    raised = [f"{k}: {v}" for k, v in duck.items() if isinstance(v, str) and v.startswith("raised")]
    assert not raised, "fails on DuckDB:\n" + "\n".join(raised[:30])
    tables = sum(1 for v in duck.values() if isinstance(v, tuple))
    assert tables > 20, f"only {tables} tables compared"
    differences = _differences(duck, pg)
    assert not differences, f"{len(differences)} differ:\n" + "\n".join(differences[:40])


def test_the_comparison_sees_a_difference() -> None:
    a = canon(pd.DataFrame({"x": [1, 2], "y": [0.1234564, None]}))
    b = canon(pd.DataFrame({"x": [2.0, 1.0], "y": [None, decimal.Decimal("0.1234564")]}))
    assert a == b
    c = canon(pd.DataFrame({"x": [1, 3], "y": [0.1234564, None]}))
    assert _differences({"f": a}, {"f": c})
