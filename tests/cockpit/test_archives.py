"""数据档案 (老人档案, 服务资源, 服务队伍): lists page in SQL and equal SQL on the marts, search by
code finds exactly that entity, county users see their county only (whatever the search box or
the URL asks), health readings need the permission, and no clear ID number reaches the page."""

from __future__ import annotations

import datetime as dt
import numbers
import re
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest
import streamlit as st
from cockpit_helpers import CITY_VIEWER, county_viewer, metric, run_page, sql

from cockpit.data import archives, institutions, resources, staff
from cockpit.data.county import reading_as
from cockpit.scope import PERMISSIONS, Scope, Viewer, scope_for
from eldercare import accounts
from eldercare.settings import get_settings

CLEAR_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def _table(at, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _total(at) -> int:
    text = next(m.value for m in at.markdown if m.value.startswith("共 **"))
    return int(text.split("**")[1].replace(",", ""))


def _page_text(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "subheader", "info", "warning", "success")
             for e in getattr(at, kind)]  # fmt: skip
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(str(p) for p in parts)


def _as_of(path) -> dt.date:
    month = sql(path, "select max(month_start) from marts.agg_area_monthly where work_orders > 0")
    return (pd.Timestamp(month[0][0]) + pd.offsets.MonthEnd(0)).date()


# ---- 老人档案 ------------------------------------------------------------------------------------


def test_elders_page_through_sql(cockpit_env) -> None:
    at = run_page("archive_elders", CITY_VIEWER)
    assert not at.exception, at.exception
    assert _total(at) == sql(cockpit_env, "select count(*) from marts.dim_elder")[0][0]
    codes = "select elder_code from marts.dim_elder order by elder_code limit 50 offset ?"
    first = list(_table(at, "长者码")["长者码"])
    assert first == [c for (c,) in sql(cockpit_env, codes, (0,))]
    at.number_input(key="elder_page").set_value(2).run()
    second = list(_table(at, "长者码")["长者码"])
    assert second == [c for (c,) in sql(cockpit_env, codes, (50,))]
    assert len(second) == 50 and not set(first) & set(second)


def test_search_by_code_finds_exactly_that_elder(cockpit_env) -> None:
    code, orders = sql(
        cockpit_env,
        "select elder_code, count(*) from marts.fct_work_order group by 1 order by 2 desc, 1 limit 1",
    )[0]
    at = run_page("archive_elders", CITY_VIEWER)
    at.text_input(key="elder_q_code").input(code.lower()).run()
    assert not at.exception, at.exception
    assert _total(at) == 1
    assert list(_table(at, "长者码")["长者码"]) == [code]
    assert f"档案卡 · {code}" in [s.value for s in at.subheader]  # the only match opens
    assert any(m.value.startswith(f"共 **{orders:,}** 单") for m in at.markdown)
    assert len(_table(at, "工单号")) == min(orders, 100)

    prefix = code[:3]
    at.text_input(key="elder_q_code").input(prefix).run()
    like = "select count(*) from marts.dim_elder where elder_code like ?"
    assert _total(at) == sql(cockpit_env, like, (prefix + "%",))[0][0]

    at.text_input(key="elder_q_code").input("E%").run()  # no wildcard gets through
    assert at.warning and not at.dataframe


