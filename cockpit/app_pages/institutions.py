"""养老机构专题 (#18, #98–101): institutions, beds four ways, occupancy, the district reports."""

import streamlit as st

from cockpit import charts, ui
from cockpit.data import institutions, overview

ui.header(
    "养老机构专题",
    "养老机构与社区照料中心的数量、性质与星级；核定、备案、档案与月报床位；入住率；区县机构运营月报的核查。",
)
scope = ui.scope_bar(towns=False)
month = overview.reporting_month()
report_month = institutions.report_month()
report_label = f"{report_month:%Y年%m月}" if report_month else "暂无月报"
st.caption(
    f"机构登记到县区一级，按机构所在县区统计。入住率取本月 ({month:%Y年%m月}) 月末；"
    f"月报指标取最新月报月份 ({report_label})，即任一区县报送了机构运营月报的最近月份。"
)
values = institutions.headline(scope)
keys = institutions.headline_keys()

st.subheader("机构与床位")
ui.kpi_row(keys[:5], values, scope)
ui.kpi_row(keys[5:10], values, scope)

left, right = st.columns(2)
left.markdown("**按性质 (家)**")
left.vega_lite_chart(
    charts.bars(
        institutions.breakdown(scope, "ownership"), "org_type", "orgs",
        {"org_type": "机构类型", "orgs": "机构数(家)", "category": "性质"},
        color="category", height=160,
    )
)  # fmt: skip
right.markdown("**养老机构按星级 (家)**")
right.vega_lite_chart(
    charts.bars(
        institutions.breakdown(scope, "star_level", (institutions.INSTITUTION,)),
        "category", "orgs", {"category": "星级", "orgs": "机构数(家)"}, height=160,
    )
)  # fmt: skip

st.markdown(f"**{'各养老机构' if scope.county_code else '各县区养老机构'}床位 (张)**")
st.vega_lite_chart(
    charts.grouped_bars(
        institutions.beds_by(scope), "label",
        ["approved_beds", "filed_beds", "archive_beds", "actual_beds"],
        {"label": "机构" if scope.county_code else "县区", "approved_beds": "核定",
         "filed_beds": "备案", "archive_beds": "床位档案", "actual_beds": "月报实际"},
    )
)  # fmt: skip

st.subheader("入住率与人员配备")
left, right = st.columns(2)
left.markdown("**近24个月床位入住率**")
left.vega_lite_chart(
    charts.percent_trend(
        institutions.occupancy_trend(scope), "month_start", "occupancy_rate",
        {"month_start": "月份", "occupancy_rate": "入住率"},
    )
)  # fmt: skip
reports = institutions.report_trend(scope)
right.markdown("**月报：每百名在院老人配备 (人)**")
right.vega_lite_chart(
    charts.trend(
        reports, "month_start", ["staff_per_100", "certified_per_100"],
        {"month_start": "月份", "staff_per_100": "工作人员", "certified_per_100": "持证护理员"},
    )
)  # fmt: skip

st.subheader(f"月报核查 ({report_label})")
ui.kpi_row(keys[10:], values, scope, per_row=4)
missing = institutions.unfiled(scope)
if missing.empty:
    st.success(f"{report_label}：范围内的养老机构均已报送机构运营月报。")
else:
    st.warning(f"{report_label}：{len(missing)} 家养老机构未报送机构运营月报。")
    ui.table(
        missing, "未报送机构",
        labels={"org_code": "机构码", "org_name": "机构名称", "county_code": "县区代码",
                "month": "月份", "detail": "说明", "ownership": "性质", "star_level": "星级",
                "approved_beds": "核定床位", "filed_beds": "备案床位", "source_org_ids": "来源机构ID"},
    )  # fmt: skip

st.markdown("**养老机构一览** (月报列取最新月报月份；档案列取床位档案与人员档案)")
ui.table(
    institutions.institution_table(scope), "养老机构一览",
    labels={
        "org_code": "机构码", "org_name": "机构名称", "county_code": "县区代码",
        "county_name": "县区", "ownership": "性质",
        "star": "星级", "approved_beds": "核定床位", "filed_beds": "备案床位",
        "archive_beds": "档案床位", "occupied_beds": "档案占用床位", "actual_beds": "月报实际床位",
        "residents_on_file": "本月末在住(入住记录)", "occupancy_pct": "入住率(%)",
        "residents": "月报在院老人", "staff": "月报工作人员", "caregivers": "月报护理员",
        "certified_caregivers": "月报持证护理员", "staff_on_file": "档案在册人员",
        "certified_on_file": "档案持证人员", "filed": "本月已报送",
        "residents_above_beds": "在院超床位", "filed_above_approved": "备案超核定",
        "actual_above_approved": "月报床位超核定",
    },
)  # fmt: skip

unmatched = institutions.unmatched_reports(scope)
if not unmatched.empty:
    st.markdown("**未匹配到机构码的月报行** (县区不明，仅市级可见)")
    ui.table(
        unmatched, "未匹配月报",
        labels={"report_month": "月份", "org_name": "填报机构名称", "source_file": "文件",
                "source_row": "行号"},
    )  # fmt: skip
