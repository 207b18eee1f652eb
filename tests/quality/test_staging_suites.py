"""The staging views' GX suites: registered on the dbt asset keys, pass on the built tiny city
(DuckDB and PostgreSQL), and fail with the true counts when a cleaned value is broken."""

from __future__ import annotations

import re
import shutil

import dagster as dg
import duckdb
import pytest

from quality.checks import CHECK_NAME, build_checks, to_check_result
from quality.gx_runtime import run_suite
from quality.staging_rules import HEALTH_LIMITS, HEALTH_UNITS
from quality.suites import SUITES

STAGING = sorted(table for layer, table in SUITES if layer == "staging")
LEGACY = [
    "yl_elder",
    "yl_org",
    "yl_org_bed",
    "yl_org_resident",
    "yl_staff",
    "yl_family_bed",
    "yl_device",
    "yl_health_record",
    "yl_alarm",
    "yl_work_order",
    "yl_return_visit",
    "yl_call_record",
    "yl_meal_order",
    "yl_inspection",
    "yl_complaint",
    "yl_death_registry",
]
REQUIRED = {*(f"stg_legacy__{t}" for t in LEGACY), "stg_district__monthly_report"}


def _critical(target: str, table: str) -> list[tuple[str, int | None]]:
    """(expectation, unexpected count) of each failed critical expectation; an expectation that
    could not run at all (bad SQL on this engine) counts too, whatever its severity."""
    result = run_suite(target, "staging", table, SUITES[("staging", table)].build())
    broken = [(o.label, o.error) for o in result.outcomes if o.error]
    assert broken == [], f"{table}: expectations raised {broken}"
    return sorted((o.label, o.unexpected_count) for o in result.failed("critical"))


def test_every_staging_view_that_matters_has_a_described_suite():
    assert set(STAGING) >= REQUIRED
    for table in STAGING:
        spec = SUITES[("staging", table)]
        assert spec.description.startswith(f"staging.{table}:"), table
        assert spec.has_critical, table


def test_staging_checks_sit_on_the_dbt_asset_keys(defs):
    graph = defs.resolve_asset_graph()
    checks = build_checks(layers=["staging"])
    assert len(checks) == len(STAGING)
    for table in STAGING:
        key = dg.AssetKey(["staging", table])
        assert graph.has(key), f"{key} is no dbt asset"
        spec = graph.get_check_spec(dg.AssetCheckKey(key, CHECK_NAME))
        assert spec.blocking, table


@pytest.mark.parametrize("table", STAGING)
def test_built_staging_views_meet_their_critical_expectations(built_duckdb_warehouse, table):
    assert _critical(str(built_duckdb_warehouse), table) == []


# (base table, SQL setting a broken cleaned value on n valid rows, n). Staging views read the
# base tables, so a broken base row is a broken staged value.
CORRUPTIONS = {
    "stg_legacy__yl_elder": [
        ("id_card = substr(id_card, 1, 17)", "true", 3),
        ("sex_label = 'M'", "true", 2),
        ("lng = 150.0", "lng is not null", 1),
        ("economic_type = '低保'", "true", 2),  # a label where cleaning gives the code
        ("phone = '+86 138 1234 5678'", "true", 2),
    ],
    "stg_legacy__yl_health_record": [
        ("item_value = 300", "item_code = 'HR'", 4),
        ("item_value = 90", "item_code = 'GLU'", 2),  # mg/dL left unconverted
    ],
    "stg_legacy__yl_work_order": [
        ("end_time = start_time - interval 1 hour", "start_time is not null", 2),
        ("order_status = '已完成'", "true", 3),
    ],
    "stg_legacy__yl_meal_order": [
        ("amount = -5", "true", 2),  # plausibility only: warnings
        ("order_time = timestamp '2019-05-01 12:00:00'", "true", 3),
    ],
    "stg_legacy__yl_org": [
        ("credit_code = 'ABC'", "true", 1),
        ("org_name = org_name || ' (分院)'", "true", 1),
    ],
}
EXPECTED = {
    "stg_legacy__yl_elder": [
        ("expect_column_values_to_be_between(lng)", 1),
        ("expect_column_values_to_be_in_set(economic_type)", 2),
        ("expect_column_values_to_be_in_set(sex_label)", 2),
        ("expect_column_values_to_match_regex(id_card)", 3),
        ("expect_column_values_to_match_regex(phone)", 2),
    ],
    "stg_legacy__yl_health_record": [
        ("expect_column_values_to_be_between(item_value) where item_code == GLU", 2),
        ("expect_column_values_to_be_between(item_value) where item_code == HR", 4),
    ],
    "stg_legacy__yl_work_order": [
        ("expect_column_pair_values_a_to_be_greater_than_b(end_time, start_time)", 2),
        ("expect_column_values_to_be_in_set(order_status)", 3),
    ],
    "stg_legacy__yl_meal_order": [],
    "stg_legacy__yl_org": [
        ("expect_column_values_to_match_regex(credit_code)", 1),
        ("expect_column_values_to_not_match_regex(org_name)", 1),
    ],
}