def test_elder_filters_equal_sql(cockpit_env) -> None:
    path, month_end = cockpit_env, _as_of(cockpit_env)
    month = month_end.replace(day=1)
    at = run_page("archive_elders", CITY_VIEWER)
    at.selectbox(key="elder_q_economic_type").set_value("低保")
    at.multiselect(key="elder_q_flags").set_value(["age80", "living"]).run()
    assert not at.exception, at.exception
    expected = sql(
        path,
        "select count(*) from marts.dim_elder where economic_type = '低保' and not is_deceased"
        " and birth_date <= ? - interval '80 years'",
        (month,),
    )[0][0]
    assert _total(at) == expected > 0

    end = month_end + dt.timedelta(days=1)
    start = end - dt.timedelta(days=90)
    cases = {
        ("family_bed",): "select count(distinct elder_code) from marts.fct_family_bed_state"
        " where is_current and state = '建床'",
        ("orders_90d",): "select count(distinct elder_code) from marts.fct_work_order"
        f" where start_time >= '{start}' and start_time < '{end}'",
        ("alarms_90d",): "select count(distinct elder_code) from marts.fct_alarm"
        f" where alarm_time >= '{start}' and alarm_time < '{end}'",
        (
            "resident",
        ): "select count(distinct elder_code) from marts.fct_residency where is_current",
        ("deceased",): "select count(*) from marts.dim_elder where is_deceased",
    }
    for flags, query in cases.items():
        got = archives.count(Scope(), archives.ElderQuery(flags=flags))
        assert got == sql(path, query)[0][0] > 0, flags


def _foreign_elder(path, own: str) -> str:
    return sql(
        path,
        "select e.elder_code from marts.dim_elder e join marts.fct_work_order w using (elder_code)"
        " where e.county_code <> ? order by 1 limit 1",
        (own,),
    )[0][0]


@pytest.mark.parametrize("asked_county", [None, "440881"])
def test_county_user_cannot_open_another_countys_elder(cockpit_env, asked_county) -> None:
    own = "440803"
    foreign = _foreign_elder(cockpit_env, own)
    viewer = county_viewer(own)
    params = {"elder": foreign, **({"county": asked_county} if asked_county else {})}
    at = run_page("archive_elders", viewer, **params)
    assert not at.exception, at.exception
    assert any("不在您的查看范围内" in w.value for w in at.warning)
    assert not [s for s in at.subheader if s.value.startswith("档案卡")]
    own_count = "select count(*) from marts.dim_elder where county_code = ?"
    assert _total(at) == sql(cockpit_env, own_count, (own,))[0][0]
    assert set(_table(at, "县区")["县区"]) == {"霞山区"}

    at.text_input(key="elder_q_code").input(foreign).run()
    assert _total(at) == 0

    scope = scope_for(viewer, "440881")
    assert archives.elder(scope, foreign) is None
    assert archives.orders(scope, foreign).empty and archives.alarms(scope, foreign).empty
    assert archives.health_daily(viewer, scope, foreign).empty
    assert archives.order_summary(scope, foreign)["orders"] == 0


def _health_elder(path) -> str:
    return sql(
        path,
        "select elder_code from marts.fct_health_daily where item_code = 'SBP'"
        " group by 1 order by count(*) desc, 1 limit 1",
    )[0][0]


def test_health_trends_need_the_permission(cockpit_env, monkeypatch) -> None:
    code = _health_elder(cockpit_env)
    at = run_page("archive_elders", CITY_VIEWER, elder=code)
    assert not at.exception, at.exception
    window = (
        " from marts.fct_health_daily where elder_code = ? and item_code in ('SBP', 'DBP', 'HR', 'GLU')"
        " and measure_date > (select max(measure_date) from marts.fct_health_daily"
        " where elder_code = ? and item_code in ('SBP', 'DBP', 'HR', 'GLU')) - interval '90 days'"
    )
    rows = sql(cockpit_env, f"select count(*){window}", (code, code))[0][0]
    groups = sql(  # one chart each: blood pressure, heart rate, glucose
        cockpit_env,
        f"select count(distinct case when item_code = 'DBP' then 'SBP' else item_code end){window}",
        (code, code),
    )[0][0]
    assert len(at.get("vega_lite_chart")) == groups > 0
    assert len(archives.health_daily(CITY_VIEWER, Scope(), code)) == rows > 0

    # No shipped role has archives without health: give one that exists only in this test.
    monkeypatch.setitem(PERMISSIONS, "archivist", frozenset({"archives"}))
    monkeypatch.setitem(accounts.ROLES, "archivist", "档案员")
    archivist = Viewer("archivist", "档案员", "archivist", None)
    at = run_page("archive_elders", archivist, elder=code)
    assert not at.exception, at.exception
    assert f"档案卡 · {code}" in [s.value for s in at.subheader]
    assert not at.get("vega_lite_chart")
    assert any("健康数据" in i.value for i in at.info)
    for viewer in (archivist, Viewer("analyst", "分析员", "analyst", None)):
        with pytest.raises(PermissionError):
            archives.health_daily(viewer, Scope(), code)


