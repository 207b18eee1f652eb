"""``eldercare inspect``: every difference a vendor variant was built with is named (one test
per difference), the default data shows none, and a dump the build would refuse exits non-zero
with the reason in the last line."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from eldercare.warehouse import Warehouse
from migration.generator.variants import VARIANTS, apply_variant
from migration.inspect import inspect_sources
from migration.inspect_report import differences, text, verdict, write_html, write_json
from migration.landing import land_table
from migration.legacy_schema import TABLES
from migration.readers import LegacySource

DRIFT = VARIANTS["drift"]
ROOT = Path(__file__).resolve().parents[2]


def _variant(tiny_legacy, tmp, name: str) -> str:
    path = tmp / f"{name}.db"
    shutil.copy(tiny_legacy.db_path, path)
    apply_variant(name, f"sqlite:///{path}")
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def reports(tiny_legacy, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("inspect")
    return {
        "default": inspect_sources(tiny_legacy.url, tiny_legacy.exports_dir),
        "drift": inspect_sources(_variant(tiny_legacy, tmp, "drift"), None),
        "string_keys": inspect_sources(_variant(tiny_legacy, tmp, "string_keys"), None),
    }


def _diff(report, table: str) -> str:
    return "; ".join(differences(next(t for t in report.tables if t.table == table)))


def test_default_data_has_no_differences_only_dirt(reports):
    report = reports["default"]
    assert report.ok and report.warnings == []
    assert {t.table: differences(t) for t in report.tables if differences(t)} == {}
    by_table = {t.table: t for t in report.tables}
    # The known dirt is reported: epoch milliseconds among measure times, prices with 元.
    assert "epoch milliseconds" in by_table["yl_health_record"].date_formats["measure_time"]
    assert by_table["yl_elder"].coord_systems.keys() >= {"gcj02", "bd09", "wgs84"}
    assert report.export_files > 0 and report.export_rows > 0
    assert verdict(report).startswith("build would pass")


@pytest.mark.parametrize("table", DRIFT.drop_tables)
def test_drift_missing_table_is_named(reports, table):
    assert _diff(reports["drift"], table) == "table absent"
    assert any(table in w for w in reports["drift"].warnings)


@pytest.mark.parametrize(
    ("table", "column"),
    [(t, c) for t, cols in DRIFT.drop_columns.items() for c in cols],
)
def test_drift_missing_column_is_named(reports, table, column):
    diff = _diff(reports["drift"], table)
    if column in ("dict_code", "registry_id"):
        assert diff.startswith("no surrogate key: keyed by")
    else:
        assert f"optional columns missing (land as NULL): {column}" in diff


@pytest.mark.parametrize(
    ("table", "column"),
    [(t, c) for t, cols in DRIFT.extra_columns.items() for c in cols],
)
def test_drift_extra_column_is_named(reports, table, column):
    assert f"extra columns (kept in raw): {column}" in _diff(reports["drift"], table)


def test_drift_without_exports_is_named_and_still_passes(reports):
    report = reports["drift"]
    assert "source not given: the district exports" in report.warnings
    assert report.ok


@pytest.mark.parametrize(
    ("table", "kind"),
    [
        ("yl_return_visit", "prefixed code"),
        ("yl_work_order", "numeric, 19+ digits"),
        ("yl_elder", "prefixed code"),
    ],
)
def test_string_keys_are_named(reports, table, kind):
    assert f"keys not all numeric: {kind}" in _diff(reports["string_keys"], table)


def test_missing_required_column_exits_non_zero_with_reason(tiny_legacy, tmp_path):
    path = tmp_path / "legacy.db"
    shutil.copy(tiny_legacy.db_path, path)
    with sqlite3.connect(path) as con:
        con.execute("alter table yl_work_order drop column elder_id")
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"
    proc = subprocess.run(
        [sys.executable, "-m", "eldercare.cli", "inspect", "--legacy", str(path),
         "--json", str(out_json), "--html", str(out_html)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last == (
        "error: build would fail: legacy table yl_work_order lacks the required column elder_id"
    )
    saved = json.loads(out_json.read_text(encoding="utf-8"))
    assert saved["ok"] is False and "elder_id" in saved["problems"][0]
    assert "lacks the required column elder_id" in out_html.read_text(encoding="utf-8")


@pytest.mark.mariadb
@pytest.mark.postgres
def test_drift_from_mariadb_inspects_the_same_and_lands_in_postgres(
    tiny_legacy, mariadb_url, pg_url, reports, tmp_path
):
    tiny_legacy.write_to(mariadb_url)
    apply_variant("drift", mariadb_url)
    report = inspect_sources(mariadb_url, None)
    sqlite = reports["drift"]
    for mine, theirs in zip(report.tables, sqlite.tables, strict=True):
        assert differences(mine) == differences(theirs), mine.table
    write_json(report, tmp_path / "r.json")
    write_html(report, tmp_path / "r.html")
    assert "yl_canteen_dish" in text(report)
    # The same dump lands in PostgreSQL, every table reconciled against MariaDB's own count.
    source = LegacySource(mariadb_url)
    try:
        outcomes = {t: land_table(source, Warehouse(pg_url), t, "r1") for t in TABLES}
    finally:
        source.dispose()
    for table, out in outcomes.items():
        expected = next(t.rows for t in report.tables if t.table == table)
        assert out.ok and out.source_rows == expected, table
    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg2://"))
    with engine.connect() as conn:
        keys = set(conn.execute(sa.text("select source_key from raw.sys_dict_data")).scalars())
    engine.dispose()
    assert len(keys) == next(t.rows for t in report.tables if t.table == "sys_dict_data")
    assert all(":" in k for k in keys)


def test_codes_in_no_dictionary_are_counted(tiny_legacy, tmp_path):
    """Values the build cannot decode are listed with their counts; synonyms it decodes are not."""
    path = tmp_path / "legacy.db"
    shutil.copy(tiny_legacy.db_path, path)
    with sqlite3.connect(path) as con:
        con.execute("update yl_work_order set order_status = 'fertig' where order_id % 5 = 0")
        con.execute("update yl_work_order set order_status = 'Completed' where order_id % 5 = 1")
        (fertig,) = con.execute(
            "select count(*) from yl_work_order where order_id % 5 = 0"
        ).fetchone()
    report = inspect_sources(f"sqlite:///{path}", None)
    orders = next(t for t in report.tables if t.table == "yl_work_order")
    assert orders.unknown_codes["order_status"] == {"fertig": fertig}
    assert orders.codes_counted == "all rows"
