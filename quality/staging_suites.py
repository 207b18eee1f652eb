"""Suites of the staging views: what cleaning promises about each cleaned value.

dbt's own tests on the staging models (not_null, unique, accepted_values in
``dbt/models/staging/*.yml``) are not repeated here. These suites check the shape and domain of
the cleaned values instead: ID numbers, phones, coordinates, division codes, dictionary codes,
credit codes, health readings, times and amounts.

Severity:
- ``critical`` where a failing row means cleaning itself is broken: a value the cleaning macros
  (``dbt/macros/cleaning``) or the base models' reject rules never let through, such as an ID
  number that is not 18 characters, a coordinate outside China, a dictionary value that is not a
  code, a heart rate of 300, or an order that ends before it starts.
- ``warning`` for plausibility rules on values that cleaning keeps on purpose: a landline outside
  0759, a point in China but outside Zhanjiang, a time outside the legacy history, a negative
  amount, a division code that only the vendor's sys_area knows.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from functools import cache

from great_expectations.expectations import Expectation
from great_expectations.expectations.row_conditions import Column

from migration.legacy_schema import HISTORY_END, HISTORY_START
from quality.suites import DICT_CSV, WARNING, E, suite

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
_EVENTS = (HISTORY_START - _SLACK, HISTORY_END + _SLACK)
_RECORDS = (date(HISTORY_START.year - 10, 1, 1), HISTORY_END + _SLACK)

# The base model's physiological limits (base_legacy__yl_health_record): rows outside are
# rejected, so a staged value outside them means the rule broke.
HEALTH_LIMITS = {
    "HR": (25, 250),
    "SBP": (50, 280),
    "DBP": (25, 180),
    "GLU": (1, 40),
    "SPO2": (50, 100),
}
_HEALTH_UNITS = {"HR": "bpm", "SBP": "mmHg", "DBP": "mmHg", "GLU": "mmol/L", "SPO2": "%"}


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


def _id_card(column: str = "id_card", masked: str = "id_card_masked") -> list[Expectation]:
    return [
        E.ExpectColumnValuesToMatchRegex(column=column, regex=_ID_CARD),
        E.ExpectColumnValuesToMatchRegex(column=masked, regex=_ID_CARD_MASKED),
    ]


def _phone(column: str, *, normalised: bool = True) -> list[Expectation]:
    """A normalize_phone() column: critical shape; a mobile or a 0759 landline as a warning.
    ``normalised=False`` where staging keeps the raw text when it is not a phone."""
    shape = E.ExpectColumnValuesToMatchRegex(
        column=column, regex=_PHONE, severity="critical" if normalised else WARNING
    )
    return [
        shape,
        E.ExpectColumnValuesToMatchRegex(column=column, regex=_PHONE_LOCAL, severity=WARNING),
    ]


def _coords(lng: str = "lng", lat: str = "lat") -> list[Expectation]:
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


def _area(with_town: bool = True) -> list[Expectation]:
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


def _coded(**columns: str) -> list[Expectation]:
    """Columns cleaned by dict_code(): a code of their dictionary type, or NULL."""
    return [
        E.ExpectColumnValuesToBeInSet(column=column, value_set=dict_codes()[dict_type])
        for column, dict_type in columns.items()
    ]


def _within(window: tuple[date, date], *columns: str) -> list[Expectation]:
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


def _non_negative(*columns: str, severity: str = WARNING) -> list[Expectation]:
    """parse_amount/to_int keep a sign on purpose; a negative amount or count is dirt to see."""
    return [
        E.ExpectColumnValuesToBeBetween(column=c, min_value=0, severity=severity) for c in columns
    ]


def _not_before(later: str, earlier: str, severity: str = WARNING) -> Expectation:
    return E.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=later,
        column_B=earlier,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        severity=severity,
    )


def _kept_only_with(column: str) -> Expectation:
    """A column whose NULL makes the base model reject the row (bad_timestamp), where the
    staging model's yml has no not_null test of its own."""
    return E.ExpectColumnValuesToNotBeNull(column=column)


def _org_name(column: str = "org_name") -> Expectation:
    return E.ExpectColumnValuesToNotMatchRegex(column=column, regex=_ORG_NAME_UNCLEAN)


def _credit_code() -> list[Expectation]:
    return [
        E.ExpectColumnValuesToMatchRegex(column="credit_code", regex=_CREDIT_CODE),
        E.ExpectColumnValuesToMatchRegex(
            column="credit_code", regex=_CREDIT_CODE_ZHANJIANG, severity=WARNING
        ),
    ]


# --- people -----------------------------------------------------------------------------------


