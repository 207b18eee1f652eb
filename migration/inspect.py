"""``eldercare inspect``: a dry run of the migration that reads the sources and writes nothing.

Per legacy table: row count, columns missing and extra against the contract, the key column
(or its documented fallback), key type and uniqueness, date and number formats seen, coordinate
systems, dictionary values not in any dictionary, and an estimate of rows the build would
quarantine. The verdict is what ``build`` would do with the same sources: the same rules
(``migration.contract``) decide.

Cost: row counts, key checks and (for tables up to ``FULL_SCAN_ROWS``) dictionary and
coordinate-system counts are full scans done by the source database; formats are read from
the first ``SAMPLE_ROWS`` rows of each table (every value's format would mean reading 35 M rows
at city scale). Each entry says whether it was counted or sampled.
"""

from __future__ import annotations

import csv
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from eldercare.errors import EldercareError
from migration import district_exports
from migration.contract import key_column
from migration.legacy_schema import PARTITIONED_TABLES, TABLES
from migration.readers import LegacySource

SAMPLE_ROWS = 20_000
FULL_SCAN_ROWS = 5_000_000
ROOT = Path(__file__).resolve().parents[1]
_TEXT_TIMES = {"birthday", "death_date", "measure_time"}
_NUMBER_TEXT = {"amount", "subsidy_amount", "self_pay_amount", "price", "item_value"}
_D = "[0-9]"
DATE_FORMATS: list[tuple[str, re.Pattern]] = [
    (name, re.compile(rx))
    for name, rx in (
        ("zero date 0000-00-00", r"^0000-00-00"),
        (
            "YYYY-MM-DD hh:mm:ss",
            rf"^{_D}{{4}}-{_D}{{2}}-{_D}{{2}}[ T]{_D}{{2}}:{_D}{{2}}(:{_D}{{2}})?(\.[0-9]+)?$",
        ),
        ("YYYY-MM-DD", rf"^{_D}{{4}}-{_D}{{1,2}}-{_D}{{1,2}}$"),
        ("YYYY/MM/DD", rf"^{_D}{{4}}/{_D}{{1,2}}/{_D}{{1,2}}"),
        ("YYYY.MM.DD", rf"^{_D}{{4}}\.{_D}{{1,2}}\.{_D}{{1,2}}"),
        ("YYYY年MM月DD日", rf"^{_D}{{4}}年"),
        ("epoch milliseconds", rf"^{_D}{{13}}$"),
        ("epoch seconds", rf"^{_D}{{10}}$"),
        ("YYYYMMDDhhmmss", rf"^{_D}{{14}}$"),
        ("YYYYMMDD", rf"^{_D}{{8}}$"),
        ("full-width digits", r"[０-９]"),
    )
]
NUMBER_FORMATS: list[tuple[str, re.Pattern]] = [
    (name, re.compile(rx))
    for name, rx in (
        ("plain number", r"^-?[0-9]+(\.[0-9]+)?$"),
        ("number with 元", r"^-?[0-9,]+(\.[0-9]+)?\s*元$"),
        ("thousands separators", r"^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$"),
        ("number with a unit", r"^-?[0-9]+(\.[0-9]+)?\s*[A-Za-z/%]+$"),
        ("full-width digits", r"[０-９]"),
    )
]
KEY_KINDS: list[tuple[str, re.Pattern]] = [
    (name, re.compile(rx))
    for name, rx in (
        ("numeric", r"^[0-9]{1,18}$"),
        ("numeric, 19+ digits", r"^[0-9]{19,}$"),
        (
            "uuid",
            r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$",
        ),
        ("prefixed code", r"^[A-Za-z]+[-_]?[0-9A-Za-z]+$"),
    )
]


def classify(value: Any, patterns: list[tuple[str, re.Pattern]]) -> str:
    if isinstance(value, datetime | date):
        return "typed date/time"
    text = str(value).strip()
    return next((name for name, rx in patterns if rx.search(text)), "other")


