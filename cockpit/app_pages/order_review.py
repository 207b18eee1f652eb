"""存疑工单审核 (#26, #63, #65–70, #74, #81): the review queue per county sorted by money at risk,
one order's card (map, durations, photos, return visits, reasons), the reviewer's actions
(作废 / 审核通过 / 记录申诉, written to the application database with who and when), the
settlement check and the death warnings."""

import streamlit as st

from cockpit import maps, ui
from cockpit.data import warning
from eldercare import review
from eldercare.appdb import app_engine

viewer = ui.viewer()
ui.header(
    "存疑工单审核",
    "系统按监管规则与预警模型标记的工单，按涉及补贴风险金额排序；逐单核实后作废、审核通过或记录服务商申诉。"
    "审核结论留痕，并作为下一次模型训练的标签。",
)
scope = ui.scope_bar(towns=False)
if not warning.available(scope):
    st.info("工单预警尚未生成：运行 eldercare build。")
    st.stop()


def _missing(value) -> bool:
    return value is None or str(value) in ("nan", "NaT", "<NA>", "None")


def _v(value, fmt: str = "{}") -> str:
    """A card value, or — when missing."""
    return "—" if _missing(value) else fmt.format(value)


ACTIONS = {"confirm": "作废 (确认存疑)", "clear": "审核通过 (服务属实)", "appeal": "记录服务商申诉"}
queue_tab, money_tab, death_tab = st.tabs(["审核队列", "对账结算", "死亡预警"])

