"""quality.scorecard on the tiny generated city: the measured completeness and error rate of each
entity equal the rates of the dirt the generator injected (truth/dirt.parquet), the grains add
up, runs are kept and compared, GX counts the same rules, and PostgreSQL gives the same numbers.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from eldercare.warehouse import Warehouse
from quality.bar import bar_expectations, load_bar
from quality.district_reporting import check_district_reporting
from quality.gx_runtime import run_suite
from quality.outliers import find_trend_outliers
from quality.scorecard import compute_scorecard
from quality.suites import SUITES

BAR = load_bar()


@pytest.fixture(scope="module")
def scored(built_duckdb_warehouse, tmp_path_factory) -> Path:
    """A copy of the built warehouse with one scorecard run 'run-1'."""
    target = tmp_path_factory.mktemp("scorecard") / "warehouse.duckdb"
    shutil.copy(built_duckdb_warehouse, target)
    compute_scorecard(target, run_id="run-1")
    return target


def _truth_rows(con, truth_dir: Path, table: str, kinds: set[str]) -> int:
    """Distinct raw rows carrying one of the dirt kinds (rows the migration landed)."""
    if not kinds:
        return 0
    return con.execute(
        f"select count(distinct d.source_key) from read_parquet(?) d"
        f" join raw.{table} r on r.source_key = d.source_key"
        f" where d.table_name = ? and d.kind in ({', '.join('?' for _ in kinds)})",
        [str(truth_dir / "dirt.parquet"), table, *sorted(kinds)],
    ).fetchone()[0]


@pytest.mark.parametrize("entity", list(BAR.entities))
def test_rates_match_injected_dirt(scored, tiny_legacy, entity):
    e = BAR.entities[entity]
    configured = json.loads((tiny_legacy.truth_dir / "config.json").read_text())["dirt"]
    mapped = set(e.required_dirt) | e.dirt_kinds("wrong") | e.dirt_kinds("format")
    # Every dirt kind the rule file names is one the generator injects at a configured rate.
    assert {k: configured.get(k, 0) for k in mapped if not configured.get(k)} == {}
    con = duckdb.connect(str(scored), read_only=True)
    try:
        rows, complete, errors = con.execute(
            "select rows, complete_rows, error_rows from quality.scorecard"
            " where run_id = 'run-1' and entity = ? and county_code = 'all' and month = 'all'",
            [entity],
        ).fetchone()
        assert rows == con.execute(f"select count(*) from raw.{e.table}").fetchone()[0] > 0
        truth_incomplete = _truth_rows(con, tiny_legacy.truth_dir, e.table, set(e.required_dirt))
        truth_wrong = _truth_rows(con, tiny_legacy.truth_dir, e.table, e.dirt_kinds("wrong"))
    finally:
        con.close()
    # Tolerance: one row, or 2 % of the injected rows (rules may see a little natural dirt).
    assert abs((rows - complete) - truth_incomplete) <= max(1, 0.02 * truth_incomplete)
    assert abs(errors - truth_wrong) <= max(1, 0.02 * truth_wrong)


def test_grains_add_up_and_bar_is_applied(scored):
    con = duckdb.connect(str(scored), read_only=True)
    try:
        mismatched = con.execute(
            """
            with whole as (
                select entity, rows, error_rows from quality.scorecard
                where run_id = 'run-1' and county_code = 'all' and month = 'all'
            ),
            by_county as (
                select entity, sum(rows) as rows, sum(error_rows) as error_rows
                from quality.scorecard
                where run_id = 'run-1' and county_code <> 'all' and month = 'all'
                group by entity
            ),
            by_month as (
                select entity, sum(rows) as rows from quality.scorecard
                where run_id = 'run-1' and county_code = 'all' and month <> 'all'
                group by entity
            )
            select whole.entity from whole
            join by_county using (entity) join by_month using (entity)
            where whole.rows <> by_county.rows or whole.rows <> by_month.rows
                or whole.error_rows <> by_county.error_rows
            """
        ).fetchall()
        assert mismatched == []
        counties = con.execute(
            "select count(distinct county_code) from quality.scorecard"
            " where entity = 'elders' and county_code not in ('all', 'unknown')"
        ).fetchone()[0]
        assert counties == 9  # Zhanjiang's nine counties
        wrong_verdicts = con.execute(
            "select count(*) from quality.scorecard where meets_bar"
            " <> (completeness >= 1.0 and error_rate < 0.01)"
        ).fetchone()[0]
        assert wrong_verdicts == 0
    finally:
        con.close()


def test_runs_are_kept_and_changes_listed(built_duckdb_warehouse, tmp_path):
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(built_duckdb_warehouse, target)
    compute_scorecard(target, run_id="run-a", entities=["alarms", "work_orders"])
    with Warehouse(str(target)).connect() as conn:  # one alarm loses its type
        conn.execute(
            "update raw.yl_alarm set alarm_type = null"
            " where source_key = (select min(source_key) from raw.yl_alarm)"
        )
    compute_scorecard(target, run_id="run-b", entities=["alarms", "work_orders"])
    con = duckdb.connect(str(target), read_only=True)
    try:
        runs = con.execute("select distinct run_id from quality.scorecard order by 1").fetchall()
        assert runs == [("run-a",), ("run-b",)]
        changed = con.execute(
            "select entity, county_code, month, previous_completeness > completeness, change"
            " from quality.scorecard_changes where county_code = 'all' and month = 'all'"
        ).fetchall()
        assert changed == [("alarms", "all", "all", True, "fell_below_bar")]
    finally:
        con.close()


def test_gx_suite_counts_the_same_rules(scored):
    """One definition: the bar's expectations in the raw suite see what the scorecard sees."""
    spec = SUITES[("raw", "yl_work_order")]
    added = bar_expectations("yl_work_order")
    suite_types = {e.configuration.type for e in spec.factory()}
    assert {e.configuration.type for e in added} <= suite_types
    result = run_suite(scored, "raw", "yl_work_order", spec.build())
    gx = {o.label: o.unexpected_count for o in result.outcomes}
    con = duckdb.connect(str(scored), read_only=True)
    try:
        rules = dict(
            con.execute(
                "select rule, violations from quality.scorecard_rules"
                " where run_id = 'run-1' and entity = 'work_orders'"
            ).fetchall()
        )
    finally:
        con.close()
    pair = "expect_column_pair_values_a_to_be_greater_than_b(end_time, start_time)"
    assert gx[pair] == rules["end_after_start"] > 0
    assert gx["expect_column_values_to_match_regex(amount)"] == rules["amount_numeric"] > 0


