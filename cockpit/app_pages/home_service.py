"""居家上门服务专题 (#17, #59–74): orders, time, money and subsidies by month, category, provider
and area; durations against each item's bounds; return-visit results; providers ranked."""

import streamlit as st

from cockpit import charts, ui
from cockpit.data import home_service

ui.header(
    "居家上门服务专题",
    "上门服务工单、服务时长、金额与补贴，服务时长合规，回访结果与服务商排名；按长者住址归属区域。",
)
scope = ui.scope_bar()
area_title = "镇街" if scope.county_code else "县区"
months = home_service.months(scope)
if not months:
    st.info("当前范围内没有居家上门服务工单。")
    st.stop()

left, right, _ = st.columns([1, 1, 2])
month = left.selectbox("统计月份", months, format_func=lambda m: f"{m:%Y年%m月}", key="hs_month")
span = right.selectbox(
    "分析区间", list(home_service.SPANS), format_func=home_service.SPANS.get, key="hs_span"
)
period = f"{month:%Y年%m月}" if span == 1 else f"截至{month:%Y年%m月}的{home_service.SPANS[span]}"

st.subheader(f"{month:%Y年%m月} 服务概况")
ui.kpi_row(home_service.HEADLINE, home_service.headline(scope, month), scope, per_row=5)

st.subheader("近12个月趋势")
trend = home_service.monthly(scope, month, 12)
trend_titles = {"month_start": "月份", "work_orders": "工单数", "service_hours": "服务时长(小时)",
                "amount": "工单金额(元)", "subsidy_amount": "补贴金额(元)",
                "self_pay_amount": "自付金额(元)"}  # fmt: skip
left, mid, right = st.columns(3)
left.vega_lite_chart(charts.trend(trend, "month_start", "work_orders", trend_titles))
mid.vega_lite_chart(charts.trend(trend, "month_start", "service_hours", trend_titles))
right.vega_lite_chart(
    charts.trend(
        trend, "month_start", ["amount", "subsidy_amount", "self_pay_amount"], trend_titles
    )
)

money = {"work_orders": "工单数", "service_hours": "服务时长(小时)", "amount": "工单金额(元)",
         "subsidy_amount": "补贴金额(元)"}  # fmt: skip
rates = {"under_min_rate_pct": "时长不足占比(%)", "over_max_rate_pct": "时长超上限占比(%)",
         "satisfaction_rate_pct": "回访满意率(%)", "denial_rate_pct": "否认服务率(%)",
         "avg_rating": "平均评分"}  # fmt: skip

st.subheader(f"服务类别（{period}）")
categories = home_service.by_category(scope, month, span)
left, right = st.columns([1, 2])
if not categories.empty:
    left.vega_lite_chart(
        charts.bars(
            categories, "item_category", "work_orders", {"item_category": "服务类别", **money}
        )
    )
with right:
    ui.table(
        categories,
        "服务类别",
        labels={"item_category": "服务类别", **money, "timed_orders": "有时长工单",
                "orders_under_min": "时长不足", "orders_over_max": "时长超上限", **rates},
    )  # fmt: skip

st.subheader(f"服务时长与项目标准（{period}）")
st.caption("时长 = 服务结束时间 − 开始时间；与每个服务项目规定的最短、最长时长比较。")
ui.table(
    home_service.by_item(scope, month, span),
    "服务时长合规_分项目",
    labels={"item_name": "服务项目", "item_category": "服务类别", "item_min_minutes": "最短(分钟)",
            "item_max_minutes": "最长(分钟)", "timed_orders": "有时长工单",
            "avg_minutes": "平均时长(分钟)", "orders_under_min": "时长不足",
            "orders_over_max": "时长超上限", "under_min_rate_pct": "时长不足占比(%)",
            "over_max_rate_pct": "时长超上限占比(%)"},
)  # fmt: skip

st.subheader(f"服务商排名（{period}）")
ui.table(
    home_service.providers(scope, month, span),
    "服务商排名",
    labels={"ranking": "排名", "org_code": "机构码", "org_name": "服务商", **money,
            "visits": "回访次数", **rates},
)  # fmt: skip

left, right = st.columns(2)
with left:
    st.subheader(f"回访结果（{period}）")
    visits = home_service.visit_results(scope, month, span)
    if visits["visits"].any():
        st.vega_lite_chart(
            charts.donut(
                visits,
                "visit_result",
                "visits",
                {"visit_result": "回访结果", "visits": "次数"},
                colors=["#3a9e5f", "#8cc084", "#e8772e", "#9e9e9e", "#c9403a"],
            )  # fmt: skip
        )
    ui.table(visits, "回访结果", labels={"visit_result": "回访结果", "visits": "次数"})
with right:
    st.subheader(f"各{area_title}服务量（{period}）")
    ui.table(
        home_service.by_area(scope, month, span),
        "居家服务_分区域",
        labels={"area_code": "区划代码", "area_name": area_title, **money, "providers": "服务商数"},
    )
