"""The warehouse: a DuckDB file (default) or a PostgreSQL database, behind one small interface.

Every domain writes through :class:`Warehouse`. It hides the three things that differ between the
two engines: how to connect, placeholders (``?`` here, ``%s`` for psycopg), and how to bulk-load
Arrow batches (DuckDB reads Arrow in place; PostgreSQL gets ``COPY ... FROM STDIN`` in CSV, which
pyarrow writes in C). Atomic replacement of a table, or of one partition's rows, is a delete and
an insert inside one transaction: a reader sees the old rows or the new ones, never a mix, and a
process killed half-way leaves the old rows.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from eldercare.errors import EldercareError
from eldercare.settings import is_postgres_target

SCHEMAS = ("raw", "raw_staging", "audit")
# Every schema of the warehouse (migration, dbt, quality) and DuckDB's own "main".
NAMES_TAKEN = (*SCHEMAS, "staging", "intermediate", "marts", "reference", "quality", "main")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def psycopg_url(target: str) -> str:
    """A PostgreSQL target as psycopg takes it (no SQLAlchemy driver suffix)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", target)


# What a '?' placeholder may sit beside: string literals, quoted names and comments are copied
# whole, so a '?' inside them stays a question mark.
_SQL_PIECES = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|[^'\"/-]+|.", re.S)


def pyformat(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s``: every ``%`` doubled (psycopg reads ``%`` anywhere
    once there are parameters, even inside a literal), and only a ``?`` outside literals, quoted
    names and comments turned into ``%s``."""
    out = []
    for piece in _SQL_PIECES.findall(sql):
        piece = piece.replace("%", "%%")
        quoted = piece[0] in "'\"" or piece[:2] in ("--", "/*")
        out.append(piece if quoted else piece.replace("?", "%s"))
    return "".join(out)


def ident(name: str) -> str:
    """Check a schema/table/column name; names are never user input, but a typo should fail loud."""
    if not _IDENT.match(name):
        raise EldercareError(f"warehouse: invalid identifier {name!r}")
    return name


class WarehouseConnection:
    """One open connection; ``execute`` takes ``?`` placeholders on both engines."""

    def __init__(self, raw: Any, *, postgres: bool) -> None:
        self.raw = raw
        self.postgres = postgres

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        if self.postgres:
            with self.raw.cursor() as cur:
                # Without parameters psycopg sends the text as is (a '%' or '?' stays literal).
                cur.execute(pyformat(sql) if params else sql, params or None)
                return cur.fetchall() if cur.description else []
        cur = self.raw.execute(sql, list(params))
        return cur.fetchall() if cur.description else []

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.execute(sql, params)
        return rows[0][0] if rows else None

    @contextmanager
    def transaction(self) -> Iterator[WarehouseConnection]:
        """Everything inside commits together or not at all."""
        if self.postgres:
            with self.raw.transaction():
                yield self
            return
        self.raw.execute("begin transaction")
        try:
            yield self
        except BaseException:
            self.raw.execute("rollback")
            raise
        self.raw.execute("commit")

    def table_exists(self, schema: str, table: str) -> bool:
        sql = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
        return bool(self.scalar(sql, (schema, table)))

    def columns(self, schema: str, table: str) -> list[str]:
        sql = (
            "select column_name from information_schema.columns"
            " where table_schema = ? and table_name = ? order by ordinal_position"
        )
        return [r[0] for r in self.execute(sql, (schema, table))]

    def create_text_table(self, schema: str, table: str, columns: Sequence[str]) -> None:
        """Create ``schema.table`` with all-TEXT columns unless it exists with these columns.

        A raw table whose columns changed (a new contract version) is rebuilt: raw is reloadable.
        """
        existing = self.columns(schema, table)
        if existing == list(columns):
            return
        if existing:
            self.execute(f"drop table {ident(schema)}.{ident(table)}")
        cols = ", ".join(f"{ident(c)} text" for c in columns)
        self.execute(f"create table {ident(schema)}.{ident(table)} ({cols})")

    def insert_arrow(self, schema: str, table: str, data: pa.RecordBatch | pa.Table) -> None:
        """Append Arrow data whose column names match columns of the target table."""
        if data.num_rows == 0:
            return
        cols = ", ".join(ident(c) for c in data.schema.names)
        target = f"{ident(schema)}.{ident(table)}"
        if self.postgres:
            buf = io.BytesIO()
            # "needed" quoting quotes every string, so '' stays '' and NULL (unquoted empty) NULL.
            options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
            # Batch by batch: pyarrow 26 writes NUL bytes for a table whose chunks include empty
            # ones (a concat of district files, some of them empty).
            batches = data.to_batches() if isinstance(data, pa.Table) else [data]
            for batch in batches:
                if batch.num_rows:
                    pacsv.write_csv(batch, buf, options)
            with (
                self.raw.cursor() as cur,
                cur.copy(f"copy {target} ({cols}) from stdin with (format csv)") as copy,
            ):
                copy.write(buf.getbuffer())
            return
        self.raw.register("_eldercare_batch", data)
        try:
            self.raw.execute(f"insert into {target} ({cols}) select {cols} from _eldercare_batch")
        finally:
            self.raw.unregister("_eldercare_batch")

    def close(self) -> None:
        self.raw.close()


class Warehouse:
    """A warehouse target: a DuckDB file path or a ``postgresql://`` URL."""

    def __init__(self, target: str) -> None:
        self.target = str(target)
        self.postgres = is_postgres_target(self.target)
        stem = Path(self.target).stem.lower()
        if not self.postgres and stem in NAMES_TAKEN:
            # DuckDB names the catalog after the file: in raw.duckdb, "raw.yl_elder" is ambiguous
            raise EldercareError(
                f"warehouse file {self.target}: DuckDB would call its catalog '{stem}', like a "
                "schema of the warehouse; choose another file name (e.g. warehouse.duckdb)"
            )

    @property
    def kind(self) -> str:
        return "postgres" if self.postgres else "duckdb"

    def __repr__(self) -> str:  # never show a password
        return f"Warehouse({self.kind})"

    @contextmanager
    def connect(self) -> Iterator[WarehouseConnection]:
        if self.postgres:
            import psycopg

            try:
                raw = psycopg.connect(psycopg_url(self.target), autocommit=True)
            except psycopg.OperationalError as exc:
                raise EldercareError(f"warehouse: cannot connect to PostgreSQL: {exc}") from exc
        else:
            import duckdb

            Path(self.target).parent.mkdir(parents=True, exist_ok=True)
            try:
                raw = duckdb.connect(self.target)
            except duckdb.IOException as exc:
                raise EldercareError(f"warehouse: cannot open {self.target}: {exc}") from exc
        conn = WarehouseConnection(raw, postgres=self.postgres)
        try:
            yield conn
        finally:
            conn.close()

    def ensure_schemas(self, conn: WarehouseConnection, schemas: Iterable[str] = SCHEMAS) -> None:
        for schema in schemas:
            conn.execute(f"create schema if not exists {ident(schema)}")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run one statement on a short-lived connection and return its rows."""
        with self.connect() as conn:
            return conn.execute(sql, params)


def key_checksum_sql(column: str, *, postgres: bool) -> str:
    """SQL for a checksum of a key column that both engines compute identically.

    Sum of the first 32 bits of md5(key): order-independent, and it changes when a key is missing,
    duplicated or altered. Python's ``key_checksum`` is the oracle the tests compare with.
    """
    col = ident(column)
    if postgres:
        return f"coalesce(sum(('x' || left(md5({col}), 8))::bit(32)::bigint), 0)"
    return f"coalesce(sum(cast('0x' || left(md5({col}), 8) as bigint)), 0)"


def key_checksum(keys: Iterable[str]) -> int:
    import hashlib

    return sum(int(hashlib.md5(k.encode()).hexdigest()[:8], 16) for k in keys)
