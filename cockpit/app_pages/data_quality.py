"""数据质量 (for data stewards): the city's bar per entity, county and month with its trend,
the checks that fail, changes since the last run, district reporting, trend outliers, the text
review queue, and (city viewers only) the migration's reconciliation and quarantine."""

import streamlit as st

from cockpit import charts, ui
from cockpit.data import quality
from cockpit.data import quality_labels as names
from cockpit.scope import scope_for

ui.header(
    "数据质量",
    f"城市数据采集标准：{names.bar_text()}。按原始报送数据逐条检查，"
    "每个数据类别分县区、分月份计分；格式不规范单列，不计入达标。",
)
viewer = ui.viewer()
scope = quality.county_scope(ui.scope_bar(towns=False))
run = quality.latest_run()
if run is None:
    st.warning("仓库中还没有质量检查结果：请先运行 `eldercare build`，其发布步骤会生成质量表。")
    st.stop()
st.caption(f"最近一次检查：{run['checked_at']:%Y年%m月%d日 %H:%M}　批次 `{run['run_id']}`")
ui.kpi_row(quality.HEADLINE, quality.headline(scope), scope, per_row=4)

# Reconciliation and quarantine are city-wide technical tables: only for viewers bound to no
# county (scope_for holds a county user to their county, whose scope selects nothing there).
city = scope_for(viewer)
tab_names = ["质量评分卡", "未通过的检查", "本次变化", "区县月报", "趋势异常", "文本复核"]
if city.county_code is None:
    tab_names.append("迁移对账")
tabs = st.tabs(tab_names)

PCT = {
    "completeness_pct": "完整率(%)",
    "error_rate_pct": "错误率(%)",
    "format_rate_pct": "格式不规范率(%)",
}

with tabs[0]:
    card = quality.scorecard(scope)
    ui.table(
        card[["entity_label", "source_table", "rows", "complete_rows", "incomplete_rows",
              "completeness_pct", "error_rows", "error_rate_pct", "format_rows", "format_rate_pct",
              "meets_bar_label"]],
        "质量评分卡",
        height=35 * (len(card) + 1) + 3,
        labels={"entity_label": "数据类别", "source_table": "原始表", "rows": "记录数",
                "complete_rows": "完整记录", "incomplete_rows": "不完整记录", "error_rows": "错误记录",
                "format_rows": "格式不规范记录", "meets_bar_label": "是否达标", **PCT},
    )  # fmt: skip
    if scope.county_code is None:
        st.subheader("分县区评分")
        grid = quality.scorecard_by_county(scope)
        titles = {"county_name": "县区", "entity_label": "数据类别", "error_rate": "错误率",
                  "completeness": "完整率"}  # fmt: skip
        height = 28 * grid["entity"].nunique() + 60
        st.caption("错误率 (颜色在 5 % 封顶：越深越差)")
        st.vega_lite_chart(
            charts.heatmap(grid, "county_name", "entity_label", "error_rate", titles,
                           domain=(0.0, 0.05), height=height)
        )  # fmt: skip
        st.caption("完整率 (颜色在 90 % 封底：越深越差)")
        st.vega_lite_chart(
            charts.heatmap(grid, "county_name", "entity_label", "completeness", titles,
                           reverse=True, domain=(0.9, 1.0), height=height)
        )  # fmt: skip
    st.subheader("月度趋势")
    entities = names.entities()
    present = [e for e in entities if e in set(card["entity"])]
    entity = st.selectbox(
        "数据类别", present, format_func=lambda e: entities[e], key="quality_trend_entity"
    )
    trend = quality.scorecard_trend(scope, entity) if entity else None
    if trend is None or trend.empty:
        st.info("该数据类别没有可按月份归属的记录。")
    else:
        titles = {"month_start": "月份", "completeness": "完整率", "error_rate": "错误率",
                  "format_rate": "格式不规范率"}  # fmt: skip
        need, ceiling = names.bar_limits()
        left, right = st.columns(2)
        left.vega_lite_chart(
            charts.rate_lines(trend, "month_start", ["completeness"], titles,
                              rules={f"标准 {need:.0%}": need}, zero=False)
        )  # fmt: skip
        right.vega_lite_chart(
            charts.rate_lines(trend, "month_start", ["error_rate", "format_rate"], titles,
                              rules={f"错误率上限 {ceiling:.0%}": ceiling})
        )  # fmt: skip
        st.caption("按记录自身的时间 (登记、测量、下单时间等) 归入月份；近36个月。")
    history = quality.scorecard_history(scope)
    if history["run_id"].nunique() > 1:
        st.subheader("历次检查")
        st.vega_lite_chart(
            charts.trend(
                history.pivot_table(
                    index="checked_at", columns="entity_label", values="error_rate"
                ).reset_index(),
                "checked_at",
                sorted(set(history["entity_label"])),
                {"checked_at": "检查时间"},
            )
        )

