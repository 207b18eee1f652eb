"""District exports (机构运营月报_YYYYMM.xlsx / .csv) into ``raw.district_monthly_report``.

Files are small, so each is read whole, checked, and either kept entirely or rejected entirely
with one clear error naming the file and the column or row (a half-read file would be a silent
loss). A rejected file is recorded in ``audit.file_errors``; the other files go on.

* CSV encodings: UTF-8 with or without BOM, else GB18030 (a superset of GBK and GB2312).
* Layout: title or note rows, the header row (the first row holding the most column names,
  however far down), data rows, and a 合计/总计 (total) row that is skipped. A row is a total
  only when it names no organisation (no credit code and no name beyond the word) or its
  numbers are the sums of the rows above: an institution called 合计… is data.
* Columns: exactly the Chinese headers of ``DISTRICT_REPORT_COLUMNS``, in any order, plus an
  optional 序号 (row number) column, which is not landed (``source_row`` says the same).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pyarrow as pa

from eldercare.errors import EldercareError
from migration.legacy_schema import DISTRICT_REPORT_COLUMNS, DISTRICT_REPORT_PREFIX

TABLE = "district_monthly_report"
HEADERS = list(DISTRICT_REPORT_COLUMNS)
VALUE_COLUMNS = list(DISTRICT_REPORT_COLUMNS.values())
COLUMNS = [
    *VALUE_COLUMNS,
    "report_month",
    "source_file",
    "source_row",
    "source_table",
    "source_key",
    "row_hash",
]
# 机构运营月报_YYYYMM[_<district>].xlsx|csv: districts add their name after the month, and
# people type spaces, dots, colons or "(1)" into it; anything but a digit may follow the month.
_NAME = re.compile(
    rf"^{DISTRICT_REPORT_PREFIX.rstrip('_')}[_\s]*(\d{{4}})(\d{{2}})(?:\D[^/\\]*)?\.(xlsx|csv)$",
    re.IGNORECASE,
)
_TOTAL_WORDS = ("合计", "总计")
_BARE_TOTAL = re.compile(r"(合计|总计)[\s:：]*")
# Columns some districts add that carry nothing the row number does not (source_row keeps it).
_IGNORED_HEADERS = ("序号",)
_NUMERIC = ("residents", "approved_beds", "actual_beds", "staff", "caregivers")
_NUMERIC += ("certified_caregivers", "activities")
_NUMBER = re.compile(r"\s*(-?\d+(?:\.\d+)?)")


class FileError(EldercareError):
    """A district file that cannot be landed; the message names the file and the reason."""


@dataclass(frozen=True)
class ExportFile:
    path: Path
    rows: pa.Table


def discover(folder: Path) -> list[Path]:
    """Every regular, non-hidden file of the folder (not only good names: a stray file is reported)."""
    if not folder.is_dir():
        raise EldercareError(f"exports folder not found: {folder}")
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))


def read_export(path: Path) -> ExportFile:
    """Read one export file into the raw columns, or raise FileError."""
    name = path.name
    match = _NAME.match(name)
    if not match:
        raise FileError(
            f"{name}: file name is not {DISTRICT_REPORT_PREFIX}YYYYMM[_district].xlsx or .csv"
        )
    year, month, ext = match.groups()
    if not 1 <= int(month) <= 12:
        raise FileError(f"{name}: month {month} in the file name is not a month")
    if path.stat().st_size == 0:
        raise FileError(f"{name}: empty file")
    rows = _xlsx_rows(path) if ext.lower() == "xlsx" else _csv_rows(path)
    header_at = _find_header(name, rows)
    header = [_cell_text(c).strip() if c is not None else "" for c in rows[header_at][1]]
    while header and header[-1] == "":
        header.pop()
    _check_header(name, header)
    positions = [header.index(h) for h in HEADERS]
    out: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    sums = _Sums()
    for row_no, cells in rows[header_at + 1 :]:
        values = [_cell_text(c) for c in cells]
        if all(v is None or v.strip() == "" for v in values):
            continue
        if _is_total_row(values, positions, sums):
            continue
        if len(values) < len(header):
            raise FileError(
                f"{name} row {row_no}: {len(values)} fields, expected {len(header)} (truncated?)"
            )
        if any(v not in (None, "") for v in values[len(header) :]):
            raise FileError(f"{name} row {row_no}: values beyond the last column")
        picked = [values[i] for i in positions]
        sums.add(picked)
        for col, value in zip(VALUE_COLUMNS, picked, strict=True):
            out[col].append(value)
        out["report_month"].append(f"{year}-{month}")
        out["source_file"].append(name)
        out["source_row"].append(str(row_no))
        out["source_table"].append(TABLE)
        out["source_key"].append(f"{name}:{row_no}")
        out["row_hash"].append(row_hash(picked))
    table = pa.table({c: pa.array(v, type=pa.string()) for c, v in out.items()})
    return ExportFile(path, table)


def row_hash(values: list[str | None]) -> str:
    """Same formula as the landing transform: md5 of the values joined by chr(31), NULL chr(30)."""
    joined = "\x1f".join("\x1e" if v is None else v for v in values)
    return hashlib.md5(joined.encode()).hexdigest()


class _Sums:
    """Running sums of the numeric columns over the data rows read so far."""

    def __init__(self) -> None:
        self.rows = 0
        self.totals = [0.0] * len(_NUMERIC)
        self._at = [VALUE_COLUMNS.index(c) for c in _NUMERIC]

    def add(self, picked: list[str | None]) -> None:
        self.rows += 1
        for k, i in enumerate(self._at):
            self.totals[k] += _number(picked[i]) or 0.0

    def match(self, picked: list[str | None]) -> bool:
        """Every numeric cell given equals the sum above it (at least one given)."""
        numbers = [_number(picked[i]) for i in self._at]
        given = [(n, t) for n, t in zip(numbers, self.totals, strict=True) if n is not None]
        return self.rows > 0 and bool(given) and all(abs(n - t) < 1e-9 for n, t in given)


def _number(text: str | None) -> float | None:
    match = _NUMBER.match(text or "")
    return float(match.group(1)) if match else None


def _is_total_row(values: list[str | None], positions: list[int], sums: _Sums) -> bool:
    """A 合计/总计 row, told from an institution whose name starts with those words: it names
    no organisation (no credit code, and no name beyond the word itself), or its numbers are
    the sums of the rows above it."""
    first = next(v.strip() for v in values if v is not None and v.strip())
    if not first.startswith(_TOTAL_WORDS):
        return False
    picked = [values[i] if i < len(values) else None for i in positions]
    name, credit = (picked[VALUE_COLUMNS.index(c)] for c in ("org_name", "credit_code"))
    if credit is not None and credit.strip():
        return False
    if name is None or not name.strip() or _BARE_TOTAL.fullmatch(name.strip()):
        return True
    return sums.match(picked)


def _find_header(name: str, rows: list[tuple[int, list[Any]]]) -> int:
    """The first row holding the most column names (titles and notes may come before it)."""
    best, best_hits = -1, 0
    for i, (_, cells) in enumerate(rows):
        texts = {_cell_text(c).strip() for c in cells if c is not None}
        hits = len(texts & set(HEADERS))
        if hits > best_hits:
            best, best_hits = i, hits
    if best < 0 or best_hits < len(HEADERS) // 2:
        raise FileError(f"{name}: no header row with the columns {', '.join(HEADERS[:3])}, ...")
    return best


def _check_header(name: str, header: list[str]) -> None:
    missing = [h for h in HEADERS if h not in header]
    extra = [h for h in header if h not in DISTRICT_REPORT_COLUMNS and h not in _IGNORED_HEADERS]
    dupes = sorted({h for h in header if header.count(h) > 1})
    problems = []
    if missing:
        problems.append(f"missing column {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected column {', '.join(h or '(blank)' for h in extra)}")
    if dupes:
        problems.append(f"repeated column {', '.join(dupes)}")
    if problems:
        raise FileError(f"{name}: {'; '.join(problems)}")


def decode(name: str, data: bytes) -> str:
    """UTF-8 (BOM optional) or GB18030; anything else is an error naming the file."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(f"{name}: UTF-16 text; expected UTF-8 or GB18030/GBK")
    else:
        encodings = ["utf-8", "gb18030"]
    if b"\x00" in data:
        raise FileError(f"{name}: binary content (NUL bytes); expected UTF-8 or GB18030/GBK text")
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError as exc:
            error = exc
    raise FileError(
        f"{name}: not UTF-8 or GB18030/GBK text (undecodable byte at offset {error.start})"
    )


