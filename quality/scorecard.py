"""quality.scorecard: the city's bar measured per entity, county and month, kept over runs.

Every number is computed by one SQL statement per entity inside the warehouse (DuckDB or
PostgreSQL), from the per-row flags of quality/bar.py, grouped with GROUPING SETS into four
grains: the whole entity (county_code = month = 'all'), per county, per month and per county and
month. A county or month that cannot be determined is 'unknown'. Rows are appended under the
run's id, so trends show; a re-run with the same id replaces its own rows.
``quality.scorecard_changes`` (a view) compares the latest run with the one before.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from eldercare.warehouse import Warehouse, WarehouseConnection
from quality.bar import Bar, Entity, load_bar, row_flags_sql
from quality.gx_runtime import existing_warehouse

SCHEMA = "quality"
TABLE = f"{SCHEMA}.scorecard"
RULES_TABLE = f"{SCHEMA}.scorecard_rules"
CHANGES_VIEW = f"{SCHEMA}.scorecard_changes"
ALL, UNKNOWN = "all", "unknown"

_DDL = (
    "run_id text not null, checked_at timestamp not null, entity text not null,"
    " source_table text not null, county_code text not null, month text not null,"
    " rows bigint not null, complete_rows bigint not null, completeness double precision,"
    " error_rows bigint not null, error_rate double precision,"
    " format_rows bigint not null, format_rate double precision, meets_bar boolean"
)
_RULES_DDL = (
    "run_id text not null, checked_at timestamp not null, entity text not null,"
    " rule text not null, rule_class text not null, violations bigint not null,"
    " rows bigint not null, rate double precision"
)


@dataclass(frozen=True)
class EntityScore:
    entity: str
    rows: int
    completeness: float | None
    error_rate: float | None
    format_rate: float | None
    meets_bar: bool | None


def _grain(column: str) -> str:
    return (
        f"case when grouping({column}) = 1 then '{ALL}'"
        f" else coalesce({column}, '{UNKNOWN}') end as {column}"
    )


def _rate(numerator: str) -> str:
    return f"case when count(*) > 0 then cast({numerator} as double precision) / count(*) end"


def scorecard_sql(entity: Entity, bar: Bar) -> str:
    """SELECT of the scorecard rows of one entity (without run_id and checked_at)."""
    complete = "count(*) - sum(incomplete)"
    meets = (
        f"case when count(*) = 0 then null else"
        f" ({_rate(complete)} >= {bar.completeness}"
        f" and {_rate('sum(wrong)')} < {bar.max_error_rate}) end"
    )
    return (
        f"with flags as ({row_flags_sql(entity)})"
        f" select '{entity.name}' as entity, '{entity.table}' as source_table,"
        f" {_grain('county_code')}, {_grain('month')},"
        f" count(*) as rows, {complete} as complete_rows, {_rate(complete)} as completeness,"
        f" sum(wrong) as error_rows, {_rate('sum(wrong)')} as error_rate,"
        f" sum(format) as format_rows, {_rate('sum(format)')} as format_rate,"
        f" {meets} as meets_bar"
        f" from flags group by grouping sets ((), (county_code), (month), (county_code, month))"
    )


def rules_sql(entity: Entity) -> str:
    """Violations per rule over the whole entity: which rule drives the error rate."""
    if not entity.rules:
        return ""
    sums = ", ".join(f"sum(rule_{r.name})" for r in entity.rules)
    return f"with flags as ({row_flags_sql(entity)}) select count(*), {sums} from flags"


def _changes_view_sql() -> str:
    keys = ("entity", "county_code", "month")
    on = " and ".join(f"cur.{k} = prev.{k}" for k in keys)
    pick = ", ".join(f"coalesce(cur.{k}, prev.{k}) as {k}" for k in keys)
    return f"""
