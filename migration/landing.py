"""Lossless landing of one legacy table into ``raw.<table>``, whole or for a range of months.

One pass over the source, one warehouse transaction per table and run:

1. In the transaction, delete the rows being replaced: the whole table, or for partitioned
   tables the months of the run (``partition_month`` column).
2. Stream the source (Arrow batches). Per batch, DuckDB computes the source side of the
   reconciliation (rows, deleted rows and key checksum per month, from the values as read), and
   renders every value as text, adding source_table, source_key, row_hash and the partition
   month; the rows in the run's months go to raw (DuckDB: insert-select straight from the Arrow
   batch; PostgreSQL: the same select in an in-memory DuckDB, then COPY).
3. Compare with what raw now holds, record audit.reconciliation, commit.

A run killed at any moment leaves every month of that table as it was before (the transaction
never committed) and the tables already done complete; a re-run rewrites the same rows, so the
end state equals one clean run. One transaction per table rather than per month is a measured
choice: DuckDB pays ~1 s per commit of a month (46 months per table), which alone would break
the 3-minute budget of a city-scale migration.

Partition months: the time column's month (China time, UTC+8, for epoch seconds/milliseconds;
the leading YYYY-MM of a date string). A NULL, unparseable or earlier-than-history time lands in
the first month, a later one in the last month, so every source row is in exactly one partition.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import duckdb
import pyarrow as pa
import sqlalchemy as sa
from tqdm import tqdm

from eldercare.errors import EldercareError
from eldercare.warehouse import Warehouse, WarehouseConnection, key_checksum_sql
from migration import reconcile
from migration.contract import TableShape
from migration.legacy_schema import HISTORY_END, HISTORY_START, PARTITIONED_TABLES, TABLES
from migration.legacy_schema import primary_key as pk_of
from migration.readers import BATCH_ROWS, LegacySource, prefetch

META_COLUMNS = ["source_table", "source_key", "row_hash"]
PARTITION_COLUMN = "partition_month"
RUN_COLUMNS = ["run_id", "loaded_at"]
FIRST_MONTH = HISTORY_START.strftime("%Y-%m")
LAST_MONTH = HISTORY_END.strftime("%Y-%m")
CHINA_OFFSET_MS = 8 * 3600 * 1000

Log = Callable[[str], None]
Stats = dict[str | None, list[int]]  # month -> [rows, deleted rows, key checksum]


def all_months(first: str = FIRST_MONTH, last: str = LAST_MONTH) -> list[str]:
    """'YYYY-MM' strings from first to last, inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_range(first: date | str | None, last: date | str | None) -> list[str]:
    """The partition months between two bounds (None: the history's ends)."""
    lo = first.strftime("%Y-%m") if isinstance(first, date) else (first or FIRST_MONTH)
    hi = last.strftime("%Y-%m") if isinstance(last, date) else (last or LAST_MONTH)
    return all_months(max(lo[:7], FIRST_MONTH), min(hi[:7], LAST_MONTH))


def landing_columns(table: str, extra: list[str] | None = None) -> list[str]:
    """Columns the transform produces (raw minus run_id/loaded_at): the contract's, then the
    source's extra columns (kept, as text), then the lineage columns."""
    cols = [c.name for c in TABLES[table].columns] + list(extra or []) + META_COLUMNS
    return cols + [PARTITION_COLUMN] if table in PARTITIONED_TABLES else cols


def raw_columns(table: str, extra: list[str] | None = None) -> list[str]:
    return landing_columns(table, extra) + RUN_COLUMNS


def _q(name: str) -> str:
    return f'"{name}"'


def month_sql(text: str) -> str:
    """DuckDB SQL: the partition month of a time given as text (see the module docstring).

    Written with length/substr/try_cast (a regexp only on three characters): this runs on every
    row of the largest tables, where a regexp over the whole text costs twice as much.
    """
    digits = f"try_cast({text} as bigint)"
    sep = f"substr({text}, 5, 1)"
    month_no = f"try_cast(regexp_extract(substr({text}, 6, 3), '^[0-9]+') as int)"
    parsed = (
        f"case when length({text}) = 13 and {digits} is not null "
        f"then strftime(make_timestamp(({digits} + {CHINA_OFFSET_MS}) * 1000), '%Y-%m') "
        f"when length({text}) = 10 and {digits} is not null "
        f"then strftime(make_timestamp(({digits} * 1000 + {CHINA_OFFSET_MS}) * 1000), '%Y-%m') "
        f"when {sep} in ('-', '/', '.', '年') and try_cast(substr({text}, 1, 4) as int) is not null "
        f"and {month_no} between 1 and 12 "
        f"then substr({text}, 1, 4) || '-' || lpad({month_no}::varchar, 2, '0') end"
    )
    return _clamp(parsed)


