"""Streaming reads of the legacy vendor database (SQLite or MySQL/MariaDB) as Arrow batches.

The source is never read whole into memory: connectorx streams Arrow record batches straight
from Rust (``return_type="arrow_stream"``), so no Python object is built per value. The select
list asks the source itself to render each value as text wherever that is lossless, so raw keeps
the value "as it was":

* MySQL/MariaDB: ``CAST(col AS CHAR)`` for every column (MySQL's own rendering: DATETIME as
  ``YYYY-MM-DD HH:MM:SS``, DECIMAL with its scale, FLOAT in its shortest form).
* SQLite: the columns as declared (connectorx needs the declared type; and SQLite's own
  ``CAST(real AS TEXT)`` keeps only 15 significant digits). Integers, REALs (shortest
  round-trip form) and datetimes are rendered as text by the landing transform.

A plain SQLAlchemy ``fetchmany`` path exists as the fallback (and as the baseline the benchmark
measures against).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from eldercare.errors import EldercareError
from migration.contract import TableShape, has_del_flag, reflect
from migration.legacy_schema import TABLES, primary_key

_REAL_TYPES = (sa.Float, sa.Numeric)  # sa.Float subclasses Numeric; both are REAL in SQLite
BATCH_ROWS = 500_000


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: show nothing of it that could be a secret
        return "<invalid URL>"


class LegacySource:
    """The legacy database at a SQLAlchemy URL (``sqlite:///...`` or ``mysql+pymysql://...``)."""

    def __init__(self, url: str) -> None:
        try:
            self.url = make_url(url)
        except Exception as exc:
            raise EldercareError(f"legacy: not a database URL: {redact(url)}") from exc
        self.dialect = self.url.get_backend_name()
        if self.dialect not in ("sqlite", "mysql", "mariadb"):
            raise EldercareError(f"legacy: unsupported database {self.dialect!r} (SQLite or MySQL)")
        if self.dialect == "sqlite":
            path = Path(self.url.database or "")
            if not path.is_file():
                raise EldercareError(f"legacy: SQLite file not found: {path}")
            self.sqlite_path = path.resolve()
        self._engine: sa.Engine | None = None
        self.fallbacks: dict[str, str] = {}  # table -> why connectorx could not read it
        self._shapes: dict[str, TableShape] = {}

    def __repr__(self) -> str:
        return f"LegacySource({redact(str(self.url))})"

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = sa.create_engine(self.url)
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _q(self, name: str) -> str:
        return f"`{name}`" if self.dialect != "sqlite" else f'"{name}"'

    def shape(self, table: str) -> TableShape:
        """The table's real columns against the contract (reflected once per source)."""
        if table not in self._shapes:
            try:
                self._shapes[table] = reflect(self.engine, table)
            except sa.exc.SQLAlchemyError as exc:
                raise EldercareError(
                    f"legacy table {table}: cannot read its columns: {_short(exc)}"
                ) from exc
        return self._shapes[table]

    def selected_columns(self, table: str) -> list[str]:
        """What is read: the contract's columns that exist, then the extra ones."""
        shape = self.shape(table)
        return shape.present_contract + shape.extra

    def select_sql(self, table: str) -> str:
        """The streaming query: every existing column, rendered as the source renders it."""
        items = []
        for name in self.selected_columns(table):
            q = self._q(name)
            if self.dialect == "sqlite":
                # connectorx types SQLite columns by their declared type (an expression has none).
                items.append(q)
            else:
                items.append(f"CAST({q} AS CHAR) AS {q}")
        return f"SELECT {', '.join(items)} FROM {self._q(table)}"

    def count(self, table: str) -> tuple[int, int]:
        """(rows, rows with del_flag '2'), counted by the source database itself.

        A table whose dump has no del_flag column counts 0 deleted rows (and only then; the
        contract's warnings say the column is absent).
        """
        has_del = has_del_flag(self.shape(table))
        deleted = (
            f"SUM(CASE WHEN {self._q('del_flag')} = '2' THEN 1 ELSE 0 END)" if has_del else "0"
        )
        sql = f"SELECT COUNT(*), {deleted} FROM {self._q(table)}"
        try:
            with self.engine.connect() as conn:
                rows, dels = conn.execute(sa.text(sql)).one()
        except sa.exc.SQLAlchemyError as exc:
            raise EldercareError(f"legacy table {table}: cannot count rows: {_short(exc)}") from exc
        return int(rows), int(dels or 0)

    def stream(
        self, table: str, *, batch_rows: int = BATCH_ROWS, reader: str = "connectorx"
    ) -> Iterator[pa.RecordBatch]:
        """Record batches of ``table``: connectorx types SQLite columns by their declared type
        (MySQL's are text); the SQLAlchemy reader gives every column as text."""
        if table not in TABLES:
            raise EldercareError(f"legacy: {table} is not a table of the legacy contract")
        if reader != "connectorx":
            yield from self._stream_sqlalchemy(table, batch_rows)
            return
        read = _Progress()
        try:
            for batch in self._stream_connectorx(table, batch_rows, read):
                yield batch
                read.rows += batch.num_rows
                read.last_key = read.page_key
        except EldercareError as exc:
            if read.rows and read.last_key is None:
                raise  # nothing to resume after: a table without a key is read in one piece
            # Values that do not fit their declared type (SQLite keeps them) stop connectorx on
            # the page that holds them, wherever it is; the slower reader renders any value as
            # text and goes on after the last key already handed over, so no row comes twice.
            self.fallbacks[table] = f"{exc} (after {read.rows:,} rows)" if read.rows else str(exc)
            after = None if read.last_key is None else self._key_literal(*read.last_key)
            yield from self._stream_sqlalchemy(table, batch_rows, after=after, done=read.rows)

    def _connectorx_url(self) -> str:
        if self.dialect == "sqlite":
            return f"sqlite://{self.sqlite_path}"
        u = self.url
        auth = u.username or ""
        if u.password:
            auth += f":{sa.engine.url.quote(u.password)}"
        return f"mysql://{auth}@{u.host or 'localhost'}:{u.port or 3306}/{u.database}"

    def _stream_connectorx(
        self, table: str, batch_rows: int, read: _Progress
    ) -> Iterator[pa.RecordBatch]:
        """Keyset pages (``pk > last ORDER BY pk LIMIT n``), each one Arrow table.

        Not connectorx's own ``arrow_stream``: its producer runs ahead of a slower consumer
        without bound (a city-scale run held 5.6 GB). Pages keep memory at a few batches, and
        both engines walk the primary-key index, so each page costs what its rows cost.
        """
        import connectorx as cx

        shape = self.shape(table)
        url, select = self._connectorx_url(), self.select_sql(table)
        pk_name = primary_key(table)
        try:
            if shape.key_fallback is not None:  # no key to page by: small reference tables
                yield from cx.read_sql(url, select, return_type="arrow").to_batches()
                return
            # Qualified: in MySQL a bare name in ORDER BY would mean the text alias of the select.
            pk = f"{self._q(table)}.{self._q(pk_name)}"
            numeric = isinstance(shape.types.get(pk_name), sa.Integer)
            last = None
            while True:
                after = self._key_literal(last, numeric) if last is not None else None
                where = f" WHERE {pk} > {after}" if after is not None else ""
                page = cx.read_sql(
                    url, f"{select}{where} ORDER BY {pk} LIMIT {batch_rows}", return_type="arrow"
                )
                if page.num_rows < batch_rows:
                    read.page_key = None  # the last page: nothing left to resume
                else:
                    last = page.column(pk_name)[-1].as_py()
                    read.page_key = (last, numeric)
                if page.num_rows:
                    yield page.combine_chunks().to_batches()[0]
                if page.num_rows < batch_rows:
                    return
        except (RuntimeError, OSError, pa.ArrowException) as exc:
            raise EldercareError(f"legacy table {table}: read failed: {_short(exc)}") from exc

    def _key_literal(self, value: Any, numeric: bool) -> str:
        """The last key of a page as SQL: a number only for an integer column (SQLite orders
        integers before text), else a quoted string; a key is never assumed to be a number."""
        text = str(value)
        if numeric and re.fullmatch(r"-?[0-9]+", text):
            return text
        if self.dialect != "sqlite":
            text = text.replace("\\", "\\\\")  # MySQL string literals take backslash escapes
        return "'" + text.replace("'", "''") + "'"

    def _stream_sqlalchemy(
        self, table: str, batch_rows: int, *, after: str | None = None, done: int = 0
    ) -> Iterator[pa.RecordBatch]:
        """Every row, or (``after``) those after a key, in key order, as the keyset pages are."""
        names = self.selected_columns(table)
        sql = f"SELECT {', '.join(self._q(c) for c in names)} FROM {self._q(table)}"
        if after is not None:
            pk = f"{self._q(table)}.{self._q(primary_key(table))}"
            sql += f" WHERE {pk} > {after} ORDER BY {pk}"
        # SQLite keeps any value in a REAL/NUMERIC column ('面议' in a price): render each one
        # here as the connectorx path renders numbers (an integral NUMERIC without '.0').
        numeric = {
            c.name
            for c in TABLES[table].columns
            if isinstance(c.type, _REAL_TYPES) and not isinstance(c.type, sa.Float)
        }
        if self.dialect != "sqlite":
            numeric = set()
        schema = pa.schema([(c, pa.string()) for c in names])
        render = [_numeric_text if c in numeric else _text for c in names]
        try:
            with self.engine.connect().execution_options(stream_results=True) as conn:
                result = conn.exec_driver_sql(sql)
                while rows := result.fetchmany(batch_rows):
                    arrays = [
                        pa.array([render[i](v) for v in values], type=pa.string())
                        for i, values in enumerate(zip(*rows, strict=True))
                    ]
                    yield pa.record_batch(arrays, schema=schema)
                    done += len(rows)
        except sa.exc.SQLAlchemyError as exc:
            raise EldercareError(
                f"legacy table {table}: read failed after {done:,} rows: {_short(exc)}"
            ) from exc


@dataclass
class _Progress:
    """How far a read got: rows handed over, and the key after which the rest begins."""

    rows: int = 0
    last_key: tuple[Any, bool] | None = None  # (value, integer column) of the last page given
    page_key: tuple[Any, bool] | None = None  # the same for the page being handed over


def prefetch(batches: Iterator[pa.RecordBatch], depth: int = 2) -> Iterator[pa.RecordBatch]:
    """Read ahead in a thread: connectorx and DuckDB both release the GIL, so reading the next
    batch overlaps with transforming and writing this one (the machine has 2 cores)."""
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def run() -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    return
                q.put(batch)
            q.put(done)
        except BaseException as exc:  # handed to the consumer, raised there
            q.put(exc)

    thread = threading.Thread(target=run, daemon=True, name="legacy-prefetch")
    thread.start()
    try:
        while (item := q.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(0.05)


def _numeric_text(v: Any) -> str | None:
    """A SQLite NUMERIC value as text: integral numbers without '.0' (SQLite's NUMERIC affinity
    stores 1500 as an integer; the landing transform renders connectorx's doubles the same)."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return _text(v)


def _text(v: Any) -> str | None:
    """Python value -> the text the source would render (the fallback reader's conversion)."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else str(v)
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace")
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)


def _short(exc: BaseException) -> str:
    """First line of a driver error, without URLs that could hold a password."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return re.sub(r"\w+://\S+", "<url>", text)[:300]
