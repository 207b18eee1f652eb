"""quality.trend_outliers on the tiny generated city: a spike injected into a copy of the county
aggregate is flagged with its baseline, a fall of an established series too, and the months
around them, like the untouched series, are not."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from quality.outliers import find_trend_outliers

COUNTY_MONTHS = (
    "select area_code, month_start, work_orders from marts.agg_area_monthly"
    " where area_level = 'county' and month_start between date '2026-01-01' and date '2026-10-01'"
)


@pytest.fixture
def copy(built_duckdb_warehouse, tmp_path):
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(built_duckdb_warehouse, target)
    return target


def _flags(target) -> list[tuple]:
    con = duckdb.connect(str(target), read_only=True)
    try:
        return con.execute(
            "select level, unit_code, measure, month, direction, baseline_median"
            " from quality.trend_outliers order by 1, 2, 3, 4"
        ).fetchall()
    finally:
        con.close()


def test_spike_and_fall_are_flagged_normal_months_are_not(copy):
    find_trend_outliers(copy)
    before = set(_flags(copy))
    con = duckdb.connect(str(copy))
    try:
        # The county with the most work orders in 2026: an established series.
        county = con.execute(
            f"select area_code from ({COUNTY_MONTHS}) group by 1 order by sum(work_orders) desc"
            " limit 1"
        ).fetchone()[0]
        median = con.execute(
            f"select median(work_orders) from ({COUNTY_MONTHS}) where area_code = ?", [county]
        ).fetchone()[0]
        assert median >= 10  # enough history to call a month abnormal
        con.execute(
            "update marts.agg_area_monthly set work_orders = work_orders * 5 + 30"
            " where area_level = 'county' and area_code = ? and month_start = date '2026-07-01'",
            [county],
        )
        con.execute(
            "update marts.agg_area_monthly set complaints = 40"
            " where area_level = 'county' and area_code = ? and month_start = date '2026-05-01'",
            [county],
        )
    finally:
        con.close()
    counts = find_trend_outliers(copy)
    after = set(_flags(copy))
    new = {(f[0], f[1], f[2], f[3], f[4]) for f in after - before}
    assert new == {
        ("county", county, "work_orders", "2026-07", "jump"),
        ("county", county, "complaints", "2026-05", "jump"),
    }
    months = {f[3] for f in after if f[1] == county and f[2] == "work_orders"}
    assert "2026-06" not in months and "2026-08" not in months
    assert sum(counts.values()) == len(after)


def test_fall_of_an_established_series_is_flagged(copy):
    con = duckdb.connect(str(copy))
    try:
        county, value = con.execute(
            f"select area_code, work_orders from ({COUNTY_MONTHS})"
            " where month_start = date '2026-09-01' order by work_orders desc limit 1"
        ).fetchone()
        con.execute(
            "update marts.agg_area_monthly set work_orders = 0"
            " where area_level = 'county' and area_code = ? and month_start = date '2026-09-01'",
            [county],
        )
    finally:
        con.close()
    find_trend_outliers(copy)
    falls = [f for f in _flags(copy) if f[4] == "fall"]
    assert [(f[1], f[2], f[3]) for f in falls] == [(county, "work_orders", "2026-09")]
    assert falls[0][5] > 12.25  # a fall to zero is only abnormal above Poisson noise
    assert value > 0
