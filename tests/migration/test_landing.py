"""Lossless landing: every legacy row lands as text, reconciled, from SQLite and MariaDB into
DuckDB and PostgreSQL; re-running a month range changes nothing."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import UTC, datetime

import duckdb
import pyarrow as pa
import pytest
from migration_helpers import raw_snapshot, reconciliation_rows

from eldercare.warehouse import Warehouse, key_checksum
from migration.landing import FIRST_MONTH, LAST_MONTH, all_months, land_table, month_sql
from migration.legacy_schema import PARTITIONED_TABLES, TABLES, primary_key
from migration.readers import LegacySource
from pipelines.run import run_migration


def _source_facts(db_path, table: str) -> tuple[list[str], int]:
    """Oracle straight from SQLite: the primary keys as text and the del_flag '2' count."""
    with sqlite3.connect(db_path) as src:
        keys = [str(k) for (k,) in src.execute(f'select "{primary_key(table)}" from "{table}"')]
        deleted = 0
        if "del_flag" in TABLES[table].columns:
            sql = f"select count(*) from \"{table}\" where del_flag = '2'"
            deleted = src.execute(sql).fetchone()[0]
    return keys, deleted


def test_sqlite_to_duckdb_every_table_reconciles(landed_duckdb, tiny_legacy):
    summary = landed_duckdb.summary
    assert summary.success, summary.failures
    assert summary.failures == [] and summary.failed_checks == []
    rows = reconciliation_rows(landed_duckdb.warehouse, summary.run_id)
    whole = {r[0]: r for r in rows if r[1] is None}
    assert set(whole) == set(TABLES) | {"district_monthly_report"}
    for table in TABLES:
        _, _, source_rows, loaded, quarantined, deleted, chk_source, chk_loaded = whole[table]
        keys, source_deleted = _source_facts(tiny_legacy.db_path, table)
        assert source_rows == len(keys) == loaded + quarantined + deleted, table
        assert deleted == source_deleted and quarantined == 0, table
        assert chk_source == chk_loaded == key_checksum(keys), table
    for table in PARTITIONED_TABLES:
        parts = [r for r in rows if r[0] == table and r[1] is not None]
        assert sorted(r[1] for r in parts) == all_months()
        assert all(r[2] == r[3] + r[5] and r[6] == r[7] for r in parts), table
        assert sum(r[2] for r in parts) == whole[table][2]


def _oracle_text(value, column) -> str | None:
    """How the contract says a source value reads as text (independent of the DuckDB path)."""
    if value is None or isinstance(value, str):
        if isinstance(value, str) and column.type.python_type is datetime:
            return value.removesuffix(".000000")
        return value
    return repr(value) if isinstance(value, float) else str(value)


def test_raw_values_are_the_source_values_as_text(landed_duckdb, tiny_legacy):
    src = sqlite3.connect(tiny_legacy.db_path)
    wh = duckdb.connect(landed_duckdb.warehouse, read_only=True)
    for table, meta in TABLES.items():
        cols = [c.name for c in meta.columns]
        pk = primary_key(table)
        select = ", ".join(f'"{c}"' for c in cols)
        expected = {
            str(row[cols.index(pk)]): tuple(
                _oracle_text(v, c) for v, c in zip(row, meta.columns, strict=True)
            )
            for row in src.execute(f'select {select} from "{table}"')
        }
        landed = {
            row[0]: (row[1:-1], row[-1])
            for row in wh.execute(
                f"select source_key, {select}, row_hash from raw.{table}"
            ).fetchall()
        }
        assert landed.keys() == expected.keys(), table
        for key, (values, row_hash) in landed.items():
            assert values == expected[key], (table, key)
            joined = "\x1f".join("\x1e" if v is None else v for v in values)
            assert row_hash == hashlib.md5(joined.encode()).hexdigest(), (table, key)


def _oracle_month(text: str | None) -> str:
    """The partition rule of docs/migration.md, written again in Python."""
    month = None
    if text is not None and text.isdigit() and len(text) in (10, 13):
        seconds = int(text) / (1000 if len(text) == 13 else 1) + 8 * 3600
        month = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m")
    elif text is not None and len(text) >= 7 and text[:4].isdigit() and text[4] in "-/.年":
        digits = ""
        for ch in text[5:8]:
            if not ch.isdigit():
                break
            digits += ch
        if digits and 1 <= int(digits) <= 12:
            month = f"{text[:4]}-{int(digits):02d}"
    if month is None or month < FIRST_MONTH:
        return FIRST_MONTH
    return min(month, LAST_MONTH)


def test_partition_month_rule_matches_its_oracle(tiny_legacy):
    with sqlite3.connect(tiny_legacy.db_path) as src:
        samples = [r[0] for r in src.execute("select measure_time from yl_health_record")]
    samples += [
        None,
        "",
        "garbage",
        "1700000000000",
        "1700000000",
        "2024/3/5 10:00",
        "2024.12.01",
        "2024年7月1日",
        "2024-13-01",
        "2022-12-31 23:59:59",
        "2031-01-01",
        "1672502400000",
        "1672502399999",
        "abcd-01-01",
    ]
    con = duckdb.connect()
    values = pa.table({"i": list(range(len(samples))), "t": samples})  # noqa: F841 (DuckDB reads it)
    sql = f"select {month_sql('t')} from values order by i"
    got = [r[0] for r in con.execute(sql).fetchall()]
    assert got == [_oracle_month(s) for s in samples]
    assert len({m for m in got}) > 12  # the tiny data really spreads over the history


@pytest.mark.postgres
@pytest.mark.mariadb
def test_mariadb_to_postgres_through_the_job_reconciles(
    tiny_mariadb_url, session_pg_url, landed_duckdb, tmp_path
):
    summary = run_migration(
        legacy_url=tiny_mariadb_url,
        exports_dir=None,
        warehouse=session_pg_url,
        dagster_home=tmp_path / "dagster_home",
    )
    assert summary.success and summary.failed_checks == [], summary.failures
    got = {r[0]: r for r in reconciliation_rows(session_pg_url, summary.run_id) if r[1] is None}
    ref = {
        r[0]: r
        for r in reconciliation_rows(landed_duckdb.warehouse, landed_duckdb.summary.run_id)
        if r[1] is None
    }
    # Exports not given: their raw table lands empty, reconciled 0 = 0 (note: source not given).
    assert set(got) == set(TABLES) | {"district_monthly_report"}
    assert got["district_monthly_report"][2:4] == (0, 0)
    for table in TABLES:
        # Same generator seed: the same rows, counted and checksummed from MariaDB itself.
        assert got[table][2:] == ref[table][2:], table


@pytest.mark.postgres
@pytest.mark.mariadb
@pytest.mark.parametrize("source_kind,target_kind", [("sqlite", "postgres"), ("mariadb", "duckdb")])
def test_other_paths_reconcile(
    source_kind, target_kind, tiny_legacy, tiny_mariadb_url, session_pg_url, tmp_path
):
    url = tiny_legacy.url if source_kind == "sqlite" else tiny_mariadb_url
    target = str(tmp_path / "wh.duckdb") if target_kind == "duckdb" else session_pg_url
    source = LegacySource(url)
    for table in TABLES:
        outcome = land_table(source, Warehouse(target), table, f"test-{source_kind}-{target_kind}")
        keys, deleted = _source_facts(tiny_legacy.db_path, table)
        assert outcome.ok, outcome.whole
        assert outcome.whole.source_rows == len(keys) and outcome.whole.deleted_rows == deleted
        assert outcome.whole.loaded_key_checksum == key_checksum(keys)
    source.dispose()


def test_rerunning_a_month_range_changes_nothing(landed_duckdb, tiny_legacy, tmp_path):
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(landed_duckdb.warehouse, target)
    summary = run_migration(
        legacy_url=tiny_legacy.url,
        exports_dir=None,
        warehouse=str(target),
        first_month="2024-03",
        last_month="2024-05",
        dagster_home=tmp_path / "dagster_home",
    )
    assert summary.success and summary.failed_checks == []
    parts = {(r[0], r[1]) for r in reconciliation_rows(str(target), summary.run_id) if r[1]}
    assert parts == {(t, m) for t in PARTITIONED_TABLES for m in ("2024-03", "2024-04", "2024-05")}
    assert raw_snapshot(str(target)) == raw_snapshot(landed_duckdb.warehouse)


def test_a_disagreement_fails_the_reconciliation(tiny_legacy, tmp_path):
    target = str(tmp_path / "wh.duckdb")
    source = LegacySource(tiny_legacy.url)
    assert land_table(source, Warehouse(target), "yl_alarm", "first").ok
    with duckdb.connect(target) as wh:  # a stray row outside every month of the history
        wh.execute(
            "insert into raw.yl_alarm (alarm_id, source_table, source_key, partition_month)"
            " values ('999999', 'yl_alarm', '999999', '1999-01')"
        )
    outcome = land_table(source, Warehouse(target), "yl_alarm", "second")
    assert not outcome.ok and all(r.ok for r in outcome.partitions)
    assert outcome.whole.loaded_rows + outcome.whole.deleted_rows == outcome.source_rows + 1
    assert outcome.whole.loaded_key_checksum != outcome.whole.source_key_checksum