@suite("staging", "stg_legacy__yl_elder")
def _elder() -> list[Expectation]:
    """staging.stg_legacy__yl_elder: valid 18-character ID numbers and the birth date and sex
    read from them, normalised phones, WGS-84 homes in Zhanjiang, known divisions, codes."""
    today = date.today()
    return [
        *_id_card(),
        E.ExpectColumnValuesToBeBetween(
            column="birth_date", min_value=date(1900, 1, 1), max_value=today
        ),
        # 老年人: 60 and over; younger people are registered by mistake, not cleaned away.
        E.ExpectColumnValuesToBeBetween(
            column="birth_date",
            max_value=today.replace(year=today.year - 60, day=min(today.day, 28)),
            severity=WARNING,
        ),
        E.ExpectColumnValuesToBeInSet(column="sex_label", value_set=["男", "女"]),
        *_phone("phone"),
        *_phone("guardian_phone"),
        E.ExpectColumnValuesToBeInSet(column="phone_kind", value_set=["mobile", "landline"]),
        *_coords(),
        *_area(),
        *_coded(
            living_type="yl_living_type",
            economic_type="yl_economic_type",
            ability_level="yl_ability_level",
        ),
        _not_before("death_date", "birth_date"),
        *_within(_EVENTS, "death_date"),
        *_within(_RECORDS, "create_time", "update_time"),
    ]


@suite("staging", "stg_legacy__yl_staff")
def _staff() -> list[Expectation]:
    """staging.stg_legacy__yl_staff: valid ID numbers (or NULL), normalised phones, post codes."""
    return [
        *_id_card(),
        *_phone("phone"),
        *_coded(post="yl_staff_post"),
        E.ExpectColumnValuesToBeInSet(
            column="status", value_set=dict_codes()["sys_normal_disable"], severity=WARNING
        ),
    ]


@suite("staging", "stg_legacy__yl_death_registry")
def _death_registry() -> list[Expectation]:
    """staging.stg_legacy__yl_death_registry: valid ID numbers, deaths inside the history."""
    return [*_id_card(), _kept_only_with("death_date"), *_within(_EVENTS, "death_date")]


# --- organisations and beds -------------------------------------------------------------------


@suite("staging", "stg_legacy__yl_org")
def _org() -> list[Expectation]:
    """staging.stg_legacy__yl_org: cleaned names, GB 32100 credit codes (or NULL), WGS-84
    positions in Zhanjiang, known divisions, codes, non-negative beds and charges."""
    return [
        _org_name(),
        *_credit_code(),
        *_coords(),
        *_area(),
        *_phone("contact_phone"),
        *_coded(org_type="yl_org_type", ownership="yl_ownership"),
        E.ExpectColumnValuesToBeInSet(
            column="star_level",
            value_set=[int(v) for v in dict_codes()["yl_star_level"]],
            severity=WARNING,
        ),
        *_non_negative("approved_beds", "filed_beds", "charge_min", "charge_max"),
        _not_before("charge_max", "charge_min"),
        *_within(_RECORDS, "create_time", "update_time"),
    ]


@suite("staging", "stg_legacy__yl_org_bed")
def _org_bed() -> list[Expectation]:
    """staging.stg_legacy__yl_org_bed: bed type and status codes."""
    return _coded(bed_type="yl_bed_type", bed_status="yl_bed_status")


@suite("staging", "stg_legacy__yl_org_resident")
def _org_resident() -> list[Expectation]:
    """staging.stg_legacy__yl_org_resident: care-level codes, stays that end after they start."""
    return [
        *_coded(care_level="yl_care_level"),
        *_within(_RECORDS, "check_in_date", "check_out_date"),
        _not_before("check_out_date", "check_in_date"),
    ]


@suite("staging", "stg_legacy__yl_family_bed")
def _family_bed() -> list[Expectation]:
    """staging.stg_legacy__yl_family_bed: status codes, no bed revoked before it was built
    (rejected by staging), dates in range, non-negative subsidies."""
    return [
        *_coded(bed_status="yl_fbed_status"),
        _not_before("revoke_date", "build_date", severity="critical"),
        *_within(_RECORDS, "apply_date", "assess_date", "build_date"),
        *_within(_EVENTS, "revoke_date"),
        _not_before("build_date", "apply_date"),
        *_non_negative("monthly_subsidy"),
    ]


# --- devices, health, alarms ------------------------------------------------------------------


@suite("staging", "stg_legacy__yl_device")
def _device() -> list[Expectation]:
    """staging.stg_legacy__yl_device: device type and status codes, times in range."""
    return [
        *_coded(device_type="yl_device_type", status="yl_device_status"),
        *_within(_RECORDS, "bind_time"),
        *_within(_EVENTS, "unbind_time", "last_online_time"),
        _not_before("unbind_time", "bind_time"),
    ]


@suite("staging", "stg_legacy__yl_health_record")
def _health_record() -> list[Expectation]:
    """staging.stg_legacy__yl_health_record: each reading within its item's physiological
    limits and in its item's canonical unit (glucose in mmol/L), measured inside the history."""
    return [
        *(
            E.ExpectColumnValuesToBeBetween(
                column="item_value",
                min_value=low,
                max_value=high,
                row_condition=Column("item_code") == item,
            )
            for item, (low, high) in HEALTH_LIMITS.items()
        ),
        E.ExpectColumnPairValuesToBeInSet(
            column_A="item_code",
            column_B="unit",
            value_pairs_set=sorted(_HEALTH_UNITS.items()),
            ignore_row_if="either_value_is_missing",
        ),
        *_within(_EVENTS, "measure_time"),
    ]


