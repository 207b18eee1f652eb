"""养老机构专题: the numbers on the page equal SQL on the marts, a county user sees only their
county, and the district-report checks (not filed, residents above beds, filed above approved)
find what is put into a copy of the warehouse."""

from __future__ import annotations

import shutil

import duckdb
import pytest
import streamlit as st
from cockpit_helpers import CITY_VIEWER, county_viewer, metric, run_page, sql

from eldercare.settings import get_settings

INSTITUTION = "from marts.dim_org where is_live and org_type = '养老机构'"
LATEST = "(select max(month_start) from marts.fct_district_monthly_report)"
REPORT = (
    "from marts.fct_district_monthly_report r join marts.dim_org o on o.org_code = r.org_code"
    f" where r.month_start = {LATEST}"
)


def _reporting_month(path):
    return sql(path, "select max(month_start) from marts.agg_area_monthly where work_orders > 0")[
        0
    ][0]


def _table(at, column: str):
    """The page's dataframe that has this (Chinese) column."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _expected(path, county: str | None) -> dict[str, str]:
    cond, params = (" and county_code = ?", (county,)) if county else ("", ())
    ocond = " and o.county_code = ?" if county else ""
    institutions, approved, filed = sql(
        path, f"select count(*), sum(approved_beds), sum(filed_beds) {INSTITUTION}{cond}", params
    )[0]
    care = sql(
        path,
        f"select count(*) from marts.dim_org where is_live and org_type = '社区照料中心'{cond}",
        params,
    )[0][0]
    archive = sql(
        path,
        "select count(*) from marts.dim_bed b join marts.dim_org o using (org_code)"
        f" where b.bed_kind = 'institution' and b.is_live and o.is_live"
        f" and o.org_type = '养老机构'{ocond}",
        params,
    )[0][0]
    actual, residents = sql(
        path, f"select sum(actual_beds), sum(residents) {REPORT}{ocond}", params
    )[0]
    occupancy = sql(
        path,
        "select sum(residents) * 1.0 / sum(approved_beds) from marts.agg_org_occupancy_monthly"
        f" where month_start = ?{cond}",
        (_reporting_month(path), *params),
    )[0][0]
    cert, res = sql(
        path,
        "select sum(certified_caregivers), sum(residents)"
        f" {REPORT}{ocond} and residents is not null and certified_caregivers is not null",
        params,
    )[0]
    return {
        "养老机构": f"{institutions:,} 家",
        "社区照料中心": f"{care:,} 家",
        "核定床位": f"{approved:,.0f} 张",
        "备案床位": f"{filed:,.0f} 张",
        "床位档案": f"{archive:,} 张",
        "实际床位 (月报)": f"{actual:,.0f} 张",
        "在院老人 (月报)": f"{residents:,.0f} 人",
        "床位入住率": f"{occupancy * 100:.1f} %",
        "每百名老人持证护理员": f"{cert * 100 / res:,.1f} 人",
    }


def test_city_institutions_equal_the_marts(cockpit_env) -> None:
    at = run_page("institutions", CITY_VIEWER)
    assert not at.exception, at.exception
    for label, value in _expected(cockpit_env, None).items():
        assert metric(at, label) == value, label
    table = _table(at, "核定床位")
    codes = sql(cockpit_env, f"select org_code {INSTITUTION} order by org_code")
    assert sorted(table["机构码"]) == [c for (c,) in codes]


@pytest.mark.parametrize("asked", [None, "440881"])
def test_county_user_sees_only_their_institutions(cockpit_env, asked) -> None:
    own = sql(cockpit_env, f"select county_code {INSTITUTION} group by 1 order by count(*) desc")
    county = next(c for (c,) in own if c != asked)
    at = run_page("institutions", county_viewer(county), **({"county": asked} if asked else {}))
    assert not at.exception, at.exception
    for label, value in _expected(cockpit_env, county).items():
        assert metric(at, label) == value, label
    table = _table(at, "核定床位")
    assert len(table) and set(table["县区代码"]) == {county}
    assert _expected(cockpit_env, county)["养老机构"] != _expected(cockpit_env, None)["养老机构"]


@pytest.fixture
def altered(cockpit_env, tmp_path, monkeypatch):
    """A copy of the warehouse whose latest district reports hold known faults."""
    path = tmp_path / "altered.duckdb"
    shutil.copy2(cockpit_env, path)
    con = duckdb.connect(str(path))
    counties = con.execute(
        f"select o.county_code {REPORT} group by 1 order by count(*) desc, 1"
    ).fetchall()
    county, other = counties[0][0], counties[1][0]
    orgs = [
        r[0]
        for r in con.execute(
            f"select r.org_code {REPORT} and o.county_code = ? order by r.org_code", [county]
        ).fetchall()
    ]
    over, missing = orgs[0], orgs[1]
    con.execute(
        f"update marts.fct_district_monthly_report set residents = actual_beds + 5"
        f" where org_code = ? and month_start = {LATEST}",
        [over],
    )
    con.execute(
        f"delete from marts.fct_district_monthly_report where org_code = ?"
        f" and month_start = {LATEST}",
        [missing],
    )
    con.execute(
        "update marts.dim_org set filed_beds = approved_beds + 10 where org_code = ?", [over]
    )
    con.execute(
        "insert into marts.fct_district_monthly_report (month_start, report_month, org_name,"
        " residents, actual_beds, source_file, source_row)"
        " select max(month_start), max(report_month), '某不明养老院', 10, 20, 'x.xlsx', 9"
        " from marts.fct_district_monthly_report"
    )
    con.close()
    from quality.district_reporting import check_district_reporting

    check_district_reporting(path)  # the quality check itself, on the altered reports
    monkeypatch.setenv("ELDERCARE_WAREHOUSE", str(path))
    get_settings.cache_clear()
    st.cache_data.clear()
    return path, over, missing, county, other


def _report_checks(at) -> dict[str, str]:
    return {
        label: metric(at, label) for label in ("本月未报送", "在院老人超床位", "备案床位超核定")
    }


def test_report_checks_find_the_faults(altered) -> None:
    path, over, missing, county, other = altered
    at = run_page("institutions", CITY_VIEWER)
    assert not at.exception, at.exception
    assert _report_checks(at) == {
        "本月未报送": "1 家",
        "在院老人超床位": "1 家",
        "备案床位超核定": "1 家",
    }
    assert list(_table(at, "说明")["机构码"]) == [missing]  # from quality.district_reporting_issues
    flags = _table(at, "在院超床位").set_index("机构码")
    assert flags.loc[over, "在院超床位"] and flags.loc[over, "备案超核定"]
    assert not flags.loc[missing, "本月已报送"]
    assert list(_table(at, "填报机构名称")["填报机构名称"]) == ["某不明养老院"]

    # a county user: the faults of their county, and no report row of unknown county
    at = run_page("institutions", county_viewer(county))
    assert _report_checks(at) == {
        "本月未报送": "1 家",
        "在院老人超床位": "1 家",
        "备案床位超核定": "1 家",
    }
    assert not any("填报机构名称" in df.value.columns for df in at.dataframe)
    at = run_page("institutions", county_viewer(other))
    assert _report_checks(at) == {
        "本月未报送": "0 家",
        "在院老人超床位": "0 家",
        "备案床位超核定": "0 家",
    }


def test_not_filed_without_the_quality_table(altered) -> None:
    """Before the quality check has been published, the same rule runs over the marts."""
    path, _, missing, _, _ = altered
    con = duckdb.connect(str(path))
    con.execute("drop table quality.district_reporting_issues")
    con.close()
    st.cache_data.clear()
    at = run_page("institutions", CITY_VIEWER)
    assert not at.exception, at.exception
    assert metric(at, "本月未报送") == "1 家"
    assert list(_table(at, "来源机构ID")["机构码"]) == [missing]
