"""District exports unlike the generator's, from the file to the issue list: exports written
here with openpyxl and csv (a 序号 column, the header on row 7, a corrected resubmission, an
institution called 合计…, a blank 填报日期, a deadline moved by the Spring Festival) replace the
tiny city's exports in a copy of the built warehouse; dbt builds the district models and their
tests; quality.district_reporting_issues is compared with what each file says."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import chinese_calendar
import duckdb
import openpyxl
import pytest

from eldercare.settings import Settings
from eldercare.warehouse import Warehouse
from migration.district_exports import HEADERS, land_exports
from pipelines.dbt_project import run_dbt
from quality.district_reporting import DEADLINE_DAY, check_district_reporting

JANUARY = "2024-01"  # due 2024-02-10, a Saturday in the Spring Festival holiday
MARCH = "2024-03"
KINDS = ("late", "filled_date_missing", "unmatched_report", "beds_above_approved")
KINDS += ("approved_beds_differ",)
MODELS = [
    "base_district__monthly_report",
    "stg_district__monthly_report",
    "int_district_report_submission",
    "fct_district_monthly_report",
]


def _deadline(month: str) -> dt.date:
    """Oracle: the DEADLINE_DAY of the next month, moved to the next Chinese working day."""
    year, mon = map(int, month.split("-"))
    day = dt.date(year + mon // 12, mon % 12 + 1, DEADLINE_DAY)
    while not chinese_calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def _workdays_between(a: dt.date, b: dt.date) -> int:
    return sum(
        chinese_calendar.is_workday(a + dt.timedelta(days=i)) for i in range(1, (b - a).days + 1)
    )


def _row(org: dict, *, residents=None, approved=None, actual=None, filled=None) -> list:
    approved = org["approved_beds"] if approved is None else approved
    actual = min(approved, 10) if actual is None else actual
    residents = min(actual, 5) if residents is None else residents
    return [
        org["org_name"],
        org["credit_code"],
        residents,
        approved,
        actual,
        6,
        4,
        2,
        3,
        "合格",
        "王",
        filled,
    ]


@pytest.fixture(scope="module")
def case(built_duckdb_warehouse, code_secret, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("district_edge")
    target = tmp / "warehouse.duckdb"
    shutil.copy(built_duckdb_warehouse, target)
    with duckdb.connect(str(target), read_only=True) as con:
        cur = con.execute(
            "select org_code, org_name, credit_code, approved_beds from marts.dim_org"
            " where org_type = '养老机构' and is_live and credit_code is not null"
            " and approved_beds >= 20 order by org_code limit 6"
        )
        names = [d[0] for d in cur.description]
        orgs = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    assert len(orgs) == 3  # the tiny city's live institutions: each plays a part per month
    first, second, third = orgs
    deadline = _deadline(JANUARY)
    assert deadline == dt.date(2024, 2, 18)  # a Sunday worked instead (调休)
    on_time = _deadline(MARCH) - dt.timedelta(days=3)
    folder = tmp / "exports"
    folder.mkdir()

    # January: openpyxl, title and notes above the header on row 7, a 序号 column, a total row.
    book = openpyxl.Workbook()
    sheet = book.active
    for line in (
        ["赤坎区养老机构运营月报"],
        ["报送单位：赤坎区民政局"],
        [],
        ["单位：人、张"],
        [],
        [],
    ):
        sheet.append(line)
    sheet.append(["序号", *HEADERS])
    rows = [
        _row(first, filled=deadline),
        _row(second, filled=deadline + dt.timedelta(days=1)),
        _row(third, filled=None),
        ["合计颐养中心", None, 3, 8, 6, 2, 1, 1, 0, "合格", "王", deadline],
    ]
    for i, row in enumerate(rows, 1):
        sheet.append([i, *row])
    sheet.append(["合计", None] + [None] * 11)
    book.save(folder / "机构运营月报_202401_赤坎区.xlsx")

    # March: UTF-8 CSV with a BOM; then a correction weeks later, GBK, under a name with a
    # space and a colon.
    with (folder / "机构运营月报_202403_赤坎区.csv").open(
        "w", encoding="utf-8-sig", newline=""
    ) as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        out.writerow(_row(first, actual=first["approved_beds"] + 10, filled=on_time))
        out.writerow(_row(second, approved=second["approved_beds"] + 3, filled=on_time))
        out.writerow(_row(third, residents=4, filled=on_time))
    fixed = folder / "机构运营月报_202403_赤坎区 更正:0425.csv"
    with fixed.open("w", encoding="gbk", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        out.writerow(_row(third, residents=7, filled=dt.date(2024, 4, 25)))

    run_id = "edge-run"
    landed = land_exports(folder, Warehouse(str(target)), run_id, log=lambda _m: None)
    assert landed.errors == [] and landed.rows == 8
    run_dbt(
        ["build", "--select", *MODELS], Settings(warehouse=str(target), code_secret=code_secret)
    )
    check_district_reporting(target)
    return {
        "target": target,
        "orgs": orgs,
        "deadline": deadline,
        "on_time": on_time,
        "fixed": fixed.name,
    }


def _query(target: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(target), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_corrected_resubmission_wins_and_the_first_is_kept_superseded(case):
    third = case["orgs"][2]["org_code"]
    mart = _query(
        case["target"],
        "select residents, filled_date, corrected_date, submissions, source_file"
        f" from marts.fct_district_monthly_report where org_code = '{third}'"
        f" and report_month = '{MARCH}'",
    )
    assert mart == [(7, case["on_time"], dt.date(2024, 4, 25), 2, case["fixed"])]
    kept = _query(
        case["target"],
        "select residents, is_superseded from intermediate.int_district_report_submission"
        f" where org_code = '{third}' and report_month = '{MARCH}' order by submission_rank",
    )
    assert kept == [(7, False), (4, True)]
    # One row per institution and month: what the mart's unique test (run above) also says.
    keys = _query(case["target"], "select report_key from marts.fct_district_monthly_report")
    assert len(keys) == len(set(keys)) == 7


def test_each_issue_kind_names_the_right_institution_and_values(case):
    first, second, third = case["orgs"]
    got = _query(
        case["target"],
        "select issue_kind, org_code, org_name, month, reported_value, warehouse_value"
        f" from quality.district_reporting_issues where issue_kind in {KINDS!r}",
    )
    deadline = case["deadline"]
    late_by = _workdays_between(deadline, deadline + dt.timedelta(days=1))
    expected = {
        ("late", second["org_code"], second["org_name"], JANUARY, float(late_by), None),
        ("filled_date_missing", third["org_code"], third["org_name"], JANUARY, None, None),
        ("unmatched_report", None, "合计颐养中心", JANUARY, None, None),
        ("beds_above_approved", first["org_code"], first["org_name"], MARCH,
         float(first["approved_beds"] + 10), float(first["approved_beds"])),
        ("approved_beds_differ", second["org_code"], second["org_name"], MARCH,
         float(second["approved_beds"] + 3), float(second["approved_beds"])),
    }  # fmt: skip
    # Filed on the moved deadline (first, January) and corrected after it (third, March): on time.
    assert set(got) == expected and len(got) == len(expected)


def test_the_deadline_moved_by_the_holiday_is_named_in_the_issue(case):
    second = case["orgs"][1]["org_code"]
    (detail,) = _query(
        case["target"],
        "select detail from quality.district_reporting_issues"
        f" where issue_kind = 'late' and org_code = '{second}'",
    )
    assert detail == (f"filed 2024-02-19, deadline {case['deadline']}",)
