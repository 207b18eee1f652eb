"""One query interface over the two session builds (DuckDB and PostgreSQL), and the row-by-row
comparison of a table between them.

Comparison rule (written once, here): rows are compared as a multiset (order-independent), each
value normalised first:
  - integers, and decimals / doubles with an integral value below 2**53: the integer;
  - other decimals and doubles: rounded to 9 significant digits (the engines add up and divide
    in different orders, so the last bits differ);
  - timestamps: ISO text to the microsecond, time zones converted to UTC; dates: ISO text;
  - intervals: seconds; arrays: tuples of normalised values; text and booleans as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import psycopg

# Never printed in a failure (tiny data is synthetic, but the habit is the rule).
PERSONAL = re.compile(
    r"id_card|phone|address|^(elder_|staff_|guardian_)?name$|^filled_by$|^raw$", re.IGNORECASE
)


@dataclass(frozen=True)
class Engine:
    """A built warehouse: ``name`` is 'duckdb' or 'postgres', ``target`` a path or URL."""

    name: str
    target: str

    def query(self, sql: str) -> list[tuple]:
        if self.name == "duckdb":
            with duckdb.connect(self.target, read_only=True) as con:
                return con.execute(sql).fetchall()
        with psycopg.connect(self.target) as con:
            return con.execute(sql).fetchall()

    def one(self, sql: str) -> tuple:
        return self.query(sql)[0]

    def regex(self, expr: str, pattern: str, *, full: bool = False) -> str:
        """SQL that is true where ``expr`` matches ``pattern`` (a regex, partial or full)."""
        if full:
            pattern = f"^(?:{pattern})$" if self.name == "postgres" else pattern
        quoted = "'" + pattern.replace("'", "''") + "'"
        if self.name == "postgres":
            return f"({expr} ~ {quoted})"
        return f"regexp_{'full_match' if full else 'matches'}({expr}, {quoted})"

    def text_columns(self, schema: str, table: str) -> list[str]:
        return [
            c
            for c, t in self.columns(schema, table).items()
            if t.lower() in ("varchar", "text", "character varying")
        ]

    def columns(self, schema: str, table: str) -> dict[str, str]:
        return dict(
            self.query(
                "select column_name, data_type from information_schema.columns "
                f"where table_schema = '{schema}' and table_name = '{table}' "
                "order by ordinal_position"
            )
        )

    def tables(self, schema: str) -> list[str]:
        return sorted(
            t
            for (t,) in self.query(
                f"select table_name from information_schema.tables where table_schema = '{schema}'"
            )
        )


def normalise(value: object) -> object:
    """One value, by the rule in the module docstring."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        f = float(value)
        if f != f or f in (float("inf"), float("-inf")):
            return str(f)
        if f == int(f) and abs(f) < 2**53:
            return int(f)
        return float(f"{f:.9g}")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return normalise(value.total_seconds())
    if isinstance(value, list | tuple):
        return tuple(normalise(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, normalise(v)) for k, v in value.items()))
    return str(value)


def _shown(column: str, value: object) -> str:
    return "(personal data)" if PERSONAL.search(column) else repr(value)


def row_differences(
    columns: list[str],
    left: Iterable[tuple],
    right: Iterable[tuple],
    *,
    key: int | None = None,
    limit: int = 5,
) -> list[str]:
    """Readable differences between two row sets ([] when equal): the counts, then up to
    ``limit`` rows present on one side only, paired by their first ``key`` columns where those
    match (default: the leading text, date and time columns, else the first), naming the
    columns that differ."""
    a = Counter(tuple(normalise(v) for v in r) for r in left)
    b = Counter(tuple(normalise(v) for v in r) for r in right)
    only_a, only_b = a - b, b - a
    if not only_a and not only_b:
        return []
    out = [
        f"{sum(a.values())} vs {sum(b.values())} rows; "
        f"{sum(only_a.values())} only in the first, {sum(only_b.values())} only in the second"
    ]

    if key is None:
        first = next(iter(only_a or only_b))
        key = max(1, next((i for i, v in enumerate(first) if not isinstance(v, str)), len(first)))

    def named(row: tuple) -> str:
        return ", ".join(f"{c}={_shown(c, v)}" for c, v in zip(columns[:key], row, strict=False))

    by_key = {r[:key]: r for r in only_b.elements()}
    for row in list(only_a.elements())[:limit]:
        other = by_key.pop(row[:key], None)
        if other is None:
            out.append(f"{named(row)}: only in the first")
            continue
        cols = [
            f"{c}: {_shown(c, x)} vs {_shown(c, y)}"
            for c, x, y in zip(columns, row, other, strict=True)
            if x != y
        ]
        out.append(f"{named(row)}: " + "; ".join(cols))
    in_a = {r[:key] for r in only_a}
    alone = [r for r in only_b if r[:key] not in in_a]
    out += [f"{named(row)}: only in the second" for row in alone[:limit]]
    return out
