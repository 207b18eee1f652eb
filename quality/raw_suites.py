"""Suites of the raw layer: what every landed table promises (keys, lineage), the legacy dirt
the contract names (measured as warnings: staging cleans it), and the city's quality bar
(``quality/bar.py``, seeds/quality_bar.yml) appended to each.

Severity: ``critical`` where the layer's own contract is broken (a raw row without its key, a
key loaded twice, a row without run_id); ``warning`` for legacy dirt the contract says to expect
(labels instead of codes, end before start...): the counts measure the error rate of the source
(feature map row 16).

The raw layer is all TEXT, so ranges are checked as text patterns, and datetimes, stored as ISO
text 'YYYY-MM-DD HH:MM:SS', compare correctly as strings.
"""

from __future__ import annotations

from great_expectations.expectations import Expectation

from migration.contract import FALLBACK_KEYS
from migration.legacy_schema import TABLES, primary_key
from quality.bar import bar_expectations
from quality.expectations import WARNING, E, SuiteSpec, dictionary

# --- raw layer -----------------------------------------------------------------------------


def raw_contract(table: str) -> list[Expectation]:
    """What every raw table promises (DEVELOPERS.md, 'The raw layer'): keys and lineage."""
    return [
        # An empty source is legitimate (the reconciled check of migration compares counts).
        E.ExpectTableRowCountToBeBetween(min_value=1, severity=WARNING),
        E.ExpectColumnValuesToNotBeNull(column="source_key"),
        E.ExpectColumnValuesToBeUnique(column="source_key"),
        E.ExpectColumnValuesToBeInSet(column="source_table", value_set=[table]),
        E.ExpectColumnValuesToNotBeNull(column="row_hash"),
        E.ExpectColumnValuesToNotBeNull(column="run_id"),
    ]


def _raw_base(table: str) -> list[Expectation]:
    """Contract + the primary key equals source_key's column, non-null and unique."""
    pk = primary_key(table)
    extra: list[Expectation] = []
    # A generator-only surrogate key may be absent from a dump (migration.contract): then
    # source_key (the fallback key) carries the checks of raw_contract alone.
    if table not in FALLBACK_KEYS:
        extra += [
            E.ExpectColumnValuesToNotBeNull(column=pk),
            E.ExpectColumnValuesToBeUnique(column=pk),
        ]
    if "del_flag" in TABLES[table].columns:
        extra.append(
            E.ExpectColumnValuesToBeInSet(column="del_flag", value_set=["0", "2"], severity=WARNING)
        )
    return raw_contract(table) + extra


# [0-9], never \d: Python's \d also matches full-width digits (dirt here); say what we mean.
_ISO_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?$"
_ID_CARD_18 = r"^[0-9]{17}[0-9X]$"
_CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"


def _raw_specific(table: str) -> list[Expectation]:
    """Legacy dirt the contract names, measured as warnings (staging cleans it)."""
    w = WARNING
    rules: dict[str, list[Expectation]] = {
        "yl_elder": [
            E.ExpectColumnValuesToMatchRegex(column="id_card", regex=_ID_CARD_18, severity=w),
            E.ExpectColumnValuesToMatchRegex(column="birthday", regex=_ISO_DATETIME, severity=w),
        ],
        "yl_org": [
            E.ExpectColumnValuesToNotBeNull(column="org_name", severity=w),
            E.ExpectColumnValuesToMatchRegex(column="credit_code", regex=_CREDIT_CODE, severity=w),
        ],
        "yl_org_bed": [
            E.ExpectCompoundColumnsToBeUnique(
                column_list=["org_id", "building", "floor_no", "room_no", "bed_no"], severity=w
            ),
        ],
        "yl_work_order": [
            E.ExpectColumnValuesToNotBeNull(column="elder_id", severity=w),
            E.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="end_time",
                column_B="start_time",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                severity=w,
            ),
            E.ExpectColumnValuesToBeInSet(
                column="rating", value_set=["1", "2", "3", "4", "5"], severity=w
            ),
        ],
        "yl_alarm": [
            E.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="handle_time",
                column_B="alarm_time",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                severity=w,
            ),
        ],
        "yl_canteen_dish": [
            E.ExpectColumnValuesToNotBeNull(column="dish_name", severity=w),
            E.ExpectColumnValuesToMatchRegex(
                column="price", regex=r"^[0-9]+(\.[0-9]+)?$", severity=w
            ),
        ],
    }
    coded = [
        E.ExpectColumnValuesToBeInSet(column=column, value_set=dictionary()[dict_type], severity=w)
        for column, dict_type in DICT_COLUMNS.get(table, {}).items()
    ]
    return rules.get(table, []) + coded


