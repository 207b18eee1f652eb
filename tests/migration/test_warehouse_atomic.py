"""The warehouse's transactions: what fails inside one leaves the old rows, on both engines."""

from __future__ import annotations

import pyarrow as pa
import pytest

from eldercare.warehouse import Warehouse, key_checksum, key_checksum_sql


def _check(target: str) -> None:
    wh = Warehouse(target)
    with wh.connect() as conn:
        wh.ensure_schemas(conn)
        conn.create_text_table("raw", "t_atomic", ["k", "v"])
        conn.execute("delete from raw.t_atomic")
        conn.insert_arrow("raw", "t_atomic", pa.table({"k": ["1", "2"], "v": ["a", None]}))
        with pytest.raises(RuntimeError), conn.transaction():
            conn.execute("delete from raw.t_atomic")
            conn.insert_arrow("raw", "t_atomic", pa.table({"k": ["3"], "v": ['q"u,o\n']}))
            raise RuntimeError("killed half-way")
        assert conn.execute("select k, v from raw.t_atomic order by k") == [("1", "a"), ("2", None)]
        with conn.transaction():
            conn.execute("delete from raw.t_atomic")
            conn.insert_arrow("raw", "t_atomic", pa.table({"k": ["3", "4"], "v": ['q"u,o\n', ""]}))
        # Quotes, commas, newlines, '' and NULL survive the bulk path (COPY CSV on PostgreSQL).
        assert conn.execute("select k, v from raw.t_atomic order by k") == [
            ("3", 'q"u,o\n'),
            ("4", ""),
        ]
        sql = f"select {key_checksum_sql('k', postgres=conn.postgres)} from raw.t_atomic"
        assert conn.scalar(sql) == key_checksum(["3", "4"])
        # A concatenation whose first chunk is empty (district files without rows) lands whole.
        empty = pa.table({"k": pa.array([], pa.string()), "v": pa.array([], pa.string())})
        conn.insert_arrow(
            "raw", "t_atomic", pa.concat_tables([empty, pa.table({"k": ["5"], "v": ["e"]})])
        )
        assert conn.execute("select v from raw.t_atomic where k = '5'") == [("e",)]


def test_duckdb_transactions_are_atomic(tmp_path):
    _check(str(tmp_path / "wh.duckdb"))


@pytest.mark.postgres
def test_postgres_transactions_are_atomic(pg_url):
    _check(pg_url)
