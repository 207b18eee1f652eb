"""A vendor dump unlike ours, built end to end: the ``drift`` variant (optional tables and
columns missing, surrogate keys missing, extra columns, no exports folder) from SQLite into
DuckDB, migrated and ``dbt build`` run once for the module, scored against the same truth."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from test_resolution import MIN_SCORE, pairwise_scores, source_map

from eldercare.errors import EldercareError
from eldercare.settings import Settings
from migration.generator.variants import VARIANTS, apply_variant
from migration.landing import ABSENT_TABLE, NOT_GIVEN
from migration.legacy_schema import TABLES
from pipelines.dbt_project import run_dbt
from pipelines.run import run_migration

DRIFT = VARIANTS["drift"]


@pytest.fixture(scope="module")
def drift_build(tiny_legacy, tmp_path_factory, code_secret):
    tmp = tmp_path_factory.mktemp("drift_build")
    db = tmp / "drift.db"
    shutil.copy(tiny_legacy.db_path, db)
    apply_variant("drift", f"sqlite:///{db}")
    target = str(tmp / "warehouse.duckdb")
    started = time.perf_counter()
    summary = run_migration(
        legacy_url=f"sqlite:///{db}",
        exports_dir=None,
        warehouse=target,
        dagster_home=tmp / "dagster_home",
    )
    error = None
    try:
        run_dbt(["build"], Settings(warehouse=target, code_secret=code_secret))
    except EldercareError as exc:
        error = str(exc)
    print(f"drift variant: migrate + dbt build {time.perf_counter() - started:.1f} s")
    return summary, target, error


def test_database_alone_with_drift_builds(drift_build):
    summary, _, error = drift_build
    assert summary.success, summary.failures or summary.failed_checks
    assert error is None, error
    line = summary.absent_line()
    assert line is not None and f"{NOT_GIVEN}: the district exports" in line
    assert all(t in line for t in DRIFT.drop_tables)
    assert summary.database_given


def test_every_table_reconciles_and_says_why_it_is_empty(drift_build):
    summary, target, _ = drift_build
    with duckdb.connect(target, read_only=True) as con:
        landed = con.execute(
            "select source_table, source_rows, loaded_rows + quarantined_rows + deleted_rows,"
            " source_key_checksum = loaded_key_checksum, note from audit.reconciliation"
            " where partition_month is null and run_id = ?",
            [summary.run_id],
        ).fetchall()
        staged = con.execute(
            "select source_table, source_rows, loaded_rows, quarantined_rows, deleted_rows"
            " from audit.staging_reconciliation"
        ).fetchall()
        live = {
            t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
            for t in [*TABLES, "district_monthly_report"]
        }
    notes = {t: note for t, *_, note in landed}
    assert {t for t, note in notes.items() if note == ABSENT_TABLE} == set(DRIFT.drop_tables)
    assert notes["district_monthly_report"] == NOT_GIVEN
    for table, source_rows, accounted, keys_match, _ in landed:
        assert source_rows == accounted == live[table] and keys_match, table
    for table, source_rows, loaded, quarantined, deleted in staged:
        assert source_rows == loaded + quarantined + deleted, table
        assert source_rows >= live[table], table


def test_dictionary_without_dict_code_still_decodes(drift_build):
    _, target, _ = drift_build
    with duckdb.connect(target, read_only=True) as con:
        rejected = con.execute(
            "select count(*) from audit.staging_quarantine where source_table = 'sys_dict_data'"
        ).fetchone()[0]
        deaths = con.execute(
            "select count(*) from audit.staging_quarantine"
            " where source_table = 'yl_death_registry' and reason_code = 'missing_key'"
        ).fetchone()[0]
    assert rejected == 0 and deaths == 0


def test_drift_dedup_scores_like_the_default(drift_build, tiny_truth_dir: Path):
    _, target, _ = drift_build
    with duckdb.connect(target, read_only=True) as con:
        for mart, code, ids, truth_file, key, real in (
            ("dim_elder", "elder_code", "source_elder_ids", "elders", "elder_id", "person_id"),
            ("dim_org", "org_code", "source_org_ids", "orgs", "org_id", "real_org_id"),
        ):
            truth = pl.read_parquet(tiny_truth_dir / f"{truth_file}.parquet")
            truth_map = dict(zip(truth[key].to_list(), truth[real].to_list(), strict=True))
            precision, recall = pairwise_scores(source_map(con, mart, code, ids), truth_map)
            assert precision >= MIN_SCORE and recall >= MIN_SCORE, mart


def test_work_order_warning_scores_a_dump_without_order_doubts(drift_build, tmp_path):
    """Issue 12: the drift dump lacks yl_order_doubt; its doubt mart is empty and the warning
    (rules + model, trained on return visits alone) still scores every order."""
    import dagster as dg

    from pipelines.resources import WarehouseResource
    from pipelines.warning import work_order_warning

    _, target, error = drift_build
    assert error is None, error
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(target, copy)
    result = dg.materialize(
        [work_order_warning], resources={"warehouse": WarehouseResource(target=str(copy))}
    )
    assert result.success
    con = duckdb.connect(str(copy), read_only=True)
    try:
        assert con.execute("select count(*) from marts.fct_order_doubt").fetchone()[0] == 0
        scored, flagged = con.execute(
            "select count(warning_score), sum(case when is_suspicious then 1 else 0 end) "
            "from marts.fct_work_order"
        ).fetchone()
        orders = con.execute("select count(*) from marts.fct_work_order").fetchone()[0]
    finally:
        con.close()
    assert scored == orders and flagged > 0
