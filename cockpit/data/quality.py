"""数据质量 (issue 10 item 9): what a data steward watches, from the ``quality`` and ``audit``
schemas that ``eldercare build``'s publish step fills (docs/quality.md, docs/quality-bar.md).

- the city's bar per entity x county x month (``quality.scorecard``, latest run), its monthly
  trend and its history over runs; which checks fail (entity level in every scope, rule level
  from ``quality.scorecard_rules`` for the city: that table has no county); what changed since
  the run before (``quality.scorecard_changes``);
- district reporting issues, trend outliers, and the text review queue (read only: review
  decisions go to the application database in a later issue);
- the migration's reconciliation and quarantine (``audit.*``): city-wide technical tables with
  no county, so any county scope selects nothing from them.

The scorecard is at county grain: a town scope reads its county (``county_scope``).
"""

from __future__ import annotations

import pandas as pd

from cockpit.data import quality_labels as labels
from cockpit.data.core import query, scalar, table_exists
from cockpit.data.overview import kpi_value
from cockpit.kpis import Kpi, register
from cockpit.scope import Scope
from quality.bar import load_bar

SCORECARD = "quality.scorecard"
CITY = "all"  # the scorecard's county_code of the whole city
LATEST_RUN = f"(select run_id from {SCORECARD} order by checked_at desc, run_id desc limit 1)"
# The latest run's whole-entity rows as an area aggregate: the scorecard's own city row
# (county_code 'all') is the city's number, a county's row the county's; nothing is re-summed.
_CARD = (
    "(select entity, source_table, county_code, rows, complete_rows, completeness, error_rows,"
    " error_rate, format_rows, format_rate, meets_bar,"
    " case when county_code = 'all' then 'city' else 'county' end as area_level,"
    f" county_code as area_code from {SCORECARD} where run_id = {LATEST_RUN} and month = 'all')"
    " card"
)
_CARD_ROWS = (
    "select entity, source_table, county_code, rows, complete_rows, completeness, error_rows,"
    f" error_rate, format_rate, meets_bar from {_CARD} where {{where}}"
)
# A text-review hit placed at its organisation: a dish through its canteen (raw.yl_canteen_dish
# gives the legacy org_id; only the key and org_id are read), an organisation text directly;
# the legacy id is looked up in dim_org.source_org_ids (comma-separated).
_REVIEW = (
    "(select r.source_table, r.source_key, r.field, r.text, r.matched_word, r.category,"
    " r.position, r.reviewed, o.org_code, o.org_name, o.county_code"
    " from quality.text_review r"
    " left join raw.yl_canteen_dish d"
    " on r.source_table = 'yl_canteen_dish' and d.source_key = r.source_key"
    " left join marts.dim_org o on ',' || o.source_org_ids || ',' like"
    " '%,' || case when r.source_table = 'yl_org' then r.source_key else d.org_id end || ',%')"
    " review"
)
_OUTLIERS = (
    "(select t.level, t.unit_code, coalesce(o.org_name, a.area_name) as unit_name, t.measure,"
    " t.month, t.value, t.baseline_median, t.recent_median, t.robust_z, t.direction,"
    " t.history_months,"
    " case when t.level = 'county' then t.unit_code else o.county_code end as county_code"
    " from quality.trend_outliers t"
    " left join marts.dim_org o on t.level = 'org' and o.org_code = t.unit_code"
    " left join marts.dim_area a on t.level = 'county' and a.area_code = t.unit_code) outlier"
)
_DISTRICT = (
    "select issue_kind, org_code, org_name, county_code, month, reported_value, warehouse_value,"
    " detail from quality.district_reporting_issues where {where}"
)
# Latest whole-table reconciliation per table and stage: the migration's landing (source
# database -> raw) and dbt's staging (raw -> loaded + quarantined + deleted, run_id 'dbt:...').
_STAGE = "case when run_id like 'dbt:%' then 'staging' else 'landing' end"
_RECON = (
    "(select source_table, stage, run_id, checked_at, source_rows, loaded_rows,"
    " quarantined_rows, deleted_rows,"
    " source_rows = loaded_rows + quarantined_rows + deleted_rows as balanced"
    f" from (select r.*, {_STAGE} as stage, row_number() over (partition by source_table,"
    f" {_STAGE} order by checked_at desc, run_id desc) as recency"
    " from audit.reconciliation r where partition_month is null) ranked where recency = 1)"
    " recon"
)
# audit.* rows have no county: the scope's county predicate on a NULL column selects nothing
# for a county scope and everything for the city.
NO_COUNTY = "cast(null as varchar)"


def _card_kpi(key, label, unit, definition, expr, columns, condition="", rows=True) -> Kpi:
    return Kpi(
        key, label, unit, definition, SCORECARD, columns,
        f"select {expr} from {_CARD} where {{where}}{condition}",
        f"{_CARD_ROWS}{condition} order by entity" if rows else None,
        town=None, area=True,
    )  # fmt: skip


