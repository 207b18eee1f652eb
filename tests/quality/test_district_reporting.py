"""quality.district_reporting_issues on the tiny generated city: the clean exports give no issue;
a deleted report row, a late filing and contradicting numbers (made in a copy of the
warehouse) are each listed with the reported and the warehouse value."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from quality.district_reporting import check_district_reporting


@pytest.fixture(scope="module")
def reports(built_duckdb_warehouse, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("district") / "warehouse.duckdb"
    shutil.copy(built_duckdb_warehouse, target)
    return target


def _issues(target: Path) -> list[tuple]:
    con = duckdb.connect(str(target), read_only=True)
    try:
        return con.execute(
            "select issue_kind, org_code, month, reported_value, warehouse_value"
            " from quality.district_reporting_issues order by 1, 2, 3"
        ).fetchall()
    finally:
        con.close()


def test_generated_exports_are_complete_and_consistent(reports):
    con = duckdb.connect(str(reports), read_only=True)
    try:
        institutions, months = con.execute(
            "select (select count(*) from marts.dim_org where org_type = '养老机构' and is_live),"
            " (select count(distinct report_month) from marts.fct_district_monthly_report)"
        ).fetchone()
    finally:
        con.close()
    assert institutions > 0 and months == 12
    assert check_district_reporting(reports) == {}


def test_missing_late_and_contradicting_reports_are_listed(reports, tmp_path):
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(reports, target)
    con = duckdb.connect(str(target))
    try:
        missing, late, inflated = con.execute(
            "select org_code from marts.fct_district_monthly_report"
            " where report_month = '2026-06' order by org_code limit 3"
        ).fetchall()
        con.execute(
            "delete from marts.fct_district_monthly_report"
            " where report_month = '2026-06' and org_code = ?",
            missing,
        )
        # 2026-07-10 is a Friday: the deadline; 2026-07-14 is two working days later.
        con.execute(
            "update marts.fct_district_monthly_report set filled_date = date '2026-07-14'"
            " where report_month = '2026-06' and org_code = ?",
            late,
        )
        con.execute(
            "update marts.fct_district_monthly_report set residents = actual_beds + 40"
            " where report_month = '2026-06' and org_code = ?",
            inflated,
        )
        actual_beds, residents = con.execute(
            "select actual_beds, actual_beds + 40 from marts.fct_district_monthly_report"
            " where report_month = '2026-06' and org_code = ?",
            inflated,
        ).fetchone()
    finally:
        con.close()
    counts = check_district_reporting(target)
    issues = _issues(target)
    assert ("not_reported", missing[0], "2026-06", None, None) in issues
    con = duckdb.connect(str(target), read_only=True)
    try:
        detail = con.execute(
            "select detail from quality.district_reporting_issues where issue_kind = 'not_reported'"
        ).fetchone()
    finally:
        con.close()
    assert detail == ("deadline 2026-07-10",)
    assert ("late", late[0], "2026-06", 2.0, None) in issues
    assert ("residents_above_beds", inflated[0], "2026-06", residents, actual_beds) in issues
    differ = [i for i in issues if i[0] == "residents_differ"]
    assert [(i[1], i[2], i[3]) for i in differ] == [(inflated[0], "2026-06", residents)]
    # Nothing else: the other months and institutions are still clean.
    assert sum(counts.values()) == len(issues) == 4
