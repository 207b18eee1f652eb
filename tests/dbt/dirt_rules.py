"""What staging must make of each kind of dirt the generator injects (truth/dirt.parquet), and a
checker that compares one built warehouse (DuckDB or PostgreSQL) with that truth.

Outcomes (docs/staging.md, "Dirt: cleaned or quarantined"):
  clean       the staging column equals the true value (in its canonical form)
  quarantine  the row is in audit.quarantine with this reason_code, and not in staging
  null        the value cannot be recovered: staging keeps the row with the column NULL
  flag        staging keeps the row and a flag column says what is wrong
  keep        a true-but-suspicious fact: staging keeps the row as it is (flagged downstream)
A row that is quarantined for another dirt kind of the same row counts as handled.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from migration.generator import geo


@dataclass(frozen=True)
class Rule:
    outcome: str
    column: str | None = None  # staging column compared / checked
    reason: str | None = None  # quarantine reason_code
    canon: Callable[[str], object] | None = None  # true value -> staging value


def _landline(v: str) -> str:
    return f"{v[:4]}-{v[4:]}" if v.startswith("0759") and "-" not in v else v


def _gb(v: str) -> str:
    if len(v) == 12 and v.endswith("000000"):
        return v[:6]
    return v[:9] if len(v) == 12 and v.endswith("000") else v


def _org_name(v: str) -> str:
    return " ".join(v.replace("(", "（").replace(")", "）").split())


RULES: dict[str, Rule] = {
    # sys_area, sys_dict_data
    "area_code_12_digit": Rule("clean", "gb_code", canon=_gb),
    "label_reused": Rule("keep"),
    # yl_elder
    "id_card_lower_x": Rule("clean", "id_card"),
    "id_card_spaces": Rule("clean", "id_card"),
    "id_card_fullwidth": Rule("clean", "id_card"),
    "id_card_15_digit": Rule("clean", "id_card"),
    "id_card_bad_check": Rule("quarantine", reason="id_card_bad_check_digit"),
    "birthday_missing": Rule("clean", "birth_date", canon=dt.date.fromisoformat),
    "birthday_contradicts": Rule("clean", "birth_date", canon=dt.date.fromisoformat),
    "sex_missing": Rule("clean", "sex"),
    "sex_contradicts": Rule("clean", "sex"),
    "sex_label": Rule("clean", "sex"),
    "phone_plus86": Rule("clean", "phone"),
    "phone_spaces": Rule("clean", "phone"),
    "phone_dashes": Rule("clean", "phone"),
    "phone_landline": Rule("clean", "phone", canon=_landline),
    "area_code_name": Rule("clean", "area_code", canon=_gb),
    "economic_type_label": Rule("clean", "economic_type"),
    "economic_type_old_code": Rule("clean", "economic_type"),
    "elder_duplicate": Rule("keep"),
    # yl_org
    "coord_gcj02_unlabelled": Rule("clean", "lng,lat"),
    "coord_bd09_unlabelled": Rule("flag", "coord_sys_assumed"),
    "coord_swapped": Rule("clean", "lng,lat"),
    "coord_zero": Rule("null", "lng"),
    "name_fullwidth_brackets": Rule("clean", "org_name", canon=_org_name),
    "name_trailing_space": Rule("clean", "org_name", canon=_org_name),
    "org_duplicate": Rule("keep"),
    "credit_code_invalid": Rule("flag", "credit_code_invalid"),
    # institutions, staff
    "bed_no_duplicate": Rule("flag", "is_duplicate_bed_no"),
    "stay_overlap": Rule("keep"),
    "bed_other_org": Rule("keep"),
    "staff_two_providers": Rule("keep"),
    # family beds, devices, alarms
    "revoked_before_built": Rule("quarantine", reason="revoked_before_built"),
    "deceased_bed_active": Rule("keep"),
    "sn_two_elders": Rule("keep"),
    "handled_before_raised": Rule("quarantine", reason="handled_before_raised"),
    "never_handled": Rule("keep"),
    # health readings
    "time_epoch_ms": Rule("clean", "measure_time", canon=dt.datetime.fromisoformat),
    "duplicate_upload": Rule("quarantine", reason="duplicate_reading"),
    "glucose_mgdl": Rule("clean", "item_value", canon=float),
    "unit_in_value": Rule("clean", "item_value", canon=float),
    "impossible_value": Rule("quarantine", reason="health_value_impossible"),
    # catalogue, orders, visits, calls, canteens, inspections, complaints, deaths
    "price_with_unit": Rule("clean", "price", canon=Decimal),
    "amount_with_unit": Rule("clean", "amount", canon=Decimal),
    "status_label": Rule("clean", "order_status"),
    "end_before_start": Rule("quarantine", reason="end_before_start"),
    "orphan_visit": Rule("quarantine", reason="orphan_order"),
    "unknown_elder": Rule("keep"),
    "sensitive_dish_name": Rule("keep"),
    "deduction_without_fail": Rule("keep"),
    "never_replied": Rule("keep"),
    "death_unknown_elder": Rule("keep"),
    # district exports: the cell's column; a blank name (and code) rejects the row
    "report_number_text": Rule("clean", None, canon=lambda v: int(float(v))),
    "report_blank_cell": Rule("null", None, reason="report_org_missing"),
}

PERSONAL = {"id_card", "phone", "guardian_phone", "elder_name"}  # never printed in a failure
STAGING = {
    "district_monthly_report": "stg_district__monthly_report",
}


def staging_model(table: str) -> str:
    return STAGING.get(table, f"stg_legacy__{table}")


def _same_position(ours: tuple, true_text: str) -> bool:
    """Our WGS-84 pair, projected back into the true pair's system, lands within ~1 m of it."""
    lng, lat, system = true_text.split(",")
    if ours[0] is None or ours[1] is None:
        return False
    a, b = np.array([float(ours[0])]), np.array([float(ours[1])])
    if system == "gcj02":
        a, b = geo.wgs84_to_gcj02(a, b)
    elif system == "bd09":
        a, b = geo.wgs84_to_bd09(a, b)
    return abs(a[0] - float(lng)) < 1e-5 and abs(b[0] - float(lat)) < 1e-5


