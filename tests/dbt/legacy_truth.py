"""Independent expectations for the mart tests: the legacy rows as the generator wrote them
(read straight from the SQLite file, not through the migration) and the generator's truth."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl
from dirt_rules import RULES


def legacy(db_path: Path, sql: str) -> list[tuple]:
    """Rows of the generated legacy SQLite database (read only)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as con:
        return con.execute(sql).fetchall()


def dirt(truth_dir: Path, kind: str) -> pl.DataFrame:
    """The truth's rows of one dirt kind; a kind the data lacks fails here, loudly."""
    rows = pl.read_parquet(truth_dir / "dirt.parquet").filter(pl.col("kind") == kind)
    assert len(rows), f"no {kind} dirt in the tiny data: the generator must inject some"
    return rows


def quarantined_keys(truth_dir: Path, table: str) -> set[str]:
    """Source keys of ``table`` that staging must quarantine, by the truth's dirt."""
    kinds = [k for k, r in RULES.items() if r.outcome == "quarantine"]
    rows = pl.read_parquet(truth_dir / "dirt.parquet").filter(
        (pl.col("table_name") == table) & pl.col("kind").is_in(kinds)
    )
    return set(rows["source_key"].to_list())


def person_of_elder(truth_dir: Path) -> dict[int, int]:
    """elder_id -> the real person's id, by the truth."""
    t = pl.read_parquet(truth_dir / "elders.parquet", columns=["elder_id", "person_id"])
    return dict(zip(t["elder_id"].to_list(), t["person_id"].to_list(), strict=True))
