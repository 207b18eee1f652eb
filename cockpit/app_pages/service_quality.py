"""服务质量评分 (seed 000 §2.1, 004 #27) and the complaints SLA (§1.2)."""

import streamlit as st

from cockpit import charts, ui
from cockpit.data import service_quality as sq

viewer = ui.viewer()
if not viewer.may("business"):
    st.error("您的角色无权查看服务质量评分。")
    st.stop()

ui.header(
    "服务质量评分",
    "百分制评估：服务评价、民政检查、指导中心巡检、服务商评价加权；评价量少的机构向同县同类均值收缩，"
    "评价量不足显示“数据不足”。规则见 docs/quality-score.md。",
)
scope = ui.scope_bar(towns=False)
periods = sq.periods(scope)
if not periods:
    st.info("质量评分尚未发布：运行 eldercare build 或 eldercare score --quarter。")
    st.stop()
complete = sq.complete_period(scope)  # periods run newest first: those before it are open
done_at = periods.index(complete) if complete in periods else 0
period = st.selectbox(
    "季度", periods, index=done_at, key="sq_period",
    format_func=lambda q: f"{q} (季度未结束)" if periods.index(q) < done_at else q,
)  # fmt: skip

left, right = st.columns(2)
counties = sq.county_scores(scope, period)
left.markdown(f"**{period} 县区得分 (分，按评价量加权)**")
left.vega_lite_chart(
    charts.bars(
        counties, "county", "total_score", {"county": "县区", "total_score": "得分"}, height=240
    )
)
orgs = sq.org_scores(scope, period)
stars = (
    orgs.fillna({"star_band": "数据不足"}).groupby("star_band").size().rename("orgs").reset_index()
)
right.markdown("**机构星级分布 (家)**")
right.vega_lite_chart(
    charts.bars(stars, "star_band", "orgs", {"star_band": "星级", "orgs": "机构数"}, height=240)
)

st.subheader("机构得分")
ui.table(orgs, f"服务质量评分_{period}", labels=sq.SCORE_LABELS, key="dl_sq_orgs")

st.subheader("问题投诉答复时效 (3个工作日)")
st.caption(f"截至 {sq.complaints_as_of() or '—'}；工作日按国家法定节假日及调休计算。")
sla = sq.complaint_sla(scope)
ui.table(sla, "投诉时效_按渠道", labels={"channel": "渠道", "complaints": "投诉 (件)",
         "on_time": "按时答复", "late": "逾期答复", "open_overdue": "超时未答复"}, key="dl_sla")  # fmt: skip
trend = sq.complaint_trend(scope)
if not trend.empty:
    st.vega_lite_chart(
        charts.bars(
            trend,
            "month",
            "complaints",
            {"month": "月份", "complaints": "投诉 (件)", "channel": "渠道"},
            horizontal=False,
            color="channel",
            height=220,
        )  # fmt: skip
    )
st.markdown("**逾期清单**")
ui.table(sq.overdue_complaints(scope), "投诉逾期清单", labels={
    "create_time": "受理时间", "channel": "渠道", "category": "类别", "org_name": "机构",
    "county_code": "县区", "working_days": "已用工作日", "state": "状态"}, key="dl_overdue")  # fmt: skip
