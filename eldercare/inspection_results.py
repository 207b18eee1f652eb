"""Results of the daily inspection sampling, recorded by inspectors in the cockpit.

Append-only in the application database (``appdb.inspection_results``): every save is a new
row with who and when, so the table is its own audit trail; the latest row of a (day,
organisation, check item) is the result. The quality score reads them as guidance-centre items
(``models/quality_inputs.py``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from eldercare.appdb import engine, inspection_results
from eldercare.errors import EldercareError

RESULTS = ("合格", "不合格", "无法核实")
COLUMNS = ("plan_date", "org_code", "check_item", "result", "deduction", "note",
           "recorded_by", "recorded_at")  # fmt: skip


def record(
    eng: sa.Engine,
    plan_date: dt.date,
    org_code: str,
    county_code: str | None,
    check_item: str,
    result: str,
    by: str,
    deduction: float | None = None,
    note: str | None = None,
) -> None:
    if result not in RESULTS:
        raise EldercareError(f"inspection result {result!r}: expected one of {RESULTS}")
    if deduction is not None and not 0 <= deduction <= 10:
        raise EldercareError(f"inspection deduction {deduction}: expected 0-10 points")
    with eng.begin() as conn:
        conn.execute(
            inspection_results.insert().values(
                plan_date=plan_date, org_code=org_code, county_code=county_code,
                check_item=check_item, result=result, deduction=deduction, note=note or None,
                recorded_by=by, recorded_at=dt.datetime.now().replace(microsecond=0),
            )
        )  # fmt: skip


def latest(
    eng: sa.Engine, first: dt.date | None = None, last: dt.date | None = None,
    county_code: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The current result of every (day, organisation, item), optionally for days and a county."""
    t = inspection_results
    q = sa.select(*(t.c[c] for c in COLUMNS), t.c.id)
    if first:
        q = q.where(t.c.plan_date >= first)
    if last:
        q = q.where(t.c.plan_date <= last)
    if county_code:
        q = q.where(t.c.county_code == county_code)
    with eng.connect() as conn:
        df = pd.DataFrame(conn.execute(q).fetchall(), columns=[*COLUMNS, "id"])
    if df.empty:
        return df.drop(columns="id")
    df = df.sort_values("id").drop_duplicates(["plan_date", "org_code", "check_item"], keep="last")
    return df.drop(columns="id").reset_index(drop=True)


def history(eng: sa.Engine, plan_date: dt.date, org_code: str) -> pd.DataFrame:
    """Every save for one organisation's day, newest first (the audit view)."""
    t = inspection_results
    q = (
        sa.select(*(t.c[c] for c in COLUMNS))
        .where(t.c.plan_date == plan_date, t.c.org_code == org_code)
        .order_by(t.c.id.desc())
    )
    with eng.connect() as conn:
        return pd.DataFrame(conn.execute(q).fetchall(), columns=list(COLUMNS))


def for_scoring(url: str) -> pd.DataFrame:
    """Current results for the score; none when the application database does not exist yet
    (a build must not create one as a side effect)."""
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return pd.DataFrame(columns=list(COLUMNS))
    return latest(engine(url))
