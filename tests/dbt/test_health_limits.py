"""The health suite's limits (quality.staging_rules.HEALTH_LIMITS) are the base model's reject
rule, by behaviour: readings at each limit and just beyond it run through the real
base_legacy__yl_health_record (dbt, on a copy of the session's DuckDB warehouse) and come out
kept or rejected as the suite's limits say."""

from __future__ import annotations

import shutil

import duckdb

from eldercare.settings import Settings
from pipelines.dbt_project import run_dbt
from quality.staging_rules import HEALTH_LIMITS

STEP = 0.1  # beyond the limit by less than any real reading's precision would hide


def test_base_model_rejects_exactly_outside_the_suite_limits(
    built_duckdb_warehouse, dbt_settings, tmp_path
) -> None:
    copy = tmp_path / "limits.duckdb"
    with duckdb.connect(str(built_duckdb_warehouse)) as con:
        con.execute("checkpoint")  # the copy must not miss what is still in the WAL
    shutil.copy(built_duckdb_warehouse, copy)
    cases = {}  # record_id -> (item, value, kept?)
    for item, (low, high) in sorted(HEALTH_LIMITS.items()):
        for value, kept in ((low, True), (high, True), (low - STEP, False), (high + STEP, False)):
            cases[str(len(cases) + 1)] = (item, round(value, 4), kept)
    with duckdb.connect(str(copy)) as con:
        template = con.execute("select * from raw.yl_health_record limit 1").fetchone()
        cols = [d[0] for d in con.description]
        con.execute("delete from raw.yl_health_record")
        for rid, (item, value, _) in cases.items():
            row = dict(zip(cols, template, strict=True))
            # glucose in mmol/L; every reading at its own minute so none is a re-upload
            unit = {"GLU": "mmol/L"}.get(item, row["unit"])
            row.update(record_id=rid, source_key=rid, item_code=item, item_value=str(value))
            row.update(unit=unit, measure_time=f"2025-01-01 08:{int(rid):02d}:00")
            con.execute(
                f"insert into raw.yl_health_record ({', '.join(cols)}) values "
                f"({', '.join('?' for _ in cols)})",
                [row[c] for c in cols],
            )
    settings = Settings(warehouse=str(copy), code_secret=dbt_settings.code_secret)
    run_dbt(["run", "--select", "base_legacy__yl_health_record"], settings)
    with duckdb.connect(str(copy), read_only=True) as con:
        got = dict(
            con.execute(
                "select source_key, reject_code from staging.base_legacy__yl_health_record"
            ).fetchall()
        )
    wrong = [
        (item, value, got.get(rid))
        for rid, (item, value, kept) in cases.items()
        if got.get(rid, "missing") != (None if kept else "health_value_impossible")
    ]
    assert wrong == []
