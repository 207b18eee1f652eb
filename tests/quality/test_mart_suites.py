"""The marts' GX suites run inside the warehouse: pass on the built tiny city, fail on bad rows."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from quality.gx_runtime import run_suite
from quality.suites import SUITES

MARTS = ["dim_elder", "dim_org", "fct_work_order"]


def _critical_failures(target: str, table: str) -> dict[str, int]:
    result = run_suite(target, "marts", table, SUITES[("marts", table)].build())
    return {
        f"{o.expectation}({','.join(o.columns)})": o.unexpected_count
        for o in result.failed("critical")
    }


@pytest.mark.parametrize("table", MARTS)
def test_built_marts_meet_their_critical_expectations(built_duckdb_warehouse, table):
    assert _critical_failures(str(built_duckdb_warehouse), table) == {}


def test_bad_mart_rows_fail_with_their_true_counts(built_duckdb_warehouse, tmp_path):
    target = tmp_path / "bad.duckdb"
    shutil.copy(built_duckdb_warehouse, target)
    con = duckdb.connect(str(target))
    # One person twice, and two orders with a negative duration.
    con.execute("insert into marts.dim_elder select * from marts.dim_elder limit 1")
    con.execute(
        "update marts.fct_work_order set duration_min = -5 "
        "where order_id in (select order_id from marts.fct_work_order order by order_id limit 2)"
    )
    con.close()
    assert _critical_failures(str(target), "dim_elder") == {
        "expect_column_values_to_be_unique(elder_code)": 2
    }
    assert _critical_failures(str(target), "fct_work_order") == {
        "expect_column_values_to_be_between(duration_min)": 2
    }


@pytest.mark.postgres
@pytest.mark.parametrize("table", MARTS)
def test_marts_suites_pass_on_postgres(pg_build, table):
    assert pg_build.error is None, pg_build.error
    assert _critical_failures(pg_build.target, table) == {}
