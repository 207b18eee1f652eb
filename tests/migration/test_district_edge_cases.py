"""District exports shaped unlike the generator's (written here with openpyxl and csv): a 序号
column, the header far down, institutions whose names start with 合计/总计, file names with
spaces and colons; and deliveries that must not erase what raw already holds."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pytest

from eldercare.warehouse import Warehouse
from migration.district_exports import HEADERS, land_exports, read_export

PREFIX = "机构运营月报"
CREDIT_A = "52440800MJ0000001X"


def _row(name, credit, residents, beds, filled=dt.date(2024, 4, 2)) -> list:
    """One institution in HEADERS order (numbers as numbers, a real date: as Excel holds them)."""
    return [name, credit, residents, beds + 5, beds, 9, 6, 4, 2, "合格", "李", filled]


def _xlsx(path: Path, rows: list[list], *, lead: list[list] = (), serial: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "三月"
    for line in lead:
        sheet.append(line)
    sheet.append((["序号"] if serial else []) + HEADERS)
    for i, row in enumerate(rows, 1):
        sheet.append(([i] if serial else []) + row)
    book.save(path)
    return path


def _landed(path: Path) -> list[dict]:
    return read_export(path).rows.to_pylist()


def test_institutions_named_like_totals_are_data_and_real_totals_are_not(tmp_path):
    rows = [
        _row("合计康养中心", CREDIT_A, 20, 30),  # credit code: an organisation
        _row("总计颐养院", None, 7, 12),  # no code, but its numbers are not the sums above
        _row("安康护理院", None, 5, 8),
        ["合计", None, 32, 65, 50, 27, 18, 12, 6, None, None, None],  # the real total
    ]
    path = _xlsx(tmp_path / f"{PREFIX}_202403_赤坎区.xlsx", rows, lead=[["赤坎区月报"]])
    names = [r["org_name"] for r in _landed(path)]
    assert names == ["合计康养中心", "总计颐养院", "安康护理院"]


def test_a_total_row_told_by_its_sums_or_by_the_serial_column(tmp_path):
    path = tmp_path / f"{PREFIX}_202403_麻章区.csv"
    with path.open("w", encoding="gb18030", newline="") as f:
        out = csv.writer(f)
        out.writerow(["序号", *HEADERS])
        out.writerow(["1", *_row("海滨养老院", CREDIT_A, 10, 20)])
        out.writerow(["2", *_row("合计养老服务中心", None, 4, 6)])
        # 合计 in the serial column, the name left blank: a total.
        out.writerow(["合计", "", "", "14", "36", "26", "18", "12", "8", "4", "", "", ""])
        # A named subtotal line whose numbers are the sums of the rows above: a total too.
        out.writerow(["", "总计（2家）", "", "14", "36", "26", "18", "12", "8", "4", "", "", ""])
    landed = _landed(path)
    assert [r["org_name"] for r in landed] == ["海滨养老院", "合计养老服务中心"]
    # The serial number is not a column of raw and shifts nothing.
    assert landed[0]["credit_code"] == CREDIT_A and landed[0]["residents"] == "10"
    assert landed[1]["source_row"] == "3" and landed[1]["filled_date"] == "2024-04-02"


def test_header_below_row_five_with_a_serial_column(tmp_path):
    lead = [["霞山区养老机构运营月报"], ["填报单位：霞山区民政局"], [], ["说明：按月填报"]]
    lead += [["单位：人、张"], [None, None, "（本表共1页）"], []]
    path = _xlsx(
        tmp_path / f"{PREFIX}_202403_霞山区.xlsx",
        [_row("康宁养老院", CREDIT_A, 11, 15)],
        lead=lead,
        serial=True,
    )
    (row,) = _landed(path)
    assert row["org_name"] == "康宁养老院" and row["actual_beds"] == "15"
    assert row["source_row"] == "9" and row["source_key"] == f"{path.name}:9"


@pytest.mark.parametrize(
    "name",
    [
        f"{PREFIX}_202403 赤坎区 (1).xlsx",
        f"{PREFIX} 202403_麻章区：更正.xlsx",
        f"{PREFIX}_202403_霞山区_10:15.xlsx",
        f"{PREFIX}_202403_v1.2.xlsx",
    ],
)
def test_file_names_with_spaces_dots_and_colons(tmp_path, name):
    (row,) = _landed(_xlsx(tmp_path / name, [_row("康宁养老院", CREDIT_A, 11, 15)]))
    assert row["report_month"] == "2024-03" and row["source_file"] == name


def _raw(target: str) -> list[tuple]:
    with duckdb.connect(target, read_only=True) as con:
        return con.execute(
            "select source_file, org_name, residents, run_id from raw.district_monthly_report"
            " order by source_key"
        ).fetchall()


def _audit(target: str, run_id: str) -> tuple[list[tuple], tuple]:
    with duckdb.connect(target, read_only=True) as con:
        errors = con.execute(
            "select file_name, error from audit.file_errors where run_id = ?", [run_id]
        ).fetchall()
        rec = con.execute(
            "select source_rows, loaded_rows, note from audit.reconciliation where run_id = ?",
            [run_id],
        ).fetchone()
    return errors, rec


def test_empty_or_all_rejected_folder_keeps_the_earlier_rows(tmp_path):
    target = str(tmp_path / "warehouse.duckdb")
    folder = tmp_path / "exports"
    folder.mkdir()
    good = f"{PREFIX}_202403_赤坎区.xlsx"
    _xlsx(folder / good, [_row("康宁养老院", CREDIT_A, 11, 15), _row("安康院", None, 3, 4)])
    land_exports(folder, Warehouse(target), "run-1", log=lambda _m: None)
    before = _raw(target)
    assert [r[1] for r in before] == ["康宁养老院", "安康院"]

    (folder / good).unlink()  # an empty folder (a wrong mount, a cleaned share)
    lines: list[str] = []
    outcome = land_exports(folder, Warehouse(target), "run-2", log=lines.append)
    assert _raw(target) == before
    assert outcome.kept == (
        f"no readable export in {folder} (the folder holds no file); raw keeps 2 rows of earlier runs"
    )
    assert lines[-1] == f"district_monthly_report: {outcome.kept}"
    assert _audit(target, "run-2")[1] == (0, 0, outcome.kept)

    # Every file rejected, one with a colon and ' row ' in its name: same, and each error is
    # filed under the file's whole name.
    odd = f"{PREFIX}_202403_赤坎 row 2:更正.csv"
    (folder / odd).write_text("机构名称,填报人\n某院,张\n", encoding="utf-8")
    (folder / f"{PREFIX}_202404.csv").write_bytes(b"")
    outcome = land_exports(folder, Warehouse(target), "run-3", log=lambda _m: None)
    assert _raw(target) == before and outcome.rows == 0
    errors, rec = _audit(target, "run-3")
    assert sorted(e[0] for e in errors) == sorted([odd, f"{PREFIX}_202404.csv"])
    assert all(e[1].startswith(e[0] + ": ") for e in errors)
    assert rec == (
        0,
        0,
        f"no readable export in {folder} (2 files rejected); raw keeps 2 rows of earlier runs",
    )


def test_a_rejected_reexport_keeps_its_earlier_rows_and_the_rest_is_replaced(tmp_path):
    target = str(tmp_path / "warehouse.duckdb")
    folder = tmp_path / "exports"
    folder.mkdir()
    march, april = f"{PREFIX}_202403_赤坎区.xlsx", f"{PREFIX}_202404_赤坎区.xlsx"
    _xlsx(folder / march, [_row("康宁养老院", CREDIT_A, 11, 15)])
    _xlsx(folder / april, [_row("康宁养老院", CREDIT_A, 12, 15)])
    land_exports(folder, Warehouse(target), "run-1", log=lambda _m: None)
    # March comes again broken, April again with a new figure.
    (folder / march).write_bytes(b"PK\x03\x04 not a workbook")
    _xlsx(folder / april, [_row("康宁养老院", CREDIT_A, 13, 15)])
    outcome = land_exports(folder, Warehouse(target), "run-2", log=lambda _m: None)
    assert _raw(target) == [
        (march, "康宁养老院", "11", "run-1"),
        (april, "康宁养老院", "13", "run-2"),
    ]
    assert outcome.ok and outcome.rows == 1
    assert outcome.kept == "raw keeps 1 rows that rejected files had landed in earlier runs"
    assert _audit(target, "run-2")[1] == (1, 1, outcome.kept)