def _equal(ours: object, true: object) -> bool:
    if isinstance(ours, float) or isinstance(true, float):
        return ours is not None and math.isclose(float(ours), float(true), abs_tol=1e-9)
    if isinstance(ours, dt.datetime) and isinstance(true, dt.datetime):
        return ours.replace(microsecond=0) == true
    return ours == true


def check_dirt(query: Callable[[str], list[tuple]], dirt_rows: list[dict]) -> dict[str, list[str]]:
    """kind -> list of failures ('table key: what went wrong'); every kind of dirt_rows present.

    ``query(sql)`` runs SQL on the warehouse and returns tuples.
    """
    quarantine: dict[tuple[str, str], set[str]] = defaultdict(set)
    for table, key, reason in query(
        "select source_table, source_key, reason_code from audit.quarantine"
    ):
        quarantine[(table, key)].add(reason)
    kinds_of_row: dict[tuple[str, str], set[str]] = defaultdict(set)
    for d in dirt_rows:
        kinds_of_row[(d["table_name"], d["source_key"])].add(d["kind"])

    staged: dict[str, dict[str, dict]] = {}

    def staged_row(table: str, key: str) -> dict | None:
        if table not in staged:
            rows = query(f"select * from staging.{staging_model(table)}")
            cols = [c for (c,) in query(_columns_sql(staging_model(table)))]
            staged[table] = {
                str(r[cols.index("source_key")]): dict(zip(cols, r, strict=True)) for r in rows
            }
        return staged[table].get(key)

    failures: dict[str, list[str]] = {d["kind"]: [] for d in dirt_rows}
    for d in dirt_rows:
        kind, table, key = d["kind"], d["table_name"], d["source_key"]
        rule = RULES.get(kind)
        if rule is None:
            failures[kind].append("no rule handles this kind")
            continue
        where = f"{table} {key}"
        reasons = quarantine.get((table, key), set())
        row = staged_row(table, key)
        if rule.outcome == "quarantine":
            if rule.reason not in reasons:
                failures[kind].append(f"{where}: not quarantined as {rule.reason} ({reasons})")
            elif row is not None:
                failures[kind].append(f"{where}: quarantined and still in staging")
            continue
        if row is None:
            other = {RULES[k].reason for k in kinds_of_row[(table, key)] if k in RULES}
            if reasons & (other - {None}):
                continue  # rejected for another dirt of the same row, or a reason this kind allows
            failures[kind].append(f"{where}: missing from staging (quarantine: {reasons})")
            continue
        column = rule.column or d["column_name"]
        if rule.outcome == "keep":
            continue
        if rule.outcome == "flag":
            if row[column] is not True:
                failures[kind].append(f"{where}: {column} is {row[column]!r}, expected true")
        elif rule.outcome == "null":
            if row[column] is not None:
                failures[kind].append(f"{where}: {column} is {row[column]!r}, expected NULL")
        elif column == "lng,lat":
            if not _same_position((row["lng"], row["lat"]), d["true_value"]):
                failures[kind].append(f"{where}: ({row['lng']}, {row['lat']}) vs {d['true_value']}")
        else:
            true = d["true_value"]
            want = rule.canon(true) if rule.canon and true is not None else true
            if not _equal(row[column], want):
                shown = "(personal data)" if column in PERSONAL else f"{row[column]!r} vs {want!r}"
                failures[kind].append(f"{where}: {column} differs {shown}")
    return failures


def _columns_sql(model: str) -> str:
    return (
        "select column_name from information_schema.columns "
        f"where table_schema = 'staging' and table_name = '{model}' order by ordinal_position"
    )