def test_broken_cleaned_values_fail_with_their_true_counts(built_duckdb_warehouse, tmp_path):
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(built_duckdb_warehouse, target)
    con = duckdb.connect(str(target))
    for view, changes in CORRUPTIONS.items():
        base = view.replace("stg_", "base_", 1)
        key = con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'staging' and table_name = ? order by ordinal_position",
            [view],
        ).fetchone()[0]
        for i, (assignment, where, n) in enumerate(changes):
            # Different rows per change (offset), so that each count stands alone.
            con.execute(
                f"update staging.{base} set {assignment} where {key} in ("
                f" select {key} from staging.{base} where reject_code is null and {where}"
                f" order by {key} limit {n} offset {10 * i})"
            )
    con.close()
    for view, expected in EXPECTED.items():
        assert _critical(str(target), view) == expected, view
    result = run_suite(
        str(target),
        "staging",
        "stg_legacy__yl_org",
        SUITES[("staging", "stg_legacy__yl_org")].build(),
    )
    assert to_check_result(result).severity == dg.AssetCheckSeverity.ERROR
    meals = SUITES[("staging", "stg_legacy__yl_meal_order")].build()
    result = run_suite(str(target), "staging", "stg_legacy__yl_meal_order", meals)
    assert sorted((o.label, o.unexpected_count) for o in result.failed("warning")) == [
        ("expect_column_pair_values_a_to_be_greater_than_b(amount, subsidy_amount)", 2),
        ("expect_column_values_to_be_between(amount)", 2),
        ("expect_column_values_to_be_between(order_time)", 3),
    ]
    assert to_check_result(result).severity == dg.AssetCheckSeverity.WARN


def test_health_limits_are_the_base_models_limits():
    """The suite restates the reject rule and the units of base_legacy__yl_health_record: the
    same items, limits and units both ways (an item only one side knows fails too)."""
    from eldercare.settings import REPO_ROOT

    sql = (REPO_ROOT / "dbt/models/staging/base/base_legacy__yl_health_record.sql").read_text()
    limits = re.findall(
        r"when item_code = '(\w+)' then item_value between ([\d.]+) and ([\d.]+)", sql
    )
    assert {item: (float(lo), float(hi)) for item, lo, hi in limits} == {
        item: (float(lo), float(hi)) for item, (lo, hi) in HEALTH_LIMITS.items()
    }
    units = dict(re.findall(r"when '(\w+)' then '([^']+)'", sql))
    assert units == HEALTH_UNITS


@pytest.mark.postgres
def test_staging_suites_pass_on_postgres(pg_build):
    assert pg_build.error is None, pg_build.error
    failures = {t: f for t in STAGING if (f := _critical(pg_build.target, t))}
    assert failures == {}
