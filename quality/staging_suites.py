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

from datetime import date

from great_expectations.expectations import Expectation
from great_expectations.expectations.row_conditions import Column

from quality.expectations import WARNING, E, SuiteSpec
from quality.staging_rules import (
    EVENTS,
    HEALTH_LIMITS,
    HEALTH_UNITS,
    RECORDS,
    area,
    coded,
    coords,
    credit_code,
    dict_codes,
    id_card,
    kept_only_with,
    non_negative,
    not_before,
    org_name,
    phone,
    within,
)

# --- people -----------------------------------------------------------------------------------


def _elder() -> list[Expectation]:
    """staging.stg_legacy__yl_elder: valid 18-character ID numbers and the birth date and sex
    read from them, normalised phones, WGS-84 homes in Zhanjiang, known divisions, codes."""
    today = date.today()
    return [
        *id_card(),
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
        *phone("phone"),
        *phone("guardian_phone"),
        E.ExpectColumnValuesToBeInSet(column="phone_kind", value_set=["mobile", "landline"]),
        *coords(),
        *area(),
        *coded(
            living_type="yl_living_type",
            economic_type="yl_economic_type",
            ability_level="yl_ability_level",
        ),
        not_before("death_date", "birth_date"),
        *within(EVENTS, "death_date"),
        *within(RECORDS, "create_time", "update_time"),
    ]


def _staff() -> list[Expectation]:
    """staging.stg_legacy__yl_staff: valid ID numbers (or NULL), normalised phones, post codes."""
    return [
        *id_card(),
        *phone("phone"),
        *coded(post="yl_staff_post"),
        E.ExpectColumnValuesToBeInSet(
            column="status", value_set=dict_codes()["sys_normal_disable"], severity=WARNING
        ),
    ]


def _death_registry() -> list[Expectation]:
    """staging.stg_legacy__yl_death_registry: valid ID numbers, deaths inside the history."""
    return [*id_card(), kept_only_with("death_date"), *within(EVENTS, "death_date")]


# --- organisations and beds -------------------------------------------------------------------


def _org() -> list[Expectation]:
    """staging.stg_legacy__yl_org: cleaned names, GB 32100 credit codes (or NULL), WGS-84
    positions in Zhanjiang, known divisions, codes, non-negative beds and charges."""
    return [
        org_name(),
        *credit_code(),
        *coords(),
        *area(),
        *phone("contact_phone"),
        *coded(org_type="yl_org_type", ownership="yl_ownership"),
        E.ExpectColumnValuesToBeInSet(
            column="star_level",
            value_set=[int(v) for v in dict_codes()["yl_star_level"]],
            severity=WARNING,
        ),
        *non_negative("approved_beds", "filed_beds", "charge_min", "charge_max"),
        not_before("charge_max", "charge_min"),
        *within(RECORDS, "create_time", "update_time"),
    ]


def _org_bed() -> list[Expectation]:
    """staging.stg_legacy__yl_org_bed: bed type and status codes."""
    return coded(bed_type="yl_bed_type", bed_status="yl_bed_status")


def _org_resident() -> list[Expectation]:
    """staging.stg_legacy__yl_org_resident: care-level codes, stays that end after they start."""
    return [
        *coded(care_level="yl_care_level"),
        *within(RECORDS, "check_in_date", "check_out_date"),
        not_before("check_out_date", "check_in_date"),
    ]


def _family_bed() -> list[Expectation]:
    """staging.stg_legacy__yl_family_bed: status codes, no bed revoked before it was built
    (rejected by staging), dates in range, non-negative subsidies."""
    return [
        *coded(bed_status="yl_fbed_status"),
        not_before("revoke_date", "build_date", severity="critical"),
        *within(RECORDS, "apply_date", "assess_date", "build_date"),
        *within(EVENTS, "revoke_date"),
        not_before("build_date", "apply_date"),
        *non_negative("monthly_subsidy"),
    ]


# --- devices, health, alarms ------------------------------------------------------------------


def _device() -> list[Expectation]:
    """staging.stg_legacy__yl_device: device type and status codes, times in range."""
    return [
        *coded(device_type="yl_device_type", status="yl_device_status"),
        *within(RECORDS, "bind_time"),
        *within(EVENTS, "unbind_time", "last_online_time"),
        not_before("unbind_time", "bind_time"),
    ]


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
            value_pairs_set=sorted(HEALTH_UNITS.items()),
            ignore_row_if="either_value_is_missing",
        ),
        *within(EVENTS, "measure_time"),
    ]


def _alarm() -> list[Expectation]:
    """staging.stg_legacy__yl_alarm: alarm type codes, none handled before it was raised
    (rejected by staging), times inside the history."""
    return [
        *coded(alarm_type="yl_alarm_type"),
        not_before("handle_time", "alarm_time", severity="critical"),
        *non_negative("response_minutes", severity="critical"),
        *within(EVENTS, "alarm_time", "handle_time"),
    ]


# --- services ---------------------------------------------------------------------------------


