"""质量分析报告 (seed 000 §2.3): generate, comment per section, download past reports."""

import streamlit as st

from cockpit import ui
from cockpit.data import service_quality as sq
from eldercare.accounts import county_names
from eldercare.appdb import app_engine
from eldercare.settings import get_settings
from reports import store
from reports.content import SECTIONS
from reports.generate import generate

viewer = ui.viewer()
if not viewer.may("reports"):
    st.error("您的角色无权查看质量分析报告。")
    st.stop()

ui.header(
    "质量分析报告", "每两周一期：业务运行、质量评估、指导中心巡检、问题投诉；Word 与 PDF 内容一致。"
)
eng = app_engine()
county = viewer.county_code  # a county user: their county's reports only
author = viewer.role == "analyst"

if author:
    st.subheader("编写与生成")
    c1, c2, c3 = st.columns(3)
    first, last = sq.report_period()
    lo = c1.date_input("开始日期", first, key="rep_from")
    hi = c2.date_input("结束日期", last, key="rep_to")
    counties = {None: "全市", **county_names()}
    area = c3.selectbox("范围", list(counties), format_func=counties.get, key="rep_area")
    key = store.report_key(lo, hi, area)
    saved = store.comments(eng, key)
    with st.form("rep_comments"):
        st.caption("分析员意见按章节保存，重新生成报告时保留。")
        texts = {
            s: st.text_area(title, saved.get(s, ""), key=f"rep_c_{s}_{key}")
            for s, title in SECTIONS.items()
        }
        if st.form_submit_button("保存意见"):
            for s, text in texts.items():
                if text.strip() != saved.get(s, ""):
                    store.save_comment(eng, key, s, text, viewer.username)
            st.success("意见已保存。")
    if st.button("生成报告 (Word + PDF)", type="primary", key="rep_generate"):
        with st.spinner("正在生成…"):
            r = generate(
                get_settings().warehouse,
                lo,
                hi,
                area,
                out_dir=get_settings().data_dir / "reports",
                by=viewer.username,
            )
        st.success(f"已生成第 {r.file_id} 号报告，用时 {r.seconds:.1f} 秒。")

st.subheader("历史报告")
files = store.list_files(eng, county)
if files.empty:
    st.info("还没有生成过报告。")
for f in files.head(30).itertuples():
    c1, c2, c3 = st.columns([4, 1, 1])
    c1.markdown(
        f"**{f.date_from} 至 {f.date_to}** · {county_names().get(f.county_code, '全市')} · {f.created_by} · {f.created_at}"
    )
    name = f"养老服务质量分析报告_{f.date_from}_{f.date_to}_{county_names().get(f.county_code, '全市')}"
    c2.download_button(
        "Word", store.file_bytes(eng, f.id, "docx", county), f"{name}.docx", key=f"docx_{f.id}"
    )
    c3.download_button(
        "PDF", store.file_bytes(eng, f.id, "pdf", county), f"{name}.pdf", key=f"pdf_{f.id}"
    )
