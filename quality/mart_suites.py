"""Suites of the published marts (legacy contract, "What the warehouse publishes").

Critical where the mart's own promise breaks (a code twice, a code in the wrong form, a negative
duration that staging should have quarantined): that blocks what reads the mart. Warnings where
the legacy data is legitimately incomplete (an order whose elder was quarantined has no
elder_code; an organisation without coordinates) so stewards see it without stopping cockpits.
"""

from __future__ import annotations

from great_expectations.expectations import Expectation

from quality.expectations import WARNING, E, SuiteSpec

# Prefix letter, 16 Crockford base-32 characters, Crockford mod-37 check character
# (docs/unified-codes.md).
_BODY = "[0-9A-HJKMNP-TV-Z]{16}[0-9A-HJKMNP-TV-Z*~$=U]"
_COUNTY = r"^4408[0-9]{2}$"


def _code(column: str, prefix: str) -> list[Expectation]:
    return [
        E.ExpectColumnValuesToNotBeNull(column=column),
        E.ExpectColumnValuesToBeUnique(column=column),
        E.ExpectColumnValuesToMatchRegex(column=column, regex=f"^{prefix}{_BODY}$"),
    ]


def _dim_elder() -> list[Expectation]:
    """marts.dim_elder: one 长者码 per person, masked ID numbers only, Zhanjiang counties."""
    return [
        *_code("elder_code", "E"),
        E.ExpectColumnValuesToMatchRegex(
            column="id_card_masked", regex=r"^[0-9]{6}\*{8}[0-9]{3}[0-9X]$"
        ),
        E.ExpectColumnValuesToBeInSet(column="sex", value_set=["男", "女"], severity=WARNING),
        E.ExpectColumnValuesToMatchRegex(column="county_code", regex=_COUNTY, severity=WARNING),
        E.ExpectColumnValuesToNotBeNull(column="source_elder_ids"),
    ]


def _dim_org() -> list[Expectation]:
    """marts.dim_org: one 机构码 per organisation, WGS-84 coordinates inside Zhanjiang."""
    return [
        *_code("org_code", "O"),
        E.ExpectColumnValuesToNotBeNull(column="org_name"),
        # Zhanjiang's extent with a margin: a point outside is a conversion or swap gone wrong.
        E.ExpectColumnValuesToBeBetween(
            column="lng", min_value=109.3, max_value=111.3, severity=WARNING
        ),
        E.ExpectColumnValuesToBeBetween(
            column="lat", min_value=19.9, max_value=22.0, severity=WARNING
        ),
        E.ExpectColumnValuesToNotBeNull(column="lng", severity=WARNING),
        E.ExpectColumnValuesToNotBeNull(column="source_org_ids"),
    ]


def _fct_work_order() -> list[Expectation]:
    """marts.fct_work_order: one row per legacy order, non-negative durations and amounts."""
    return [
        E.ExpectColumnValuesToNotBeNull(column="order_id"),
        E.ExpectColumnValuesToBeUnique(column="order_id"),
        E.ExpectColumnValuesToBeBetween(column="duration_min", min_value=0),
        E.ExpectColumnValuesToBeBetween(column="amount", min_value=0),
        E.ExpectColumnValuesToNotBeNull(column="org_code", severity=WARNING),
        E.ExpectColumnValuesToNotBeNull(column="elder_code", severity=WARNING),
    ]


SUITES = [
    SuiteSpec.of("marts", "dim_elder", _dim_elder),
    SuiteSpec.of("marts", "dim_org", _dim_org),
    SuiteSpec.of("marts", "fct_work_order", _fct_work_order),
]
