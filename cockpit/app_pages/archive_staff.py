"""服务队伍 (#21): care workers by organisation, post and certification, with their workload."""

import streamlit as st

from cockpit import charts, ui
from cockpit.data import staff

viewer = ui.viewer()
if not viewer.may("archives"):
    st.error("您的角色无权查看服务队伍档案。")
    st.stop()

ui.header(
    "服务队伍",
    "服务人员按机构、岗位、持证情况统计，工作量取近3个月工单；身份证号仅显示脱敏值。",
)
scope = ui.scope_bar(towns=False)
st.caption(
    "服务人员按主要任职机构 (最近一条在册登记的机构) 所在县区归属；"
    "在多家机构任职的人员只显示任职机构数。"
)
ui.kpi_row(staff.HEADLINE, staff.headline(scope), scope, per_row=4)

left, right = st.columns(2)
left.markdown("**按岗位与持证 (人)**")
left.vega_lite_chart(
    charts.bars(
        staff.by_post(scope), "post", "staff",
        {"post": "岗位", "staff": "人数", "certified": "持证情况"}, color="certified", height=240,
    )
)  # fmt: skip
top = staff.by_org(scope)
right.markdown(f"**服务人员最多的 {len(top)} 家机构 (人)**")
right.vega_lite_chart(
    charts.bars(top, "org_name", "staff", {"org_name": "机构", "staff": "在册人员"}, height=240)
)

st.subheader("人员名单")
employers = staff.employers(scope)
org_names = dict(zip(employers["org_code"], employers["org_name"], strict=True))
with st.container(border=True):
    cols = st.columns(5)
    org_code = cols[0].selectbox(
        "主要任职机构", [None, *org_names],
        format_func=lambda c: "全部" if c is None else org_names[c], key="staff_q_org",
    )  # fmt: skip
    post = cols[1].selectbox(
        "岗位", [None, *staff.posts(scope)],
        format_func=lambda p: "全部" if p is None else staff.post_label(p), key="staff_q_post",
    )  # fmt: skip
    certified = cols[2].selectbox(
        "持证", [None, True, False],
        format_func=lambda c: "全部" if c is None else ("持证" if c else "未持证"),
        key="staff_q_cert",
    )  # fmt: skip
    code_text = cols[3].text_input("服务人员码", placeholder="完整或开头几位", key="staff_q_code")
    multi = cols[4].checkbox("仅多机构任职", key="staff_q_multi")

code = code_text.strip().upper() or None
if code and not staff.CODE_CHARS.match(code):
    st.warning("服务人员码由数字、大写字母及 * ~ $ = 组成，最长18位，请检查输入。")
    st.stop()
query = staff.StaffQuery(org_code, post, certified, multi, code)
total = staff.count(scope, query)
page = ui.pager(total, staff.PAGE_SIZE, "staff_page", (scope, query))
st.caption("按近3个月工单数从多到少排列。")
ui.table(
    staff.search(scope, query, page), f"服务队伍_第{page}页", labels=staff.LABELS, key="dl_staff"
)
