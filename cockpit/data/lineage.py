"""数据溯源 (issue 10 item 10): where every number comes from.

For each registered KPI (``cockpit/kpis.py``; ``load_all`` imports every page's data module so
all are registered): the definition, mart and columns, the SQL as run for the scope, the value,
the mart rows behind it (``Kpi.rows_sql``, paginated in SQL), the area aggregate's own rows for
area KPIs, and from one row to its legacy source ids and their landing in ``raw``: only the key,
run id, landing time and ``del_flag`` of a raw row are read, never its personal columns.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd
import yaml

from cockpit.data import load_all
from cockpit.data.core import query, scalar
from cockpit.data.overview import reporting_month
from cockpit.data.quality_labels import tables as table_names
from cockpit.kpis import KPIS, Kpi
from cockpit.scope import Scope
from eldercare.settings import REPO_ROOT

# Mart columns holding legacy ids, and the raw table they key (comma-separated lists for the
# dimensions' source_*_ids). Beds and district reports are handled in ``source_keys``.
SOURCE_IDS: dict[str, str] = {
    "source_elder_ids": "yl_elder",
    "source_org_ids": "yl_org",
    "source_staff_ids": "yl_staff",
    "order_id": "yl_work_order",
    "alarm_id": "yl_alarm",
    "call_id": "yl_call_record",
    "visit_id": "yl_return_visit",
    "record_id": "yl_health_record",
    "meal_order_id": "yl_meal_order",
    "inspection_id": "yl_inspection",
    "complaint_id": "yl_complaint",
    "resident_id": "yl_org_resident",
    "fbed_id": "yl_family_bed",
}
# Never shown on the lineage page, whatever a rows_sql selects (clear personal data, or the
# quarantine's whole source row as JSON).
PERSONAL_COLUMNS = frozenset({
    "raw", "id_card", "elder_name", "name", "staff_name", "phone", "address", "guardian_name",
    "guardian_phone", "contact_name", "contact_phone", "caller_no", "callee_no", "handler",
    "visitor", "inspector", "reviewer",
})  # fmt: skip
LANDING_COLUMNS = ("source_key", "run_id", "loaded_at", "del_flag")
MAX_SOURCE_IDS = 100
SCHEMA_ORDER = {"marts": 0, "quality": 1, "audit": 2}
# Tables outside dbt's marts that KPIs read (their names are not in the dbt docs).
TABLE_TITLES = {
    "quality.scorecard": "质量评分卡",
    "quality.text_review": "公开文本复核",
    "quality.trend_outliers": "趋势异常",
    "quality.district_reporting_issues": "区县月报问题",
    "audit.reconciliation": "迁移对账",
    "audit.quarantine": "隔离记录",
}
COLUMN_LABELS_EXTRA = {
    "entity": "数据类别", "source_table": "原始表", "source_key": "源记录编号", "rows": "记录数",
    "complete_rows": "完整记录", "completeness": "完整率", "error_rows": "错误记录",
    "error_rate": "错误率", "format_rate": "格式不规范率", "meets_bar": "达标",
    "field": "字段", "text": "文本", "matched_word": "命中词", "category": "类别",
    "issue_kind": "问题", "month": "月份", "reported_value": "报送值",
    "warehouse_value": "仓库值", "detail": "说明", "level": "层级", "unit_code": "代码",
    "unit_name": "名称", "measure": "指标", "value": "当月值", "baseline_median": "近12月中位数",
    "robust_z": "稳健z值", "stage": "阶段", "run_id": "批次", "source_rows": "源记录",
    "loaded_rows": "入库", "quarantined_rows": "隔离", "deleted_rows": "已删除",
    "reason_code": "原因代码", "valid_from": "起始日期", "valid_to": "结束日期",
}  # fmt: skip
_CJK = re.compile(r"[\u4e00-\u9fff]")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_MART = re.compile(r"^([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)$")


def _short(description: str | None) -> str | None:
    """The Chinese name at the start of a dbt description: "县区代码 of the elder's home" ->
    县区代码, "工单金额 (元)" keeps its unit, "回访结果: 满意" its short value."""
    text = " ".join((description or "").split())
    head = re.split(r":\s*[A-Za-z]|\s[A-Za-z0-9(]|,|;|=|，", text)[0].strip()
    if ":" in head and len(head.split(":", 1)[1].strip()) > 6:
        head = head.split(":", 1)[0]
    if not _CJK.search(head):
        return None
    if unit := re.match(r"^\s*(\([\u4e00-\u9fff/]{1,4}\))", text[len(head) :]):
        head = f"{head} {unit.group(1)}"
    return head


@cache
def _dbt_docs() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """(mart -> Chinese title, mart -> column -> Chinese label) from the dbt models' YAML
    beside the SQL: the one place a mart's columns are described."""
    titles: dict[str, str] = {}
    columns: dict[str, dict[str, str]] = {}
    for path in sorted((REPO_ROOT / "dbt" / "models" / "marts").glob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            mart = f"marts.{model['name']}"
            if title := _short(model.get("description")):
                titles[mart] = title
            columns[mart] = {
                c["name"]: label
                for c in model.get("columns") or []
                if (label := _short(c.get("description")))
            }
    return titles, columns


def mart_title(mart: str) -> str:
    return TABLE_TITLES.get(mart) or _dbt_docs()[0].get(mart, mart)


def column_labels(mart: str | None = None) -> dict[str, str]:
    """Chinese headers: the mart's own column descriptions first, then any mart's, then the
    quality and audit columns."""
    titles, by_mart = _dbt_docs()
    labels: dict[str, str] = {}
    for columns in by_mart.values():
        labels = {**columns, **labels}
    return {**labels, **COLUMN_LABELS_EXTRA, **by_mart.get(mart or "", {})}


def headers(columns, mart: str | None = None) -> dict[str, str]:
    """Chinese headers for these columns, each distinct (a repeated label gets its column)."""
    labels = column_labels(mart)
    out: dict[str, str] = {}
    for column in columns:
        label = labels.get(column, column)
        out[column] = f"{label} ({column})" if label in out.values() else label
    return out


def kpis() -> dict[str, Kpi]:
    """Every registered KPI, whichever pages this session opened."""
    load_all()
    return dict(KPIS)


def catalogue() -> pd.DataFrame:
    """指标口径目录: one row per KPI, grouped by mart (definitions from code, no data)."""
    rows = [
        {"key": k.key, "label": k.label, "unit": k.unit, "definition": k.definition,
         "mart": k.mart, "mart_title": mart_title(k.mart), "columns": ", ".join(k.columns), "has_rows": k.rows_sql is not None,
         "area": k.area}
        for k in kpis().values()
    ]  # fmt: skip
    df = pd.DataFrame(rows)
    # marts first (where the numbers live), then the quality and audit publications
    df["schema_order"] = df["mart"].str.split(".").str[0].map(SCHEMA_ORDER).fillna(9)
    return df.sort_values(["schema_order", "mart", "key"]).reset_index(drop=True)


def rendered(kpi: Kpi, scope: Scope, *, rows: bool = False) -> tuple[str, tuple]:
    """The SQL as run for the scope (the reporting month bound where the KPI uses it)."""
    return kpi.render(scope, reporting_month(), rows=rows)


def value(kpi: Kpi, scope: Scope):
    sql, params = rendered(kpi, scope)
    return scalar(sql, params)


def row_count(kpi: Kpi, scope: Scope) -> int:
    sql, params = rendered(kpi, scope, rows=True)
    return int(scalar(f"select count(*) from ({sql}) kpi_rows", params) or 0)


def _safe(df: pd.DataFrame) -> pd.DataFrame:
    """Without personal columns; dates held as midnight timestamps shown as dates."""
    df = df.drop(columns=[c for c in df.columns if c.lower() in PERSONAL_COLUMNS])
    for column in df.select_dtypes("datetime").columns:
        values = df[column].dropna()
        if (values == values.dt.normalize()).all():
            df[column] = df[column].dt.date
    return df


def rows(kpi: Kpi, scope: Scope, limit: int = 50, offset: int = 0) -> pd.DataFrame:
    """One page of the mart rows behind the KPI, in the rows_sql's own order."""
    sql, params = rendered(kpi, scope, rows=True)
    return _safe(query(f"{sql} limit ? offset ?", (*params, int(limit), int(offset))))


def _columns(schema: str, table: str) -> list[str]:
    df = query(
        "select column_name from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        (schema, table),
    )
    return list(df["column_name"])


def area_rows(kpi: Kpi, scope: Scope, months: int = 13) -> pd.DataFrame | None:
    """For an area KPI: the aggregate's own rows of the scope's area (the reporting month and
    the months before), None when the mart has no area rows."""
    match = _MART.match(kpi.mart)
    if not kpi.area or not match:
        return None
    present = _columns(*match.groups())
    if not {"area_level", "area_code"} <= set(present):
        return None
    keys = [c for c in ("month_start", "area_level", "area_code", "area_name") if c in present]
    cols = keys + [c for c in kpi.columns if _IDENT.match(c) and c in present and c not in keys]
    predicate, params = scope.area_where()
    sql = f"select {', '.join(cols)} from {kpi.mart} where {predicate}"
    if "month_start" in present:
        sql += " and month_start <= ? order by month_start desc limit ?"
        params = (*params, reporting_month(), months)
    df = query(sql, params)
    if "month_start" in df:
        df["month_start"] = pd.to_datetime(df["month_start"]).dt.strftime("%Y年%m月")
    return df


def source_keys(row: dict) -> list[tuple[str, str]]:
    """(raw table, legacy key) pairs named by one mart row."""
    found: list[tuple[str, str]] = []
    for column, table in SOURCE_IDS.items():
        if row.get(column) is not None and not pd.isna(row[column]):
            found += [(table, k.strip()) for k in str(row[column]).split(",") if k.strip()]
    if row.get("source_bed_ids"):
        family = str(row.get("bed_code", "")).startswith("F") or row.get("bed_kind") == "family"
        table = "yl_family_bed" if family else "yl_org_bed"
        found += [(table, k.strip()) for k in str(row["source_bed_ids"]).split(",") if k.strip()]
    if row.get("source_file") and row.get("source_row") is not None:
        found.append(("district_monthly_report", f"{row['source_file']}:{int(row['source_row'])}"))
    if row.get("source_table") and row.get("source_key") is not None:
        found.append((str(row["source_table"]), str(row["source_key"])))
    return list(dict.fromkeys(found))[:MAX_SOURCE_IDS]


def row_sources(kpi: Kpi, scope: Scope, position: int) -> tuple[dict, pd.DataFrame]:
    """The mart row at ``position`` of the KPI's rows in the scope (re-read here, so only a row
    the scope may see is ever traced), and the landing of each legacy row it names: raw table,
    key, run id, landing time, del_flag (``found`` false when raw no longer holds the key)."""
    page = rows(kpi, scope, 1, position)
    if page.empty:
        return {}, pd.DataFrame(columns=["source_table", "source_key", "found"])
    row = page.iloc[0].to_dict()
    raw_tables = set(
        query("select table_name from information_schema.tables where table_schema = 'raw'")[
            "table_name"
        ]
    )
    frames = []
    by_table: dict[str, list[str]] = {}
    for table, key in source_keys(row):
        by_table.setdefault(table, []).append(key)
    for table, keys in by_table.items():
        wanted = pd.DataFrame({"source_table": table, "source_key": keys})
        if table in raw_tables and _IDENT.match(table):
            cols = [c for c in LANDING_COLUMNS if c in _columns("raw", table)]
            marks = ", ".join("?" for _ in keys)
            landed = query(
                f"select {', '.join(cols)} from raw.{table} where source_key in ({marks})",
                keys,
            )
            landed["found"] = True
            wanted = wanted.merge(landed, on="source_key", how="left")
        frames.append(wanted)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not out.empty:
        out["found"] = out.get("found", pd.Series(dtype=object)).fillna(False).astype(bool)
        out["source_table_label"] = out["source_table"].map(lambda t: table_names().get(t, t))
        if "del_flag" in out:
            out["del_flag_label"] = out["del_flag"].map({"0": "有效", "2": "已删除"})
    return row, out