def test_no_clear_id_number_on_any_archive_page(cockpit_env) -> None:
    code = _health_elder(cockpit_env)
    org = sql(
        cockpit_env,
        "select main_org_code from marts.dim_staff group by 1 order by count(*) desc limit 1",
    )
    pages = [
        run_page("archive_elders", CITY_VIEWER, elder=code),
        run_page("archive_resources", CITY_VIEWER, org=org[0][0]),
        run_page("archive_staff", CITY_VIEWER),
        run_page("institutions", CITY_VIEWER),
    ]
    credit_codes = [c for (c,) in sql(cockpit_env, "select credit_code from marts.dim_org") if c]
    texts = []
    for at in pages:  # a credit code (统一社会信用代码) is public and may be all digits
        text = _page_text(at)
        for credit in credit_codes:
            text = text.replace(credit, "")
        texts.append(text)
    for at, text in zip(pages, texts, strict=True):
        assert not at.exception, at.exception
        assert not CLEAR_ID.search(text), CLEAR_ID.search(text).group()
    assert "********" in texts[0] and "********" in texts[2]  # the masked numbers are there
    assert not [m.value for at in pages for m in at.markdown if "nan" in m.value.lower()]


def test_elder_profile_columns_become_filters(cockpit_env, tmp_path, monkeypatch) -> None:
    """When the elder-profile model publishes marts.elder_profile, its tags, boolean columns and
    segment become filters without a code change (here a stand-in built from dim_elder)."""
    path = tmp_path / "with_profile.duckdb"
    shutil.copy2(cockpit_env, path)
    con = duckdb.connect(str(path))
    con.execute(
        "create or replace table marts.elder_profile as select elder_code, county_code, town_code,"
        " concat_ws(',', case when living_type = '独居' then '独居' end,"
        " case when economic_type in ('特困', '低保') then '兜底对象' end) as tags,"
        " ability_level <> '能力完好' as is_disabled,"
        " case when is_deceased then '已故' else '在世' end as segment_label"
        " from marts.dim_elder"
    )
    con.close()
    monkeypatch.setenv("ELDERCARE_WAREHOUSE", str(path))
    get_settings.cache_clear()
    st.cache_data.clear()
    categories, flags = archives.filters()
    assert {"tag:独居", "tag:兜底对象", "tag_is_disabled"} <= set(flags)
    count = "select count(*) from marts.dim_elder where county_code = ? and "
    scope = Scope("440881")
    cases = {
        (("tag:独居",), ()): "living_type = '独居'",
        (("tag:兜底对象", "tag_is_disabled"), ()): "economic_type in ('特困', '低保')"
        " and ability_level <> '能力完好'",
        ((), (("segment_label", "已故"),)): "is_deceased",
    }
    for (flag_keys, chosen), condition in cases.items():
        q = archives.ElderQuery(categories=chosen, flags=flag_keys)
        expected = sql(path, count + condition, ("440881",))[0][0]
        assert archives.count(scope, q) == expected > 0, condition

    at = run_page("archive_elders", county_viewer("440881"))
    at.multiselect(key="elder_q_flags").set_value(["tag:独居"]).run()
    assert not at.exception, at.exception
    assert _total(at) == sql(path, count + "living_type = '独居'", ("440881",))[0][0]
    assert at.selectbox(key="elder_q_segment_label").options == ["全部", "在世", "已故"]


# ---- 服务资源 ------------------------------------------------------------------------------------


