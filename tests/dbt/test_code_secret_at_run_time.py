"""The secret of the pseudonymous codes reaches the engine at run time and no file on disk
(docs/security.md, Secrets): after the session's builds on DuckDB and on PostgreSQL, no file
they wrote under dbt/target, dbt's logs or the warehouse holds it, and the codes are those of
the secret (test_resolution.py checks DuckDB's against the Python twin)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import duckdb
import psycopg
import pytest

from eldercare.settings import Settings
from pipelines.dbt_project import DBT_DIR, DBT_LOG_FLAGS, _target_env, dbt_executable

# Files older than this session were written by earlier runs (and, before this change, did hold
# the secret): only what this session's builds wrote is evidence.
SESSION_START = time.time()


def files_holding(secret: str, folders: list[Path], since: float) -> list[str]:
    needle = secret.encode()
    found = []
    for folder in folders:
        for path in folder.rglob("*") if folder.exists() else []:
            try:
                if path.is_file() and path.stat().st_mtime >= since and needle in path.read_bytes():
                    found.append(str(path))
            except (FileNotFoundError, PermissionError):  # a concurrent run's temporary file
                continue
    return found


def dbt_folders() -> list[Path]:
    return [DBT_DIR / "target", DBT_DIR / "logs"]


def test_the_scan_finds_a_secret(tmp_path) -> None:
    (tmp_path / "a" / "b.sql").parent.mkdir()
    (tmp_path / "a" / "b.sql").write_text("select sha256('s3cr3t-x' || id)")
    assert files_holding("s3cr3t-x", [tmp_path], 0) == [str(tmp_path / "a" / "b.sql")]


def test_no_file_of_a_duckdb_build_holds_the_secret(duckdb_build, code_secret) -> None:
    assert duckdb_build.error is None, duckdb_build.error
    warehouse = Path(duckdb_build.target).parent
    compiled = list((DBT_DIR / "target").rglob("int_elder_resolved.sql"))
    assert any(p.stat().st_mtime >= SESSION_START for p in compiled), "no build in this session"
    assert files_holding(code_secret, [*dbt_folders(), warehouse], SESSION_START) == []


def test_no_file_of_a_postgres_build_holds_the_secret(pg_build, code_secret) -> None:
    assert pg_build.error is None, pg_build.error
    with psycopg.connect(pg_build.target) as con:
        data_dir = con.execute("show data_directory").fetchone()[0]
        oid = con.execute(
            "select oid from pg_database where datname = current_database()"
        ).fetchone()[0]
        # nor in any definition the database keeps (views, functions, policies, defaults)
        definitions = con.execute(
            "select count(*) from (select definition from pg_views union all"
            " select prosrc from pg_proc union all"
            " select pg_get_expr(polqual, polrelid) from pg_policy) d(text)"
            " where text like '%%' || %s || '%%'",
            [code_secret],
        ).fetchone()[0]
    assert definitions == 0
    database_files = Path(data_dir) / "base" / str(oid)
    assert database_files.is_dir()
    assert files_holding(code_secret, [*dbt_folders(), database_files], SESSION_START) == []


def test_postgres_codes_are_duckdbs(duckdb_build, pg_build) -> None:
    """Same data, same secret: the same codes on both engines, so the run-time secret is the
    one DuckDB's codes (checked against the Python twin) were made with."""
    with duckdb.connect(duckdb_build.target, read_only=True) as con:
        duck = {r[0] for r in con.execute("select elder_code from marts.dim_elder").fetchall()}
    with psycopg.connect(pg_build.target) as con:
        pg = {r[0] for r in con.execute("select elder_code from marts.dim_elder").fetchall()}
    assert len(duck) > 100 and duck == pg


@pytest.mark.parametrize("kind", ["duckdb", "postgres"])
def test_the_engine_refuses_a_code_without_the_secret(kind, duckdb_build, pg_build) -> None:
    """The code macro, compiled by dbt and run by an engine that was given no secret, fails
    (rather than hashing without a key)."""
    target = duckdb_build.target if kind == "duckdb" else pg_build.target
    env = {**os.environ, **_target_env(Settings(warehouse=target))}
    env.pop("ELDERCARE_DBT_CODE_SECRET", None)
    sql = "select {{ code_hash('elder', \"'someone'\") }} as h"
    proc = subprocess.run(
        [dbt_executable(), "show", "--inline", sql, *DBT_LOG_FLAGS],
        cwd=DBT_DIR, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode != 0
    expected = "code secret not set" if kind == "duckdb" else '"eldercare.code_secret"'
    assert expected in proc.stdout + proc.stderr