@suite("staging", "stg_legacy__yl_alarm")
def _alarm() -> list[Expectation]:
    """staging.stg_legacy__yl_alarm: alarm type codes, none handled before it was raised
    (rejected by staging), times inside the history."""
    return [
        *_coded(alarm_type="yl_alarm_type"),
        _not_before("handle_time", "alarm_time", severity="critical"),
        *_non_negative("response_minutes", severity="critical"),
        *_within(_EVENTS, "alarm_time", "handle_time"),
    ]


# --- services ---------------------------------------------------------------------------------


@suite("staging", "stg_legacy__yl_service_item")
def _service_item() -> list[Expectation]:
    """staging.stg_legacy__yl_service_item: charge-mode codes, non-negative prices, a maximum
    duration not under the minimum."""
    return [
        *_coded(charge_mode="yl_charge_mode"),
        *_non_negative("price", "min_minutes"),
        _not_before("max_minutes", "min_minutes"),
    ]


@suite("staging", "stg_legacy__yl_work_order")
def _work_order() -> list[Expectation]:
    """staging.stg_legacy__yl_work_order: source and status codes, none ending before it started
    (rejected by staging), WGS-84 positions in Zhanjiang, non-negative amounts, ratings 1-5."""
    return [
        *_coded(source="yl_order_source", order_status="yl_order_status"),
        _not_before("end_time", "start_time", severity="critical"),
        *_non_negative("duration_min", severity="critical"),
        *_coords("start_lng", "start_lat"),
        *_coords("end_lng", "end_lat"),
        *_non_negative("amount", "subsidy_amount", "self_pay_amount", "audio_seconds"),
        E.ExpectColumnValuesToBeBetween(
            column="rating", min_value=1, max_value=5, severity=WARNING
        ),
        *_within(_EVENTS, "create_time", "plan_time", "start_time", "end_time"),
    ]


@suite("staging", "stg_legacy__yl_return_visit")
def _return_visit() -> list[Expectation]:
    """staging.stg_legacy__yl_return_visit: visit way and result codes, visits in the history."""
    return [
        *_coded(visit_way="yl_visit_way", visit_result="yl_visit_result"),
        *_within(_EVENTS, "visit_time"),
    ]


@suite("staging", "stg_legacy__yl_call_record")
def _call_record() -> list[Expectation]:
    """staging.stg_legacy__yl_call_record: direction and type codes, calls in the history,
    numbers normalised where they are phones (staging keeps other text, e.g. a seat)."""
    return [
        *_coded(call_direction="yl_call_direction", call_type="yl_call_type"),
        *_phone("caller_no", normalised=False),
        *_phone("callee_no", normalised=False),
        *_non_negative("talk_seconds"),
        _kept_only_with("start_time"),
        *_within(_EVENTS, "start_time"),
    ]


@suite("staging", "stg_legacy__yl_meal_order")
def _meal_order() -> list[Expectation]:
    """staging.stg_legacy__yl_meal_order: every order has its time (staging rejects the rest),
    non-negative amounts, subsidy within the amount, orders inside the history."""
    return [
        _kept_only_with("order_time"),
        *_non_negative("amount", "subsidy_amount"),
        _not_before("amount", "subsidy_amount"),
        *_within(_EVENTS, "order_time"),
    ]


# --- supervision ------------------------------------------------------------------------------


@suite("staging", "stg_legacy__yl_inspection")
def _inspection() -> list[Expectation]:
    """staging.stg_legacy__yl_inspection: source and result codes, dates in the history,
    non-negative deductions."""
    return [
        *_coded(source="yl_inspection_source", result="yl_inspection_result"),
        *_within(_EVENTS, "inspect_date"),
        *_non_negative("deduction"),
    ]


@suite("staging", "stg_legacy__yl_complaint")
def _complaint() -> list[Expectation]:
    """staging.stg_legacy__yl_complaint: channel, category and status codes, known divisions,
    times in the history, replies after the complaint."""
    return [
        *_coded(
            channel="yl_complaint_channel",
            category="yl_complaint_category",
            status="yl_complaint_status",
        ),
        *_area(),
        _kept_only_with("create_time"),
        *_within(_EVENTS, "create_time", "reply_time", "close_time"),
        _not_before("reply_time", "create_time"),
    ]


@suite("staging", "stg_district__monthly_report")
def _district_monthly_report() -> list[Expectation]:
    """staging.stg_district__monthly_report: cleaned names, GB 32100 credit codes (or NULL),
    non-negative counts, caregivers within staff, filed inside the history."""
    counts = [
        "residents",
        "approved_beds",
        "actual_beds",
        "staff",
        "caregivers",
        "certified_caregivers",
        "activities",
    ]
    return [
        _org_name(),
        *_credit_code(),
        E.ExpectColumnValuesToMatchRegex(
            column="report_month", regex=r"^[0-9]{4}-(0[1-9]|1[0-2])$", severity=WARNING
        ),
        *_non_negative(*counts),
        _not_before("staff", "caregivers"),
        _not_before("caregivers", "certified_caregivers"),
        *_within(_EVENTS, "filled_date"),
    ]