def _service_item() -> list[Expectation]:
    """staging.stg_legacy__yl_service_item: charge-mode codes, non-negative prices, a maximum
    duration not under the minimum."""
    return [
        *coded(charge_mode="yl_charge_mode"),
        *non_negative("price", "min_minutes"),
        not_before("max_minutes", "min_minutes"),
    ]


def _work_order() -> list[Expectation]:
    """staging.stg_legacy__yl_work_order: source and status codes, none ending before it started
    (rejected by staging), WGS-84 positions in Zhanjiang, non-negative amounts, ratings 1-5."""
    return [
        *coded(source="yl_order_source", order_status="yl_order_status"),
        not_before("end_time", "start_time", severity="critical"),
        *non_negative("duration_min", severity="critical"),
        *coords("start_lng", "start_lat"),
        *coords("end_lng", "end_lat"),
        *non_negative("amount", "subsidy_amount", "self_pay_amount", "audio_seconds"),
        E.ExpectColumnValuesToBeBetween(
            column="rating", min_value=1, max_value=5, severity=WARNING
        ),
        *within(EVENTS, "create_time", "plan_time", "start_time", "end_time"),
    ]


def _return_visit() -> list[Expectation]:
    """staging.stg_legacy__yl_return_visit: visit way and result codes, visits in the history."""
    return [
        *coded(visit_way="yl_visit_way", visit_result="yl_visit_result"),
        *within(EVENTS, "visit_time"),
    ]


def _call_record() -> list[Expectation]:
    """staging.stg_legacy__yl_call_record: direction and type codes, calls in the history,
    numbers normalised where they are phones (staging keeps other text, e.g. a seat)."""
    return [
        *coded(call_direction="yl_call_direction", call_type="yl_call_type"),
        *phone("caller_no", normalised=False),
        *phone("callee_no", normalised=False),
        *non_negative("talk_seconds"),
        kept_only_with("start_time"),
        *within(EVENTS, "start_time"),
    ]


def _meal_order() -> list[Expectation]:
    """staging.stg_legacy__yl_meal_order: every order has its time (staging rejects the rest),
    non-negative amounts, subsidy within the amount, orders inside the history."""
    return [
        kept_only_with("order_time"),
        *non_negative("amount", "subsidy_amount"),
        not_before("amount", "subsidy_amount"),
        *within(EVENTS, "order_time"),
    ]


# --- supervision ------------------------------------------------------------------------------


def _inspection() -> list[Expectation]:
    """staging.stg_legacy__yl_inspection: source and result codes, dates in the history,
    non-negative deductions."""
    return [
        *coded(source="yl_inspection_source", result="yl_inspection_result"),
        *within(EVENTS, "inspect_date"),
        *non_negative("deduction"),
    ]


def _complaint() -> list[Expectation]:
    """staging.stg_legacy__yl_complaint: channel, category and status codes, known divisions,
    times in the history, replies after the complaint."""
    return [
        *coded(
            channel="yl_complaint_channel",
            category="yl_complaint_category",
            status="yl_complaint_status",
        ),
        *area(),
        kept_only_with("create_time"),
        *within(EVENTS, "create_time", "reply_time", "close_time"),
        not_before("reply_time", "create_time"),
    ]


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
        org_name(),
        *credit_code(),
        E.ExpectColumnValuesToMatchRegex(
            column="report_month", regex=r"^[0-9]{4}-(0[1-9]|1[0-2])$", severity=WARNING
        ),
        *non_negative(*counts),
        not_before("staff", "caregivers"),
        not_before("caregivers", "certified_caregivers"),
        *within(EVENTS, "filled_date"),
    ]


SUITES = [
    SuiteSpec.of("staging", "stg_legacy__yl_elder", _elder),
    SuiteSpec.of("staging", "stg_legacy__yl_staff", _staff),
    SuiteSpec.of("staging", "stg_legacy__yl_death_registry", _death_registry),
    SuiteSpec.of("staging", "stg_legacy__yl_org", _org),
    SuiteSpec.of("staging", "stg_legacy__yl_org_bed", _org_bed),
    SuiteSpec.of("staging", "stg_legacy__yl_org_resident", _org_resident),
    SuiteSpec.of("staging", "stg_legacy__yl_family_bed", _family_bed),
    SuiteSpec.of("staging", "stg_legacy__yl_device", _device),
    SuiteSpec.of("staging", "stg_legacy__yl_health_record", _health_record),
    SuiteSpec.of("staging", "stg_legacy__yl_alarm", _alarm),
    SuiteSpec.of("staging", "stg_legacy__yl_service_item", _service_item),
    SuiteSpec.of("staging", "stg_legacy__yl_work_order", _work_order),
    SuiteSpec.of("staging", "stg_legacy__yl_return_visit", _return_visit),
    SuiteSpec.of("staging", "stg_legacy__yl_call_record", _call_record),
    SuiteSpec.of("staging", "stg_legacy__yl_meal_order", _meal_order),
    SuiteSpec.of("staging", "stg_legacy__yl_inspection", _inspection),
    SuiteSpec.of("staging", "stg_legacy__yl_complaint", _complaint),
    SuiteSpec.of("staging", "stg_district__monthly_report", _district_monthly_report),
]
