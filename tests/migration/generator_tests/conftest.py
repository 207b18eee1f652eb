"""The generator's own tiny dataset (scale tiny, seed 7), generated once per session.

tests/migration/conftest.py may override ``tiny_legacy`` for the migration tests, so the
generator tests use their own fixture built with the real generator.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from migration.generator import generate


@dataclass(frozen=True)
class Generated:
    url: str
    db_path: Path
    exports_dir: Path
    truth_dir: Path
    rows: dict[str, int]

    def sql(self, query: str) -> pd.DataFrame:
        with sqlite3.connect(self.db_path) as conn:
            return pd.read_sql_query(query, conn)

    def truth(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.truth_dir / f"{name}.parquet")


def make(root: Path, seed: int = 7) -> Generated:
    db = root / "legacy.db"
    s = generate("tiny", seed, f"sqlite:///{db}", root / "exports", root / "truth")
    return Generated(f"sqlite:///{db}", db, root / "exports", root / "truth", s.rows)


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Generated:
    return make(tmp_path_factory.mktemp("generated"))


@pytest.fixture(scope="session")
def make_tiny():
    """Generate another tiny dataset: make_tiny(folder, seed)."""
    return make
