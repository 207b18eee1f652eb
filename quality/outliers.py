"""Outliers in monthly trends: a county or an organisation whose month jumps or falls beyond
what its own history allows, listed in ``quality.trend_outliers`` for review, the way routine
health information systems flag outliers (WHO Data Quality Review: a month far from the
series' recent norm is a data-entry suspect until someone confirms it).

Rule, per series (unit x measure), for each month with at least ``MIN_HISTORY`` months of
history (a series starts at its first non-zero month; missing months count as 0):

- baseline ``m`` = median of the trailing 12 months, ``MAD`` = their median absolute deviation;
- scale = ``max(1.4826 x MAD, sqrt(m), 1)``: the robust standard deviation, floored by the
  Poisson noise of a count, so a flat series does not flag a change of one or two;
- robust z = (value - m) / scale; flagged when ``|z| > Z_THRESHOLD`` (3.5, Iglewicz-Hoaglin),
  ``|value - m| >= MIN_CHANGE``, for work orders ``m >= MIN_BASELINE`` (a provider's first
  months ramp up from nothing and have no norm yet), and the value is also far from the median
  ``m3`` of the trailing 3 months (``|value - m3| / scale > Z_THRESHOLD`` and
  ``|value - m3| > RECENT_SHARE x m3``): steady growth moves ``m3`` along and is not flagged,
  a month that jumps by more than half, or collapses, is. Steep ramp months of the 2025
  subsidy roll-out are therefore flagged once; the reviewer marks them as explained.

Series: counties (``marts.agg_area_monthly``): work orders, alarms, complaints; organisations:
work orders (``marts.fct_work_order``) and complaints (``marts.fct_complaint``). Computed in one
SQL statement inside the warehouse (median with ``percentile_cont``, both engines).
"""

import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster import AssetExecutionContext

from eldercare.warehouse import Warehouse
from quality.gx_runtime import existing_warehouse
from quality.scorecard import literal, run_sql

TABLE = "quality.trend_outliers"
Z_THRESHOLD = 3.5
MIN_CHANGE = 5
MIN_HISTORY = 6
RECENT_SHARE = 0.5  # and at least 50 % away from the trailing-3-month median
# Work orders only: services ramp up from zero as a provider or the subsidy programme starts,
# and that start is not an outlier. A jump of alarms or complaints from nothing is one.
MIN_BASELINE = {"work_orders": 5}

# level, measure, SELECT of (unit_code, month_start, value) per month
SERIES: tuple[tuple[str, str, str], ...] = (
    *(
        (
            "county",
            measure,
            f"select area_code, month_start, {measure} from marts.agg_area_monthly"
            " where area_level = 'county'",
        )
        for measure in ("work_orders", "alarms", "complaints")
    ),
    (
        "org",
        "work_orders",
        "select org_code, order_month, count(*) from marts.fct_work_order"
        " where org_code is not null group by org_code, order_month",
    ),
    (
        "org",
        "complaints",
        "select org_code, cast(date_trunc('month', create_time) as date), count(*)"
        " from marts.fct_complaint where org_code is not null group by 1, 2",
    ),
)

_DDL = (
    "run_id text not null, checked_at timestamp not null, level text not null,"
    " unit_code text not null, measure text not null, month text not null,"
    " value double precision, baseline_median double precision, baseline_mad double precision,"
    " recent_median double precision, robust_z double precision, direction text,"
    " history_months integer"
)