def test_resources_list_and_card_equal_sql(cockpit_env) -> None:
    path = cockpit_env
    at = run_page("archive_resources", CITY_VIEWER)
    assert not at.exception, at.exception
    assert _total(at) == sql(path, "select count(*) from marts.dim_org where is_live")[0][0]
    first = list(_table(at, "机构码")["机构码"])
    at.number_input(key="org_page").set_value(2).run()
    second = list(_table(at, "机构码")["机构码"])
    assert second and not set(first) & set(second)

    month = _as_of(path).replace(day=1)
    org, orders = sql(
        path,
        "select org_code, count(*) from marts.fct_work_order where order_month = ?"
        " group by 1 order by 2 desc, 1 limit 1",
        (month,),
    )[0]
    staff_n = sql(
        path, "select count(*) from marts.dim_staff where is_live and main_org_code = ?", (org,)
    )[0][0]
    at = run_page("archive_resources", CITY_VIEWER, org=org)
    assert not at.exception, at.exception
    assert metric(at, "本月工单") == f"{orders:,} 单"
    assert metric(at, "在册人员") == f"{staff_n:,} 人"
    assert len(_table(at, "服务人员码")) == staff_n

    at = run_page("archive_resources", CITY_VIEWER)
    at.text_input(key="org_q_code").input(org).run()
    assert _total(at) == 1 and list(_table(at, "机构码")["机构码"]) == [org]


def test_county_user_sees_only_their_organisations(cockpit_env) -> None:
    own = "440882"
    foreign = sql(
        cockpit_env, "select min(org_code) from marts.dim_org where county_code <> ?", (own,)
    )
    at = run_page("archive_resources", county_viewer(own), county="440803", org=foreign[0][0])
    assert not at.exception, at.exception
    own_orgs = "select count(*) from marts.dim_org where is_live and county_code = ?"
    assert _total(at) == sql(cockpit_env, own_orgs, (own,))[0][0]
    assert set(_table(at, "机构码")["县区"]) == {"雷州市"}
    assert any("不在您的查看范围内" in w.value for w in at.warning)
    assert resources.org(Scope(own), foreign[0][0]) is None


# ---- 服务队伍 ------------------------------------------------------------------------------------

STAFF_OF = (
    "select s.staff_code from marts.dim_staff s join marts.dim_org o on o.org_code = s.main_org_code"
    " where s.is_live and o.county_code = ?"
)


def test_staff_belong_to_their_main_employers_county(cockpit_env) -> None:
    path = cockpit_env
    county = sql(
        path,
        "select o.county_code from marts.dim_staff s join marts.dim_org o"
        " on o.org_code = s.main_org_code group by 1 order by count(*) desc limit 1",
    )[0][0]
    viewer = county_viewer(county)
    expected = {c for (c,) in sql(path, STAFF_OF, (county,))}
    at = run_page("archive_staff", viewer, county="440803")
    assert not at.exception, at.exception
    assert metric(at, "在册服务人员") == f"{len(expected):,} 人"
    assert _total(at) == len(expected)
    scope = scope_for(viewer, "440803")
    seen = set(staff.search(scope, staff.StaffQuery(), page_size=100_000)["staff_code"])
    assert seen == expected
    # nobody employed only elsewhere: every employer list of a worker seen names this county
    elsewhere = sql(
        path,
        "select s.staff_code from marts.dim_staff s where not exists (select 1 from marts.dim_org o"
        " where o.county_code = ? and position(o.org_code in s.org_codes) > 0)",
        (county,),
    )
    assert not seen & {c for (c,) in elsewhere}


