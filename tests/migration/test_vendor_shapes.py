"""Vendor dumps shaped unlike ours (migration.contract, migration.generator.variants): missing
optional tables and columns, missing generator-only surrogate keys, extra columns, text keys;
each lands reconciled, or fails with one error naming the table and the column."""

from __future__ import annotations

import shutil
import sqlite3

import duckdb
import pytest

from eldercare.errors import EldercareError
from eldercare.warehouse import Warehouse
from migration.contract import CORE_TABLES, required_columns
from migration.generator.variants import VARIANTS, apply_variant
from migration.landing import ABSENT_TABLE, NOT_GIVEN, land_absent, land_table
from migration.legacy_schema import TABLES
from migration.readers import LegacySource

DRIFT = VARIANTS["drift"]


def _land_all(url: str, target: str, **kwargs) -> dict:
    source = LegacySource(url)
    try:
        return {t: land_table(source, Warehouse(target), t, "r1", **kwargs) for t in TABLES}
    finally:
        source.dispose()


def _copy(tiny_legacy, tmp_path, name: str) -> tuple[str, str]:
    path = tmp_path / name
    shutil.copy(tiny_legacy.db_path, path)
    return f"sqlite:///{path}", str(path)


@pytest.fixture(scope="module")
def drift_sqlite(tiny_legacy, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("drift")
    url, path = _copy(tiny_legacy, tmp, "drift.db")
    apply_variant("drift", url)
    target = str(tmp / "warehouse.duckdb")
    return path, target, _land_all(url, target)


def _reconciliation(target: str) -> dict[str, tuple]:
    with duckdb.connect(target, read_only=True) as con:
        rows = con.execute(
            "select source_table, source_rows, loaded_rows, deleted_rows, source_key_checksum,"
            " loaded_key_checksum, note from audit.reconciliation where partition_month is null"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_drift_variant_lands_every_table_reconciled(drift_sqlite, tiny_legacy):
    path, target, outcomes = drift_sqlite
    rec = _reconciliation(target)
    with sqlite3.connect(path) as src:
        present = {r[0] for r in src.execute("select name from sqlite_master where type='table'")}
        for table in TABLES:
            assert outcomes[table].ok, table
            rows, loaded, deleted, chk_src, chk_loaded, note = rec[table]
            if table in DRIFT.drop_tables:
                assert table not in present
                assert (rows, loaded, note) == (0, 0, ABSENT_TABLE)
                continue
            # The source's own count, independent of the landing's arithmetic.
            (count,) = src.execute(f'select count(*) from "{table}"').fetchone()
            assert rows == count == loaded + deleted and chk_src == chk_loaded, table
            assert note is None


def test_missing_surrogate_keys_fall_back_to_natural_key_and_row_hash(drift_sqlite):
    path, target, _ = drift_sqlite
    with sqlite3.connect(path) as src:
        natural = {
            f"{t}:{v}" for t, v in src.execute("select dict_type, dict_value from sys_dict_data")
        }
        registry_rows = src.execute("select count(*) from yl_death_registry").fetchone()[0]
    with duckdb.connect(target, read_only=True) as con:
        keys = [k for (k,) in con.execute("select source_key from raw.sys_dict_data").fetchall()]
        # Never the column's name as a string literal (SQLite's reading of a quoted non-column).
        assert "dict_code" not in keys and len(set(keys)) == len(keys)
        assert set(keys) == natural
        reg = con.execute(
            "select count(*), count(distinct source_key), count(registry_id),"
            " bool_and(source_key = row_hash) from raw.yl_death_registry"
        ).fetchone()
    assert reg == (registry_rows, registry_rows, 0, True)


def test_missing_optional_columns_are_null_and_extra_columns_kept(drift_sqlite):
    _, target, outcomes = drift_sqlite
    with duckdb.connect(target, read_only=True) as con:
        elder = con.execute(
            "select count(*), count(medical_history), count(*) filter (where vendor_tag = 'v1')"
            " from raw.yl_elder"
        ).fetchone()
        orders = con.execute("select count(tenant_id), count(*) from raw.yl_work_order").fetchone()
    assert elder[0] > 0 and elder[1] == 0 and elder[2] == elder[0]
    assert orders[0] == orders[1] > 0
    assert any("medical_history" in w for w in outcomes["yl_elder"].warnings)
    assert any("medical_condition" in w for w in outcomes["yl_org"].warnings)


def _drop_column_sqlite(path: str, table: str, column: str) -> None:
    with sqlite3.connect(path) as con:
        con.execute(f'alter table "{table}" drop column "{column}"')


@pytest.mark.parametrize(
    ("table", "column"), [("sys_dict_data", "dict_label"), ("yl_work_order", "elder_id")]
)
def test_missing_required_column_is_one_error_naming_it(tiny_legacy, tmp_path, table, column):
    assert column in required_columns(table)
    url, path = _copy(tiny_legacy, tmp_path, "legacy.db")
    _drop_column_sqlite(path, table, column)
    source = LegacySource(url)
    with pytest.raises(EldercareError) as err:
        land_table(source, Warehouse(str(tmp_path / "w.duckdb")), table, "r1")
    source.dispose()
    assert str(err.value) == f"legacy table {table} lacks the required column {column}"


def test_missing_core_table_is_an_error_and_other_tables_are_optional(tiny_legacy, tmp_path):
    url, path = _copy(tiny_legacy, tmp_path, "legacy.db")
    with sqlite3.connect(path) as con:
        con.execute("drop table yl_service_item")
        con.execute("drop table yl_complaint")
    source = LegacySource(url)
    target = Warehouse(str(tmp_path / "w.duckdb"))
    assert "yl_service_item" in CORE_TABLES and "yl_complaint" not in CORE_TABLES
    with pytest.raises(EldercareError, match="lacks the core table yl_service_item"):
        land_table(source, target, "yl_service_item", "r1")
    assert land_table(source, target, "yl_complaint", "r1").note == ABSENT_TABLE
    source.dispose()


def test_absent_source_gives_empty_table_with_contract_columns(tmp_path):
    target = Warehouse(str(tmp_path / "w.duckdb"))
    out = land_absent(target, "yl_alarm", "r1", NOT_GIVEN)
    assert out.ok and out.note == NOT_GIVEN
    with duckdb.connect(target.target, read_only=True) as con:
        cols = [r[0] for r in con.execute("describe raw.yl_alarm").fetchall()]
        assert con.execute("select count(*) from raw.yl_alarm").fetchone() == (0,)
        note = con.execute("select note from audit.reconciliation").fetchone()
    assert cols[: len(TABLES["yl_alarm"].columns)] == [c.name for c in TABLES["yl_alarm"].columns]
    assert note == (NOT_GIVEN,)
    # Rows an earlier run landed stay when the source is not given again (exports come later);
    # a table the given dump lacks is emptied.
    with duckdb.connect(target.target) as con:
        con.execute("insert into raw.yl_alarm (alarm_id, source_key) values ('1', '1')")
    assert land_absent(target, "yl_alarm", "r2", NOT_GIVEN).ok
    with duckdb.connect(target.target) as con:
        assert con.execute("select count(*) from raw.yl_alarm").fetchone() == (1,)
        notes = con.execute("select note from audit.reconciliation where run_id = 'r2'").fetchone()
    assert notes == (f"{NOT_GIVEN} (raw keeps 1 rows of an earlier run)",)
    land_absent(target, "yl_alarm", "r3", ABSENT_TABLE)
    with duckdb.connect(target.target, read_only=True) as con:
        assert con.execute("select count(*) from raw.yl_alarm").fetchone() == (0,)


def test_text_keys_page_without_loss_or_doubling(tiny_legacy, tmp_path):
    """Prefixed and 19-digit keys in text columns, read in pages of 60 rows (keyset paging on
    text, never int(last)); every key lands once."""
    url, path = _copy(tiny_legacy, tmp_path, "legacy.db")
    apply_variant("string_keys", url)
    with sqlite3.connect(path) as con:
        visits = sorted(k for (k,) in con.execute("select visit_id from yl_return_visit"))
        orders = sorted(k for (k,) in con.execute("select order_id from yl_work_order"))
    assert visits[0].startswith("V") and len(orders[0]) == 19 and len(visits) > 60
    target = str(tmp_path / "w.duckdb")
    source = LegacySource(url)
    for table in ("yl_return_visit", "yl_work_order", "yl_elder"):
        out = land_table(source, Warehouse(target), table, "r1", batch_rows=60)
        assert out.ok and table not in source.fallbacks, table
    source.dispose()
    with duckdb.connect(target, read_only=True) as con:
        landed = sorted(
            k for (k,) in con.execute("select source_key from raw.yl_return_visit").fetchall()
        )
        landed_orders = sorted(
            k for (k,) in con.execute("select source_key from raw.yl_work_order").fetchall()
        )
    assert landed == visits and landed_orders == orders
