"""District exports: encodings, title and 合计 rows, and bad files that fail alone and loudly."""

from __future__ import annotations

import csv

import duckdb
import openpyxl
import pytest
from migration_helpers import bad_files

from migration.district_exports import HEADERS, FileError, read_export
from migration.legacy_schema import DISTRICT_REPORT_PREFIX


def test_each_bad_file_is_recorded_with_its_error(landed_duckdb):
    summary = landed_duckdb.summary
    with duckdb.connect(landed_duckdb.warehouse, read_only=True) as wh:
        recorded = dict(
            wh.execute(
                "select file_name, error from audit.file_errors where run_id = ?", [summary.run_id]
            ).fetchall()
        )
    expected = bad_files()
    assert recorded.keys() == expected.keys()
    for name, (_, reason) in expected.items():
        assert recorded[name].startswith(name) and reason in recorded[name], recorded[name]
    assert sorted(summary.file_errors) == sorted(recorded.values())
    assert summary.success and summary.failed_checks == []  # the rest of the run went on


def _data_rows(path) -> list[list]:
    """Oracle: the file's rows minus title, header and 合计, read with openpyxl or csv."""
    if path.suffix == ".xlsx":
        rows = [
            list(r) for r in openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True)
        ]
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                rows = list(csv.reader(path.read_text(encoding=encoding).splitlines()))
                break
            except UnicodeDecodeError:
                continue
    header = next(i for i, r in enumerate(rows) if r and r[0] == HEADERS[0])
    data = [r for r in rows[header + 1 :] if any(v not in (None, "") for v in r)]
    return [r for r in data if r[0] != "合计"]


def test_every_good_file_lands_whole(landed_duckdb, tiny_legacy):
    with duckdb.connect(landed_duckdb.warehouse, read_only=True) as wh:
        landed = dict(
            wh.execute(
                "select source_file, count(*) from raw.district_monthly_report group by 1"
            ).fetchall()
        )
        totals = wh.execute(
            "select count(*) from raw.district_monthly_report where org_name like '合计%'"
        ).fetchone()[0]
    files = sorted(tiny_legacy.exports_dir.iterdir())
    assert files and totals == 0
    for path in files:
        assert landed.get(path.name, 0) == len(_data_rows(path)), path.name


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_read_the_same(encoding, tmp_path):
    path = tmp_path / f"{DISTRICT_REPORT_PREFIX}202403_赤坎区.csv"
    body = [["赤坎区养老机构运营月报（2024年3月）"], HEADERS]
    body += [
        [
            "颐康养老院",
            "52440800MJ0000001X",
            "12",
            "",
            "30",
            "8",
            "5",
            "4",
            "2",
            "合格",
            "陈",
            "2024-04-02",
        ]
    ]
    body += [["合计", "", "12"]]
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(body)
    rows = read_export(path).rows.to_pylist()
    assert len(rows) == 1
    assert rows[0]["org_name"] == "颐康养老院" and rows[0]["residents"] == "12"
    assert rows[0]["approved_beds"] is None and rows[0]["report_month"] == "2024-03"
    assert rows[0]["source_key"] == f"{path.name}:3"


def test_a_missing_column_names_file_and_column(tmp_path):
    path = tmp_path / f"{DISTRICT_REPORT_PREFIX}202403.csv"
    path.write_text(",".join(h for h in HEADERS if h != "护理员数") + "\n", encoding="utf-8")
    with pytest.raises(FileError, match=rf"^{path.name}: missing column 护理员数$"):
        read_export(path)
