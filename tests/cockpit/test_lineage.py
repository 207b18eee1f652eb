"""数据溯源: every KPI in the registry (whichever helper added it) traces to mart rows that add
up to its value, in every scope, without a personal column; the page shows the value, the SQL,
the rows and the legacy source rows' landing; and the same on PostgreSQL."""

from __future__ import annotations

import math
import re
import uuid

import pytest
import sqlalchemy as sa
import streamlit as st
from cockpit_helpers import CITY_VIEWER, county_viewer, metric, run_page, sql

from cockpit import kpis
from cockpit.data import core, lineage, load_all, quality
from cockpit.data.county import reading_as
from cockpit.scope import Scope, Viewer
from eldercare.settings import get_settings

STEWARD = Viewer("steward", "数据专员", "data_steward", None)
COUNTY = "440803"
ID_NUMBER = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")
MOBILE = re.compile(r"^(\+?86)?1[3-9]\d{9}$")


def _scopes(path) -> list[Scope]:
    town = sql(path, "select min(town_code) from marts.dim_elder where county_code = ?", (COUNTY,))
    return [Scope(), Scope(COUNTY), Scope(COUNTY, town[0][0])]


def _with_rows() -> list[kpis.Kpi]:
    load_all()
    return [k for k in kpis.KPIS.values() if k.rows_sql]


def test_load_all_registers_every_data_module() -> None:
    modules = load_all()
    assert {"overview", "quality", "lineage"} <= set(modules)
    assert {"elders", "work_orders", "quality_below_bar", "migration_quarantined"} <= set(kpis.KPIS)
    catalogue = lineage.catalogue()
    assert sorted(catalogue["key"]) == sorted(kpis.KPIS)
    assert catalogue["definition"].str.len().gt(0).all()


def test_every_count_kpi_lists_as_many_rows_as_its_value(cockpit_env) -> None:
    """For each KPI that counts rows, in the city, a county and a town: the lineage rows
    number exactly the value on the cards."""
    counted = [k for k in _with_rows() if k.is_count]
    assert {"elders", "work_orders", "alarms", "family_beds", "quality_below_bar"} <= {
        k.key for k in counted
    }
    wrong = []
    for scope in _scopes(cockpit_env):
        for kpi in counted:
            value, rows = lineage.value(kpi, scope), lineage.row_count(kpi, scope)
            if int(value or 0) != rows:
                wrong.append(f"{kpi.key} {scope}: value {value}, rows {rows}")
    assert not wrong, wrong


def test_amount_kpis_add_up_from_their_rows(cockpit_env) -> None:
    """The work-order amounts traced to fct_work_order: the rows' sum is the value."""
    for key, column in (("order_amount", "amount"), ("order_subsidy", "subsidy_amount")):
        kpi = kpis.get(key)
        for scope in _scopes(cockpit_env):
            total = lineage.row_count(kpi, scope)
            rows = lineage.rows(kpi, scope, max(total, 1), 0)
            assert float(rows[column].sum()) == pytest.approx(float(lineage.value(kpi, scope)))


def test_kpi_rows_hold_no_personal_data_and_stay_in_scope(cockpit_env) -> None:
    """Each KPI's rows_sql as written (before the page's own column guard): no personal
    column, no clear ID or phone number, and a county's rows are that county's."""
    problems = []
    for kpi in _with_rows():
        for scope in (Scope(), Scope(COUNTY)):
            query, params = lineage.rendered(kpi, scope, rows=True)
            rows = core.run(f"{query} limit 200", params)
            if bad := set(map(str.lower, rows.columns)) & lineage.PERSONAL_COLUMNS:
                problems.append(f"{kpi.key}: personal columns {bad}")
            for column in rows.columns:
                text = rows[column].dropna().astype(str)
                if text.str.match(ID_NUMBER).any() or text.str.match(MOBILE).any():
                    problems.append(f"{kpi.key}.{column}: an ID or phone number")
                foreign = set(text) - {COUNTY} if column == "county_code" else set()
                if scope.county_code and foreign:
                    problems.append(f"{kpi.key} {scope}: rows of {foreign}")
    assert not problems, problems


