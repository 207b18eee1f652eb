"""District monthly exports 机构运营月报: one file per district and month, xlsx or CSV.

Layout (as the district staff fill it): row 1 a title (merged across all columns in xlsx; the
first cell of the first line in CSV), row 2 the headers of DISTRICT_REPORT_COLUMNS, one row per
institution, and a 合计 row at the end. File name: 机构运营月报_YYYYMM_<district>.xlsx|.csv, so
that names stay unique across districts. CSV encodings: GB18030, GBK or UTF-8 with a BOM.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import numpy as np

from eldercare.errors import EldercareError
from migration.generator import identity
from migration.generator.config import EXPORT_MONTHS, TODAY
from migration.generator.state import World
from migration.legacy_schema import DISTRICT_REPORT_COLUMNS, DISTRICT_REPORT_PREFIX

HEADERS = list(DISTRICT_REPORT_COLUMNS)
FIELDS = list(DISTRICT_REPORT_COLUMNS.values())
NUMERIC = ["residents", "approved_beds", "actual_beds", "staff", "caregivers", "certified_caregivers", "activities"]  # fmt: skip
FORMATS = ["xlsx", "gb18030", "gbk", "utf-8-sig"]


def months() -> np.ndarray:
    last = TODAY.astype("datetime64[M]")
    return last - np.arange(EXPORT_MONTHS)[::-1]


def write_exports(w: World, folder: Path) -> list[Path]:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write_test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise EldercareError(
            f"--exports {folder}: folder is not writable ({exc.strerror})"
        ) from None
    rng = w.cfg.rng("exports")
    o, p = w.orgs, w.persons
    inst = np.flatnonzero(o["type"] == 0)
    staff_org = w.orgs["staff_org_index"]
    posts = w.tables["yl_staff"]["post"]
    cert = w.tables["yl_staff"]["certified"] == "1"
    n_staff = np.bincount(staff_org, minlength=len(o["type"]))
    n_care = np.bincount(staff_org[posts == "护理员"], minlength=len(o["type"]))
    n_cert = np.bincount(staff_org[(posts == "护理员") & cert], minlength=len(o["type"]))
    files = []
    for month in months():
        month_end = (month + 1).astype("datetime64[D]") - 1
        alive = np.isnat(p["death"]) | (p["death"] > month_end)
        present = (p["institution"] >= 0) & alive & (p["check_in"] <= month_end)
        residents = np.bincount(p["institution"][present], minlength=len(o["type"]))
        for ci, county in enumerate(w.ref.counties):
            orgs = inst[o["county_idx"][inst] == ci]
            rows = [_row(rng, o, k, residents, n_staff, n_care, n_cert, month_end) for k in orgs]
            fmt = FORMATS[rng.choice(4, p=[0.5, 0.2, 0.15, 0.15])]
            ym = str(month).replace("-", "")
            name = f"{DISTRICT_REPORT_PREFIX}{ym}_{county['area_name']}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
            # the total is what the office's spreadsheet summed, before the typing slips
            total = ["合计", ""] + [_sum(rows, f) for f in NUMERIC] + ["", "", ""]
            _dirt(w, rng, rows, name)
            title = f"{county['area_name']}养老机构运营月报（{month.astype(object).year}年{month.astype(object).month}月）"
            table = [[r[f] for f in FIELDS] for r in rows] + [total]
            path = folder / name
            if fmt == "xlsx":
                _xlsx(path, title, table)
            else:
                _csv(path, title, table, fmt)
            files.append(path)
    return files


def _row(rng, o, k, residents, n_staff, n_care, n_cert, month_end) -> dict:
    beds = int(o["approved_beds"][k])
    filled = month_end + int(rng.integers(3, 9))
    return {
        "org_name": str(o["name"][k]),
        "credit_code": str(o["credit"][k]),
        "residents": int(residents[k]),
        "approved_beds": beds,
        "actual_beds": int(max(residents[k], beds - rng.integers(0, 6))),
        "staff": int(n_staff[k]),
        "caregivers": int(n_care[k]),
        "certified_caregivers": int(n_cert[k]),
        "activities": int(rng.poisson(6)),
        "fire_check": ["合格", "整改中", "不合格"][rng.choice(3, p=[0.9, 0.07, 0.03])],
        "filled_by": str(identity.names(rng, np.array([True]))[0]),
        "filled_date": str(filled) if rng.random() < 0.8 else str(filled).replace("-", "/"),
    }


def _sum(rows: list[dict], f: str) -> int:
    return sum(r[f] for r in rows if isinstance(r[f], int))


def _dirt(w: World, rng, rows: list[dict], name: str) -> None:
    d = w.cfg.dirt
    for i, r in enumerate(rows):
        key = f"{name}:{i + 3}"  # spreadsheet row: title 1, headers 2, data from 3
        for f in FIELDS:
            if f in NUMERIC and rng.random() < d["report_number_text"]:
                dirty = f"{r[f]}{'张' if 'beds' in f else '人' if f != 'activities' else '次'}"
                w.dirt.add("district_monthly_report", [key], f, "report_number_text", r[f], dirty)
                r[f] = dirty
            elif rng.random() < d["report_blank_cell"]:
                w.dirt.add("district_monthly_report", [key], f, "report_blank_cell", r[f], None)
                r[f] = None


def _xlsx(path: Path, title: str, table: list[list]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": datetime(2026, 11, 1), "author": "district"})
    ws = wb.add_worksheet("月报")
    bold = wb.add_format({"bold": True, "align": "center"})
    ws.merge_range(0, 0, 0, len(HEADERS) - 1, title, bold)
    ws.write_row(1, 0, HEADERS, bold)
    for i, row in enumerate(table):
        for j, v in enumerate(row):
            if v is None:
                continue
            ws.write(i + 2, j, v)
    wb.close()


def _csv(path: Path, title: str, table: list[list], encoding: str) -> None:
    with open(path, "w", encoding=encoding, newline="") as f:
        wr = csv.writer(f, lineterminator="\r\n")
        wr.writerow([title] + [""] * (len(HEADERS) - 1))
        wr.writerow(HEADERS)
        wr.writerows([["" if v is None else v for v in row] for row in table])
