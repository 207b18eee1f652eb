"""Writes generated frames into SQLite (fast path) or MySQL/MariaDB, with the contract's DDL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from eldercare.errors import EldercareError
from migration.generator.state import Frame, fmt_dt
from migration.legacy_schema import TABLES, metadata

BATCH = 200_000


class Target:
    """One legacy database: created fresh (the contract's tables dropped and re-created)."""

    def __init__(self, url: str) -> None:
        try:
            self.url = make_url(url)
        except Exception as exc:
            raise EldercareError(f"--to {url!r}: not a database URL ({exc})") from None
        self.sqlite = self.url.get_backend_name() == "sqlite"
        self.is_mysql = self.url.get_backend_name() in ("mysql", "mariadb")
        if not (self.sqlite or self.is_mysql):
            raise EldercareError(
                f"--to {self.url.render_as_string()}: only sqlite:/// and mysql+pymysql:// are supported"
            )
        if self.sqlite:
            db = self.url.database
            if not db or db == ":memory:":
                raise EldercareError(
                    "--to: a SQLite URL needs a file path, e.g. sqlite:///data/legacy.db"
                )
            self.path = Path(db)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise EldercareError(
                    f"--to {db}: cannot create folder {self.path.parent} ({exc.strerror})"
                ) from None
        self._create()
        self._open()

    def _create(self) -> None:
        safe = self.url.render_as_string(hide_password=True)
        try:
            engine = sa.create_engine(self.url)
            with engine.begin() as conn:
                metadata.drop_all(conn)
                metadata.create_all(conn)
            engine.dispose()
        except ImportError as exc:
            raise EldercareError(
                f"--to {safe}: database driver missing ({exc.name}); use mysql+pymysql://"
            ) from None
        except sa.exc.SQLAlchemyError as exc:
            reason = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
            raise EldercareError(
                f"--to {safe}: cannot create the legacy tables ({reason})"
            ) from None

    def _open(self) -> None:
        if self.sqlite:
            self.conn = sqlite3.connect(self.path)
            self.conn.execute("PRAGMA journal_mode=OFF")
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("PRAGMA cache_size=-200000")
            self.mark = "?"
        else:
            self.engine = sa.create_engine(self.url)
            self.conn = self.engine.raw_connection()
            self.mark = "%s"

    def write(self, table: str, frames: Iterable[Frame]) -> int:
        cols = [c.name for c in TABLES[table].columns]
        sql = (
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([self.mark] * len(cols))})"
        )
        total = 0
        cur = self.conn.cursor()
        if self.sqlite:
            cur.execute("BEGIN")
        for frame in frames:
            n = _check(table, frame, cols)
            step = BATCH if self.sqlite else 5_000
            for lo in range(0, n, step):
                cur.executemany(sql, _rows(table, frame, cols, lo, min(n, lo + step)))
            total += n
        self.conn.commit()
        return total

    def close(self) -> None:
        self.conn.close()
        if not self.sqlite:
            self.engine.dispose()


def _check(table: str, frame: Frame, cols: list[str]) -> int:
    missing = set(cols) - set(frame)
    extra = set(frame) - set(cols)
    if missing or extra:
        raise RuntimeError(f"{table}: frame columns differ from the contract: {missing=} {extra=}")
    lengths = {len(frame[c]) for c in cols}
    if len(lengths) != 1:
        raise RuntimeError(f"{table}: columns of unequal length {lengths}")
    return lengths.pop()


def _rows(table: str, frame: Frame, cols: list[str], lo: int, hi: int):
    lists = [_pylist(TABLES[table].columns[c].type, frame[c][lo:hi]) for c in cols]
    return zip(*lists, strict=True)


def _pylist(sqltype, a: np.ndarray) -> list:
    kind = a.dtype.kind
    if kind == "M":
        if a.dtype == np.dtype("datetime64[D]") or isinstance(sqltype, sa.Date):
            out = np.datetime_as_string(a.astype("datetime64[D]"), unit="D").astype(object)
            out[np.isnat(a)] = None
            return out.tolist()
        return fmt_dt(a).tolist()
    if kind == "f":
        integer = isinstance(sqltype, sa.Integer)
        nan = np.isnan(a)
        vals = (np.where(nan, 0, a).astype(np.int64) if integer else a).tolist()
        if nan.any():
            for i in np.flatnonzero(nan):
                vals[i] = None
        return vals
    return a.tolist()