def test_sources_of_a_row_are_its_legacy_ids_as_landed(cockpit_env) -> None:
    kpi = kpis.get("elders")
    row, sources = lineage.row_sources(kpi, Scope(COUNTY), 0)
    ids = row["source_elder_ids"].split(",")
    assert sorted(sources["source_key"]) == sorted(ids)
    assert sources["found"].all()
    assert set(sources.columns) <= {
        "source_table", "source_key", "run_id", "loaded_at", "del_flag", "found",
        "source_table_label", "del_flag_label",
    }  # fmt: skip
    landed = sql(
        cockpit_env,
        f"select source_key, run_id from raw.yl_elder where source_key in"
        f" ({', '.join('?' for _ in ids)})",
        ids,
    )
    assert dict(landed) == dict(zip(sources["source_key"], sources["run_id"], strict=True))
    # beyond the scope's rows there is nothing to trace
    total = lineage.row_count(kpi, Scope(COUNTY))
    assert lineage.row_sources(kpi, Scope(COUNTY), total)[1].empty


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [c.value for c in at.code] + [s.value for s in at.success]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [f.value.to_csv() for f in at.dataframe]
    return "\n".join(parts)


def test_catalogue_lists_every_kpi_with_a_link(cockpit_env) -> None:
    at = run_page("lineage", STEWARD)
    assert not at.exception, at.exception
    links = at.get("page_link")
    assert len(links) == len(lineage.catalogue())
    text = _text(at)
    for kpi in lineage.kpis().values():
        assert kpi.definition in text


def test_kpi_drill_shows_value_rows_and_legacy_sources(cockpit_env) -> None:
    at = run_page("lineage", STEWARD, kpi="elders")
    assert not at.exception, at.exception
    elders = sql(
        cockpit_env, "select count(*) from marts.dim_elder where is_live and not is_deceased"
    )[0][0]
    assert metric(at, "老年人总数") == f"{elders:,} 人"
    assert any("与指标值一致" in s.value for s in at.success)
    assert any("select count(*) from marts.dim_elder" in c.value for c in at.code)
    rows, sources = at.dataframe[0].value, at.dataframe[1].value
    assert len(rows) == 50
    assert "长者码" in rows.columns and "来源长者ID" in rows.columns
    assert sorted(sources["源记录编号"]) == sorted(rows.iloc[0]["来源长者ID"].split(","))
    assert list(sources.columns) == [
        "数据",
        "原始表",
        "源记录编号",
        "迁移批次",
        "落地时间",
        "删除标记",
    ]
    # another row: its own sources; never the raw row's personal columns
    pick = next(s for s in at.selectbox if s.label == "选择一行")
    at = pick.set_value(7).run()
    rows, sources = at.dataframe[0].value, at.dataframe[1].value
    ids = rows.iloc[7]["来源长者ID"].split(",")
    assert sorted(sources["源记录编号"]) == sorted(ids)
    personal = sql(
        cockpit_env,
        "select elder_name, id_card, phone, address from raw.yl_elder where source_key in"
        f" ({', '.join('?' for _ in ids)})",
        ids,
    )
    text = _text(at)
    for value in {v for row in personal for v in row if v}:
        assert value not in text


def test_area_kpi_shows_the_aggregate_row_and_the_facts(cockpit_env) -> None:
    at = run_page("lineage", CITY_VIEWER, kpi="work_orders", county=COUNTY)
    assert not at.exception, at.exception
    month = sql(
        cockpit_env,
        "select max(month_start) from marts.agg_area_monthly where work_orders > 0",
    )[0][0]
    orders = sql(
        cockpit_env,
        "select count(*) from marts.fct_work_order where order_month = ? and county_code = ?",
        (month, COUNTY),
    )[0][0]
    assert metric(at, "本月工单") == f"{orders:,} 单"
    aggregate = at.dataframe[0].value
    assert aggregate.iloc[0]["月份"] == f"{month:%Y年%m月}"
    assert aggregate.iloc[0]["工单数"] == orders
    facts = at.dataframe[1].value
    assert set(facts["县区代码"]) == {COUNTY}
    assert any(f"明细共 {orders:,} 行" in s.value for s in at.success)


