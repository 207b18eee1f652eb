"""每日业务巡检 (seed 000 §2.2): the day's sampling plan and the inspectors' results."""

import streamlit as st

from cockpit import ui
from cockpit.data import service_quality as sq
from eldercare import inspection_results
from eldercare.appdb import app_engine

viewer = ui.viewer()
if not viewer.may("inspection"):
    st.error("您的角色无权查看巡检计划。")
    st.stop()

ui.header(
    "每日巡检",
    "每个工作日每类机构抽检5家：按风险 (评分低、投诉、预警、报表矛盾、久未巡检) 排序，"
    "每季度每家机构至少抽到一次。数据仓库能回答的检查项已预填依据，请逐项核实后记录结果。",
)
scope = ui.scope_bar(towns=False)
days = sq.plan_days(scope)
if not days:
    st.info("巡检计划尚未生成：运行 eldercare build。")
    st.stop()
today = sq.report_period()[1]  # the data's 今天: its latest work-order day
past = [i for i, d in enumerate(days) if d <= today]
day = st.selectbox("巡检日期", days, index=past[-1] if past else 0, key="insp_day")
plan = sq.plan_for(scope, day)
eng = app_engine()
done = inspection_results.latest(eng, day, day, scope.county_code)
recorded = {(r.org_code, r.check_item): r.result for r in done.itertuples()}
st.caption(
    f"{day}：计划 {len(plan)} 家，已记录 {done['org_code'].nunique() if len(done) else 0} 家。"
)

for category, rows in plan.groupby("category", sort=False):
    st.subheader(category)
    for row in rows.itertuples():
        items = row.check_items.split("；")
        evidence = row.evidence
        finished = sum((row.org_code, i) in recorded for i in items)
        title = f"{row.risk_rank}. {row.org_name}  ·  风险 {row.risk_score:.2f}  ·  已记录 {finished}/{len(items)}"
        with st.expander(title):
            if row.risk_reasons:
                st.caption(f"入选原因：{row.risk_reasons}")
            with st.form(f"f_{row.org_code}_{day}"):
                choices = {}
                for i, item in enumerate(items):
                    c1, c2 = st.columns([3, 2])
                    c1.markdown(f"**{item}**  \n{evidence.get(item, '需人工核查')}")
                    current = recorded.get((row.org_code, item))
                    options = ["未检查", *inspection_results.RESULTS]
                    choices[item] = c2.radio(item, options, index=options.index(current) if current else 0,
                                             horizontal=True, label_visibility="collapsed", key=f"r_{row.org_code}_{day}_{i}")  # fmt: skip
                deduction = st.number_input(
                    "扣分 (不合格项)", 0.0, 10.0, 0.0, 0.5, key=f"d_{row.org_code}_{day}"
                )
                note = st.text_input("备注", key=f"n_{row.org_code}_{day}")
                if st.form_submit_button("保存结果"):
                    for item, result in choices.items():
                        if result != "未检查" and result != recorded.get((row.org_code, item)):
                            inspection_results.record(
                                eng, day, row.org_code, row.county_code, item, result, viewer.username,
                                deduction if result == "不合格" and deduction else None, note,
                            )  # fmt: skip
                    st.success(
                        "已保存 (留痕：记录人和时间)。结果在下次评分时计入指导中心巡检维度。"
                    )
                    st.rerun()