def test_staff_workload_equals_sql(cockpit_env) -> None:
    path = cockpit_env
    month = _as_of(path).replace(day=1)
    start = (pd.Timestamp(month) - pd.DateOffset(months=2)).date()
    window = "w.order_month >= ? and w.order_month <= ?"
    at = run_page("archive_staff", CITY_VIEWER)
    assert not at.exception, at.exception
    table = _table(at, "服务人员码")
    top = sql(
        path,
        "select w.staff_code, count(*) from marts.fct_work_order w join marts.dim_staff s"
        f" using (staff_code) where s.is_live and {window} group by 1 order by 2 desc, 1 limit 5",
        (start, month),
    )
    assert list(zip(table["服务人员码"][:5], table["近3个月工单"][:5], strict=True)) == top
    orders, people = sql(
        path,
        "select count(*), count(distinct w.staff_code) from marts.fct_work_order w"
        f" join marts.dim_staff s using (staff_code) where s.is_live and {window}",
        (start, month),
    )[0]
    assert metric(at, "近3个月人均工单") == f"{orders / people:,.1f} 单"
    multi = "select count(*) from marts.dim_staff where is_live and employer_count > 1"
    assert metric(at, "多机构任职") == f"{sql(path, multi)[0][0]:,} 人"


# ---- the same functions on PostgreSQL ----------------------------------------------------------


def _plain(value):
    """One value as the engines agree on it (DuckDB and PostgreSQL differ in types)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Number):
        return round(float(value), 6)
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).isoformat()
    return str(value)


def _rows(df: pd.DataFrame) -> list:
    """Rows as plain values, sorted (text order may differ between the engines' collations)."""
    return sorted(([_plain(v) for v in row] for row in df.itertuples(index=False)), key=repr)


def _snapshot(viewer: Viewer, code: str, org: str, customer: str) -> dict[str, object]:
    """What the four pages read, as plain values."""
    scope, county = Scope(), Scope("440882")
    everything = 100_000
    frames = {
        "institution_table": institutions.institution_table(scope),
        "beds_by": institutions.beds_by(county),
        "occupancy": institutions.occupancy_trend(scope),
        "reports": institutions.report_trend(scope),
        "elders": archives.search(
            county, archives.ElderQuery(flags=("age80", "living")), page_size=everything
        ),
        "orders": archives.orders(scope, customer),
        "health": archives.health_daily(viewer, scope, code),
        "orgs": resources.org_list(scope, resources.OrgQuery(name="养老"), page_size=everything),
        "org_monthly": resources.org_monthly(scope, org),
        "staff": staff.search(county, staff.StaffQuery(certified=True), page_size=everything),
        "by_post": staff.by_post(scope),
    }
    out: dict[str, object] = {name: _rows(df) for name, df in frames.items()}
    out["headline"] = [
        _plain(v)
        for k, v in institutions.headline(scope).items()
        if not k.startswith("inst_unfiled")
    ]
    out["staff_kpis"] = [_plain(v) for v in staff.headline(county).values()]
    out["elder"] = {k: _plain(v) for k, v in (archives.elder(scope, code) or {}).items()}
    out["count"] = archives.count(scope, archives.ElderQuery(code=code[:2], flags=("living",)))
    assert all(out.values()), [k for k, v in out.items() if not v]  # every part holds data
    return out


@pytest.mark.postgres
def test_same_answers_on_postgres(cockpit_env, pg_build, monkeypatch) -> None:
    assert pg_build.error is None, pg_build.error
    code = _health_elder(cockpit_env)
    org = sql(
        cockpit_env,
        "select org_code from marts.fct_work_order group by 1 order by count(*) desc limit 1",
    )[0][0]
    customer = sql(
        cockpit_env,
        "select elder_code from marts.fct_work_order group by 1 order by count(*) desc, 1 limit 1",
    )[0][0]
    on_duckdb = _snapshot(CITY_VIEWER, code, org, customer)
    monkeypatch.setenv("ELDERCARE_WAREHOUSE", pg_build.target)
    get_settings.cache_clear()
    st.cache_data.clear()
    with reading_as(None):  # the city viewer's county scope (row-level security on PostgreSQL)
        on_postgres = _snapshot(CITY_VIEWER, code, org, customer)
    for key, value in on_duckdb.items():
        assert on_postgres[key] == value, key