def _clamp(month: str) -> str:
    """A month expression folded into the history: NULL or earlier -> first, later -> last."""
    return (
        f"(select case when m is null or m < '{FIRST_MONTH}' then '{FIRST_MONTH}' "
        f"when m > '{LAST_MONTH}' then '{LAST_MONTH}' else m end from (select {month} as m))"
    )


def _month_of_batch(table: str, schema: pa.Schema) -> str:
    """The partition month over the raw batch ``b``: cheap strftime for real timestamps."""
    col = PARTITIONED_TABLES[table]
    if pa.types.is_timestamp(schema.field(col).type):
        return _clamp(f"strftime({_q(col)}, '%Y-%m')")
    return month_sql(_text_exprs(table, schema)[col])


def _key_sql(table: str, shape: TableShape | None, texts: dict[str, str], row_hash: str) -> str:
    """The row's source_key: the key column, or the contract's fallback when the dump lacks a
    generator-only surrogate key (see migration.contract)."""
    fallback = shape.key_fallback if shape is not None else None
    if fallback is None:
        return texts[pk_of(table)]
    if not fallback:
        return row_hash
    parts = [texts[c] for c in fallback]
    none = " and ".join(f"{p} is null" for p in parts)
    joined = ", ".join(f"coalesce({p}, '')" for p in parts)
    return f"case when {none} then null else concat_ws(':', {joined}) end"


def _row_hash_sql(texts: dict[str, str]) -> str:
    hashed = ", ".join(f"coalesce({expr}, chr(30))" for expr in texts.values())
    return f"md5(concat_ws(chr(31), {hashed}))"


def _text_exprs(table: str, schema: pa.Schema) -> dict[str, str]:
    """Per legacy column, DuckDB SQL rendering the batch value as the contract's text; a
    contract column the source lacks is NULL, an extra source column follows as text."""
    texts = {}
    for col in TABLES[table].columns:
        name = _q(col.name)
        if col.name not in schema.names:
            texts[col.name] = "cast(null as varchar)"
            continue
        arrow_type = schema.field(col.name).type
        if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
            expr = name
            if col.type.python_type is datetime:
                # SQLAlchemy stores SQLite datetimes with '.000000'; the contract's text has none.
                expr = f"regexp_replace({name}, '\\.0+$', '')"
        elif pa.types.is_floating(arrow_type) and not isinstance(col.type, sa.Float):
            # SQLite's NUMERIC affinity stores an integral value as INTEGER: 1500, not 1500.0.
            expr = (
                f"case when {name} = trunc({name}) and abs({name}) < 1e15 "
                f"then cast(cast({name} as bigint) as varchar) else cast({name} as varchar) end"
            )
        else:
            expr = f"cast({name} as varchar)"
        texts[col.name] = expr
    for extra in schema.names:
        if extra not in texts:
            texts[extra] = f"cast({_q(extra)} as varchar)"
    return texts


def transform_sql(table: str, schema: pa.Schema, shape: TableShape | None = None) -> str:
    """DuckDB SQL over the registered Arrow batch ``b`` producing the landing columns."""
    texts = _text_exprs(table, schema)
    inner = [f"{expr} as {_q(c)}" for c, expr in texts.items()]
    names = {c: _q(c) for c in texts}
    row_hash = _row_hash_sql(names)
    outer = [
        *names.values(),
        f"'{table}' as source_table",
        f"{_key_sql(table, shape, names, row_hash)} as source_key",
        f"{row_hash} as row_hash",
    ]
    if table in PARTITIONED_TABLES:
        inner.append(f"{_month_of_batch(table, schema)} as {PARTITION_COLUMN}")
        outer.append(PARTITION_COLUMN)
    return f"select {', '.join(outer)} from (select {', '.join(inner)} from b) t"


def source_stats_sql(table: str, schema: pa.Schema, shape: TableShape | None = None) -> str:
    """Per month of the batch ``b`` as read: rows, rows with del_flag '2', key checksum."""
    month = _month_of_batch(table, schema) if table in PARTITIONED_TABLES else "null"
    deleted = "sum(case when del_flag = '2' then 1 else 0 end)"
    # Only the contract's del_flag, and only where the dump has it (else truly 0 deleted).
    deleted = deleted if "del_flag" in schema.names and "del_flag" in TABLES[table].c else "0"
    texts = _text_exprs(table, schema)
    key = _key_sql(table, shape, texts, _row_hash_sql(texts))
    checksum = f"coalesce(sum(cast('0x' || left(md5({key}), 8) as bigint)), 0)"
    return f"select {month}, count(*), coalesce({deleted}, 0), {checksum} from b group by 1"


