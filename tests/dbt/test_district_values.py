"""District exports, value by value, on DuckDB and on PostgreSQL: every staged report row holds
the cells of its file row (read here with openpyxl or csv, by header name), and every data row
of every file is staged or quarantined. Numbers are the digits of the cell ("12人" is 12), dates
any of the separators the districts use, text stripped."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from migration.legacy_schema import DISTRICT_REPORT_COLUMNS

NUMBERS = {"residents", "approved_beds", "actual_beds", "staff", "caregivers"}
NUMBERS |= {"certified_caregivers", "activities"}


def _file_rows(path: Path) -> list[tuple[int, list]]:
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    else:
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                rows = list(csv.reader(data.decode(encoding).splitlines()))
                break
            except UnicodeDecodeError:
                continue
    return list(enumerate(rows, start=1))


def _expected(cell: object, column: str) -> object:
    text = None if cell is None else str(cell).strip()
    if not text:
        return None
    if column in NUMBERS:
        if isinstance(cell, int | float):
            return int(cell)
        return int(float(re.sub(r"[^0-9.]", "", text)))
    if column == "filled_date":
        if isinstance(cell, dt.datetime | dt.date):
            return cell if type(cell) is dt.date else cell.date()
        y, m, d = (int(x) for x in re.split(r"[-/.年月日]", text)[:3])
        return dt.date(y, m, d)
    return text


def _oracle(folder: Path) -> dict[str, dict[str, object]]:
    """source_key -> expected staged values of every data row of every export file."""
    out = {}
    for path in sorted(folder.iterdir()):
        rows = _file_rows(path)
        at = next(i for i, (_, r) in enumerate(rows) if "机构名称" in [str(v).strip() for v in r])
        header = [None if v is None else str(v).strip() for v in rows[at][1]]
        for row_no, row in rows[at + 1 :]:
            cells = dict(zip(header, row, strict=False))
            if not any(v not in (None, "") for v in row) or str(row[0]).strip() == "合计":
                continue
            out[f"{path.name}:{row_no}"] = {
                col: _expected(cells.get(zh), col) for zh, col in DISTRICT_REPORT_COLUMNS.items()
            }
    return out


@pytest.fixture(scope="module")
def oracle(tiny_legacy) -> dict[str, dict[str, object]]:
    return _oracle(tiny_legacy.exports_dir)


def test_district_reports_hold_the_files_values(engine, oracle) -> None:
    columns = list(DISTRICT_REPORT_COLUMNS.values())
    staged = {
        key: dict(zip(columns, values, strict=True))
        for key, *values in engine.query(
            f"select source_key, {', '.join(columns)} from staging.stg_district__monthly_report"
        )
    }
    quarantined = {
        k
        for (k,) in engine.query(
            "select source_key from audit.quarantine where source_table = 'district_monthly_report'"
        )
    }
    assert staged
    assert set(oracle) == set(staged) | quarantined
    wrong = [
        f"{key} {col}: "
        + ("differs" if col == "filled_by" else f"{got!r} vs file {oracle[key][col]!r}")
        for key, row in staged.items()
        for col, got in row.items()
        if got != oracle[key][col]
    ]
    assert wrong == [], wrong[:10]