create or replace view {CHANGES_VIEW} as
with runs as (
    select run_id, row_number() over (order by max(checked_at) desc, run_id desc) as recency
    from {TABLE} group by run_id
),
cur as (select s.* from {TABLE} s join runs on runs.run_id = s.run_id and runs.recency = 1),
prev as (select s.* from {TABLE} s join runs on runs.run_id = s.run_id and runs.recency = 2)
select
    {pick},
    prev.run_id as previous_run_id, cur.run_id as run_id,
    prev.completeness as previous_completeness, cur.completeness,
    cur.completeness - prev.completeness as completeness_change,
    prev.error_rate as previous_error_rate, cur.error_rate,
    cur.error_rate - prev.error_rate as error_rate_change,
    prev.meets_bar as previous_meets_bar, cur.meets_bar,
    case
        when prev.entity is null then 'new'
        when cur.entity is null then 'gone'
        when prev.meets_bar and not cur.meets_bar then 'fell_below_bar'
        when not prev.meets_bar and cur.meets_bar then 'reached_bar'
        when cur.error_rate > prev.error_rate or cur.completeness < prev.completeness
            then 'worse'
        else 'better'
    end as change
from cur full outer join prev on {on}
where prev.entity is null or cur.entity is null
    or cur.rows <> prev.rows or cur.complete_rows <> prev.complete_rows
    or cur.error_rows <> prev.error_rows
"""


def ensure_tables(conn: WarehouseConnection) -> None:
    conn.execute(f"create schema if not exists {SCHEMA}")
    conn.execute(f"create table if not exists {TABLE} ({_DDL})")
    conn.execute(f"create table if not exists {RULES_TABLE} ({_RULES_DDL})")
    conn.execute(_changes_view_sql())


def compute_scorecard(
    warehouse_target: str | Path,
    *,
    run_id: str | None = None,
    entities: list[str] | None = None,
    bar: Bar | None = None,
) -> dict[str, EntityScore]:
    """Measure the bar for every entity (or those named) and append the rows under ``run_id``.

    Entities whose raw table is absent are skipped. Returns the whole-entity scores.
    """
    bar = bar or load_bar()
    run_id = run_id or f"scorecard:{uuid.uuid4().hex[:12]}"
    checked_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    chosen = [bar.entities[n] for n in entities] if entities else list(bar.entities.values())
    cols = (
        "entity, source_table, county_code, month, rows, complete_rows, completeness,"
        " error_rows, error_rate, format_rows, format_rate, meets_bar"
    )
    scores: dict[str, EntityScore] = {}
    with Warehouse(existing_warehouse(warehouse_target)).connect() as conn:
        ensure_tables(conn)
        with conn.transaction():
            conn.execute(f"delete from {TABLE} where run_id = ?", (run_id,))
            conn.execute(f"delete from {RULES_TABLE} where run_id = ?", (run_id,))
            for entity in chosen:
                if not conn.table_exists("raw", entity.table):
                    continue
                conn.execute(
                    f"insert into {TABLE} (run_id, checked_at, {cols})"
                    f" select ?, ?, {cols} from ({scorecard_sql(entity, bar)}) s",
                    (run_id, checked_at),
                )
                _insert_rules(conn, entity, run_id, checked_at)
            rows = conn.execute(
                f"select entity, rows, completeness, error_rate, format_rate, meets_bar"
                f" from {TABLE} where run_id = ? and county_code = '{ALL}' and month = '{ALL}'",
                (run_id,),
            )
    for entity, n, completeness, error_rate, format_rate, meets in rows:
        scores[entity] = EntityScore(entity, n, completeness, error_rate, format_rate, meets)
    return scores


def _insert_rules(
    conn: WarehouseConnection, entity: Entity, run_id: str, checked_at: datetime
) -> None:
    if not entity.rules:
        return
    total, *counts = conn.execute(rules_sql(entity))[0]
    for rule, count in zip(entity.rules, counts, strict=True):
        conn.execute(
            f"insert into {RULES_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                checked_at,
                entity.name,
                rule.name,
                rule.rule_class,
                int(count or 0),
                int(total),
                (count or 0) / total if total else None,
            ),
        )
