"""The audit tables the migration writes: ``audit.reconciliation`` and ``audit.file_errors``.

``audit.reconciliation`` keeps the contract's columns (source_table, source_rows, loaded_rows,
quarantined_rows, deleted_rows, run_id, checked_at; source_rows = loaded_rows + quarantined_rows
+ deleted_rows when all is well) plus three of ours:

* ``partition_month``: 'YYYY-MM' for one partition of a partitioned table; NULL for the row that
  covers the whole table (one such row per table per run).
* ``source_key_checksum`` / ``loaded_key_checksum``: order-free checksums of the primary keys read
  from the source and of those landed (see ``eldercare.warehouse.key_checksum_sql``).

``note`` says why a table read nothing (``source not given``, ``table absent from the vendor
database``). Here ``loaded_rows`` counts landed rows that are live and ``deleted_rows`` landed rows with
del_flag '2' (raw keeps both); quarantined_rows stays 0 until the dbt step fills its own rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from eldercare.warehouse import WarehouseConnection, key_checksum_sql

RECONCILIATION_DDL = """
create table if not exists audit.reconciliation (
    source_table text not null,
    source_rows bigint not null,
    loaded_rows bigint not null,
    quarantined_rows bigint not null,
    deleted_rows bigint not null,
    run_id text not null,
    checked_at timestamp not null,
    partition_month text,
    source_key_checksum bigint,
    loaded_key_checksum bigint,
    note text
)"""

FILE_ERRORS_DDL = """
create table if not exists audit.file_errors (
    source_table text not null,
    file_name text not null,
    error text not null,
    run_id text not null,
    checked_at timestamp not null
)"""


@dataclass(frozen=True)
class Reconciliation:
    source_table: str
    source_rows: int
    loaded_rows: int
    deleted_rows: int
    source_key_checksum: int
    loaded_key_checksum: int
    partition_month: str | None = None
    quarantined_rows: int = 0
    note: str | None = None  # e.g. "source not given": nothing to read, nothing expected

    @property
    def ok(self) -> bool:
        landed = self.loaded_rows + self.quarantined_rows + self.deleted_rows
        return self.source_rows == landed and self.source_key_checksum == self.loaded_key_checksum

    def describe(self) -> str:
        where = f"{self.source_table}[{self.partition_month}]" if self.partition_month else ""
        return (
            f"{where or self.source_table}: source {self.source_rows}, loaded {self.loaded_rows}, "
            f"deleted {self.deleted_rows}, keys {'match' if self.ok else 'DIFFER'}"
        )


def ensure_audit_tables(conn: WarehouseConnection) -> None:
    conn.execute(RECONCILIATION_DDL)
    # Warehouses made before the note column (both engines know IF NOT EXISTS here).
    conn.execute("alter table audit.reconciliation add column if not exists note text")
    conn.execute(FILE_ERRORS_DDL)


def landed_stats(
    conn: WarehouseConnection, schema: str, table: str, *, has_del_flag: bool, where: str = ""
) -> tuple[int, int, int]:
    """(rows, rows with del_flag '2', key checksum) of a raw or staging table."""
    deleted = "sum(case when del_flag = '2' then 1 else 0 end)" if has_del_flag else "0"
    checksum = key_checksum_sql("source_key", postgres=conn.postgres)
    sql = f"select count(*), coalesce({deleted}, 0), {checksum} from {schema}.{table} {where}"
    rows, dels, chk = conn.execute(sql)[0]
    return int(rows), int(dels), int(chk)


def record(conn: WarehouseConnection, rec: Reconciliation, run_id: str) -> None:
    conn.execute(
        "insert into audit.reconciliation (source_table, source_rows, loaded_rows,"
        " quarantined_rows, deleted_rows, run_id, checked_at, partition_month,"
        " source_key_checksum, loaded_key_checksum, note)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            rec.source_table,
            rec.source_rows,
            rec.loaded_rows,
            rec.quarantined_rows,
            rec.deleted_rows,
            run_id,
            datetime.now(UTC).replace(tzinfo=None),
            rec.partition_month,
            rec.source_key_checksum,
            rec.loaded_key_checksum,
            rec.note,
        ),
    )


def record_file_error(
    conn: WarehouseConnection, source_table: str, file_name: str, error: str, run_id: str
) -> None:
    conn.execute(
        "insert into audit.file_errors values (?, ?, ?, ?, ?)",
        (source_table, file_name, error, run_id, datetime.now(UTC).replace(tzinfo=None)),
    )