# Coded columns and their sys_dict_data type. The vendor stored the code or the label
# (legacy-contract.md), so both are accepted; anything else (an old code, a typo) is dirt.
DICT_COLUMNS: dict[str, dict[str, str]] = {
    "yl_elder": {
        "sex": "sys_user_sex",
        "living_type": "yl_living_type",
        "economic_type": "yl_economic_type",
        "ability_level": "yl_ability_level",
        "coord_sys": "yl_coord_sys",
    },
    "yl_org": {
        "org_type": "yl_org_type",
        "ownership": "yl_ownership",
        "star_level": "yl_star_level",
        "medical_condition": "yl_medical_condition",
        "coord_sys": "yl_coord_sys",
    },
    "yl_org_bed": {"bed_type": "yl_bed_type", "bed_status": "yl_bed_status"},
    "yl_org_resident": {"care_level": "yl_care_level"},
    "yl_staff": {"post": "yl_staff_post", "certified": "yl_certified"},
    "yl_family_bed": {"bed_status": "yl_fbed_status"},
    "yl_device": {"device_type": "yl_device_type", "status": "yl_device_status"},
    "yl_health_record": {"item_code": "yl_health_item"},
    "yl_alarm": {"alarm_type": "yl_alarm_type"},
    "yl_service_item": {"category": "yl_service_category", "charge_mode": "yl_charge_mode"},
    "yl_work_order": {"source": "yl_order_source", "order_status": "yl_order_status"},
    "yl_return_visit": {"visit_way": "yl_visit_way", "visit_result": "yl_visit_result"},
    "yl_call_record": {"call_direction": "yl_call_direction", "call_type": "yl_call_type"},
    "yl_inspection": {"source": "yl_inspection_source", "result": "yl_inspection_result"},
    "yl_complaint": {
        "channel": "yl_complaint_channel",
        "category": "yl_complaint_category",
        "status": "yl_complaint_status",
    },
}


def _raw_suite(table: str) -> SuiteSpec:
    def expectations() -> list[Expectation]:
        own = _raw_base(table) + _raw_specific(table)
        return own + bar_expectations(table, own)

    expectations.__doc__ = f"raw.{table}: raw-layer contract, key, and legacy dirt as warnings."
    return SuiteSpec.of("raw", table, expectations)


def _district_monthly_report() -> list[Expectation]:
    """raw.district_monthly_report: contract, one row per file row, and blank/bad cells as
    warnings (feature map row 16: completeness and error rate of the district exports)."""
    w = WARNING
    numeric = ["residents", "approved_beds", "actual_beds", "staff", "caregivers"]
    own = [
        *raw_contract("district_monthly_report"),
        E.ExpectColumnValuesToMatchRegex(column="report_month", regex=r"^[0-9]{4}-[0-9]{2}$"),
        E.ExpectCompoundColumnsToBeUnique(column_list=["source_file", "source_row"]),
        E.ExpectColumnValuesToNotBeNull(column="org_name", severity=w),
        E.ExpectColumnValuesToMatchRegex(column="credit_code", regex=_CREDIT_CODE, severity=w),
        *(E.ExpectColumnValuesToNotBeNull(column=c, severity=w) for c in numeric),
        *(
            E.ExpectColumnValuesToMatchRegex(column=c, regex=r"^[0-9]+$", severity=w)
            for c in numeric
        ),
    ]
    return own + bar_expectations("district_monthly_report", own)


SUITES = [
    *(_raw_suite(table) for table in TABLES),
    SuiteSpec.of("raw", "district_monthly_report", _district_monthly_report),
]
