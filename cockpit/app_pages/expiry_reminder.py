"""服务临过期提醒 (seed 004 #25): entitled elders likely to let this month's home-service subsidy
lapse, and family-bed agreements and ability re-assessments falling due, each day of the period,
with the family (phone masked) and the provider to remind; the county's list downloads as Excel
for the call centre. Models: models/expiry.py, models/entitlement_dates.py."""

import streamlit as st

from cockpit import ui
from cockpit.data import smart_models

ui.header(
    "服务临过期提醒",
    "本月居家服务补贴可能过期未用 (月末用量不足标准一半) 的长者，按可能性排序；"
    "30 天内到期的家庭养老床位服务协议和能力复评，按剩余天数排序。"
    "提醒家属及时预约、续签或复评，提醒服务商主动上门。名单可下载给呼叫中心。",
)
scope = ui.scope_bar()
if not smart_models.available()["expiry_reminder"]:
    st.info("临过期提醒模型尚未发布到数据仓库 (marts.expiry_reminder)，请先运行 eldercare build。")
    st.stop()
days = smart_models.expiry_days(scope)
if not days:
    st.info("当前范围内本期没有可能过期的补贴。")
    st.stop()
pick_day, pick_kind = st.columns(2)
day = pick_day.selectbox(
    "提醒日期", days, format_func=lambda d: f"{d:%Y年%m月%d日}", key="expiry_day"
)
kinds = smart_models.expiry_entitlements(scope)
kind = pick_kind.selectbox("服务权益", ["全部", *kinds], key="expiry_kind")
rows = smart_models.expiry_list(scope, day, None if kind == "全部" else kind)
subsidy = rows[rows["entitlement"] == "居家服务补贴"]
left, mid, right = st.columns(3)
left.metric("需提醒长者", f"{rows['elder_code'].nunique():,} 人")
mid.metric("未用补贴合计", f"{subsidy['remaining'].sum():,.0f} 元")
right.metric("补贴本期剩余", f"{int(subsidy['days_left'].iloc[0])} 天" if len(subsidy) else "—")
ui.table(
    rows, f"服务临过期提醒_{day:%Y%m%d}",
    labels={"elder_code": "长者码", "county_name": "县区", "town_name": "镇街",
            "entitlement": "服务权益", "period_end": "本期截止", "days_left": "剩余天数",
            "entitled_amount": "补贴标准(元)", "used_amount": "已用(元)", "remaining": "剩余(元)",
            "lapse_probability": "过期可能性", "rule_flag": "过半未用", "reason": "原因",
            "family_phone_masked": "家属电话(脱敏)", "notify_org_code": "服务商机构码",
            "org_name": "服务商"},
    key="dl_expiry",
)  # fmt: skip
with st.expander("模型效果 (留出月份，对照“过半未用”规则)"):
    ev = smart_models.expiry_evaluation()
    st.dataframe(
        ev.rename(columns={"method": "方法", "days_left": "距月末天数", "recall": "召回率",
                           "precision": "精确率", "flagged": "提醒数", "lapsing": "实际过期数",
                           "threshold": "阈值", "test_months": "检验月份"}),
        hide_index=True,
    )  # fmt: skip
    st.caption("召回率：实际过期的补贴中被提前提醒的比例；精确率：被提醒的补贴中实际过期的比例。")