_BAR = labels.bar_text()
register(
    _card_kpi(
        "quality_below_bar", "未达标数据类别", "类",
        f"最近一次质量检查中，未达到城市数据采集标准 ({_BAR}) 的数据类别数"
        " (老人、机构、床位、工单等共14类，按原始记录计)。",
        "count(*)", ("meets_bar",), " and not meets_bar",
    ),
    _card_kpi(
        "quality_meets_bar", "达标数据类别", "类",
        f"最近一次质量检查中，达到城市数据采集标准 ({_BAR}) 的数据类别数。",
        "count(*)", ("meets_bar",), " and meets_bar",
    ),
    _card_kpi(
        "quality_rows", "受检记录", "条",
        "最近一次质量检查覆盖的原始记录数 (含已删除记录，均为曾报送的数据)。",
        "sum(rows)", ("rows",),
    ),
    _card_kpi(
        "quality_incomplete", "不完整记录", "条",
        "必填字段缺失或为空的原始记录数 (完整率 = 完整记录 / 记录数)。",
        "sum(rows - complete_rows)", ("rows", "complete_rows"),
    ),
    _card_kpi(
        "quality_errors", "错误记录", "条",
        "违反至少一条“错误”类规则的原始记录数 (错误率 = 错误记录 / 记录数)；格式不规范不计入。",
        "sum(error_rows)", ("error_rows",),
    ),
    Kpi(
        "quality_text_review", "待复核文本", "条",
        "敏感词初审命中、尚待人工复核的公开文本 (菜品名称、机构名称)，按所属机构归属县区。",
        "quality.text_review", ("reviewed",),
        f"select count(*) from {_REVIEW} where {{where}} and not reviewed",
        "select source_table, source_key, field, text, matched_word, category, org_code, org_name,"
        f" county_code from {_REVIEW} where {{where}} and not reviewed"
        " order by source_table, source_key, position, matched_word",
        town=None,
    ),
    Kpi(
        "quality_district_issues", "月报问题", "条",
        "区县机构运营月报的问题：未报送、逾期 (次月10日后，遇节假日顺延)、无法匹配机构、"
        "数字与仓库矛盾。",
        "quality.district_reporting_issues", ("issue_kind",),
        "select count(*) from quality.district_reporting_issues where {where}",
        f"{_DISTRICT} order by month, issue_kind, org_code", town=None,
    ),
    Kpi(
        "quality_outliers", "趋势异常", "个",
        "县区或机构的月度工单、报警、投诉数偏离自身近12个月中位数过多 (稳健z值 > 3.5) 的月份。",
        "quality.trend_outliers", ("robust_z",),
        f"select count(*) from {_OUTLIERS} where {{where}}",
        "select level, unit_code, unit_name, measure, month, value, baseline_median, robust_z,"
        f" county_code from {_OUTLIERS} where {{where}} order by month, level, unit_code",
        town=None,
    ),
    Kpi(
        "migration_unbalanced", "对账不平衡的表", "张",
        "最近一次迁移与清洗中，源记录数 ≠ 入库 + 隔离 + 已删除 的表 (每表取最近一次全表对账；"
        "全市技术表，仅全市范围可见)。",
        "audit.reconciliation", ("source_rows", "loaded_rows", "quarantined_rows", "deleted_rows"),
        f"select count(*) from {_RECON} where {{where}} and not balanced",
        "select source_table, stage, run_id, source_rows, loaded_rows, quarantined_rows,"
        f" deleted_rows from {_RECON} where {{where}} and not balanced order by source_table",
        county=NO_COUNTY, town=None,
    ),
    Kpi(
        "migration_quarantined", "隔离记录", "条",
        "迁移与清洗中无法修正而隔离的源记录 (附原因代码；全市技术表，仅全市范围可见)。",
        "audit.quarantine", ("reason_code",),
        "select count(*) from audit.quarantine where {where}",
        "select source_table, source_key, reason_code, run_id from audit.quarantine"
        " where {where} order by source_table, source_key",
        county=NO_COUNTY, town=None,
    ),
)  # fmt: skip

HEADLINE = (
    "quality_below_bar", "quality_meets_bar", "quality_rows", "quality_incomplete",
    "quality_errors", "quality_text_review", "quality_district_issues", "quality_outliers",
)  # fmt: skip
MIGRATION = ("migration_unbalanced", "migration_quarantined")


def county_scope(scope: Scope) -> Scope:
    """The scorecard's finest area is the county: a town scope reads its county."""
    return Scope(scope.county_code)


def _county(scope: Scope) -> str:
    return scope.county_code or CITY