def outliers_sql() -> str:
    sources = " union all ".join(
        f"select '{level}' as level, '{measure}' as measure, unit_code, month_start,"
        f" cast(value as double precision) as value"
        f" from ({sql}) as s (unit_code, month_start, value)"
        for level, measure, sql in SERIES
    )
    min_baseline = " ".join(f"when '{m}' then {n}" for m, n in MIN_BASELINE.items())
    series = "h.level = d.level and h.measure = d.measure and h.unit_code = d.unit_code"
    return f"""
with
observed as ({sources}),
months as (select distinct month_start from observed),
bounds as (
    select level, measure, unit_code, min(month_start) as first_month
    from observed where value > 0 group by level, measure, unit_code
),
dense as (
    select b.level, b.measure, b.unit_code, m.month_start, coalesce(o.value, 0) as value
    from bounds b
    join months m on m.month_start >= b.first_month
    left join observed o on o.level = b.level and o.measure = b.measure
        and o.unit_code = b.unit_code and o.month_start = m.month_start
),
history as (
    select d.level, d.measure, d.unit_code, d.month_start, d.value, h.value as past,
        h.month_start >= d.month_start - interval '3 months' as is_recent
    from dense d join dense h on {series}
        and h.month_start >= d.month_start - interval '12 months'
        and h.month_start < d.month_start
),
baseline as (
    select level, measure, unit_code, month_start, min(value) as value,
        count(*) as history_months,
        percentile_cont(0.5) within group (order by past) as median,
        percentile_cont(0.5) within group (order by case when is_recent then past end)
            as recent_median
    from history group by level, measure, unit_code, month_start
    having count(*) >= {MIN_HISTORY}
),
spread as (
    select b.level, b.measure, b.unit_code, b.month_start,
        percentile_cont(0.5) within group (order by abs(h.past - b.median)) as mad
    from baseline b join history h on {series.replace("d.", "b.")}
        and h.month_start = b.month_start
    group by b.level, b.measure, b.unit_code, b.month_start
),
scored as (
    select b.*, s.mad,
        greatest(1.4826 * s.mad, sqrt(b.median), 1.0) as scale
    from baseline b join spread s on s.level = b.level and s.measure = b.measure
        and s.unit_code = b.unit_code and s.month_start = b.month_start
)
select level, unit_code, measure, substr(cast(month_start as varchar), 1, 7) as month, value,
    median as baseline_median, mad as baseline_mad, recent_median,
    (value - median) / scale as robust_z,
    case when value > median then 'jump' else 'fall' end as direction, history_months
from scored
where median >= case measure {min_baseline} else 0 end
    and abs(value - median) / scale > {Z_THRESHOLD}
    and abs(value - median) >= {MIN_CHANGE}
    and abs(value - recent_median) / scale > {Z_THRESHOLD}
    and abs(value - recent_median) > {RECENT_SHARE} * recent_median
"""


def find_trend_outliers(warehouse_target: str | Path, *, run_id: str | None = None) -> Counter:
    """Refresh ``quality.trend_outliers``; returns the number of flagged months per measure."""
    run_id = run_id or f"outliers:{uuid.uuid4().hex[:12]}"
    checked_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    cols = (
        "level, unit_code, measure, month, value, baseline_median, baseline_mad,"
        " recent_median, robust_z, direction, history_months"
    )
    with Warehouse(existing_warehouse(warehouse_target)).connect() as conn:
        conn.execute("create schema if not exists quality")
        conn.execute(f"create table if not exists {TABLE} ({_DDL})")
        with conn.transaction():
            run_sql(conn, f"delete from {TABLE}")
            run_sql(
                conn,
                f"insert into {TABLE} (run_id, checked_at, {cols})"
                f" select {literal(run_id)}, {literal(checked_at)}, {cols}"
                f" from ({outliers_sql()}) o",
            )
            counts = run_sql(
                conn, f"select level || ':' || measure, count(*) from {TABLE} group by 1"
            )
    return Counter(dict(counts))


@dg.asset(
    key=["quality", "trend_outliers"],
    deps=[
        dg.AssetKey(["marts", "agg_area_monthly"]),
        dg.AssetKey(["marts", "fct_work_order"]),
        dg.AssetKey(["marts", "fct_complaint"]),
    ],
    required_resource_keys={"warehouse"},
    group_name="quality",
    kinds={"sql"},  # + the engine, added by pipelines/definitions.py
    owners=["team:quality"],
    description="Counties and organisations whose monthly work orders, alarms or complaints "
    f"jump or fall beyond their history (robust z > {Z_THRESHOLD} on the trailing 12 months' "
    "median and MAD), for review.",
)
def trend_outliers(context: AssetExecutionContext) -> dg.MaterializeResult:
    from quality.checks import warehouse_target

    counts = find_trend_outliers(
        warehouse_target(context.resources.warehouse), run_id=f"dagster:{context.run.run_id}"
    )
    return dg.MaterializeResult(
        metadata={"outliers": sum(counts.values()), **{k: n for k, n in sorted(counts.items())}}
    )
