"""First review of public texts (seed 000 §1.3): dish names and organisation texts scanned for
sensitive wording; every hit goes to ``quality.text_review`` for a human second review.

The word list is ``seeds/sensitive_words.csv`` (word, category, legal basis). Matching is
Aho-Corasick (pyahocorasick): one pass per text whatever the number of words, and overlapping
hits all reported ("包治百病" gives both 包治 and 包治百病), so the reviewer sees every reason.
``position`` is the 0-based character offset of the hit in ``text``.

Only the public text columns are read, streamed in batches; personal columns are never selected.
A re-scan keeps the ``reviewed`` flag of hits that are still there and drops hits whose text has
changed, so human work is not lost.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import ahocorasick
import pyarrow as pa

from eldercare.errors import EldercareError
from eldercare.settings import REPO_ROOT
from eldercare.warehouse import Warehouse, WarehouseConnection, ident
from quality.gx_runtime import existing_warehouse

WORDS_CSV = REPO_ROOT / "seeds" / "sensitive_words.csv"

# Public text fields per raw table. Fields absent from the table are skipped: the legacy
# contract has no organisation description yet, a vendor dump with one gets it scanned.
# (medical_condition is a dictionary code, not free text.)
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "yl_canteen_dish": ("dish_name",),
    "yl_org": ("org_name", "description"),
}

REVIEW_SCHEMA = "quality"
REVIEW_TABLE = "text_review"
# A hit is identified by all of these: a changed text or category makes it a new hit to review.
_KEY_COLUMNS = (
    "source_table",
    "source_key",
    "field",
    "text",
    "matched_word",
    "category",
    "position",
)
_REVIEW_DDL = (
    "source_table text not null, source_key text not null, field text not null,"
    " text text not null, matched_word text not null, category text not null,"
    " position integer not null, reviewed boolean not null default false"
)


@dataclass(frozen=True)
class Hit:
    source_table: str
    source_key: str
    field: str
    text: str
    matched_word: str
    category: str
    position: int


def load_words(path: Path = WORDS_CSV) -> dict[str, str]:
    """word -> category, from the seed list; a malformed row is a one-line error."""
    words: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row_no, row in enumerate(csv.DictReader(f), start=2):
            word, category = (row.get("word") or "").strip(), (row.get("category") or "").strip()
            if not word or not category:
                raise EldercareError(f"{path}: row {row_no}: word and category are required")
            if word in words:
                raise EldercareError(f"{path}: row {row_no}: duplicate word {word!r}")
            words[word] = category
    return words


def build_automaton(words: dict[str, str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word, category in words.items():
        automaton.add_word(word, (word, category))
    automaton.make_automaton()
    return automaton


def scan_text(automaton: ahocorasick.Automaton, text: str) -> Iterator[tuple[int, str, str]]:
    """(position, word, category) for every occurrence, overlapping ones included."""
    for end, (word, category) in automaton.iter(text):
        yield end - len(word) + 1, word, category


def scan_rows(
    automaton: ahocorasick.Automaton,
    table: str,
    fields: Iterable[str],
    rows: Iterable[tuple[str, ...]],
) -> Iterator[Hit]:
    """Hits in rows of (source_key, *field values)."""
    fields = tuple(fields)
    for key, *values in rows:
        for field, text in zip(fields, values, strict=True):
            if not text:
                continue
            for position, word, category in scan_text(automaton, text):
                yield Hit(table, key, field, text, word, category, position)


def _stream(
    conn: WarehouseConnection, sql: str, batch_rows: int
) -> Iterator[list[tuple[str, ...]]]:
    """Rows of ``sql`` in batches, without materialising the table in Python."""
    if conn.postgres:  # a server-side cursor; psycopg would otherwise fetch everything
        with conn.raw.transaction(), conn.raw.cursor(name="eldercare_text_review") as cur:
            cur.execute(sql)
            while batch := cur.fetchmany(batch_rows):
                yield batch
        return
    result = conn.raw.execute(sql)  # DuckDB streams the result chunk by chunk
    while batch := result.fetchmany(batch_rows):
        yield batch


def _write(conn: WarehouseConnection, hits: list[Hit]) -> None:
    target = f"{REVIEW_SCHEMA}.{REVIEW_TABLE}"
    scan = f"{REVIEW_SCHEMA}.{REVIEW_TABLE}_scan"
    conn.execute(f"create schema if not exists {REVIEW_SCHEMA}")
    conn.execute(f"create table if not exists {target} ({_REVIEW_DDL})")
    conn.execute(f"drop table if exists {scan}")
    conn.execute(f"create table {scan} ({_REVIEW_DDL})")
    columns = _KEY_COLUMNS
    data = pa.table(
        {
            c: pa.array(
                [getattr(h, c) for h in hits], pa.int32() if c == "position" else pa.string()
            )
            for c in columns
        }
    )
    conn.insert_arrow(REVIEW_SCHEMA, f"{REVIEW_TABLE}_scan", data)
    same = " and ".join(f"t.{c} = s.{c}" for c in _KEY_COLUMNS)
    cols = ", ".join(columns)
    with conn.transaction():
        conn.execute(
            f"delete from {target} t where not exists (select 1 from {scan} s where {same})"
        )
        conn.execute(
            f"insert into {target} ({cols}) select {cols} from {scan} s"
            f" where not exists (select 1 from {target} t where {same})"
        )
    conn.execute(f"drop table {scan}")


def review_public_texts(
    warehouse_target: str | Path,
    *,
    fields: dict[str, tuple[str, ...]] | None = None,
    words_csv: Path = WORDS_CSV,
    batch_rows: int = 50_000,
) -> Counter[str]:
    """Scan the public text fields of the raw tables and refresh ``quality.text_review``.

    Returns the number of hits per category found by this scan.
    """
    automaton = build_automaton(load_words(words_csv))
    hits: list[Hit] = []
    warehouse = Warehouse(existing_warehouse(warehouse_target))
    with warehouse.connect() as conn:
        for table, wanted in (fields or TEXT_FIELDS).items():
            if not conn.table_exists("raw", table):
                raise EldercareError(f"quality: text review needs raw.{table}, which is missing")
            present = set(conn.columns("raw", table))
            cols = [ident(c) for c in wanted if c in present]
            if not cols:
                continue
            sql = f"select source_key, {', '.join(cols)} from raw.{ident(table)}"
            for batch in _stream(conn, sql, batch_rows):
                hits.extend(scan_rows(automaton, table, cols, batch))
        _write(conn, hits)
    return Counter(h.category for h in hits)