@cache
def dictionary_columns() -> dict[str, dict[str, str]]:
    """table -> {column: dict_type}, read from the dbt base models (the cleaning's own list)."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted((ROOT / "dbt/models/staging/base").glob("base_legacy__*.sql")):
        table = path.stem.removeprefix("base_legacy__")
        for col, dtype in re.findall(r"dict_code\('r\.(\w+)', '(\w+)'\)", path.read_text("utf-8")):
            out.setdefault(table, {})[col] = dtype
    return out


@cache
def seed_dictionary() -> dict[str, set[str]]:
    """dict_type -> what the build decodes beside the vendor's dictionary: codes and labels of
    seeds/sys_dict_data.csv and the synonyms of dbt/seeds/dict_synonyms.csv (as written, upper
    case, capitalised: base_legacy__dict_lookup's rule)."""
    out: dict[str, set[str]] = {}
    with (ROOT / "seeds/sys_dict_data.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["dict_type"], set()).update({row["dict_value"], row["dict_label"]})
    with (ROOT / "dbt/seeds/dict_synonyms.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            word = row["synonym"].strip().lower()
            out.setdefault(row["dict_type"], set()).update(
                {word, word.upper(), word[:1].upper() + word[1:]}
            )
    return out


@dataclass
class TableReport:
    table: str
    present: bool
    core: bool
    rows: int = 0
    missing_required: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    key: str = ""
    key_type: str = ""
    key_kinds: dict[str, int] = field(default_factory=dict)  # sampled
    key_unique: str = ""
    date_formats: dict[str, dict[str, int]] = field(default_factory=dict)  # sampled
    number_formats: dict[str, dict[str, int]] = field(default_factory=dict)  # sampled
    coord_systems: dict[str, int] = field(default_factory=dict)
    unknown_codes: dict[str, dict[str, int]] = field(default_factory=dict)
    codes_counted: str = ""  # "all rows" or "first N rows"
    quarantine_estimate: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Report:
    database: str | None
    exports: str | None
    tables: list[TableReport] = field(default_factory=list)
    export_files: int = 0
    export_rows: int = 0
    export_months: list[str] = field(default_factory=list)
    export_errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}


def inspect_sources(url: str | None, folder: Path | None) -> Report:
    """Read (never write) the vendor database and/or the exports folder; report per table."""
    from migration.readers import redact

    report = Report(url and redact(url), folder and str(folder))
    if not url and not folder:
        report.problems.append("no source given: --legacy URL and/or --legacy FOLDER")
        return report
    if url:
        source = LegacySource(url)
        try:
            vendor = _vendor_dictionary(source)
            for table in TABLES:
                started = time.perf_counter()
                report.tables.append(inspect_table(source, table, vendor))
                report.tables[-1].seconds = round(time.perf_counter() - started, 2)
        finally:
            source.dispose()
        for t in report.tables:
            report.problems += t.problems
            report.warnings += t.warnings
    else:
        report.warnings.append("source not given: the vendor database")
    if folder:
        _inspect_exports(report, Path(folder))
    else:
        report.warnings.append("source not given: the district exports")
    return report


def inspect_table(source: LegacySource, table: str, vendor: dict[str, set[str]]) -> TableReport:
    shape = source.shape(table)
    rep = TableReport(table, shape.present, shape.core, problems=shape.problems())
    rep.warnings = shape.warnings()
    if not shape.present:
        return rep
    rep.missing_required, rep.missing_optional = shape.missing_required, shape.missing_optional
    rep.extra = shape.extra
    rep.rows, _ = source.count(table)
    q = source._q
    fallback = shape.key_fallback
    key = key_column(table)
    rep.key = key if fallback is None else ("row hash" if not fallback else ":".join(fallback))
    cols = source.selected_columns(table)
    with source.engine.connect() as conn:
        if fallback is None:
            rep.key_type = str(shape.types.get(key, "?"))
            pk = sa.inspect(source.engine).get_pk_constraint(table).get("constrained_columns") or []
            blank = _scalar(
                conn,
                f"SELECT COUNT(*) FROM {q(table)} WHERE {q(key)} IS NULL OR TRIM({q(key)}) = ''",
            )
            if blank:
                rep.quarantine_estimate["missing_key (counted)"] = blank
            if [c.lower() for c in pk] == [key]:
                rep.key_unique = "unique (primary key constraint)"
            else:
                distinct = _scalar(conn, f"SELECT COUNT(DISTINCT {q(key)}) FROM {q(table)}")
                dupes = rep.rows - blank - distinct
                rep.key_unique = (
                    "unique (counted)" if not dupes else f"{dupes} duplicate keys (counted)"
                )
        sample = conn.exec_driver_sql(
            f"SELECT {', '.join(_text(source, c) for c in cols)} FROM {q(table)} LIMIT {SAMPLE_ROWS}"
        ).fetchall()
        full = rep.rows <= FULL_SCAN_ROWS
        rep.codes_counted = "all rows" if full else f"first {len(sample):,} rows"
        for col, dtype in dictionary_columns().get(table, {}).items():
            if col not in cols:
                continue
            known = vendor.get(dtype, set()) | seed_dictionary().get(dtype, set())
            values = _values(conn, source, table, col, sample, cols, full)
            unknown = {
                v: n for v, n in values.items() if v.strip() and not _known(v.strip(), known)
            }
            if unknown:
                rep.unknown_codes[col] = dict(sorted(unknown.items(), key=lambda kv: -kv[1]))
        if "coord_sys" in cols:
            values = _values(conn, source, table, "coord_sys", sample, cols, full)
            rep.coord_systems = {v or "(blank)": n for v, n in values.items()}
    _formats(rep, table, cols, sample)
    return rep


def _known(value: str, known: set[str]) -> bool:
    return value in known or (value.isdigit() and value.lstrip("0") in known)


def _formats(rep: TableReport, table: str, cols: list[str], sample: list) -> None:
    contract = TABLES[table].c
    for i, col in enumerate(cols):
        if col not in contract:
            continue
        is_time = (
            contract[col].type.python_type in (datetime, date) if _typed(contract[col]) else False
        )
        if is_time or col in _TEXT_TIMES:
            seen = Counter(classify(r[i], DATE_FORMATS) for r in sample if r[i] not in (None, ""))
            rep.date_formats[col] = dict(seen.most_common())
        elif col in _NUMBER_TEXT:
            seen = Counter(classify(r[i], NUMBER_FORMATS) for r in sample if r[i] not in (None, ""))
            rep.number_formats[col] = dict(seen.most_common())
        elif col == key_column(table) and rep.key == col:
            rep.key_kinds = dict(
                Counter(classify(r[i], KEY_KINDS) for r in sample if r[i] is not None)
            )
    time_col = PARTITIONED_TABLES.get(table)
    if time_col and time_col in rep.date_formats and sample:
        bad = rep.date_formats[time_col].get("other", 0) + rep.date_formats[time_col].get(
            "zero date 0000-00-00", 0
        )
        if bad:
            estimate = round(bad * rep.rows / len(sample))
            rep.quarantine_estimate[f"bad_timestamp in {time_col} (estimated from sample)"] = (
                estimate
            )


def _typed(col: sa.Column) -> bool:
    try:
        col.type.python_type  # noqa: B018 - some types have none
    except NotImplementedError:
        return False
    return True


def _text(source: LegacySource, col: str) -> str:
    """A column as the source renders it as text (MySQL: zero dates stay visible)."""
    return source._q(col) if source.dialect == "sqlite" else f"CAST({source._q(col)} AS CHAR)"


def _values(conn, source, table, col, sample, cols, full) -> dict[str, int]:
    if full:
        sql = f"SELECT {_text(source, col)}, COUNT(*) FROM {source._q(table)} GROUP BY 1"
        return {"" if v is None else str(v): int(n) for v, n in conn.exec_driver_sql(sql)}
    i = cols.index(col)
    return dict(Counter("" if r[i] is None else str(r[i]) for r in sample))


def _scalar(conn, sql: str) -> int:
    return int(conn.exec_driver_sql(sql).scalar() or 0)


def _vendor_dictionary(source: LegacySource) -> dict[str, set[str]]:
    """The vendor's own sys_dict_data: dict_type -> codes and labels (empty if it has none)."""
    shape = source.shape("sys_dict_data")
    if not shape.present or shape.missing_required:
        return {}
    q = source._q
    sql = f"SELECT {q('dict_type')}, {q('dict_value')}, {q('dict_label')} FROM {q('sys_dict_data')}"
    out: dict[str, set[str]] = {}
    with source.engine.connect() as conn:
        for dtype, value, label in conn.exec_driver_sql(sql):
            out.setdefault(str(dtype).strip(), set()).update(
                str(x).strip() for x in (value, label) if x is not None
            )
    return out


def _inspect_exports(report: Report, folder: Path) -> None:
    try:
        files = district_exports.discover(folder)
    except EldercareError as exc:
        report.problems.append(str(exc))
        return
    months = set()
    for path in files:
        try:
            rows = district_exports.read_export(path).rows
        except district_exports.FileError as exc:
            report.export_errors.append(str(exc))
            continue
        report.export_rows += rows.num_rows
        months.update(v for v in rows.column("report_month").to_pylist() if v)
    report.export_files = len(files)
    report.export_months = sorted(months)
    if report.export_errors:
        report.warnings.append(f"{len(report.export_errors)} district files would be rejected")
