"""The contract's tables in SQLite and MariaDB, determinism, and the command line."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from migration.generator import generate
from migration.legacy_schema import TABLES, primary_key

ELDERCARE = [sys.executable, "-c", "from eldercare.cli import main; main()"]


def _columns(url: str) -> dict[str, set[str]]:
    engine = sa.create_engine(url)
    insp = sa.inspect(engine)
    out = {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names()}
    engine.dispose()
    return out


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = {t: conn.execute(sa.text(f"select count(*) from {t}")).scalar() for t in TABLES}
    engine.dispose()
    return out


def test_every_contract_table_and_column_in_sqlite(generated):
    cols = _columns(generated.url)
    for name, table in TABLES.items():
        assert {c.name for c in table.columns} <= cols[name], name
    counts = _counts(generated.url)
    assert all(n > 0 for n in counts.values()), counts
    assert counts == generated.rows


@pytest.mark.mariadb
def test_same_tables_and_rows_in_mariadb(generated, mariadb_url):
    generate("tiny", 7, mariadb_url)
    cols = _columns(mariadb_url)
    for name, table in TABLES.items():
        assert {c.name for c in table.columns} <= cols[name], name
    assert _counts(mariadb_url) == generated.rows
    # same values too: compare one dirty table row by row
    engine = sa.create_engine(mariadb_url)
    with engine.connect() as conn:
        maria = conn.execute(
            sa.text("select elder_id, id_card, phone from yl_elder order by elder_id")
        ).all()
    engine.dispose()
    lite = generated.sql("select elder_id, id_card, phone from yl_elder order by elder_id")
    assert [tuple(r) for r in maria] == list(lite.itertuples(index=False, name=None))


def _digest(db: Path, folders: list[Path]) -> str:
    h = hashlib.sha256()
    with sqlite3.connect(db) as conn:
        for t in TABLES:
            for row in conn.execute(f"select * from {t} order by {primary_key(t)}"):
                h.update(repr(row).encode())
    for folder in folders:
        for f in sorted(folder.iterdir()):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes_other_seed_differs(generated, make_tiny, tmp_path):
    again = make_tiny(tmp_path / "again", seed=7)
    other = make_tiny(tmp_path / "other", seed=8)
    ref = _digest(generated.db_path, [generated.exports_dir, generated.truth_dir])
    assert _digest(again.db_path, [again.exports_dir, again.truth_dir]) == ref
    assert _digest(other.db_path, [other.exports_dir, other.truth_dir]) != ref


@pytest.mark.parametrize(
    "args, words",
    [
        (["--scale", "huge", "--to", "sqlite:///{tmp}/x.db"], "unknown scale"),
        (["--scale", "tiny", "--to", "mysql+pymysql://root@127.0.0.1:1/x"], "cannot create"),
        (["--scale", "tiny", "--to", "sqlite:////proc/nope/x.db"], "cannot create folder"),
        (
            ["--scale", "tiny", "--to", "sqlite:///{tmp}/x.db", "--exports", "/proc/nope"],
            "not writable",
        ),
        (["--scale", "tiny", "--to", "oracle://u@h/x"], "only sqlite"),
        (["--scale", "tiny", "--to", "mysql://root@127.0.0.1/x"], "driver missing"),
        (["--scale", "tiny", "--to", "not a url"], "not a database URL"),
        (["--scale", "tiny", "--to", "sqlite:///{tmp}/x.db", "--rate", "nope=0.1"], "unknown dirt"),
    ],
)
def test_bad_arguments_one_clear_line(args, words, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    r = subprocess.run([*ELDERCARE, "generate", *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and words in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_cli_makes_folders_and_prints_summary(tmp_path):
    db = tmp_path / "deep" / "down" / "legacy.db"
    r = subprocess.run(
        [*ELDERCARE, "generate", "--scale", "tiny", "--seed", "1", "--to", f"sqlite:///{db}",
         "--truth", str(tmp_path / "t" / "truth")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert db.exists() and (tmp_path / "t" / "truth" / "elders.parquet").exists()
    assert "yl_work_order" in r.stdout and "generated scale tiny seed 1" in r.stdout


def test_rates_are_configurable(tmp_path):
    db = tmp_path / "legacy.db"
    generate(
        "tiny", 7, f"sqlite:///{db}", truth_dir=tmp_path / "truth",
        rates={"sex_label": 0.5, "reused_photo": 0.0},
    )  # fmt: skip
    with sqlite3.connect(db) as conn:
        sex = [r[0] for r in conn.execute("select sex from yl_elder")]
        photos = [r[0] for r in conn.execute("select photo_before from yl_work_order")]
    labels = sum(s in ("男", "女") for s in sex) / len(sex)
    assert 0.4 < labels < 0.55
    real = [p for p in photos if p is not None]
    assert len(set(real)) == len(real)
    cfg = json.loads((tmp_path / "truth" / "config.json").read_text(encoding="utf-8"))
    assert cfg["dirt"]["sex_label"] == 0.5 and cfg["fraud"]["reused_photo"] == 0.0
