"""Helpers the data modules share: SQL fragments for numbers shown in tables (rounded the same
way on both engines: PostgreSQL rounds only numerics to a number of places), and complete day
series for daily charts."""

from __future__ import annotations

import datetime as dt

import pandas as pd


def rounded(expr: str, places: int = 1) -> str:
    """``expr`` rounded to ``places`` decimals, as a double on DuckDB and PostgreSQL."""
    return f"cast(round(cast({expr} as numeric(38, 10)), {places}) as double precision)"


def percent(expr: str, places: int = 1) -> str:
    """A 0–1 ratio as a percentage (0–100) rounded to ``places`` decimals."""
    return rounded(f"100.0 * ({expr})", places)


def every_day(df: pd.DataFrame, column: str, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Daily counts with the days that had none added as zeros (SQL returns only days with
    rows), so a line chart does not bridge quiet days."""
    days = pd.DataFrame({column: pd.date_range(first, last, freq="D").date})
    counts = df.assign(**{column: pd.to_datetime(df[column]).dt.date})
    merged = days.merge(counts, on=column, how="left")
    return merged.fillna(0).astype({c: int for c in df.columns if c != column})