_PG_TYPES = {"VARCHAR": "text", "DOUBLE": "double precision", "FLOAT": "real"}


def _copy_to_postgres(duck: Path, pg_url: str, tables: list[tuple[str, str]]) -> None:
    """Copy tables (or views) of the DuckDB warehouse into PostgreSQL, types kept."""
    src = duckdb.connect(str(duck), read_only=True)
    try:
        with Warehouse(pg_url).connect() as conn:
            for schema, table in tables:
                cols = src.execute(
                    "select column_name, data_type from information_schema.columns"
                    " where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                ddl = ", ".join(f'"{c}" {_PG_TYPES.get(t, t)}' for c, t in cols)
                conn.execute(f"create schema if not exists {schema}")
                conn.execute(f"create table {schema}.{table} ({ddl})")
                data = src.sql(f"select * from {schema}.{table}").arrow().read_all()
                conn.insert_arrow(schema, table, data)
    finally:
        src.close()


@pytest.mark.postgres
def test_scorecard_on_postgres_matches_duckdb(scored, pg_url):
    """Every entity, every grain: the same numbers on PostgreSQL as on DuckDB."""
    tables = {
        ("staging", "base_legacy__yl_elder"),
        ("staging", "base_legacy__yl_org"),
        ("staging", "stg_legacy__sys_area"),
    }
    for e in BAR.entities.values():
        tables |= {("raw", e.table), tuple(e.base.split("."))}
    _copy_to_postgres(scored, pg_url, sorted(tables))
    compute_scorecard(pg_url, run_id="run-pg")
    compute_scorecard(pg_url, run_id="run-pg2")
    cols = "entity, county_code, month, rows, complete_rows, error_rows, format_rows, meets_bar"
    pg = set(
        Warehouse(pg_url).query(f"select {cols} from quality.scorecard where run_id = 'run-pg'")
    )
    con = duckdb.connect(str(scored), read_only=True)
    try:
        duck = set(
            con.execute(f"select {cols} from quality.scorecard where run_id = 'run-1'").fetchall()
        )
    finally:
        con.close()
    assert pg == duck and len(pg) > 1000
    unchanged = Warehouse(pg_url).query("select count(*) from quality.scorecard_changes")
    assert unchanged == [(0,)]


@pytest.mark.postgres
def test_district_and_outliers_on_postgres_match_duckdb(built_duckdb_warehouse, tmp_path, pg_url):
    """The same SQL on both engines, on a case with issues and outliers in it."""
    duck = tmp_path / "warehouse.duckdb"
    shutil.copy(built_duckdb_warehouse, duck)
    with Warehouse(str(duck)).connect() as conn:
        conn.execute(
            "delete from marts.fct_district_monthly_report where report_month = '2026-03'"
            " and org_code = (select min(org_code) from marts.fct_district_monthly_report)"
        )
        conn.execute(
            "update marts.fct_district_monthly_report set filled_date = date '2026-06-20',"
            " residents = residents + 30 where report_month = '2026-05'"
        )
        conn.execute(
            "update marts.agg_area_monthly set work_orders = work_orders * 5 + 30,"
            " complaints = 40 where area_level = 'county' and month_start = date '2026-07-01'"
        )
    marts = ["fct_district_monthly_report", "dim_org", "fct_residency", "agg_area_monthly"]
    tables = [("marts", t) for t in (*marts, "fct_work_order", "fct_complaint")]
    _copy_to_postgres(duck, pg_url, [*tables, ("reference", "cn_workday_calendar")])
    results = []
    for target in (str(duck), pg_url):
        issues = check_district_reporting(target)
        outliers = find_trend_outliers(target)
        rows = Warehouse(target).query(
            "select issue_kind, org_code, month, reported_value, warehouse_value, detail"
            " from quality.district_reporting_issues"
        )
        flags = Warehouse(target).query(
            "select level, unit_code, measure, month, value, robust_z from quality.trend_outliers"
        )
        rounded = {(*f[:5], round(f[5], 6)) for f in flags}
        results.append((issues, outliers, set(rows), rounded))
    assert results[0] == results[1]
    issues, outliers = results[0][:2]
    assert {"not_reported", "late", "residents_differ"} <= set(issues)
    assert outliers["county:complaints"] >= 1


def test_assets_materialize_in_dagster(built_duckdb_warehouse, tmp_path):
    """The three steward assets and the bar check run in Dagster on the warehouse resource."""
    import dagster as dg

    from quality.district_reporting import district_reporting_issues
    from quality.outliers import trend_outliers
    from quality.scorecard import city_bar_check, scorecard_asset

    target = tmp_path / "warehouse.duckdb"
    shutil.copy(built_duckdb_warehouse, target)
    assets = [scorecard_asset, district_reporting_issues, trend_outliers]
    result = dg.materialize(
        [*assets, city_bar_check], resources={"warehouse": str(target)}, raise_on_error=True
    )
    assert result.success
    meta = result.asset_materializations_for_node("quality__scorecard")[0].metadata
    assert meta["entities"].value == len(BAR.entities)
    checks = result.get_asset_check_evaluations()
    assert [(c.check_name, c.passed) for c in checks] == [("city_bar", False)]
    con = duckdb.connect(str(target), read_only=True)
    try:
        run = con.execute("select distinct run_id from quality.scorecard").fetchall()
    finally:
        con.close()
    assert run == [(f"dagster:{result.run_id}",)]


def test_blank_counts_as_missing_in_gx_and_in_the_scorecard(scored, tmp_path):
    """A required field of spaces only is missing for both: the raw suite's expectations and the
    scorecard's completeness move by exactly the rows blanked."""
    target = tmp_path / "blanked.duckdb"
    shutil.copy(scored, target)
    elders = BAR.entities["elders"]
    spec = SUITES[("raw", "yl_elder")]

    def measure(run_id: str) -> tuple[dict[str, int], int]:
        result = run_suite(str(target), "raw", "yl_elder", spec.build())
        score = compute_scorecard(target, run_id=run_id, entities=["elders"])["elders"]
        gx = {o.label: o.unexpected_count for o in result.outcomes}
        return gx, round(score.completeness * score.rows)

    gx_before, complete_before = measure("before")
    complete = " and ".join(f"{c} is not null and trim({c}) <> ''" for c in elders.required)
    con = duckdb.connect(str(target))
    try:
        keys = [r[0] for r in con.execute(
            f"select source_key from raw.yl_elder where {complete} order by source_key limit 5"
        ).fetchall()]  # fmt: skip
        con.execute(
            "update raw.yl_elder set elder_name = '' where source_key in (?, ?, ?)", keys[:3]
        )
        con.execute("update raw.yl_elder set address = '   ' where source_key in (?, ?)", keys[3:])
    finally:
        con.close()
    gx_after, complete_after = measure("after")
    assert complete_before - complete_after == 5
    for column, blanked in (("elder_name", 3), ("address", 2)):
        regex = f"expect_column_values_to_match_regex({column})"
        assert gx_after[regex] - gx_before[regex] == blanked
        null = f"expect_column_values_to_not_be_null({column})"
        assert gx_after[null] == gx_before[null]
