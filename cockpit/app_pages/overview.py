"""总览驾驶舱 (#15): headline numbers, 12-month trends, county ranking, drill-down."""

import streamlit as st

from cockpit import charts, maps, ui
from cockpit.data import geo, overview, smart_models

ui.header(
    "总览驾驶舱", "全市养老服务关键指标；选择县区、镇街或点击地图下钻，链接可直接分享当前范围。"
)
scope = ui.scope_bar()
values = overview.headline(scope)

st.subheader("老年人")
ui.kpi_row(("elders", "elders_80", "elders_alone"), values, scope, per_row=3)
left, right = st.columns(2)
by_econ = overview.elders_by(scope, "economic_type")
left.vega_lite_chart(
    charts.bars(
        by_econ, "category", "elders", {"category": "经济状况", "elders": "人数"}, height=200
    )
)
by_ability = overview.elders_by(scope, "ability_level")
right.vega_lite_chart(
    charts.bars(
        by_ability, "category", "elders", {"category": "能力等级", "elders": "人数"}, height=200
    )
)

st.subheader("设施与服务")
ui.kpi_row(
    ("institutions", "care_centres", "home_providers", "canteens", "family_beds"), values, scope
)
ui.kpi_row(
    ("work_orders", "order_amount", "order_subsidy", "alarms", "alarm_response"), values, scope
)
ui.kpi_row(("complaints_on_time",), values, scope)

st.subheader("近12个月趋势")
trend = overview.monthly_trend(scope)
titles = {
    "month_start": "月份",
    "work_orders": "工单数",
    "order_amount": "工单金额(元)",
    "order_subsidy": "补贴金额(元)",
    "alarms": "报警数",
}
left, right = st.columns(2)
left.vega_lite_chart(charts.trend(trend, "month_start", "work_orders", titles))
right.vega_lite_chart(charts.trend(trend, "month_start", ["order_amount", "order_subsidy"], titles))

st.subheader("区域分布")
metric = st.radio(
    "地图指标",
    list(geo.MAP_METRICS),
    format_func=lambda m: geo.MAP_METRICS[m][0],
    horizontal=True,
    key="overview_map_metric",
)
label, unit = geo.MAP_METRICS[metric]
counties, towns = geo.area_map(scope, metric)
maps.county_map(
    counties, "value", label, "overview_map", scope=scope, unit=unit, towns=towns, height=480
)
st.caption(
    "点击县区下钻到该县区 (镇街以点表示，点击下钻到镇街)；页面所有数字随之联动，链接保留当前范围。"
)

st.subheader("镇街排名" if scope.county_code else "县区排名")
ranking = overview.county_ranking(scope)
ui.table(
    ranking,
    "区域排名",
    labels={"area_code": "区划代码", "area_name": "区域", "work_orders": "本月工单",
            "served_elders": "服务长者", "order_amount": "工单金额(元)", "order_subsidy": "补贴金额(元)",
            "alarms": "报警", "avg_response_minutes": "平均响应(分钟)", "family_beds_active": "在建家床"},
)  # fmt: skip

if smart_models.available()["elder_profile"]:
    st.subheader("长者画像")
    counts = smart_models.tag_counts(scope)
    left, right = st.columns(2)
    left.vega_lite_chart(
        charts.bars(counts, "tag", "elders", {"tag": "画像标签", "elders": "人数"}, height=440)
    )
    with right:
        tag = st.selectbox(
            "按画像标签筛选", list(counts["tag"]), key="overview_tag",
            format_func=lambda t: f"{t} ({int(counts.set_index('tag').loc[t, 'elders']):,}人)",
        )  # fmt: skip
        ui.table(
            smart_models.tag_by_area(scope, tag), f"画像标签_{tag}",
            labels={"area_code": "区划代码", "area_name": "区域", "elders": "在世长者",
                    "tagged": f"{tag}人数", "share": "占比"},
            key="dl_overview_tag",
        )  # fmt: skip
        st.caption("在“老人档案”的条件中选择“画像：标签”可查看名单。")
