"""How the cockpit reads the warehouse: read-only, parameterised, cached per scope.

Only this package talks to the warehouse; pages call the named functions of the modules beside
this one and never see a connection or SQL. The cockpit never writes the warehouse:

- DuckDB: a read-only connection with external access disabled and the configuration locked,
  re-opened when the build switches a new warehouse file in (see ``eldercare/build.py``), so
  pages keep answering from the last complete warehouse while a build runs;
- PostgreSQL: pooled connections as the role ``eldercare_reader``, a read-only transaction per
  query that first names the viewer's county in ``eldercare.county_code``; row-level security
  then returns that county's rows only (``cockpit/data/county.py``, docs/security.md).

Results are cached with ``st.cache_data`` keyed by the SQL, its bound parameters (which carry
the viewer's scope), the warehouse version and the viewer's county, so two counties never share
an entry.
"""

from __future__ import annotations

import os
import queue
import re
import threading
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from cockpit.data.county import county_scope
from eldercare.errors import EldercareError
from eldercare.row_security import reader_url
from eldercare.settings import get_settings, is_postgres_target
from eldercare.warehouse import psycopg_url

# Read-only, no files or network beyond the warehouse, and no query may change these settings.
DUCKDB_CONFIG = {"enable_external_access": False, "lock_configuration": True}
_lock = threading.Lock()
_duck: dict[str, Any] = {}  # {"key": (path, inode, mtime), "con": connection}


def target() -> str:
    return get_settings().warehouse


def is_postgres() -> bool:
    return is_postgres_target(target())


def version() -> str:
    """Identity of the warehouse being read: changes when a build switches a new file in."""
    if is_postgres():
        return "postgres"
    try:
        st_ = os.stat(target())
    except FileNotFoundError:
        raise EldercareError(
            f"warehouse {target()} not found: build it first (make demo, or eldercare build)"
        ) from None
    return f"{st_.st_ino}-{st_.st_mtime_ns}"


def _duckdb_connection():
    import duckdb

    key = version()
    with _lock:
        if _duck.get("key") != key:
            # Close the old file first: DuckDB hands out the instance already open under the
            # same path, so while the old connection lives, connect() would return the old file.
            if _duck.get("con") is not None:
                _duck.pop("con").close()
            _duck["con"] = duckdb.connect(target(), read_only=True, config=DUCKDB_CONFIG)
            _duck["key"] = key
        return _duck["con"]


_pg_idle: queue.LifoQueue = queue.LifoQueue(maxsize=8)  # reused connections (~10 ms each)


def _pg_take(url: str):
    """(connection, reused): an idle connection to ``url``, or a new one (autocommit: each
    query runs in its own explicit read-only transaction)."""
    import psycopg

    while True:
        try:
            con, con_url = _pg_idle.get_nowait()
        except queue.Empty:
            return psycopg.connect(url, autocommit=True), False
        if con_url == url and not con.closed:
            return con, True
        con.close()


def _pg_give(con, url: str) -> None:
    try:
        _pg_idle.put_nowait((con, url))
    except queue.Full:
        con.close()


def _pg_url() -> str:
    configured = get_settings().cockpit_reader_url
    return psycopg_url(reader_url(target(), configured and configured.get_secret_value()))


