"""The building blocks of the staging suites (``quality/staging_suites.py``): the shapes the
cleaning macros promise (ID numbers, phones, credit codes, coordinates, division codes,
dictionary codes), the windows of plausible times, and the reference data they read (seeds).
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from functools import cache

from great_expectations.expectations import Expectation

from migration.legacy_schema import HISTORY_END, HISTORY_START
from quality.expectations import DICT_CSV, WARNING, E

SEEDS = DICT_CSV.parent

# [0-9], never \d (Python's \d matches full-width digits). GB 11643: 6-digit division (first
# digit 1-8), birth date 19xx/20xx, 3-digit sequence, check character. The check character's
# arithmetic is dbt's (id_card_check_ok); a regex only sees its alphabet.
_ID_CARD = r"^[1-8][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]$"
_ID_CARD_MASKED = r"^[0-9]{6}\*{8}[0-9]{3}[0-9X]$"
# normalize_phone's three outputs: mobile, landline with a 3- or 4-digit area code.
_PHONE = r"^(1[3-9][0-9]{9}|0(10|2[0-9])-[2-9][0-9]{7}|0[3-9][0-9]{2}-[2-9][0-9]{6,7})$"
_PHONE_LOCAL = r"^(1[3-9][0-9]{9}|0759-[2-9][0-9]{6,7})$"
# GB 32100: registration authority (1 character), type, 6-digit division, 9-character
# organisation code, check character; alphabet without I, O, S, V, Z.
_CREDIT_CODE = r"^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$"
_CREDIT_CODE_ZHANJIANG = r"^[0-9A-HJ-NP-RTUW-Y]{2}4408[0-9]{2}"
# clean_org_name: trimmed, blanks collapsed, brackets full-width.
_ORG_NAME_UNCLEAN = r"^[[:space:]]|[[:space:]]$|[[:space:]]{2}|[()]"

# eldercare_in_china (dbt/macros/cleaning/coordinates.sql): cleaning turns anything else to NULL.
_CHINA = {"lng": (73.0, 136.0), "lat": (3.0, 54.0)}
# County seats are not centroids: Zhanjiang reaches about 0.45 degrees beyond the outermost
# seats (the Leizhou peninsula's west coast, northern Lianjiang), so the box keeps 0.6.
_ZHANJIANG_MARGIN = 0.6

# Legacy history with slack: district reports of the last month are filed in the next one, and
# a vendor clock can be off by weeks. Master data (elders, organisations, stays) may have been
# created years before the history the platform holds.
_SLACK = timedelta(days=92)
EVENTS = (HISTORY_START - _SLACK, HISTORY_END + _SLACK)
RECORDS = (date(HISTORY_START.year - 10, 1, 1), HISTORY_END + _SLACK)

# The base model's physiological limits (base_legacy__yl_health_record): rows outside are
# rejected, so a staged value outside them means the rule broke.
HEALTH_LIMITS = {
    "HR": (25, 250),
    "SBP": (50, 280),
    "DBP": (25, 180),
    "GLU": (1, 40),
    "SPO2": (50, 100),
}
HEALTH_UNITS = {"HR": "bpm", "SBP": "mmHg", "DBP": "mmHg", "GLU": "mmol/L", "SPO2": "%"}


# --- reference data ---------------------------------------------------------------------------


def _read(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def dict_codes() -> dict[str, list[str]]:
    """dict_type -> its codes (dict_value) in seeds/sys_dict_data.csv. Staging holds codes only:
    dict_code() turns a label into its code and anything unknown into NULL."""
    codes: dict[str, set[str]] = {}
    for row in _read("sys_dict_data.csv"):
        codes.setdefault(row["dict_type"], set()).add(row["dict_value"])
    return {t: sorted(v) for t, v in codes.items()}


@cache
def seed_area_codes() -> list[str]:
    """GB codes of every division in seeds: counties (6), towns (9), communities (12 digits)."""
    return sorted(
        row["area_code"]
        for name in ("counties.csv", "towns.csv", "communities.csv")
        for row in _read(name)
    )


@cache
def seed_county_codes() -> list[str]:
    return sorted(row["area_code"] for row in _read("counties.csv"))


@cache
def zhanjiang_box() -> dict[str, tuple[float, float]]:
    """WGS-84 box of the county seats in seeds/counties.csv, widened by _ZHANJIANG_MARGIN."""
    rows = _read("counties.csv")
    box = {}
    for axis in ("lng", "lat"):
        values = [float(r[axis]) for r in rows]
        box[axis] = (
            round(min(values) - _ZHANJIANG_MARGIN, 3),
            round(max(values) + _ZHANJIANG_MARGIN, 3),
        )
    return box


# --- building blocks --------------------------------------------------------------------------


def id_card(column: str = "id_card", masked: str = "id_card_masked") -> list[Expectation]:
    return [
        E.ExpectColumnValuesToMatchRegex(column=column, regex=_ID_CARD),
        E.ExpectColumnValuesToMatchRegex(column=masked, regex=_ID_CARD_MASKED),
    ]


def phone(column: str, *, normalised: bool = True) -> list[Expectation]:
    """A normalize_phone() column: critical shape; a mobile or a 0759 landline as a warning.
    ``normalised=False`` where staging keeps the raw text when it is not a phone."""
    shape = E.ExpectColumnValuesToMatchRegex(
        column=column, regex=_PHONE, severity="critical" if normalised else WARNING
    )
    return [
        shape,
        E.ExpectColumnValuesToMatchRegex(column=column, regex=_PHONE_LOCAL, severity=WARNING),
    ]


def coords(lng: str = "lng", lat: str = "lat") -> list[Expectation]:
    """WGS-84 pair or NULL: inside China (cleaning's rule), inside Zhanjiang (plausibility)."""
    box = zhanjiang_box()
    out: list[Expectation] = []
    for column, axis in ((lng, "lng"), (lat, "lat")):
        low, high = _CHINA[axis]
        out.append(E.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high))
    for column, axis in ((lng, "lng"), (lat, "lat")):
        low, high = box[axis]
        out.append(
            E.ExpectColumnValuesToBeBetween(
                column=column, min_value=low, max_value=high, severity=WARNING
            )
        )
    return out


