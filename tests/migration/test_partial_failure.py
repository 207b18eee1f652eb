"""Reads that fail part-way: nothing lost, one clear line. Real databases fail for real here:
a SQLite value that does not fit its declared type on a later page, a MariaDB table that goes
away between two pages, an error raised in the read-ahead thread; and the SQLAlchemy reader,
the fallback of all of them, lands what connectorx lands."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa
from migration_helpers import raw_snapshot, reconciliation_rows

from eldercare.errors import EldercareError
from eldercare.warehouse import Warehouse
from migration.landing import land_table
from migration.legacy_schema import TABLES, primary_key
from migration.readers import LegacySource, prefetch

PAGE = 100


def _dirty_copy(tiny_legacy, tmp_path: Path) -> tuple[str, list[int]]:
    """The tiny SQLite with '12秒' in an INTEGER column three pages down, '面议' in a NUMERIC
    price: SQLite keeps both, connectorx cannot type them."""
    db = tmp_path / "legacy.db"
    shutil.copy(tiny_legacy.db_path, db)
    with sqlite3.connect(db) as con:
        keys = [k for (k,) in con.execute("select call_id from yl_call_record order by call_id")]
        con.execute(
            "update yl_call_record set talk_seconds = '12秒' where call_id = ?", [keys[250]]
        )
        con.execute(
            "update yl_org set charge_min = '面议' where org_id = (select max(org_id) from yl_org)"
        )
    return f"sqlite:///{db}", keys


def _without(snapshot: dict, tables: list[str]) -> dict:
    return {t: rows for t, rows in snapshot.items() if t in tables}


def test_a_value_unfit_for_its_type_on_a_later_page_lands_everything(tiny_legacy, tmp_path):
    url, keys = _dirty_copy(tiny_legacy, tmp_path)
    tables = ["yl_call_record", "yl_org"]
    paged, whole = str(tmp_path / "paged.duckdb"), str(tmp_path / "whole.duckdb")
    source = LegacySource(url)
    lines: list[str] = []
    for table in tables:
        outcome = land_table(
            source, Warehouse(paged), table, "paged", batch_rows=PAGE, log=lines.append
        )
        assert outcome.ok, table
    # connectorx read three pages of yl_call_record, then the SQLAlchemy reader the rest.
    assert source.fallbacks["yl_call_record"].endswith("(after 200 rows)")
    assert (
        f"yl_call_record: read with the SQLAlchemy reader ({source.fallbacks['yl_call_record']})"
        in lines
    )
    oracle = LegacySource(url)
    for table in tables:
        land_table(oracle, Warehouse(whole), table, "whole", reader="sqlalchemy")
    assert raw_snapshot(paged) == raw_snapshot(whole)
    rows = raw_snapshot(paged)["yl_call_record"]
    assert len(rows) == len(keys) == len({r[0] for r in rows})
    assert any("12秒" in r for r in rows)
    assert any("面议" in r for r in raw_snapshot(paged)["yl_org"])


def test_the_sqlalchemy_reader_lands_what_connectorx_lands(tiny_legacy, landed_duckdb, tmp_path):
    target = str(tmp_path / "warehouse.duckdb")
    source = LegacySource(tiny_legacy.url)
    for table in TABLES:
        assert land_table(source, Warehouse(target), table, "sa", reader="sqlalchemy").ok, table
    assert source.fallbacks == {}
    reference = _without(raw_snapshot(landed_duckdb.warehouse), list(TABLES))
    assert raw_snapshot(target) == reference


class _TableGoesAway(LegacySource):
    """A real wrapper: after the second page is handed over, the table is renamed in MariaDB,
    so the third page fails in the database itself (as a dropped connection or a table being
    rebuilt by the vendor would)."""

    def _stream_connectorx(self, table, batch_rows, read):
        for i, batch in enumerate(super()._stream_connectorx(table, batch_rows, read)):
            yield batch
            if i == 1:
                with self.engine.begin() as conn:
                    conn.exec_driver_sql(f"RENAME TABLE `{table}` TO `{table}_gone`")


def _copy_table(tiny_legacy, url: str, table: str) -> int:
    engine = sa.create_engine(url)
    TABLES[table].create(engine)
    with sqlite3.connect(tiny_legacy.db_path) as src:
        cur = src.execute(f'select * from "{table}"')
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    with engine.begin() as conn:
        conn.execute(TABLES[table].insert(), rows)
    engine.dispose()
    return len(rows)


@pytest.mark.mariadb
@pytest.mark.postgres
def test_a_mariadb_table_failing_after_two_pages_leaves_raw_as_it_was(
    tiny_legacy, mariadb_url, pg_url
):
    table = "yl_call_record"
    n = _copy_table(tiny_legacy, mariadb_url, table)
    assert n > 3 * PAGE
    first = land_table(
        LegacySource(mariadb_url), Warehouse(pg_url), table, "run-1", batch_rows=PAGE
    )
    assert first.ok
    before = raw_snapshot(pg_url)[table]

    failing = _TableGoesAway(mariadb_url)
    with pytest.raises(EldercareError) as caught:
        land_table(failing, Warehouse(pg_url), table, "run-2", batch_rows=PAGE)
    message = str(caught.value)
    assert "\n" not in message and "doesn't exist" in message
    assert message.startswith(f"legacy table {table}: read failed after {2 * PAGE} rows: ")
    assert "://" not in message  # no URL, so no password
    # The transaction never committed: raw holds run-1's rows, and nothing of run-2 was recorded.
    assert raw_snapshot(pg_url)[table] == before
    run_ids = Warehouse(pg_url).query(f"select distinct run_id from raw.{table}")
    assert run_ids == [("run-1",)] and reconciliation_rows(pg_url, "run-2") == []

    with failing.engine.begin() as conn:  # the vendor's table is back: resume
        conn.exec_driver_sql(f"RENAME TABLE `{table}_gone` TO `{table}`")
    failing.dispose()
    again = land_table(
        LegacySource(mariadb_url), Warehouse(pg_url), table, "run-3", batch_rows=PAGE
    )
    assert again.ok and again.streamed_rows == n
    assert raw_snapshot(pg_url)[table] == before


def _batches(n: int, fail_at: int | None = None):
    for i in range(n):
        if i == fail_at:
            raise EldercareError(f"legacy table t: read failed after {i} rows: gone")
        yield pa.record_batch([pa.array([str(i)])], names=["k"])


def _prefetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "legacy-prefetch"]


def test_an_error_in_the_prefetch_thread_reaches_the_reader_after_the_batches_before_it():
    got = []
    with pytest.raises(EldercareError, match=r"^legacy table t: read failed after 5 rows: gone$"):
        for batch in prefetch(_batches(10, fail_at=5)):
            got.append(batch.column(0)[0].as_py())
    assert got == ["0", "1", "2", "3", "4"]  # every batch read before the error, in order
    assert _prefetch_threads() == []


def test_a_reader_that_stops_early_releases_the_prefetch_thread():
    reader = prefetch(_batches(50), depth=2)
    assert next(reader).column(0)[0].as_py() == "0"
    reader.close()  # the producer is blocked on a full queue; closing must still end it
    assert _prefetch_threads() == []


def test_keys_of_every_page_are_distinct_after_a_fallback(tiny_legacy, tmp_path):
    """The resumed read starts after the last key handed over: no row twice, none skipped."""
    url, keys = _dirty_copy(tiny_legacy, tmp_path)
    source = LegacySource(url)
    pk = primary_key("yl_call_record")
    read = [
        int(k)
        for batch in source.stream("yl_call_record", batch_rows=PAGE)
        for k in batch.column(pk).to_pylist()
    ]
    assert read == keys
