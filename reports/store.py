"""Analysts' comments per report section and the generated files, in the application database
(``appdb.report_comments``, ``appdb.report_files``). Comments are append-only (who and when
kept); the latest per section is the one a regenerated report includes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from eldercare.appdb import report_comments, report_files
from eldercare.errors import EldercareError
from reports.content import SECTIONS


def report_key(lo: dt.date, hi: dt.date, county: str | None) -> str:
    return f"{lo.isoformat()}_{hi.isoformat()}_{county or 'city'}"


def save_comment(eng: sa.Engine, key: str, section: str, text: str, by: str) -> None:
    if section not in SECTIONS:
        raise EldercareError(f"report comment: unknown section {section!r}")
    with eng.begin() as conn:
        conn.execute(report_comments.insert().values(
            report_key=key, section=section, text=text.strip(), written_by=by,
            written_at=dt.datetime.now().replace(microsecond=0)))  # fmt: skip


def comments(eng: sa.Engine, key: str) -> dict[str, str]:
    t = report_comments
    q = sa.select(t.c.section, t.c.text).where(t.c.report_key == key).order_by(t.c.id)
    with eng.connect() as conn:
        return {section: text for section, text in conn.execute(q)}


def save_files(eng, lo, hi, county, docx: bytes, pdf: bytes, by: str) -> int:
    with eng.begin() as conn:
        result = conn.execute(report_files.insert().values(
            report_key=report_key(lo, hi, county), date_from=lo, date_to=hi, county_code=county,
            docx=docx, pdf=pdf, created_by=by, created_at=dt.datetime.now().replace(microsecond=0)))  # fmt: skip
        return int(result.inserted_primary_key[0])


def list_files(eng: sa.Engine, county: str | None) -> pd.DataFrame:
    """Generated reports, newest first: a county viewer sees only their county's reports."""
    t = report_files
    q = sa.select(
        t.c.id, t.c.date_from, t.c.date_to, t.c.county_code, t.c.created_by, t.c.created_at
    )
    if county:
        q = q.where(t.c.county_code == county)
    with eng.connect() as conn:
        rows = conn.execute(q.order_by(t.c.id.desc())).fetchall()
    return pd.DataFrame(
        rows, columns=["id", "date_from", "date_to", "county_code", "created_by", "created_at"]
    )


def file_bytes(eng: sa.Engine, file_id: int, kind: str, county: str | None) -> bytes:
    """One generated file; a county viewer cannot fetch another county's or the city's."""
    t = report_files
    q = sa.select(t.c.docx if kind == "docx" else t.c.pdf, t.c.county_code).where(t.c.id == file_id)
    with eng.connect() as conn:
        row = conn.execute(q).first()
    if row is None or (county and row[1] != county):
        raise EldercareError(f"report {file_id}: not found")
    return row[0]
