"""数据溯源: the 指标口径 catalogue, and for one KPI (``?kpi=<key>``) its definition, the SQL as run
for the scope, the value, the area aggregate's rows, the mart rows behind the number and, for
one row, its legacy source rows as landed in the warehouse."""

import streamlit as st

from cockpit import ui
from cockpit.data import lineage

ui.header("数据溯源", "每个指标的口径、计算SQL、背后的明细数据及其在旧系统中的来源记录。")
scope = ui.scope_bar()
registry = lineage.kpis()
catalogue = lineage.catalogue()
marts = dict(zip(catalogue["key"], catalogue["mart"], strict=True))

asked = st.query_params.get("kpi")
options = [None, *catalogue["key"]]
choice = st.selectbox(
    "指标",
    options,
    index=options.index(asked) if asked in registry else 0,
    format_func=lambda k: (
        "全部指标 (指标口径目录)" if k is None else f"{registry[k].label} · {marts[k]}"
    ),
    key="lineage_kpi",
)
if choice != asked:
    ui.set_param("kpi", choice)
if asked and asked not in registry:
    st.warning(f"未找到指标 `{asked}`，下面列出全部指标。")


def _link_params(key: str | None) -> dict[str, str]:
    params = {"kpi": key} if key else {}
    if scope.county_code:
        params["county"] = scope.county_code
    if scope.town_code:
        params["town"] = scope.town_code
    return params


if choice is None:
    st.subheader("指标口径目录")
    st.caption(
        f"共 {len(catalogue)} 个指标，按数据表分组；点击指标查看计算SQL、明细数据与来源记录。"
    )
    for mart, group in catalogue.groupby("mart", sort=False):
        with st.container(border=True):
            st.markdown(f"**{group['mart_title'].iloc[0]}**　`{mart}`　{len(group)} 个指标")
            for row in group.itertuples():
                name, text = st.columns([1, 3])
                name.page_link(
                    "app_pages/lineage.py",
                    label=f"{row.label} ({row.unit})",
                    query_params=_link_params(row.key),
                    icon=":material/account_tree:",
                )
                text.caption(row.definition)
    with st.expander("目录表格 (可下载)"):
        ui.table(
            catalogue[["label", "unit", "definition", "mart_title", "mart", "columns", "key"]],
            "指标口径目录",
            labels={"label": "指标", "unit": "单位", "definition": "口径", "mart_title": "数据表名称",
                    "mart": "数据表", "columns": "字段", "key": "指标代码"},
        )  # fmt: skip
    st.stop()

kpi = registry[choice]
st.subheader(kpi.label)
st.markdown(f"**口径**：{kpi.definition}")
st.markdown(
    f"**数据表** {lineage.mart_title(kpi.mart)} `{kpi.mart}`　**字段** {', '.join(f'`{c}`' for c in kpi.columns)}"
    f"　**单位** {kpi.unit}　**范围** {ui.area_name(scope)}"
)
value = lineage.value(kpi, scope)
left, right = st.columns([1, 3])
left.metric(kpi.label, kpi.format(value))
sql, params = lineage.rendered(kpi, scope)
with right:
    st.markdown("**计算SQL (按当前范围)**")
    st.code(sql, language="sql", wrap_lines=True)
    st.caption("绑定参数：" + ("、".join(f"`{p}`" for p in params) if params else "无"))

area = lineage.area_rows(kpi, scope)
if area is not None:
    st.subheader("汇总表中的行")
    st.caption(f"`{kpi.mart}` 中本区域的行 (报告月及之前)：指标值直接取自报告月这一行。")
    ui.table(area, f"{kpi.key}_汇总行", labels=lineage.headers(area.columns, kpi.mart))

if kpi.rows_sql is None:
    if area is None:
        st.info("该指标没有定义明细行。")
    st.stop()

st.subheader("明细行")
total = lineage.row_count(kpi, scope)
rows_sql, _ = lineage.rendered(kpi, scope, rows=True)
with st.expander("明细SQL"):
    st.code(rows_sql, language="sql", wrap_lines=True)
if kpi.is_count:
    if value is not None and total == int(value):
        st.success(f"明细共 {total:,} 行，与指标值一致。")
    else:
        st.error(f"明细共 {total:,} 行，与指标值 {kpi.format(value)} 不一致，请检查口径。")
else:
    st.caption(f"明细共 {total:,} 行 (该指标不是行数，是这些行的合计或比率)。")
if total == 0:
    st.stop()

size_col, page_col, _ = st.columns([1, 1, 2])
size = size_col.selectbox("每页行数", [50, 200, 1000], key="lineage_page_size")
pages = (total + size - 1) // size
# keys per KPI, area and page size: a page number never outlives the row count it was chosen for
state = f"{kpi.key}_{scope.county_code}_{scope.town_code}_{size}"
page = page_col.number_input(f"页码 (共 {pages} 页)", 1, pages, 1, key=f"lineage_page_{state}")
offset = (page - 1) * size
shown = lineage.rows(kpi, scope, size, offset)
ui.table(shown, f"{kpi.key}_明细_第{page}页", labels=lineage.headers(shown.columns, kpi.mart))

st.subheader("追溯到旧系统")
first = shown.columns[0]
heads = lineage.headers(shown.columns, kpi.mart)
pick = st.selectbox(
    "选择一行",
    range(len(shown)),
    format_func=lambda i: f"第 {offset + i + 1} 行 · {heads[first]}：{shown.iloc[i][first]}",
    key=f"lineage_row_{state}_{page}",
)
_, sources = lineage.row_sources(kpi, scope, offset + pick)
if sources.empty:
    st.info("该行没有记录旧系统的来源编号 (汇总或计算结果)。")
else:
    st.caption(
        "旧系统中的源记录编号及其落地信息 (原始表、主键、迁移批次、落地时间、删除标记)；"
        "原始记录的个人信息不在此显示。"
    )
    cols = [c for c in ("source_table_label", "source_table", "source_key", "run_id", "loaded_at",
                        "del_flag_label") if c in sources]  # fmt: skip
    ui.table(
        sources[cols],
        f"{kpi.key}_来源",
        labels={"source_table_label": "数据", "source_table": "原始表", "source_key": "源记录编号",
                "run_id": "迁移批次", "loaded_at": "落地时间", "del_flag_label": "删除标记"},
    )  # fmt: skip
    missing = sources.loc[~sources["found"], "source_key"]
    if not missing.empty:
        st.warning(f"{len(missing)} 个源记录编号在原始表中已不存在：{', '.join(missing)}")
