"""The dry run's report as text (the terminal), JSON and a single self-contained HTML page."""

from __future__ import annotations

import html
import json
from pathlib import Path

from migration.inspect import Report, TableReport


def _counts(d: dict[str, int], limit: int = 6) -> str:
    items = list(d.items())
    text = ", ".join(f"{k} {v:,}" for k, v in items[:limit])
    return text + (f", … ({len(items) - limit} more)" if len(items) > limit else "")


def differences(t: TableReport) -> list[str]:
    """What differs from the contract (not dirt: dirt is expected in every table)."""
    if not t.present:
        return ["table absent" + (" (core table: build fails)" if t.core else "")]
    out = []
    if t.missing_required:
        out.append(f"required columns missing: {', '.join(t.missing_required)}")
    if t.missing_optional:
        out.append(f"optional columns missing (land as NULL): {', '.join(t.missing_optional)}")
    if t.extra:
        out.append(f"extra columns (kept in raw): {', '.join(t.extra)}")
    if t.key_kinds and set(t.key_kinds) != {"numeric"}:
        out.append(f"keys not all numeric: {_counts(t.key_kinds)}")
    if t.key and not t.key_type:
        out.append(f"no surrogate key: keyed by {t.key}")
    if t.key_unique and not t.key_unique.startswith("unique"):
        out.append(t.key_unique)
    return out


_PLAIN = {"YYYY-MM-DD hh:mm:ss", "YYYY-MM-DD", "typed date/time", "plain number"}


def details(t: TableReport, *, all_formats: bool = False) -> list[str]:
    """Dirt and formats seen, and what the build would quarantine; the terminal shows only
    columns with a format beyond the plain ones (the JSON and HTML show every column)."""
    out = []
    for kind, formats in (("dates", t.date_formats), ("numbers", t.number_formats)):
        out += [
            f"{kind} {c} (first rows): {_counts(f)}"
            for c, f in formats.items()
            if f and (all_formats or set(f) - _PLAIN)
        ]
    if t.coord_systems:
        out.append(f"coordinate systems: {_counts(t.coord_systems)}")
    for col, values in t.unknown_codes.items():
        out.append(f"codes in no dictionary, {col} ({t.codes_counted}): {_counts(values)}")
    if t.quarantine_estimate:
        out.append(f"would quarantine: {_counts(t.quarantine_estimate)}")
    return out


def text(report: Report) -> str:
    sources = " + ".join(x for x in (report.database, report.exports) if x) or "nothing"
    lines = [f"inspect {sources} (read only, nothing written)", ""]
    lines.append(f"{'table':<20}{'rows':>12}  {'key':<22}{'key type':<16}differences")
    for t in report.tables:
        diff = "; ".join(differences(t)) or "-"
        lines.append(f"{t.table:<20}{t.rows:>12,}  {t.key[:21]:<22}{t.key_type[:15]:<16}{diff}")
    for t in report.tables:
        if more := details(t):
            lines += ["", f"{t.table}:"] + [f"  {x}" for x in more]
    if report.exports:
        months = report.export_months
        span = f"{months[0]}..{months[-1]}" if months else "no months"
        lines += [
            "",
            f"district exports: {report.export_files} files, {report.export_rows:,} rows, "
            f"{span}, {len(report.export_errors)} would be rejected",
        ]
        lines += [f"  rejected: {e}" for e in report.export_errors]
    lines.append("")
    lines += [f"warning: {w}" for w in report.warnings]
    return "\n".join(lines)


def verdict(report: Report) -> str:
    if report.problems:
        extra = f" (and {len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
        return f"build would fail: {report.problems[0]}{extra}"
    return f"build would pass ({len(report.warnings)} warnings)"


def write_json(report: Report, path: Path) -> None:
    path.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")


def write_html(report: Report, path: Path) -> None:
    e = html.escape
    rows = []
    for t in report.tables:
        diff = "<br>".join(e(x) for x in differences(t)) or "—"
        more = "<br>".join(e(x) for x in details(t, all_formats=True)) or "—"
        cls = ' class="bad"' if t.problems else (' class="diff"' if differences(t) else "")
        rows.append(
            f"<tr{cls}><td>{e(t.table)}</td><td class=n>{t.rows:,}</td><td>{e(t.key)}</td>"
            f"<td>{e(t.key_type)}</td><td>{e(t.key_unique)}</td><td>{diff}</td><td>{more}</td></tr>"
        )
    notes = "".join(f"<li>{e(w)}</li>" for w in report.warnings)
    page = f"""<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>迁移预检 eldercare inspect</title>
<style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em}}table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:4px 6px;vertical-align:top}}.n{{text-align:right}}
tr.diff{{background:#fff8e0}}tr.bad{{background:#fde0e0}}</style>
<h1>迁移预检 (dry run)</h1><p>{e(report.database or "")} {e(report.exports or "")}</p>
<p><b>{e(verdict(report))}</b></p>
<table><tr><th>table</th><th>rows</th><th>key</th><th>key type</th><th>uniqueness</th>
<th>differences from the contract</th><th>formats, dirt, quarantine estimate</th></tr>
{"".join(rows)}</table>
<p>district exports: {report.export_files} files, {report.export_rows:,} rows,
{len(report.export_errors)} rejected</p><ul>{notes}</ul></html>"""
    path.write_text(page, encoding="utf-8")
