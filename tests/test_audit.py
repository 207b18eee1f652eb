"""The tamper-evident audit log (eldercare/audit.py): the hash chain on SQLite and PostgreSQL,
``eldercare audit verify`` naming the row changed, inserted or deleted, writers in two processes
at once not forking the chain, and PostgreSQL refusing to change a row (trigger and grants)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from eldercare import audit
from eldercare.appdb import engine

ELDERCARE = str(Path(sys.executable).with_name("eldercare"))

# Two threads in this process writing rows at the same moment (run twice at once: 4 writers).
WRITER = """
import sys, threading
from eldercare import appdb, audit
eng = appdb.engine(sys.argv[1])
start = threading.Barrier(2)
def write(tag):
    start.wait()
    for i in range(int(sys.argv[2])):
        audit.record("page_view", username=tag, role="county_user", county_code="440803",
                     client="127.0.0.1", result="success", detail={"i": i}, engine=eng)
threads = [threading.Thread(target=write, args=(f"{sys.argv[3]}-{t}",)) for t in range(2)]
[t.start() for t in threads]
[t.join() for t in threads]
"""


def _fill(eng: sa.Engine, n: int = 10) -> None:
    for i in range(n):
        audit.record(
            "login" if i % 2 else "page_view",
            username=f"user{i % 3}",
            role="county_user",
            county_code="440803",
            client="10.0.0.7",
            result="success",
            detail={"page": "elders", "n": i, "名": "霞山"},
            engine=eng,
        )


def _table(eng: sa.Engine) -> str:
    return "app.audit_log" if eng.dialect.name == "postgresql" else "audit_log"


def _cli(url: str) -> subprocess.CompletedProcess:
    """``eldercare audit verify`` as a user runs it."""
    env = {**os.environ, "ELDERCARE_APP_DB": url}
    return subprocess.run(
        [ELDERCARE, "audit", "verify"], env=env, capture_output=True, text=True, timeout=60
    )


def _cli_here(url: str, monkeypatch) -> tuple[int, str]:
    """The same command in this process (a second each saved): exit code and output."""
    from click.testing import CliRunner

    from eldercare.cli import cli
    from eldercare.settings import get_settings

    monkeypatch.setenv("ELDERCARE_APP_DB", url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["audit", "verify"])
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'app.sqlite'}"


@pytest.fixture(params=["sqlite", "postgres"])
def app_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite'}"
    return request.getfixturevalue("pg_url")


def test_rows_chain_and_verify(app_url) -> None:
    eng = engine(app_url)
    _fill(eng)
    verdict = audit.verify(eng)
    assert verdict.ok and verdict.rows == 10, verdict
    with eng.connect() as conn:
        rows = conn.execute(sa.text(f"select * from {_table(eng)} order by id")).mappings().all()
    assert [r["id"] for r in rows] == list(range(1, 11))
    assert rows[0]["prev_hash"] == "0" * 64
    for before, row in zip(rows, rows[1:], strict=False):
        assert row["prev_hash"] == before["row_hash"]
    assert json.loads(rows[3]["detail"]) == {"page": "elders", "n": 3, "名": "霞山"}
    assert rows[3]["client"] == "10.0.0.7" and rows[3]["username"] == "user0"
    # the hash covers the row: the same row with another account hashes differently
    r = dict(rows[3])
    assert audit.row_hash(r, r["prev_hash"]) == r["row_hash"]
    assert audit.row_hash({**r, "username": "user9"}, r["prev_hash"]) != r["row_hash"]
    result = _cli(app_url)
    assert result.returncode == 0, result.stderr
    assert "intact: 10 rows" in result.stdout


def _tamper(url: str, sql: str) -> None:
    """Change the log behind the application's back (a DBA; on PostgreSQL with the trigger
    switched off)."""
    eng = engine(url)
    with eng.begin() as conn:
        if eng.dialect.name == "postgresql":
            conn.execute(sa.text("alter table app.audit_log disable trigger user"))
            conn.execute(sa.text(sql.replace("audit_log", "app.audit_log")))
            conn.execute(sa.text("alter table app.audit_log enable trigger user"))
        else:
            conn.execute(sa.text(sql))


FORGED = (
    "insert into audit_log (id, at, username, role, county_code, client, event, result,"
    " detail, prev_hash, row_hash) select 11, at, 'mallory', role, county_code, client,"
    " event, result, detail, row_hash, row_hash from audit_log where id = 10"
)


@pytest.mark.parametrize(
    ("sql", "bad_id", "words"),
    [
        ("update audit_log set result = 'refused' where id = 4", 4, "changed"),
        ("update audit_log set detail = '{}' where id = 10", 10, "changed"),
        ("delete from audit_log where id = 6", 7, "6..6"),
        ("delete from audit_log where id in (3, 4)", 5, "3..4"),
        ("delete from audit_log where id = 1", 2, "1..1"),
        ("update audit_log set id = 20 where id = 10", 20, "does not follow"),
        (FORGED, 11, "forged"),
    ],
    ids=[
        "changed",
        "changed-last",
        "deleted",
        "two-deleted",
        "first-deleted",
        "renumbered",
        "inserted",
    ],
)
def test_verify_names_the_row_tampered_with(sqlite_url, monkeypatch, sql, bad_id, words) -> None:
    _fill(engine(sqlite_url))
    _tamper(sqlite_url, sql)
    verdict = audit.verify(engine(sqlite_url))
    assert not verdict.ok and verdict.bad_id == bad_id, verdict
    assert words in verdict.message
    code, output = _cli_here(sqlite_url, monkeypatch)
    assert code == 1
    assert f"row {bad_id}:" in output and words in output


@pytest.mark.parametrize(
    ("sql", "bad_id"),
    [
        ("update audit_log set username = 'x' where id = 4", 4),
        ("delete from audit_log where id = 6", 7),
    ],
)
def test_verify_names_the_row_tampered_with_on_postgres(pg_url, sql, bad_id) -> None:
    _fill(engine(pg_url))
    _tamper(pg_url, sql)
    result = _cli(pg_url)
    assert result.returncode == 1
    assert f"row {bad_id}:" in result.stdout, result.stdout


def test_a_rehashed_change_is_still_found(sqlite_url) -> None:
    """Someone who changes a row and recomputes its hash breaks the link to the next row."""
    eng = engine(sqlite_url)
    _fill(eng)
    with eng.begin() as conn:
        row = dict(conn.execute(sa.text("select * from audit_log where id = 5")).mappings().one())
        row["username"] = "someone-else"
        new = audit.row_hash(row, row["prev_hash"])
        conn.execute(
            sa.text("update audit_log set username = :u, row_hash = :h where id = 5"),
            {"u": row["username"], "h": new},
        )
    verdict = audit.verify(eng)
    assert not verdict.ok and verdict.bad_id == 6
    assert "row 5 rewritten" in verdict.message


def test_two_processes_writing_at_once_keep_one_chain(app_url) -> None:
    """Four writers (2 processes x 2 threads) at the same moment: one unbroken chain."""
    engine(app_url)  # tables created before the writers race
    n = 25
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, app_url, str(n), f"p{p}"]) for p in range(2)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    verdict = audit.verify(engine(app_url))
    assert verdict.ok and verdict.rows == 4 * n, verdict


def test_record_fails_loudly(tmp_path) -> None:
    """An audit row that cannot be written stops the action it records."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    eng = engine(url)
    with eng.begin() as conn:
        conn.execute(sa.text("drop table audit_log"))
    with pytest.raises(audit.EldercareError, match="cannot write the unmask event"):
        audit.record(
            "unmask", username="u", role="r", county_code=None, client=None, result="success",
            engine=eng,
        )  # fmt: skip


