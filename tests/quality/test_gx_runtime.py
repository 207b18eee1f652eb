"""The GX bridge: suites run inside DuckDB (schema ``raw``) and PostgreSQL, fail on bad data, and
report the true unexpected counts (checked against SQL counts run on the same engine)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import duckdb
import great_expectations as gx
import psycopg
import pytest
import sqlalchemy as sa

from eldercare.errors import EldercareError
from quality.gx_runtime import run_suite

E = gx.expectations
TABLE = "yl_probe"
COLUMNS = {
    "source_key": "text",
    "del_flag": "text",
    "code": "text",
    "a": "integer",
    "org": "text",
    "room": "text",
    "start_time": "text",
    "end_time": "text",
}
GOOD = [
    ("1", "0", "AB12", 1, "o1", "101", "2025-01-01 08:00:00", "2025-01-01 09:00:00"),
    ("2", "2", "CD34", 5, "o1", "102", "2025-01-02 08:00:00", "2025-01-02 08:00:00"),
    ("3", "0", "EF56", 10, "o2", "101", "2025-01-03 08:00:00", None),
]
BAD = [
    (None, "0", "GH78", 3, "o2", "102", "2025-01-04 08:00:00", "2025-01-04 09:30:00"),
    ("3", "9", "ab12", 11, "o1", "101", "2025-01-05 10:00:00", "2025-01-05 09:00:00"),
    ("5", "0", "xy", -1, "o3", "1", "2025-01-06 10:00:00", None),
]
CODE_REGEX = "[A-Z]{2}[0-9]{2}"  # unanchored: GX means "search", as Python's re.search

# expectation -> SQL counting the rows GX should report as unexpected (same engine, same table)
CASES = [
    (E.ExpectColumnValuesToNotBeNull(column="source_key"), "source_key is null"),
    (
        E.ExpectColumnValuesToBeUnique(column="source_key"),
        "source_key in (select source_key from raw.yl_probe group by 1 having count(*) > 1)",
    ),
    (
        E.ExpectColumnValuesToBeInSet(column="del_flag", value_set=["0", "2"]),
        "del_flag not in ('0', '2')",
    ),
    (
        E.ExpectColumnValuesToBeBetween(column="a", min_value=0, max_value=10),
        "a not between 0 and 10",
    ),
    (
        E.ExpectCompoundColumnsToBeUnique(column_list=["org", "room"]),
        "(org, room) in (select org, room from raw.yl_probe group by 1, 2 having count(*) > 1)",
    ),
    (
        E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="end_time",
            column_B="start_time",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        "end_time < start_time",
    ),
]


def _suite(name: str) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name=name,
        expectations=[
            E.ExpectTableRowCountToBeBetween(min_value=1, max_value=100),
            E.ExpectColumnValuesToMatchRegex(column="code", regex=CODE_REGEX),
            *(copy.copy(expectation) for expectation, _ in CASES),
        ],
    )


@pytest.fixture
def duck_good(tmp_path, duckdb_table):
    path = tmp_path / "good.duckdb"
    duckdb_table(path, "raw", TABLE, COLUMNS, GOOD)
    return path


@pytest.fixture
def duck_bad(tmp_path, duckdb_table):
    path = tmp_path / "bad.duckdb"
    duckdb_table(path, "raw", TABLE, COLUMNS, GOOD + BAD)
    return path


def _by_type(result):
    return {o.expectation: o for o in result.outcomes}


def _assert_true_counts(result, count_sql) -> None:
    outcomes = _by_type(result)
    real_rows = count_sql(f"select count(*) from raw.{TABLE}")
    assert outcomes["expect_table_row_count_to_be_between"].observed_value == real_rows
    for expectation, where in CASES:
        outcome = outcomes[expectation.expectation_type]
        expected = count_sql(f"select count(*) from raw.{TABLE} where {where}")
        assert outcome.unexpected_count == expected, (expectation.expectation_type, outcome)
        assert outcome.error is None
    regex = outcomes["expect_column_values_to_match_regex"]
    codes = [r[2] for r in GOOD + BAD if r[2] is not None]
    assert regex.unexpected_count == sum(not re.search(CODE_REGEX, c) for c in codes)


def test_duckdb_suite_passes_on_good_data(duck_good):
    result = run_suite(duck_good, "raw", TABLE, _suite("good"))
    assert result.success, [o for o in result.outcomes if not o.success]
    assert len(result.outcomes) == len(CASES) + 2


def test_duckdb_suite_fails_on_bad_data_with_true_counts(duck_bad):
    result = run_suite(duck_bad, "raw", TABLE, _suite("bad"))
    assert not result.success
    assert all(not o.success for o in result.outcomes if o.unexpected_count)
    assert {o.expectation for o in result.failed()} == {e.expectation_type for e, _ in CASES} | {
        "expect_column_values_to_match_regex"
    }
    con = duckdb.connect(str(duck_bad), read_only=True)
    try:
        _assert_true_counts(result, lambda sql: con.execute(sql).fetchone()[0])
    finally:
        con.close()


def test_metric_queries_run_inside_duckdb(duck_bad):
    """Every query GX issued went to DuckDB over the schema-qualified table; none pulled rows."""
    seen: list[tuple[str, str]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((conn.dialect.name, statement))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        result = run_suite(duck_bad, "raw", TABLE, _suite("where"))
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    assert _by_type(result)["expect_table_row_count_to_be_between"].observed_value == 6
    metric_sql = [s for d, s in seen if "yl_probe" in s and "information_schema" not in s]
    assert metric_sql and {d for d, _ in seen} == {"duckdb"}
    assert all("raw.yl_probe" in s for s in metric_sql), metric_sql
    assert any("count(*)" in s for s in metric_sql)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_plain_duckdb_engine_still_fails_upstream(duck_good):
    """GX issue 11579 as it stands: without the bridge, the metrics come back empty. When this
    test fails, GX has fixed it and quality/gx_runtime.py's dialect can be retired."""
    context = gx.get_context(mode="ephemeral")
    datasource = context.data_sources.add_sql(
        name="plain", connection_string=f"duckdb:///{duck_good}"
    )
    asset = datasource.add_table_asset(name=TABLE, table_name=TABLE, schema_name="raw")
    batch = asset.add_batch_definition_whole_table("all").get_batch()
    suite = gx.ExpectationSuite(
        name="plain", expectations=[E.ExpectTableRowCountToBeBetween(min_value=1)]
    )
    result = batch.validate(suite)
    datasource.get_engine().dispose()
    datasource.get_execution_engine().engine.dispose()
    assert not result.success
    assert "list index out of range" in str(result.results[0].exception_info)


