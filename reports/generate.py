"""Generate a report: draft it from the marts with the analysts' latest comments, render it to
.docx and .pdf, write both to a folder and keep them in the application database."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from eldercare.appdb import engine
from eldercare.errors import EldercareError
from eldercare.settings import get_settings
from eldercare.warehouse import Warehouse, WarehouseConnection
from reports import draft, render, store


@dataclass
class Generated:
    docx_path: Path
    pdf_path: Path
    file_id: int
    seconds: float


# The cockpit's DuckDB settings (cockpit/data/core.py): one process may open a file under one
# configuration only, and a report run from the cockpit shares the cockpit's process.
READ_ONLY_CONFIG = {"enable_external_access": False, "lock_configuration": True}


@contextlib.contextmanager
def read_only(target: str) -> Iterator[WarehouseConnection]:
    """A read-only connection: a report never writes, nor locks, the warehouse."""
    warehouse = Warehouse(target)
    if warehouse.postgres:
        with warehouse.connect() as conn:
            yield conn
        return
    import duckdb

    if not Path(target).is_file():
        raise EldercareError(f"report: warehouse file {target} does not exist")
    conn = WarehouseConnection(
        duckdb.connect(target, read_only=True, config=READ_ONLY_CONFIG), postgres=False
    )
    try:
        yield conn
    finally:
        conn.close()


def area_name(conn, county: str | None) -> str:
    if county is None:
        return "湛江市"
    name = conn.execute("select area_name from marts.dim_area where area_code = ?", (county,))
    if not name:
        raise EldercareError(f"report: county {county} is not in marts.dim_area")
    return name[0][0]


def generate(
    target: str, lo: dt.date, hi: dt.date, county: str | None, *, out_dir: Path,
    by: str, app_db: str | None = None,
) -> Generated:  # fmt: skip
    if hi < lo:
        raise EldercareError(f"report: --to {hi} is before --from {lo}")
    started = time.perf_counter()
    eng = engine(app_db or get_settings().app_db)
    key = store.report_key(lo, hi, county)
    with read_only(target) as conn:
        report = draft.build(
            conn, lo, hi, county, area_name(conn, county), store.comments(eng, key)
        )
    docx, pdf = render.to_docx(report), render.to_pdf(report)
    out_dir.mkdir(parents=True, exist_ok=True)
    docx_path, pdf_path = (
        out_dir / f"quality_report_{key}.docx",
        out_dir / f"quality_report_{key}.pdf",
    )
    docx_path.write_bytes(docx)
    pdf_path.write_bytes(pdf)
    file_id = store.save_files(eng, lo, hi, county, docx, pdf, by)
    return Generated(docx_path, pdf_path, file_id, time.perf_counter() - started)