def _county_name(column: str) -> str:
    return (
        f"case when {column} = 'all' then '全市' when {column} = 'unknown' then '无法归属县区'"
        f" else coalesce((select a.area_name from marts.dim_area a where a.area_code = {column}"
        f" and a.area_level = 2), {column}) end"
    )


def _pct(expr: str, name: str) -> str:
    """A rate (0-1) as a percentage with two decimals, the same on DuckDB and PostgreSQL."""
    return f"cast(round(cast(100 * {expr} as numeric(38, 10)), 2) as double precision) as {name}"


def _with_labels(df: pd.DataFrame, **columns: dict[str, str]) -> pd.DataFrame:
    """Add ``<column>_label`` with the Chinese name of each code (unknown codes kept as is)."""
    for column, mapping in columns.items():
        df[f"{column}_label"] = df[column].map(lambda v, m=mapping: m.get(v, v))
    if "meets_bar" in df:
        df["meets_bar_label"] = df["meets_bar"].map({True: "达标", False: "未达标"})
    return df


def headline(scope: Scope, keys: tuple[str, ...] = HEADLINE) -> dict[str, object]:
    """The page's KPIs for the scope (the quality KPIs do not depend on the month)."""
    return {key: kpi_value(key, scope) for key in keys}


def latest_run() -> dict | None:
    """The latest scorecard run (id and time), or None before any quality check ran."""
    if not table_exists("quality", "scorecard"):
        return None
    df = query(f"select run_id, checked_at from {SCORECARD} where run_id = {LATEST_RUN} limit 1")
    return None if df.empty else df.iloc[0].to_dict()


def run_count() -> int:
    return int(scalar(f"select count(distinct run_id) from {SCORECARD}") or 0)


def scorecard(scope: Scope) -> pd.DataFrame:
    """One row per entity for the scope's county (or the city), latest run, all months."""
    df = query(
        "select entity, source_table, rows, complete_rows, rows - complete_rows as incomplete_rows,"
        f" {_pct('completeness', 'completeness_pct')}, error_rows,"
        f" {_pct('error_rate', 'error_rate_pct')}, format_rows,"
        f" {_pct('format_rate', 'format_rate_pct')}, meets_bar"
        f" from {SCORECARD} where run_id = {LATEST_RUN} and month = 'all' and county_code = ?",
        (_county(scope),),
    )
    order = list(labels.entities())
    df = df.sort_values(
        "entity", key=lambda s: s.map(lambda e: order.index(e) if e in order else 99)
    )
    return _with_labels(df.reset_index(drop=True), entity=labels.entities())


def scorecard_by_county(scope: Scope) -> pd.DataFrame:
    """Entity x county (the counties in scope, and rows no county could be given to)."""
    predicate, params = scope.where("county_code", None)
    df = query(
        f"select entity, county_code, {_county_name('s.county_code')} as county_name, rows,"
        " completeness, error_rate, meets_bar"
        f" from {SCORECARD} s where run_id = {LATEST_RUN} and month = 'all'"
        f" and county_code <> 'all' and {predicate} order by county_code, entity",
        params,
    )
    return _with_labels(df, entity=labels.entities())


def scorecard_trend(scope: Scope, entity: str, months: int = 36) -> pd.DataFrame:
    """One entity's monthly completeness and error rate (by each row's own month)."""
    df = query(
        "select month, rows, completeness, error_rate, format_rate, meets_bar"
        f" from {SCORECARD} where run_id = {LATEST_RUN} and entity = ? and county_code = ?"
        " and month not in ('all', 'unknown') order by month desc limit ?",
        (entity, _county(scope), months),
    )
    df["month_start"] = pd.to_datetime(df["month"] + "-01")
    return df.sort_values("month").reset_index(drop=True)


def scorecard_history(scope: Scope) -> pd.DataFrame:
    """Whole-entity scores of every run for the scope (the bar over time)."""
    df = query(
        "select run_id, checked_at, entity, rows, completeness, error_rate, meets_bar"
        f" from {SCORECARD} where month = 'all' and county_code = ? order by checked_at, entity",
        (_county(scope),),
    )
    return _with_labels(df, entity=labels.entities())


def failing_checks(scope: Scope) -> pd.DataFrame:
    """Entity-level checks of the bar that fail in the scope: the rows that fail them."""
    bar = load_bar()
    base = f"from {SCORECARD} where run_id = {LATEST_RUN} and month = 'all' and county_code = ?"
    df = query(
        "select entity, 'completeness' as check_kind, rows, rows - complete_rows as failing_rows,"
        f" {_pct('completeness', 'rate_pct')} {base} and completeness < ?"
        f" union all select entity, 'error_rate', rows, error_rows, {_pct('error_rate', 'rate_pct')}"
        f" {base} and error_rate >= ? order by failing_rows desc, entity",
        (_county(scope), bar.completeness, _county(scope), bar.max_error_rate),
    )
    return _with_labels(df, entity=labels.entities(), check_kind=labels.CHECKS)


