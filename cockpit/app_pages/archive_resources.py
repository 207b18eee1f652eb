"""服务资源 (#20): organisations with their indicators, filters, pages, and a card each."""

import streamlit as st

from cockpit import charts, ui
from cockpit.data import resources, staff

viewer = ui.viewer()
if not viewer.may("business"):
    st.error("您的角色无权查看服务资源。")
    st.stop()

ui.header(
    "服务资源",
    "养老机构、社区照料中心、居家与家床服务商、长者食堂、评估机构及其指标；"
    "选择机构查看机构卡 (月度工单、检查、投诉、月报、人员)。",
)
scope = ui.scope_bar(towns=False)
st.caption(
    "机构登记到县区一级，按机构所在县区统计。本月工单取本月；"
    "检查不合格项与投诉取近12个月 (本月及此前11个月)；入住率仅养老机构。"
)

with st.container(border=True):
    cols = st.columns(5)
    org_type = cols[0].selectbox(
        "机构类型", [None, *resources.org_options(scope, "org_type")],
        format_func=lambda v: "全部" if v is None else v, key="org_q_type",
    )  # fmt: skip
    ownership = cols[1].selectbox(
        "性质", [None, *resources.org_options(scope, "ownership")],
        format_func=lambda v: "全部" if v is None else v, key="org_q_ownership",
    )  # fmt: skip
    name = cols[2].text_input("机构名称包含", key="org_q_name")
    code_text = cols[3].text_input("机构码", placeholder="完整机构码或开头几位", key="org_q_code")
    live_only = cols[4].checkbox("仅在册机构", value=True, key="org_q_live")

code = code_text.strip().upper() or None
if code and not resources.CODE_CHARS.match(code):
    st.warning("机构码由数字、大写字母及 * ~ $ = 组成，最长18位，请检查输入。")
    st.stop()
query = resources.OrgQuery(org_type, ownership, name.strip() or None, code, live_only)
total = resources.org_count(scope, query)
page = ui.pager(total, resources.PAGE_SIZE, "org_page", (scope, query))
rows = resources.org_list(scope, query, page)
ui.table(
    rows, f"服务资源_第{page}页",
    labels={"org_code": "机构码", "org_name": "机构名称", "org_type": "机构类型",
            "county_name": "县区", "ownership": "性质", "star": "星级",
            "approved_beds": "核定床位", "filed_beds": "备案床位", "residents": "本月末在住",
            "occupancy_pct": "入住率(%)", "orders_month": "本月工单", "staff": "在册人员",
            "certified_staff": "持证人员", "inspections_failed": "近12月检查不合格项",
            "complaints": "近12月投诉", "is_live": "在册"},
    key="dl_orgs",
)  # fmt: skip

requested = st.query_params.get("org")
if code and total == 1 and not requested:
    requested = rows.iloc[0]["org_code"]
names = dict(zip(rows["org_code"], rows["org_name"], strict=True))
options = [None, *rows["org_code"]]
if requested and requested not in options:
    options.append(requested)
    asked = resources.org(scope, requested)  # None outside the scope: the code is shown as is
    if asked:
        names[requested] = asked["org_name"]
selected = st.selectbox(
    "查看机构卡",
    options,
    index=options.index(requested) if requested else 0,
    format_func=lambda c: "请选择机构" if c is None else f"{names.get(c, c)} ({c})",
)
if selected != st.query_params.get("org"):
    ui.set_param("org", selected)
if not selected:
    st.stop()

card = resources.org(scope, selected)
if card is None:
    st.warning(f"未找到机构码 {selected}，或该机构不在您的查看范围内。")
    st.stop()


def _money(value) -> str:
    return "—" if value is None or value != value else f"{value:,.0f} 元/月"


st.subheader(f"机构卡 · {card['org_name']}")
fields = [
    ("机构码", card["org_code"]), ("机构类型", card["org_type"]), ("县区", card["county_name"]),
    ("性质", card["ownership"]), ("星级", card["star"]), ("状态", card["status"]),
    ("统一社会信用代码", card["credit_code"]), ("医疗条件", card["medical_condition"]),
    ("核定床位", card["approved_beds"]), ("备案床位", card["filed_beds"]),
    ("收费区间", f"{_money(card['charge_min'])} – {_money(card['charge_max'])}"),
    ("来源机构ID", card["source_org_ids"]),
]  # fmt: skip
with st.container(border=True):
    cols = st.columns(4)
    for i, (label, value) in enumerate(fields):
        shown = "—" if value is None or value != value else value
        cols[i % 4].markdown(f"**{label}**  \n{shown}")
cols = st.columns(5)
cols[0].metric("本月工单", f"{card['orders_month']:,} 单")
cols[1].metric("在册人员", f"{card['staff']:,} 人")
cols[2].metric("持证人员", f"{card['certified_staff']:,} 人")
cols[3].metric("近12月检查不合格项", f"{card['inspections_failed']:,} 项")
cols[4].metric("近12月投诉", f"{card['complaints']:,} 件")

tabs = st.tabs(["月度工单", "检查不合格项", "投诉", "机构运营月报", "服务人员"])
with tabs[0]:
    monthly = resources.org_monthly(scope, selected)
    if monthly.empty:
        st.info("近12个月没有该机构的居家服务工单。")
    else:
        st.vega_lite_chart(
            charts.trend(
                monthly, "month_start", "orders", {"month_start": "月份", "orders": "工单数"}
            )
        )
        ui.table(
            monthly, f"{selected}_月度工单",
            labels={"month_start": "月份", "orders": "工单数", "amount": "金额(元)",
                    "subsidy": "补贴(元)"},
            key="dl_org_monthly",
        )  # fmt: skip
with tabs[1]:
    ui.table(
        resources.org_failed_inspections(scope, selected), f"{selected}_检查不合格项",
        labels={"inspect_date": "检查日期", "source": "来源", "item_name": "检查项",
                "deduction": "扣分"},
        key="dl_org_inspections",
    )  # fmt: skip
with tabs[2]:
    ui.table(
        resources.org_complaints(scope, selected), f"{selected}_投诉",
        labels={"create_time": "提交时间", "channel": "渠道", "category": "类别", "status": "状态",
                "reply_working_days": "答复用时(工作日)", "is_reply_on_time": "3个工作日内答复"},
        key="dl_org_complaints",
    )  # fmt: skip
with tabs[3]:
    reports = resources.org_reports(scope, selected)
    if reports.empty:
        st.info("该机构没有区县机构运营月报 (月报只由养老机构填报)。")
    else:
        ui.table(
            reports, f"{selected}_月报",
            labels={"report_month": "月份", "residents": "在院老人", "approved_beds": "核定床位",
                    "actual_beds": "实际床位", "staff": "工作人员", "caregivers": "护理员",
                    "certified_caregivers": "持证护理员", "activities": "活动次数",
                    "fire_check": "消防检查", "filled_date": "填报日期"},
            key="dl_org_reports",
        )  # fmt: skip
with tabs[4]:
    if not viewer.may("archives"):
        st.info("服务人员名单属于人员档案，仅对具有档案权限的角色开放；上方为人数统计。")
    else:
        ui.table(
            staff.search(scope, staff.StaffQuery(org_code=selected), page_size=500),
            f"{selected}_服务人员",
            labels=staff.LABELS,
            key="dl_org_staff",
        )