# -- PostgreSQL: the application cannot change the log ------------------------------------------
@pytest.mark.parametrize(
    "sql",
    [
        "update app.audit_log set result = 'x' where id = 2",
        "delete from app.audit_log where id = 2",
        "truncate app.audit_log",
    ],
)
def test_postgres_trigger_refuses_change(pg_url, sql) -> None:
    eng = engine(pg_url)
    _fill(eng, 3)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), eng.begin() as conn:
        conn.execute(sa.text(sql))  # as the superuser: the trigger holds even here
    assert audit.verify(eng).rows == 3


def test_postgres_application_role_appends_only(pg_url) -> None:
    """The role set up as docs/security.md says records and reads, but can neither change a
    row nor switch the trigger off."""
    eng = engine(pg_url)
    role = f"eldercare_app_{uuid.uuid4().hex[:8]}"
    with eng.begin() as conn:
        conn.execute(sa.text(f"create role {role} login"))
        for statement in audit.pg_grants(role):
            conn.execute(sa.text(statement))
    try:
        as_app = sa.create_engine(
            engine(pg_url).url.set(username=role),
            execution_options={"schema_translate_map": {None: "app"}},
        )
        _fill(as_app, 3)
        assert audit.verify(as_app).ok
        for sql in (
            "update app.audit_log set result = 'x'",
            "delete from app.audit_log",
            "alter table app.audit_log disable trigger user",
        ):
            with (
                pytest.raises(sa.exc.DBAPIError, match="permission denied|must be owner"),
                as_app.begin() as conn,
            ):
                conn.execute(sa.text(sql))
        as_app.dispose()
    finally:
        with eng.begin() as conn:
            conn.execute(sa.text(f"drop owned by {role}"))
            conn.execute(sa.text(f"drop role {role}"))
