"""Suites as Dagster asset checks: an ERROR stops the downstream assets, a WARN does not; the
registered raw suites load, pass on clean raw rows and report the dirt they are meant to find."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import dagster as dg
import duckdb
import great_expectations as gx
import pytest

from eldercare.settings import Settings
from migration.legacy_schema import TABLES, primary_key
from pipelines.resources import WarehouseResource
from quality.checks import CHECK_NAME, build_check, build_checks, to_check_result
from quality.defs import build_defs as quality_defs
from quality.expectations import SuiteSpec
from quality.gx_runtime import run_suite
from quality.suites import SUITES

E = gx.expectations


def _pipeline(path, expectations, docs_dir=None) -> dg.Definitions:
    """upstream raw.tiny (written to DuckDB with a duplicated key) -> GX check -> downstream."""

    @dg.asset(key=["raw", "tiny"])
    def upstream() -> None:
        con = duckdb.connect(str(path))
        con.execute("create schema if not exists raw")
        con.execute(
            "create or replace table raw.tiny as select * from (values ('1'), ('2'), ('2')) v(source_key)"
        )
        con.close()

    @dg.asset(key=["marts", "after_tiny"], deps=[upstream])
    def downstream() -> None:
        con = duckdb.connect(str(path))
        con.execute("create or replace table main.downstream_ran as select 1 as ran")
        con.close()

    spec = SuiteSpec("raw", "tiny", lambda: expectations, "test suite")
    return dg.Definitions(
        assets=[upstream, downstream],
        asset_checks=[build_check(spec, docs_dir=docs_dir)],
        resources={"warehouse": WarehouseResource(target=str(path))},
    )


def _run(defs: dg.Definitions):
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(raise_on_error=False)
    (evaluation,) = result.get_asset_check_evaluations()
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    return evaluation, materialized


def _downstream_ran(path) -> bool:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return bool(
            con.execute(
                "select count(*) from duckdb_tables() where table_name = 'downstream_ran'"
            ).fetchone()[0]
        )
    finally:
        con.close()


def test_error_check_stops_downstream(tmp_path):
    path = tmp_path / "w.duckdb"
    docs = tmp_path / "docs"
    defs = _pipeline(path, [E.ExpectColumnValuesToBeUnique(column="source_key")], docs)
    evaluation, materialized = _run(defs)
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert (
        evaluation.metadata["expect_column_values_to_be_unique(source_key) unexpected_count"].value
        == 2
    )
    assert dg.AssetKey(["raw", "tiny"]) in materialized
    assert dg.AssetKey(["marts", "after_tiny"]) not in materialized
    assert not _downstream_ran(path)
    page = Path(unquote(urlparse(evaluation.metadata["data_docs"].value).path))
    assert page.is_relative_to(docs) and "raw.tiny" in page.read_text(encoding="utf-8")


def test_warn_check_lets_downstream_run(tmp_path):
    """Same blocking check (it holds a critical expectation, which passes); only a warning fails."""
    path = tmp_path / "w.duckdb"
    defs = _pipeline(
        path,
        [
            E.ExpectColumnValuesToNotBeNull(column="source_key"),
            E.ExpectColumnValuesToBeUnique(column="source_key", severity="warning"),
        ],
    )
    assert (
        defs.resolve_asset_graph()
        .get_check_spec(dg.AssetCheckKey(dg.AssetKey(["raw", "tiny"]), CHECK_NAME))
        .blocking
    )
    evaluation, materialized = _run(defs)
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert dg.AssetKey(["marts", "after_tiny"]) in materialized
    assert _downstream_ran(path)


def test_quality_definitions_load_with_a_check_per_raw_table(tmp_path):
    defs = dg.Definitions.merge(
        quality_defs(Settings(warehouse=str(tmp_path / "w.duckdb"), data_dir=tmp_path)),
        dg.Definitions(
            resources={"warehouse": WarehouseResource(target=str(tmp_path / "w.duckdb"))}
        ),
    )
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    gx_checks = [k for k in graph.asset_check_keys if k.name == CHECK_NAME]
    checked = {key.asset_key for key in gx_checks}
    assert {dg.AssetKey(["raw", t]) for t in TABLES} <= checked
    assert dg.AssetKey(["raw", "district_monthly_report"]) in checked
    assert all(graph.get_check_spec(k).blocking for k in gx_checks)
    assert dg.AssetKey(["quality", "text_review"]) in graph.get_all_asset_keys()


def _raw_rows(table: str, rows: list[dict[str, str | None]]):
    """Rows of raw.<table>: legacy columns from ``rows``, lineage columns filled as migration does."""
    legacy = [c.name for c in TABLES[table].columns]
    pk = primary_key(table)
    out = []
    for i, row in enumerate(rows):
        values = [row.get(c) for c in legacy]
        out.append((*values, table, row.get(pk), f"hash{i}", "run1", "2026-11-01 00:00:00"))
    return legacy, out


@pytest.fixture
def work_orders(tmp_path, duckdb_table, raw_columns):
    def build(rows):
        legacy, data = _raw_rows("yl_work_order", rows)
        path = tmp_path / "orders.duckdb"
        duckdb_table(path, "raw", "yl_work_order", raw_columns(legacy), data)
        return path

    return build


def _order(order_id: str, **kw: str | None) -> dict[str, str | None]:
    """A clean work order: every field the raw suite (and the city's quality bar) requires."""
    row = {
        "order_id": order_id,
        "order_no": f"NO{order_id}",
        "elder_id": "E1",
        "provider_org_id": "O1",
        "item_id": "I1",
        "source": "电话",
        "create_time": "2025-03-01 08:00:00",
        "start_time": "2025-03-01 09:00:00",
        "end_time": "2025-03-01 10:00:00",
        "amount": "50.00",
        "order_status": "已完成",
        "rating": "5",
        "del_flag": "0",
    }
    row.update(kw)
    return row


def test_raw_suite_passes_on_clean_rows(work_orders):
    path = work_orders([_order("1"), _order("2", rating=None), _order("3", end_time=None)])
    spec = SUITES[("raw", "yl_work_order")]
    result = run_suite(path, "raw", "yl_work_order", spec.build())
    assert result.success, result.failed()


def test_raw_suite_error_on_duplicate_key_warn_on_legacy_dirt(work_orders):
    path = work_orders(
        [
            _order("1"),
            _order("2", end_time="2025-03-01 08:59:59"),  # end before start: dirt
            _order("3", rating="已评价", del_flag="x"),  # label instead of code: dirt
            _order("3"),  # the same key twice: a broken load
        ]
    )
    spec = SUITES[("raw", "yl_work_order")]
    check = to_check_result(run_suite(path, "raw", "yl_work_order", spec.build()))
    assert check.severity == dg.AssetCheckSeverity.ERROR
    meta = {k: v.value if hasattr(v, "value") else v for k, v in check.metadata.items()}
    assert meta["expect_column_values_to_be_unique(source_key) unexpected_count"] == 2
    assert meta["expect_column_values_to_be_unique(order_id) unexpected_count"] == 2
    pair = "expect_column_pair_values_a_to_be_greater_than_b(end_time, start_time)"
    assert meta[f"{pair} unexpected_count"] == 1
    assert meta["expect_column_values_to_be_in_set(rating) unexpected_count"] == 1
    assert meta["expect_column_values_to_be_in_set(del_flag) unexpected_count"] == 1
    assert meta["failed_critical"] == 2
    assert meta["failed_warning"] == 3


def test_a_marts_suite_is_one_listed_function():
    """The registry is the one place: a listed suite becomes a check on ["marts", model], and a
    table listed twice is refused rather than silently replaced."""
    from quality.suites import index

    def _dim_probe():
        return [
            E.ExpectColumnValuesToBeInSet(column="sex", value_set=["男", "女"], severity="warning")
        ]

    probe = SuiteSpec.of("marts", "dim_probe", _dim_probe)
    (check,) = build_checks(index([probe]).values(), layers=["marts"])
    (spec,) = check.check_specs
    assert spec.key == dg.AssetCheckKey(dg.AssetKey(["marts", "dim_probe"]), CHECK_NAME)
    assert not spec.blocking  # warnings only: nothing to block
    with pytest.raises(ValueError, match="listed twice"):
        index([probe, probe])