def area(with_town: bool = True) -> list[Expectation]:
    """resolve_area_code() output: a 6/9/12-digit GB code and its county/town prefixes
    (critical); a division the seeds know, a Zhanjiang county (warnings: the vendor's sys_area
    may know divisions the seeds do not)."""
    out = [
        E.ExpectColumnValuesToMatchRegex(column="area_code", regex=r"^[0-9]{6}([0-9]{3}){0,2}$"),
        E.ExpectColumnValuesToMatchRegex(column="county_code", regex=r"^[0-9]{6}$"),
        E.ExpectColumnValuesToBeInSet(
            column="area_code", value_set=seed_area_codes(), severity=WARNING
        ),
        E.ExpectColumnValuesToBeInSet(
            column="county_code", value_set=seed_county_codes(), severity=WARNING
        ),
    ]
    if with_town:
        out.insert(2, E.ExpectColumnValuesToMatchRegex(column="town_code", regex=r"^[0-9]{9}$"))
    return out


def coded(**columns: str) -> list[Expectation]:
    """Columns cleaned by dict_code(): a code of their dictionary type, or NULL."""
    return [
        E.ExpectColumnValuesToBeInSet(column=column, value_set=dict_codes()[dict_type])
        for column, dict_type in columns.items()
    ]


def within(window: tuple[date, date], *columns: str) -> list[Expectation]:
    """Times inside ``window`` (a warning: parse_timestamp keeps any real date 1900..2100)."""
    low, high = window
    return [
        E.ExpectColumnValuesToBeBetween(
            column=c,
            min_value=datetime.combine(low, datetime.min.time()),
            max_value=datetime.combine(high, datetime.max.time().replace(microsecond=0)),
            severity=WARNING,
        )
        for c in columns
    ]


def non_negative(*columns: str, severity: str = WARNING) -> list[Expectation]:
    """parse_amount/to_int keep a sign on purpose; a negative amount or count is dirt to see."""
    return [
        E.ExpectColumnValuesToBeBetween(column=c, min_value=0, severity=severity) for c in columns
    ]


def not_before(later: str, earlier: str, severity: str = WARNING) -> Expectation:
    return E.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=later,
        column_B=earlier,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        severity=severity,
    )


def kept_only_with(column: str) -> Expectation:
    """A column whose NULL makes the base model reject the row (bad_timestamp), where the
    staging model's yml has no not_null test of its own."""
    return E.ExpectColumnValuesToNotBeNull(column=column)


def org_name(column: str = "org_name") -> Expectation:
    return E.ExpectColumnValuesToNotMatchRegex(column=column, regex=_ORG_NAME_UNCLEAN)


def credit_code() -> list[Expectation]:
    return [
        E.ExpectColumnValuesToMatchRegex(column="credit_code", regex=_CREDIT_CODE),
        E.ExpectColumnValuesToMatchRegex(
            column="credit_code", regex=_CREDIT_CODE_ZHANJIANG, severity=WARNING
        ),
    ]