def _csv_rows(path: Path) -> list[tuple[int, list[Any]]]:
    text = decode(path.name, path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = [(reader.line_num, [v if v != "" else None for v in row]) for row in reader]
    except csv.Error as exc:
        raise FileError(f"{path.name} line {reader.line_num}: broken CSV ({exc})") from exc
    if not rows:
        raise FileError(f"{path.name}: no rows")
    return rows


def _xlsx_rows(path: Path) -> list[tuple[int, list[Any]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise FileError(
            f"{path.name}: not a readable .xlsx workbook ({type(exc).__name__})"
        ) from exc
    try:
        if len(book.sheetnames) != 1:
            raise FileError(
                f"{path.name}: {len(book.sheetnames)} sheets ({', '.join(book.sheetnames)});"
                " expected one"
            )
        sheet = book.worksheets[0]
        rows = [(i, list(r)) for i, r in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()
    if not rows:
        raise FileError(f"{path.name}: the sheet is empty")
    return rows


def _cell_text(value: Any) -> str | None:
    """A cell as text: numbers as written, datetimes as 'YYYY-MM-DD HH:MM:SS'."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores every number as a double; 12.0 was typed as 12
    return str(value)


@dataclass
class ExportsOutcome:
    files: int
    rows: int
    errors: list[str]
    reconciliation: Any  # migration.reconcile.Reconciliation
    kept: str | None = None  # earlier rows kept, and why (a warning line)

    @property
    def ok(self) -> bool:
        return self.reconciliation.ok


def land_exports(folder: Path, warehouse: Any, run_id: str, *, log: Any = print) -> ExportsOutcome:
    """Replace raw.district_monthly_report with every readable file; record the others.

    Nothing is lost to a bad delivery: the earlier rows of a file rejected now stay (a broken
    re-export must not erase the month it replaces), and a folder with no readable file at all
    (empty, wrong path, everything rejected) changes nothing. Only files that vanished from a
    folder that still holds readable ones lose their rows: the folder is the truth.
    """
    from eldercare.warehouse import key_checksum
    from migration import reconcile

    good: list[pa.Table] = []
    # (file name, error): the name is kept apart, never parsed back out of the message (a
    # name may itself hold ':' or ' row ').
    errors: list[tuple[str, str]] = []
    for path in discover(Path(folder)):
        try:
            good.append(read_export(path).rows)
        except FileError as exc:
            errors.append((path.name, str(exc)))
            log(f"district file rejected: {exc}")
    data = (
        pa.concat_tables(good)
        if good
        else pa.table({c: pa.array([], pa.string()) for c in COLUMNS})
    )
    keys_checksum = key_checksum(data.column("source_key").to_pylist())
    loaded_at = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
    data = data.append_column("run_id", pa.array([run_id] * data.num_rows, pa.string()))
    data = data.append_column("loaded_at", pa.array([loaded_at] * data.num_rows, pa.string()))
    rejected = sorted(name for name, _ in errors)
    with warehouse.connect() as conn:
        warehouse.ensure_schemas(conn)
        reconcile.ensure_audit_tables(conn)
        conn.create_text_table("raw", TABLE, data.schema.names)
        with conn.transaction():
            if good:
                marks = ", ".join("?" for _ in rejected)
                keep = f" where source_file not in ({marks})" if rejected else ""
                conn.execute(f"delete from raw.{TABLE}{keep}", tuple(rejected))
            kept = int(conn.execute(f"select count(*) from raw.{TABLE}")[0][0])
            conn.insert_arrow("raw", TABLE, data)
            # This run's rows against the files read; the kept rows were reconciled when landed.
            this_run = f"where run_id = '{run_id}'"
            rows, _, checksum = reconcile.landed_stats(
                conn, "raw", TABLE, has_del_flag=False, where=this_run
            )
            note = _kept_note(Path(folder), bool(good), len(errors), kept)
            rec = reconcile.Reconciliation(
                TABLE, data.num_rows, rows, 0, keys_checksum, checksum, note=note
            )
            reconcile.record(conn, rec, run_id)
            for name, error in errors:
                reconcile.record_file_error(conn, TABLE, name, error, run_id)
    log(f"{TABLE}: {len(good)} files, {data.num_rows} rows landed, {len(errors)} files rejected")
    if note:
        log(f"{TABLE}: {note}")
    messages = [error for _, error in errors]
    return ExportsOutcome(len(good) + len(errors), data.num_rows, messages, rec, note)


def _kept_note(folder: Path, any_good: bool, rejected: int, kept: int) -> str | None:
    if not any_good:
        why = f"{rejected} files rejected" if rejected else "the folder holds no file"
        return f"no readable export in {folder} ({why}); raw keeps {kept} rows of earlier runs"
    if kept:
        return f"raw keeps {kept} rows that rejected files had landed in earlier runs"
    return None