def test_runs_while_the_file_is_open_in_this_process(duck_bad):
    """A Dagster step or the cockpit may hold a plain connection; the check must still run."""
    con = duckdb.connect(str(duck_bad))
    try:
        con.execute(f"insert into raw.{TABLE} values ('6', '0', 'KL12', 2, 'o4', '1', null, null)")
        result = run_suite(duck_bad, "raw", TABLE, _suite("open"))
        assert _by_type(result)["expect_table_row_count_to_be_between"].observed_value == 7
    finally:
        con.close()


def test_missing_table_is_one_line_error(duck_good):
    with pytest.raises(EldercareError, match=r"raw\.no_such_table"):
        run_suite(duck_good, "raw", "no_such_table", _suite("missing"))


@pytest.mark.postgres
def test_postgres_suite_passes_then_fails_with_true_counts(pg_url, pg_table):
    pg_table(pg_url, "raw", TABLE, COLUMNS, GOOD)
    assert run_suite(pg_url, "raw", TABLE, _suite("pg_good")).success
    pg_table(pg_url, "raw", TABLE, COLUMNS, GOOD + BAD)
    result = run_suite(pg_url, "raw", TABLE, _suite("pg_bad"))
    assert not result.success
    with psycopg.connect(pg_url) as con:
        _assert_true_counts(result, lambda sql: con.execute(sql).fetchone()[0])


def test_data_docs_page_rendered_and_old_pages_pruned(duck_bad, tmp_path, monkeypatch):
    import quality.gx_runtime as runtime

    monkeypatch.setattr(runtime, "DOCS_KEEP", 2)
    docs = tmp_path / "docs"
    urls = [
        run_suite(duck_bad, "raw", TABLE, _suite("raw.probe"), docs_dir=docs).docs_url
        for _ in range(3)
    ]
    pages = sorted((docs / "validations" / "raw" / "probe").glob("*/*"))
    assert len(pages) == 2
    latest = Path(unquote(urlparse(urls[-1]).path))
    assert latest.exists() and latest.is_relative_to(pages[-1])