@pytest.mark.parametrize("asked", [None, "440881"])
def test_county_user_drills_only_into_their_county(cockpit_env, asked) -> None:
    params = {"kpi": "elders", **({"county": asked} if asked else {})}
    at = run_page("lineage", county_viewer(COUNTY), **params)
    assert not at.exception, at.exception
    elders = sql(
        cockpit_env,
        "select count(*) from marts.dim_elder where is_live and not is_deceased"
        " and county_code = ?",
        (COUNTY,),
    )[0][0]
    assert metric(at, "老年人总数") == f"{elders:,} 人"
    assert set(at.dataframe[0].value["县区代码"]) == {COUNTY}


def test_city_only_kpis_give_a_county_nothing(cockpit_env) -> None:
    at = run_page("lineage", county_viewer(COUNTY), kpi="migration_quarantined")
    assert not at.exception, at.exception
    assert metric(at, "隔离记录") == "0 条"
    assert not at.dataframe  # no rows to list, nothing to trace


# -- PostgreSQL: the same numbers from the same tiny data --------------------------------------


@pytest.fixture(scope="module")
def pg_published(pg_build):
    """A copy of the session's PostgreSQL build with the publish step run on it."""
    from pipelines.build import publish

    assert pg_build.error is None, pg_build.error
    source = pg_build.target.rsplit("/", 1)[1]
    name = f"{source}_lineage_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(
        "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'create database "{name}" template "{source}"'))
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    publish(url, echo=lambda *a, **k: None)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


def _measure(scopes: list[Scope]) -> dict:
    out = {}
    for scope in scopes:
        for kpi in lineage.kpis().values():
            value = lineage.value(kpi, scope)
            out[(kpi.key, scope, "value")] = None if value is None else float(value)
            if kpi.rows_sql:
                out[(kpi.key, scope, "rows")] = lineage.row_count(kpi, scope)
        for fn in (quality.scorecard, quality.failing_checks, quality.changes, quality.outliers,
                   quality.text_review, quality.reconciliation, quality.quarantine):  # fmt: skip
            out[(fn.__name__, scope, "rows")] = len(fn(scope))
        out[("row_sources", scope, "rows")] = len(
            lineage.row_sources(kpis.get("elders"), scope, 0)[1]
        )
    return out


def _switch(monkeypatch, target: str) -> None:
    monkeypatch.setenv("ELDERCARE_WAREHOUSE", target)
    get_settings.cache_clear()
    st.cache_data.clear()


@pytest.mark.postgres
def test_postgres_gives_the_same_numbers(cockpit_env, pg_published, monkeypatch) -> None:
    scopes = _scopes(cockpit_env)
    on_duckdb = _measure(scopes)
    _switch(monkeypatch, pg_published)
    assert core.is_postgres()
    with reading_as(None):  # a city viewer drilling down (row-level security on PostgreSQL)
        on_postgres = _measure(scopes)
    _switch(monkeypatch, str(cockpit_env))
    differ = {
        k: (v, on_postgres[k])
        for k, v in on_duckdb.items()
        if not (
            v == on_postgres[k]
            or (
                isinstance(v, float)
                and on_postgres[k] is not None
                and math.isclose(v, on_postgres[k], rel_tol=1e-9, abs_tol=1e-9)
            )
        )
    }
    # the run ids and times of the two builds differ; their counts must not
    assert not differ, differ
    assert on_duckdb[("elders", Scope(), "value")] > 0  # not vacuous