def _pg_run(sql: str, params: Sequence[Any], county: str) -> pd.DataFrame:
    import psycopg

    url = _pg_url()
    while True:
        con, reused = _pg_take(url)
        try:
            with con.cursor() as cur:
                cur.execute("begin read only")
                # The marts have few indexes (lookup columns only): a nested loop over
                # two of them is never right, yet ORDER BY … LIMIT over a join makes the planner
                # pick one (3 minutes instead of 0.6 s for one lineage row at city scale).
                cur.execute("set local enable_nestloop = off")
                # A policy that scopes through another table (elder_code in (select … from
                # dim_elder)) is hashed only if a county's codes fit in work_mem; at the default
                # 4 MB PostgreSQL rescans them for every row (6 minutes instead of 1.5 s for one
                # county's call-centre seats at city scale).
                cur.execute("set local work_mem = '64MB'")
                # transaction-local: the next query on this pooled connection starts unset
                cur.execute("select set_config('eldercare.county_code', %s, true)", [county])
                cur.execute(_postgres_sql(sql), list(params) or None)
                cols = [d.name for d in cur.description]
                rows = cur.fetchall()
            con.execute("rollback")
        except psycopg.OperationalError:
            con.close()
            if not reused:  # an idle connection the server dropped: try a fresh one
                raise
            continue
        except Exception:
            con.close()  # never hand out a connection in an unknown state
            raise
        _pg_give(con, url)
        return pd.DataFrame(rows, columns=cols)


def close_connections() -> None:
    """Close every open warehouse connection (tests switch warehouses; PostgreSQL refuses to
    copy or drop a database others are connected to)."""
    while True:
        try:
            con, _ = _pg_idle.get_nowait()
        except queue.Empty:
            break
        con.close()
    with _lock:
        if _duck.get("con") is not None:
            _duck.pop("con").close()
        _duck.pop("key", None)


def _postgres_sql(sql: str) -> str:
    # psycopg's placeholders are %s, so a literal % must be doubled first
    return re.sub(r"\?", "%s", sql.replace("%", "%%"))


def run(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run one read query now (no cache); ``?`` placeholders on both engines."""
    return _run(sql, params, county_scope())


def _run(sql: str, params: Sequence[Any], county: str) -> pd.DataFrame:
    if is_postgres():
        return _pg_run(sql, params, county)
    import duckdb

    for attempt in (1, 2):
        cur = _duckdb_connection().cursor()  # a cursor per call: one per thread is safe
        try:
            return cur.execute(sql, list(params)).df()
        except duckdb.ConnectionException:
            if attempt == 2:  # closed under us by a switch to a new build: once more, new file
                raise
        finally:
            cur.close()


@st.cache_data(ttl=get_settings().cockpit_cache_seconds, max_entries=2000, show_spinner=False)
def _cached(sql: str, params: tuple, warehouse_version: str, county: str) -> pd.DataFrame:
    return _run(sql, params, county)


# The queries of the current script run (cockpit/trail.py writes them to the audit log once,
# when the page is done): (sql, params, rows), cached reads included, since the viewer asked.
_run_log = threading.local()


def note(sql: str, params: Sequence[Any], rows: int) -> None:
    """Remember a read of this script run for its audit row."""
    log = getattr(_run_log, "queries", None)
    if log is not None:
        log.append((sql, tuple(params), rows))


def start_noting() -> None:
    _run_log.queries = []


def noted() -> list[tuple[str, tuple, int]]:
    """The reads since ``start_noting`` in this thread, and stop noting."""
    log, _run_log.queries = getattr(_run_log, "queries", None) or [], None
    return log


def query(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """A cached read; the scope is part of ``params``, so entries never cross counties."""
    df = _cached(sql, tuple(params), version(), county_scope()).copy()
    note(sql, params, len(df))
    return df


@st.cache_data(ttl=get_settings().cockpit_cache_seconds, max_entries=4000, show_spinner=False)
def _cached_scalar(sql: str, params: tuple, warehouse_version: str, county: str) -> Any:
    # cached as the value itself: reading a cached DataFrame back costs ~1 ms, a number nothing
    df = _run(sql, params, county)
    if df.empty:
        return None
    value = df.iat[0, 0]
    return None if pd.isna(value) else value


def scalar(sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row (``None`` for no row or NULL), cached like ``query``."""
    value = _cached_scalar(sql, tuple(params), version(), county_scope())
    note(sql, params, 0 if value is None else 1)
    return value


def table_exists(schema: str, table: str) -> bool:
    sql = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return bool(scalar(sql, (schema, table)))