with tabs[1]:
    st.markdown("**未达标的检查** (本范围)")
    failing = quality.failing_checks(scope)
    if failing.empty:
        st.success("本范围内所有数据类别均达到城市标准。")
    else:
        ui.table(
            failing[["entity_label", "check_kind_label", "rows", "failing_rows", "rate_pct"]],
            "未达标的检查",
            labels={"entity_label": "数据类别", "check_kind_label": "标准", "rows": "记录数",
                    "failing_rows": "未通过记录", "rate_pct": "实际值(%)"},
        )  # fmt: skip
    st.markdown("**违反的规则** (全市)")
    rules = quality.failing_rules(scope)
    if rules is None:
        st.info("规则级明细只按全市统计 (quality.scorecard_rules 不分县区)；切换到全市可查看。")
    else:
        ui.table(
            rules[["entity_label", "rule_label", "rule", "rule_class_label", "violations", "rows",
                   "rate_pct"]],
            "违反的规则",
            labels={"entity_label": "数据类别", "rule_label": "规则", "rule": "规则代码",
                    "rule_class_label": "类别", "violations": "违反记录", "rows": "记录数",
                    "rate_pct": "占比(%)"},
        )  # fmt: skip

with tabs[2]:
    summary = quality.changes_summary(scope)
    if summary.empty:
        st.info("与上一次检查相比没有变化。")
    else:
        st.caption("与上一次检查相比变化的评分单元 (数据类别 × 县区 × 月份)。")
        st.vega_lite_chart(
            charts.bars(summary, "change_label", "cells", {"change_label": "变化", "cells": "单元数"},
                        height=180)
        )  # fmt: skip
        ui.table(
            quality.changes(scope)[
                ["entity_label", "county_name", "change_label", "previous_completeness_pct",
                 "completeness_pct", "previous_error_rate_pct", "error_rate_pct"]
            ],
            "质量变化",
            labels={"entity_label": "数据类别", "county_name": "县区", "change_label": "变化",
                    "previous_completeness_pct": "上次完整率(%)", "completeness_pct": "本次完整率(%)",
                    "previous_error_rate_pct": "上次错误率(%)", "error_rate_pct": "本次错误率(%)"},
        )  # fmt: skip

with tabs[3]:
    issues = quality.district_issues(scope)
    st.caption("养老机构须在次月10日前 (遇节假日顺延至下一个工作日) 报送机构运营月报。")
    if issues.empty:
        st.success("没有区县月报问题：所有养老机构均已按时报送，数字与仓库一致。")
    else:
        ui.table(
            issues[["month", "issue_kind_label", "county_name", "org_code", "org_name",
                    "reported_value", "warehouse_value", "detail"]],
            "区县月报问题",
            labels={"month": "月份", "issue_kind_label": "问题", "county_name": "县区",
                    "org_code": "机构码", "org_name": "机构", "reported_value": "报送值",
                    "warehouse_value": "仓库值", "detail": "说明"},
        )  # fmt: skip

with tabs[4]:
    found = quality.outliers(scope)
    st.caption("与自身近12个月中位数相比偏离过大 (稳健z值 > 3.5) 的月份，请核实是否为录入问题。")
    if found.empty:
        st.success("没有趋势异常。")
    else:
        ui.table(
            found[["month", "level_label", "unit_code", "unit_name", "county_name", "measure_label",
                   "value", "baseline_median", "recent_median", "robust_z", "direction_label"]],
            "趋势异常",
            labels={"month": "月份", "level_label": "层级", "unit_code": "代码", "unit_name": "名称",
                    "county_name": "县区", "measure_label": "指标", "value": "当月值",
                    "baseline_median": "近12月中位数", "recent_median": "近3月中位数",
                    "robust_z": "稳健z值", "direction_label": "方向"},
        )  # fmt: skip

with tabs[5]:
    review = quality.text_review(scope)
    st.caption(
        "菜品名称、机构名称等公开文本的敏感词初审命中，需人工二次复核。"
        "复核结论将在后续版本中记录到应用数据库，此处只读。"
    )
    if review.empty:
        st.success("没有待复核的文本。")
    else:
        ui.table(
            review[["status", "source_table_label", "field_label", "text", "matched_word",
                    "category", "org_code", "org_name", "county_name"]],
            "文本复核",
            labels={"status": "状态", "source_table_label": "来源", "field_label": "字段",
                    "text": "文本", "matched_word": "命中词", "category": "类别",
                    "org_code": "机构码", "org_name": "机构", "county_name": "县区"},
        )  # fmt: skip

if city.county_code is None:
    with tabs[6]:
        st.caption(
            "全市技术表：每张源表最近一次全表对账，源记录数 = 入库 + 隔离 + 已删除。"
            "隔离记录只显示原因与数量，不显示原始内容。"
        )
        ui.kpi_row(quality.MIGRATION, quality.headline(city, quality.MIGRATION), city, per_row=4)
        recon = quality.reconciliation(city)
        ui.table(
            recon[["source_table_label", "source_table", "stage_label", "source_rows",
                   "loaded_rows", "quarantined_rows", "deleted_rows", "balanced_label", "run_id",
                   "checked_at"]],
            "迁移对账",
            labels={"source_table_label": "数据", "source_table": "源表", "stage_label": "阶段",
                    "source_rows": "源记录", "loaded_rows": "入库", "quarantined_rows": "隔离",
                    "deleted_rows": "已删除", "balanced_label": "对账", "run_id": "批次",
                    "checked_at": "对账时间"},
        )  # fmt: skip
        st.subheader("隔离原因")
        held = quality.quarantine(city)
        if held.empty:
            st.success("没有被隔离的源记录。")
        else:
            ui.table(
                held[["source_table_label", "source_table", "reason_code", "reason",
                      "quarantined_rows"]],
                "隔离记录",
                labels={"source_table_label": "数据", "source_table": "源表",
                        "reason_code": "原因代码", "reason": "原因", "quarantined_rows": "记录数"},
            )  # fmt: skip
