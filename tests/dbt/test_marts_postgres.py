"""DuckDB and PostgreSQL publish the same marts from the same tiny data: the same row counts,
the same codes, the same key sums. One PostgreSQL build per session."""

from __future__ import annotations

import math
from decimal import Decimal

import duckdb
import psycopg
import pytest

pytestmark = pytest.mark.postgres

# Order-independent fingerprints, written once in SQL that both engines run unchanged.
KEY_AGGREGATES = {
    "dim_elder": "count(*), count(distinct elder_code), sum(case when is_deceased then 1 else 0 end),"
    " min(elder_code), max(elder_code), min(source_elder_ids), max(birth_date)",
    "dim_org": "count(*), min(org_code), max(org_code), sum(approved_beds), round(cast(sum(lng) as numeric), 4),"
    " round(cast(sum(lat) as numeric), 4)",
    "dim_staff": "count(*), sum(employer_count), min(staff_code)",
    "dim_bed": "count(*), min(bed_code), max(bed_code)",
    "fct_work_order": "count(*), count(elder_code), count(staff_code), sum(amount),"
    " sum(subsidy_amount), round(cast(sum(duration_min) as numeric), 2), min(elder_code)",
    "fct_complaint": "count(*), sum(reply_working_days), sum(case when is_reply_on_time then 1 else 0 end)",
    "fct_alarm": "count(*), round(cast(sum(response_minutes) as numeric), 2)",
    "fct_health_daily": "count(*), round(cast(sum(avg_value) as numeric), 2), sum(readings)",
    "fct_residency": "count(*), sum(stay_days), sum(case when is_overlapping then 1 else 0 end)",
    "fct_family_bed_state": "count(*), min(bed_code), sum(case when is_current then 1 else 0 end)",
    "agg_area_monthly": "count(*), sum(work_orders), sum(order_amount), sum(alarms), sum(complaints)",
    "agg_org_occupancy_monthly": "count(*), sum(residents), round(cast(sum(occupancy_rate) as numeric), 4)",
    "fct_device": "count(*), sum(case when is_online then 1 else 0 end), min(reference_time),"
    " round(cast(sum(hours_since_online) as numeric), 2)",
    "fct_family_bed": "count(*), min(bed_code), sum(current_state_order), max(current_state_since)",
    "fct_order_doubt": "count(*), sum(order_id), sum(case when is_confirmed then 1 else 0 end),"
    " min(state), max(org_code)",
    "death_warning": "count(*), sum(amount), min(ref), max(death_date), count(org_code)",
    "agg_home_service_monthly": "count(*), sum(work_orders), sum(orders_under_min),"
    " sum(orders_over_max), round(cast(sum(service_minutes) as numeric), 2), sum(amount), sum(visits)",
}


def _normalise(row: tuple) -> tuple:
    """Numbers as rounded floats and dates as text: the engines differ in Python types only."""
    out = []
    for v in row:
        if isinstance(v, Decimal | float):
            out.append(round(float(v), 2))
        elif v is not None and not isinstance(v, int | str):
            out.append(str(v))
        else:
            out.append(v)
    return tuple(out)


def _same(a: tuple, b: tuple) -> bool:
    """Equal, floats up to their last bits (the engines add them up in different orders)."""
    return len(a) == len(b) and all(
        math.isclose(x, y, rel_tol=1e-9, abs_tol=0.011)
        if isinstance(x, float | int) and isinstance(y, float | int)
        else x == y
        for x, y in zip(a, b, strict=True)
    )


def _mart_tables_duckdb(con) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    ]


def test_duckdb_and_postgres_publish_the_same_marts(built_duckdb_warehouse, pg_build) -> None:
    assert pg_build.error is None, pg_build.error
    duck = duckdb.connect(str(built_duckdb_warehouse), read_only=True)
    pg = psycopg.connect(pg_build.target)
    tables = sorted(_mart_tables_duckdb(duck))
    assert tables
    differences = []
    for table in tables:
        sql = f"select {KEY_AGGREGATES.get(table, 'count(*)')} from marts.{table}"
        d = _normalise(duck.execute(sql).fetchone())
        p = _normalise(pg.execute(sql).fetchone())
        if not _same(d, p):
            differences.append(f"{table}: duckdb {d} != postgres {p}")
    # the codes themselves, one by one
    sql = "select elder_code, source_elder_ids from marts.dim_elder order by elder_code"
    assert duck.execute(sql).fetchall() == pg.execute(sql).fetchall()
    sql = "select org_code, source_org_ids from marts.dim_org order by org_code"
    assert duck.execute(sql).fetchall() == pg.execute(sql).fetchall()
    duck.close()
    pg.close()
    assert differences == []