def failing_rules(scope: Scope) -> pd.DataFrame | None:
    """Rules with violations in the latest run, city-wide (``quality.scorecard_rules`` has no
    county): None for a county scope."""
    if scope.county_code:
        return None
    df = query(
        f"select entity, rule, rule_class, violations, rows, {_pct('rate', 'rate_pct')}"
        " from quality.scorecard_rules"
        f" where run_id = {LATEST_RUN} and violations > 0"
        " order by rule_class desc, violations desc, entity, rule"
    )
    return _with_labels(
        df, entity=labels.entities(), rule=labels.RULES, rule_class=labels.RULE_CLASSES
    )


def changes_summary(scope: Scope) -> pd.DataFrame:
    """Changes since the run before, by kind, over every grain in the scope."""
    predicate, params = scope.where("county_code", None)
    df = query(
        "select change, count(*) as cells from quality.scorecard_changes"
        f" where {predicate} group by change order by cells desc",
        params,
    )
    return _with_labels(df, change=labels.CHANGES)


def changes(scope: Scope) -> pd.DataFrame:
    """Changed entity x county rows (all months together) in the scope."""
    predicate, params = scope.where("county_code", None)
    df = query(
        f"select entity, county_code, {_county_name('c.county_code')} as county_name, change,"
        f" {_pct('previous_completeness', 'previous_completeness_pct')},"
        f" {_pct('completeness', 'completeness_pct')},"
        f" {_pct('previous_error_rate', 'previous_error_rate_pct')},"
        f" {_pct('error_rate', 'error_rate_pct')}"
        f" from quality.scorecard_changes c where month = 'all' and {predicate}"
        " order by entity, county_code",
        params,
    )
    return _with_labels(df, entity=labels.entities(), change=labels.CHANGES)


def district_issues(scope: Scope) -> pd.DataFrame:
    predicate, params = scope.where("county_code", None)
    df = query(
        f"select issue_kind, org_code, org_name, {_county_name('d.county_code')} as county_name,"
        " month, reported_value, warehouse_value, detail"
        f" from quality.district_reporting_issues d where {predicate}"
        " order by month desc, issue_kind, org_code",
        params,
    )
    return _with_labels(df, issue_kind=labels.ISSUES)


def outliers(scope: Scope) -> pd.DataFrame:
    predicate, params = scope.where("county_code", None)
    df = query(
        f"select level, unit_code, unit_name, {_county_name('outlier.county_code')} as county_name,"
        " measure, month, value, baseline_median, recent_median, robust_z, direction"
        f" from {_OUTLIERS} where {predicate} order by month desc, level, unit_code",
        params,
    )
    return _with_labels(
        df, level=labels.LEVELS, measure=labels.MEASURES, direction=labels.DIRECTIONS
    )


def text_review(scope: Scope) -> pd.DataFrame:
    """The text review queue (public texts only), placed at the organisation's county."""
    predicate, params = scope.where("county_code", None)
    df = query(
        "select source_table, source_key, field, text, matched_word, category, position,"
        f" reviewed, org_code, org_name, {_county_name('review.county_code')} as county_name"
        f" from {_REVIEW} where {predicate}"
        " order by reviewed, source_table, source_key, position, matched_word",
        params,
    )
    df["status"] = df["reviewed"].map({True: "已复核", False: "待复核"})
    return _with_labels(df, source_table=labels.tables(), field=labels.TEXT_FIELDS)


def reconciliation(scope: Scope) -> pd.DataFrame:
    """Latest whole-table reconciliation per table and stage (city scope only)."""
    predicate, params = scope.where(NO_COUNTY, None)
    df = query(
        "select source_table, stage, run_id, checked_at, source_rows, loaded_rows,"
        f" quarantined_rows, deleted_rows, balanced from {_RECON} where {predicate}"
        " order by source_table, stage",
        params,
    )
    df["balanced_label"] = df["balanced"].map({True: "平衡", False: "不平衡"})
    return _with_labels(df, source_table=labels.tables(), stage=labels.STAGES)


def quarantine(scope: Scope) -> pd.DataFrame:
    """Quarantined source rows by table and reason (city scope only; the ``raw`` JSON column,
    which holds clear personal data, is never read)."""
    predicate, params = scope.where(NO_COUNTY, None)
    df = query(
        "select q.source_table, q.reason_code, coalesce(r.reason_zh, q.reason_code) as reason,"
        " count(*) as quarantined_rows from audit.quarantine q"
        " left join reference.quarantine_reasons r on r.reason_code = q.reason_code"
        f" where {predicate} group by q.source_table, q.reason_code, r.reason_zh"
        " order by quarantined_rows desc, q.source_table, q.reason_code",
        params,
    )
    return _with_labels(df, source_table=labels.tables())