@dataclass
class LandingOutcome:
    table: str
    source_rows: int  # the source database's own count(*)
    streamed_rows: int  # rows read from the source in this run
    seconds: float = 0.0
    partitions: list[reconcile.Reconciliation] = field(default_factory=list)
    whole: reconcile.Reconciliation | None = None
    full_range: bool = True
    note: str | None = None  # why nothing was read (source not given, table absent)
    warnings: list[str] = field(default_factory=list)  # the dump against the contract

    @property
    def landed_rows(self) -> int:
        """Rows written by this run: the run's partitions, or the whole table."""
        if self.partitions:
            return sum(r.loaded_rows + r.deleted_rows for r in self.partitions)
        return self.whole.loaded_rows + self.whole.deleted_rows if self.whole else 0

    @property
    def ok(self) -> bool:
        """Every row read, every partition of the run equal, and the table equal if fully run."""
        parts_ok = all(r.ok for r in self.partitions)
        whole_ok = self.whole is not None and (self.whole.ok or not self.full_range)
        return self.streamed_rows == self.source_rows and parts_ok and whole_ok


def _stats_sql(table: str, relation: str, *, postgres: bool, where: str = "") -> str:
    month = PARTITION_COLUMN if table in PARTITIONED_TABLES else "null"
    deleted = "sum(case when del_flag = '2' then 1 else 0 end)"
    deleted = deleted if "del_flag" in TABLES[table].columns else "0"
    checksum = key_checksum_sql("source_key", postgres=postgres)
    return (
        f"select {month}, count(*), coalesce({deleted}, 0), {checksum} "
        f"from {relation} {where} group by 1"
    )


def _add(stats: Stats, rows: list[tuple]) -> None:
    for month, n, dels, chk in rows:
        acc = stats.setdefault(month, [0, 0, 0])
        acc[0] += int(n)
        acc[1] += int(dels)
        acc[2] += int(chk)


def _rec(table: str, month: str | None, source: list[int], landed: list[int]):
    return reconcile.Reconciliation(
        source_table=table,
        source_rows=source[0],
        loaded_rows=landed[0] - landed[1],
        deleted_rows=landed[1],
        source_key_checksum=source[2],
        loaded_key_checksum=landed[2],
        partition_month=month,
    )


def land_table(
    source: LegacySource,
    warehouse: Warehouse,
    table: str,
    run_id: str,
    *,
    months: list[str] | None = None,
    log: Log = lambda _msg: None,
    batch_rows: int = BATCH_ROWS,
    reader: str = "connectorx",
) -> LandingOutcome:
    """Land ``table`` into raw; for partitioned tables only ``months`` (default: all).

    The table's real columns are compared with the contract first (``migration.contract``): a
    missing core table or required column stops here with one error naming both; a missing
    optional table lands empty (``land_absent``).
    """
    started = time.monotonic()
    shape = source.shape(table)
    if problems := shape.problems():
        raise EldercareError(problems[0])
    if not shape.present:
        return land_absent(warehouse, table, run_id, ABSENT_TABLE, log=log)
    for warning in shape.warnings():
        log(f"warning: {warning}")
    partitioned = table in PARTITIONED_TABLES
    wanted = (months if months is not None else all_months()) if partitioned else []
    source_rows, _ = source.count(table)
    full = not partitioned or set(wanted) >= set(all_months())
    outcome = LandingOutcome(table, source_rows, 0, full_range=full, warnings=shape.warnings())
    cols = ", ".join(_q(c) for c in landing_columns(table, shape.extra))
    loaded_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    in_run = f"where {PARTITION_COLUMN} in ({', '.join(repr(m) for m in wanted) or 'null'})"
    in_run = in_run if partitioned else ""
    source_stats: Stats = {}
    with warehouse.connect() as conn:
        warehouse.ensure_schemas(conn)
        reconcile.ensure_audit_tables(conn)
        conn.create_text_table("raw", table, raw_columns(table, shape.extra))
        # The transform runs in DuckDB: the warehouse itself, or a private in-memory engine.
        engine = duckdb.connect() if conn.postgres else conn.raw
        bar = tqdm(total=source_rows, desc=table, unit="rows", unit_scale=True, disable=None)
        try:
            with conn.transaction():
                conn.execute(f"delete from raw.{table} {in_run}")
                schema = None
                for batch in prefetch(source.stream(table, batch_rows=batch_rows, reader=reader)):
                    engine.register("b", batch)
                    # The fallback reader's batches type columns otherwise (text, not int64).
                    if batch.schema != schema:
                        schema = batch.schema
                        sql = transform_sql(table, batch.schema, shape)
                        stats_sql = source_stats_sql(table, batch.schema, shape)
                        insert = (
                            f"select {cols}, '{run_id}' as run_id, '{loaded_at}' as loaded_at "
                            f"from ({sql}) {in_run}"
                        )
                    # Straight from the Arrow batch: no intermediate table (half the cost).
                    _add(source_stats, engine.execute(stats_sql).fetchall())
                    if conn.postgres:
                        conn.insert_arrow("raw", table, engine.sql(insert).to_arrow_table())
                    else:
                        conn.execute(
                            f"insert into raw.{table} ({cols}, run_id, loaded_at) {insert}"
                        )
                    engine.unregister("b")
                    outcome.streamed_rows += batch.num_rows
                    bar.update(batch.num_rows)
                _reconcile(conn, table, run_id, outcome, source_stats, wanted, in_run)
        finally:
            bar.close()
            if conn.postgres:
                engine.close()
    if table in source.fallbacks:
        log(f"{table}: read with the SQLAlchemy reader ({source.fallbacks[table]})")
    outcome.seconds = time.monotonic() - started
    where = f" in {len(wanted)} partitions" if partitioned else ""
    log(f"{table}: landed {outcome.landed_rows:,} rows{where}; {outcome.whole.describe()}")
    return outcome


