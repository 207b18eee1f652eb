"""Expectation suites, written in Python, one per warehouse table: the one place to add a suite.

A suite belongs to an asset key ``[layer, table]`` (``["raw", "yl_elder"]``; later
``["staging", model]`` and ``["marts", model]``). Register one with ``@suite(layer, table)`` on a
function returning the expectations; ``quality/checks.py`` turns every registered suite into a
Dagster asset check on that key.

Severity is the GX expectation's own ``severity``:
- ``critical`` (the default) -> Dagster ERROR, blocks downstream assets. Used where the layer's own
  contract is broken: a raw row without its key, a key loaded twice, a row without run_id.
- ``warning`` -> Dagster WARN, reported, never blocking. Used for legacy dirt the contract says to
  expect (labels instead of codes, end before start...): staging cleans or quarantines it, and the
  counts measure the error rate of the source (feature map row 16).

The raw layer is all TEXT, so ranges are checked as text patterns, and datetimes, stored as ISO
text 'YYYY-MM-DD HH:MM:SS', compare correctly as strings.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

import great_expectations as gx
from great_expectations.expectations import Expectation

from eldercare.settings import REPO_ROOT
from migration.contract import FALLBACK_KEYS
from migration.legacy_schema import TABLES, primary_key

E = gx.expectations
WARNING = "warning"
DICT_CSV = REPO_ROOT / "seeds" / "sys_dict_data.csv"

ExpectationFactory = Callable[[], Iterable[Expectation]]


@dataclass(frozen=True)
class SuiteSpec:
    layer: str
    table: str
    factory: ExpectationFactory
    description: str

    @property
    def asset_key(self) -> list[str]:
        return [self.layer, self.table]

    @property
    def name(self) -> str:
        return f"{self.layer}.{self.table}"

    def build(self) -> gx.ExpectationSuite:
        """A fresh suite each time: GX binds suites to the context that validates them."""
        return gx.ExpectationSuite(name=self.name, expectations=list(self.factory()))

    @property
    def has_critical(self) -> bool:
        return any(_severity(e) == "critical" for e in self.factory())


def _severity(expectation: Expectation) -> str:
    return getattr(expectation.severity, "value", str(expectation.severity))


SUITES: dict[tuple[str, str], SuiteSpec] = {}


def suite(layer: str, table: str) -> Callable[[ExpectationFactory], ExpectationFactory]:
    """Register the decorated function's expectations as the suite of ``layer.table``."""

    def register(factory: ExpectationFactory) -> ExpectationFactory:
        key = (layer, table)
        if key in SUITES:
            raise ValueError(f"suite {layer}.{table} registered twice")
        SUITES[key] = SuiteSpec(layer, table, factory, (factory.__doc__ or "").strip())
        return factory

    return register


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
        E.ExpectColumnValuesToBeInSet(column=column, value_set=_dictionary()[dict_type], severity=w)
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


@cache
def _dictionary() -> dict[str, list[str]]:
    """dict_type -> accepted values (codes and labels) from seeds/sys_dict_data.csv."""
    accepted: dict[str, set[str]] = {}
    with DICT_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            accepted.setdefault(row["dict_type"], set()).update(
                (row["dict_value"], row["dict_label"])
            )
    return {t: sorted(v) for t, v in accepted.items()}


def _register_raw(table: str) -> None:
    def expectations() -> list[Expectation]:
        from quality.bar import bar_expectations  # the city's bar: seeds/quality_bar.yml

        own = _raw_base(table) + _raw_specific(table)
        return own + bar_expectations(table, own)

    expectations.__doc__ = f"raw.{table}: raw-layer contract, key, and legacy dirt as warnings."
    suite("raw", table)(expectations)


for _table in TABLES:
    _register_raw(_table)


@suite("raw", "district_monthly_report")
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
    from quality.bar import bar_expectations  # the city's bar: seeds/quality_bar.yml

    return own + bar_expectations("district_monthly_report", own)


# The staging and marts suites live in their own modules; importing them registers them here.
from quality import mart_suites, staging_suites  # noqa: E402, F401