with queue_tab:
    st.subheader("各县区存疑工单")
    ui.table(
        warning.queue_by_county(scope),
        "存疑工单_分县区",
        labels={"county_code": "区划代码", "county_name": "县区", "orders": "存疑工单",
                "open_orders": "待处理", "money_at_risk": "风险金额(元)"},
    )  # fmt: skip
    q = warning.queue(scope)
    eng = app_engine()
    decisions = review.decisions_frame(eng, q["order_id"].tolist()) if len(q) else None
    if decisions is not None and len(decisions):
        q["state"] = q["order_id"].map(review.current_states(decisions)).fillna(q["state"])
    states = st.multiselect(
        "状态", list(warning.STATES), default=["存疑", "已申诉"], key="rv_states"
    )
    shown = q[q["state"].isin(states)] if states else q
    st.subheader(f"审核队列（{len(shown)} 单，按风险金额排序）")
    ui.table(
        shown.drop(columns=["county_code"]),
        "存疑工单队列",
        labels={"order_id": "工单号", "county_name": "县区", "org_code": "机构码",
                "org_name": "服务商", "order_month": "月份", "start_time": "服务开始",
                "source": "来源", "state": "状态", "warning_score": "预警分",
                "subsidy_amount": "补贴(元)", "money_at_risk": "风险金额(元)", "reasons": "预警原因"},
        height=320,
    )  # fmt: skip
    if shown.empty:
        st.stop()
    names = dict(zip(shown["order_id"], shown["org_name"], strict=True))
    order_id = st.selectbox(
        "查看工单",
        shown["order_id"].tolist(),
        format_func=lambda o: f"{o}　{_v(names.get(o))}",
        key="rv_order",
    )
    card = warning.order_card(scope, order_id)
    o = card["order"]
    if o.empty:
        st.warning("该工单不在您的查看范围内。")
        st.stop()
    r = o.iloc[0]
    st.subheader(f"工单 {_v(r['order_no'])}（{r['order_id']}）　{_v(r['item_name'])}")
    c = st.columns(5)
    c[0].metric("预警分", _v(r["warning_score"], "{:.2f}"))
    c[1].metric("服务时长(分钟)", _v(r["duration_min"], "{:.0f}"))
    c[2].metric("项目时长标准(分钟)", f"{_v(r['item_min_minutes'])}–{_v(r['item_max_minutes'])}")
    c[3].metric("金额(元)", _v(r["amount"], "{:.2f}"))
    c[4].metric("补贴(元)", _v(r["subsidy_amount"], "{:.2f}"))
    st.markdown(f"**预警原因**：{_v(r['warning_reasons'])}")
    if not _missing(r["rules_not_evaluable"]):
        st.caption(f"未能判断的规则 (缺少数据，不计为预警)：{r['rules_not_evaluable']}")
    left, right = st.columns([3, 2])
    with left:
        st.pydeck_chart(maps.order_deck(r), height=360)
        st.markdown(maps.legend(maps.ORDER_POINT_COLOURS), unsafe_allow_html=True)
    with right:
        st.markdown(
            f"计划 {_v(r['plan_time'])}　开始 {_v(r['start_time'])}　结束 {_v(r['end_time'])}"
        )
        st.markdown(f"服务人员 {_v(r['staff_code'])}　录音 {_v(r['audio_seconds'], '{:.0f}')} 秒")
        st.markdown(f"**照片复用**：其他 {len(card['photos'])} 单使用了相同照片")
        if len(card["photos"]):
            ui.table(card["photos"].drop(columns=["same_photo"]), "照片复用",
                     labels={"order_id": "工单号", "org_code": "机构码", "start_time": "服务开始",
                             "county_code": "区划代码"}, key="dl_photos")  # fmt: skip
        st.markdown("**回访**")
        ui.table(card["visits"], "回访记录", labels={"visit_time": "回访时间", "visit_way": "方式",
                                                   "visit_result": "结果"}, key="dl_visits")  # fmt: skip
        if len(card["doubts"]):
            st.markdown("**原平台存疑记录**")
            ui.table(card["doubts"], "原平台存疑记录", key="dl_doubts")
    st.markdown("**审核**")
    history = review.decisions_frame(eng, [order_id])
    if len(history):
        ui.table(history.drop(columns=["order_id"]), "审核记录", key="dl_history",
                 labels={"action": "操作", "reason": "理由", "reviewer": "审核人",
                         "county_code": "区划代码", "decided_at": "时间"})  # fmt: skip
    with st.form(f"rv_form_{order_id}"):
        action = st.radio("结论", list(ACTIONS), format_func=ACTIONS.get, horizontal=True)
        reason = st.text_input("理由 / 申诉内容 (记录申诉时必填)")
        if st.form_submit_button("提交"):
            try:
                county = None if _missing(r["county_code"]) else r["county_code"]
                review.record_decision(
                    eng, int(order_id), action, viewer.username, reason=reason, county_code=county
                )
            except Exception as exc:  # EldercareError: one clear line
                st.error(str(exc))
            else:
                st.success(
                    f"已记录：{ACTIONS[action]}（审核人 {viewer.username}）。下次训练时计入标签。"
                )
                st.rerun()

with money_tab:
    st.subheader("服务商对账结算 (按月)")
    st.caption(
        "标准金额 = 目录单价 (按次) 或 单价 × 服务时长按半小时向上取整 (按小时，不超过项目最长时长)；"
        "应补金额 = 老人月度补贴标准内的补贴；多付 = 超标准计费 + 超标准补贴；风险金额 = 存疑工单补贴 × 预警分。"
    )
    ui.table(
        warning.settlement(scope),
        "对账结算",
        labels={"org_code": "机构码", "org_name": "服务商", "month": "月份", "orders": "工单数",
                "billed_amount": "计费金额(元)", "standard_amount": "标准金额(元)",
                "subsidy_paid": "已付补贴(元)", "subsidy_entitled": "应补金额(元)",
                "over_payment": "多付(元)", "under_payment": "少付(元)",
                "suspicious_orders": "存疑工单", "money_at_risk": "风险金额(元)"},
        height=400,
    )  # fmt: skip

with death_tab:
    st.subheader("死亡预警 (待核实)")
    ui.table(
        warning.death_warnings(scope),
        "死亡预警",
        labels={"kind_label": "类别", "elder_code": "长者码", "org_code": "机构码",
                "org_name": "服务商", "ref": "记录", "event_time": "发生时间",
                "death_date": "死亡日期", "amount": "涉及金额(元)", "county_code": "区划代码"},
        height=400,
    )  # fmt: skip