NOT_GIVEN = "source not given"
ABSENT_TABLE = "table absent from the vendor database"


def land_absent(
    warehouse: Warehouse,
    table: str,
    run_id: str,
    note: str,
    *,
    columns: list[str] | None = None,
    log: Log = lambda _msg: None,
) -> LandingOutcome:
    """A source that was not given, or a table the given dump lacks: raw.<table> exists with its
    columns (default: the legacy contract's), so that every model downstream runs; the
    reconciliation row says why (``note``).

    A table the dump lacks is emptied (the dump given is the truth). A source not given keeps
    what an earlier run landed: a month-range re-run of the database alone must not wipe the
    exports, which often arrive weeks later.
    """
    with warehouse.connect() as conn:
        warehouse.ensure_schemas(conn)
        reconcile.ensure_audit_tables(conn)
        existing = conn.columns("raw", table)
        if not (note == NOT_GIVEN and existing):
            conn.create_text_table("raw", table, columns or raw_columns(table))
        with conn.transaction():
            kept = int(conn.execute(f"select count(*) from raw.{table}")[0][0])
            if note != NOT_GIVEN:
                conn.execute(f"delete from raw.{table}")
                kept = 0
            why = f"{note} (raw keeps {kept} rows of an earlier run)" if kept else note
            rec = reconcile.Reconciliation(table, 0, 0, 0, 0, 0, note=why)
            reconcile.record(conn, rec, run_id)
    log(f"{table}: {rec.note}")
    return LandingOutcome(table, 0, 0, whole=rec, note=note)


def _reconcile(
    conn: WarehouseConnection,
    table: str,
    run_id: str,
    outcome: LandingOutcome,
    source_stats: Stats,
    wanted: list[str],
    in_run: str,
) -> None:
    """Compare source and raw (inside the landing transaction) and record the rows."""
    landed: Stats = {}
    _add(
        landed,
        conn.execute(_stats_sql(table, f"raw.{table}", postgres=conn.postgres, where=in_run)),
    )
    zero = [0, 0, 0]
    for month in wanted:
        rec = _rec(table, month, source_stats.get(month, zero), landed.get(month, zero))
        outcome.partitions.append(rec)
        reconcile.record(conn, rec, run_id)
    # The table row: the source's own count(*) against everything raw now holds.
    whole_landed: Stats = {}
    _add(whole_landed, conn.execute(_stats_sql(table, f"raw.{table}", postgres=conn.postgres)))
    all_source = [sum(v[i] for v in source_stats.values()) for i in range(3)]
    all_landed = [sum(v[i] for v in whole_landed.values()) for i in range(3)]
    all_source[0] = outcome.source_rows
    outcome.whole = _rec(table, None, all_source, all_landed)
    reconcile.record(conn, outcome.whole, run_id)
