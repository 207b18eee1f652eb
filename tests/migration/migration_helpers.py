"""Helpers of the migration tests (imported by name: tests/ is not a package)."""

from __future__ import annotations

import duckdb

from migration.landing import RUN_COLUMNS
from migration.legacy_schema import DISTRICT_REPORT_COLUMNS, DISTRICT_REPORT_PREFIX


def raw_snapshot(target: str) -> dict[str, list[tuple]]:
    """Every raw table's rows without run_id/loaded_at, sorted: what 'identical' compares."""
    if target.startswith("postgresql://"):
        import psycopg

        conn = psycopg.connect(target)
        tables = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            )
        ]
    else:
        conn = duckdb.connect(target, read_only=True)
        tables = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        ]
    out = {}
    for table in sorted(tables):
        cur = conn.execute(f"select * from raw.{table}")
        names = [d[0] for d in cur.description]
        keep = [i for i, n in enumerate(names) if n not in RUN_COLUMNS]
        rows = [tuple(row[i] for i in keep) for row in cur.fetchall()]
        out[table] = sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))
    conn.close()
    return out


def reconciliation_rows(target: str, run_id: str) -> list[tuple]:
    sql = (
        "select source_table, partition_month, source_rows, loaded_rows, quarantined_rows,"
        " deleted_rows, source_key_checksum, loaded_key_checksum"
        " from audit.reconciliation where run_id = '" + run_id + "'"
    )
    if target.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(target) as conn:
            return conn.execute(sql).fetchall()
    with duckdb.connect(target, read_only=True) as conn:
        return conn.execute(sql).fetchall()


# Bad district files added to a copy of the tiny exports: name -> (bytes, expected error part).
def _xlsx_bytes(sheets: list[str], header: list[str]) -> bytes:
    import io

    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    for name in sheets:
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, ["某区养老机构运营月报"])
        sheet.write_row(1, 0, header)
        sheet.write_row(2, 0, ["某养老院", "", 1, 2, 3, 4, 5, 6, 7, "合格", "张", "2024-03-01"])
    book.close()
    return buf.getvalue()


def bad_files() -> dict[str, tuple[bytes, str]]:
    headers = list(DISTRICT_REPORT_COLUMNS)
    good_csv = ",".join(headers) + "\n" + "某养老院,,1,2,3,4,5,6,7,合格,张,2024-03-01\n"
    renamed = [("在院人数" if h == "在院老人数" else h) for h in headers]
    return {
        f"{DISTRICT_REPORT_PREFIX}202401_utf16.csv": (
            good_csv.encode("utf-16"),
            "UTF-16",
        ),
        f"{DISTRICT_REPORT_PREFIX}202401_latin.csv": (
            good_csv.encode("gb18030").replace("某".encode("gb18030"), b"\xe9,"),
            "not UTF-8 or GB18030",
        ),
        f"{DISTRICT_REPORT_PREFIX}202402_cut.csv": (
            good_csv.encode("gb18030") + "某养老院,,1,2,3".encode("gb18030"),
            "row 3: 5 fields, expected 12",
        ),
        f"{DISTRICT_REPORT_PREFIX}202403_empty.csv": (b"", "empty file"),
        f"{DISTRICT_REPORT_PREFIX}202404_sheets.xlsx": (
            _xlsx_bytes(["月报", "说明"], headers),
            "2 sheets (月报, 说明)",
        ),
        f"{DISTRICT_REPORT_PREFIX}202405_renamed.xlsx": (
            _xlsx_bytes(["月报"], renamed),
            "missing column 在院老人数; unexpected column 在院人数",
        ),
        f"{DISTRICT_REPORT_PREFIX}202406_garbage.xlsx": (
            bytes(range(256)) * 8,
            "not a readable .xlsx workbook",
        ),
        f"{DISTRICT_REPORT_PREFIX}202406_garbage.csv": (
            bytes(range(256)) * 8,
            "binary content",
        ),
    }
