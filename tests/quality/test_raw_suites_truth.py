"""The raw suites on the generator's tiny city, landed by the migration: the dirt the generator
injected (its truth, kept apart from the legacy tables) is exactly what the warnings count, and
the sensitive dish names it injected are exactly the dishes sent to review."""

from __future__ import annotations

import re

import duckdb
import polars as pl
import pytest

from eldercare.warehouse import Warehouse
from migration.landing import land_table
from migration.readers import LegacySource
from quality.gx_runtime import run_suite
from quality.suites import SUITES
from quality.text_review import review_public_texts

TABLES = ["yl_elder", "yl_work_order", "yl_alarm", "yl_org_bed", "yl_canteen_dish", "yl_org"]


@pytest.fixture(scope="session")
def tiny_raw(tiny_legacy, tmp_path_factory) -> str:
    target = str(tmp_path_factory.mktemp("quality_raw") / "warehouse.duckdb")
    source = LegacySource(tiny_legacy.url)
    try:
        for table in TABLES:
            land_table(source, Warehouse(target), table, "quality-test")
    finally:
        source.dispose()
    return target


@pytest.fixture(scope="session")
def dirt(tiny_legacy) -> pl.DataFrame:
    return pl.read_parquet(tiny_legacy.truth_dir / "dirt.parquet")


def _injected(dirt: pl.DataFrame, table: str, kind: str) -> int:
    rows = dirt.filter((pl.col("table_name") == table) & (pl.col("kind") == kind))
    return rows["source_key"].n_unique()


def _unexpected(target: str, table: str) -> dict[str, int | None]:
    result = run_suite(target, "raw", table, SUITES[("raw", table)].build())
    assert not result.failed("critical"), result.failed("critical")
    return {o.label: o.unexpected_count for o in result.outcomes}


def test_warnings_count_exactly_the_injected_dirt(tiny_raw, dirt):
    orders = _unexpected(tiny_raw, "yl_work_order")
    assert orders["expect_column_pair_values_a_to_be_greater_than_b(end_time, start_time)"] == (
        _injected(dirt, "yl_work_order", "end_before_start")
    )
    alarms = _unexpected(tiny_raw, "yl_alarm")
    assert alarms["expect_column_pair_values_a_to_be_greater_than_b(handle_time, alarm_time)"] == (
        _injected(dirt, "yl_alarm", "handled_before_raised")
    )
    beds = _unexpected(tiny_raw, "yl_org_bed")
    # a duplicated bed number puts two rows in conflict
    compound = "expect_compound_columns_to_be_unique(org_id, building, floor_no, room_no, bed_no)"
    assert beds[compound] == 2 * _injected(dirt, "yl_org_bed", "bed_no_duplicate")
    elders = _unexpected(tiny_raw, "yl_elder")
    assert elders["expect_column_values_to_be_in_set(economic_type)"] == (
        _injected(dirt, "yl_elder", "economic_type_old_code")
    )
    with duckdb.connect(tiny_raw, read_only=True) as con:
        ids = [r[0] for r in con.execute("select id_card from raw.yl_elder").fetchall()]
    not_18 = sum(1 for v in ids if v is not None and not re.fullmatch("[0-9]{17}[0-9X]", v))
    assert elders["expect_column_values_to_match_regex(id_card)"] == not_18 > 0


def test_review_lists_exactly_the_injected_sensitive_dishes(tiny_raw, dirt):
    review_public_texts(tiny_raw)
    with duckdb.connect(tiny_raw, read_only=True) as con:
        flagged = {
            r[0]
            for r in con.execute(
                "select source_key from quality.text_review where source_table = 'yl_canteen_dish'"
            ).fetchall()
        }
    injected = set(dirt.filter(pl.col("kind") == "sensitive_dish_name")["source_key"].cast(pl.Utf8))
    assert injected and flagged == injected
