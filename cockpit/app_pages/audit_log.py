"""审计日志 (issue 15): the audit trail for 审计管理员 only: filter, check the chain, export."""

import datetime as dt

import streamlit as st

from cockpit import ui
from eldercare import audit

EVENTS = {
    "login": "登录", "lockout": "账号锁定", "logout": "退出登录", "totp_enrol": "绑定动态口令",
    "password_change": "修改密码", "password_reset": "重置密码", "account_create": "创建账号",
    "account_disable": "停用账号", "account_enable": "启用账号", "role_change": "角色与范围变更",
    "unlock": "解锁账号", "page_view": "页面访问", "download": "下载", "unmask": "查看明文",
}  # fmt: skip
RESULTS = {"success": "成功", "failure": "失败", "refused": "拒绝"}

viewer = ui.viewer()
if not viewer.may("audit"):
    st.error("您的角色无权查看审计日志。")
    st.stop()

ui.header(
    "审计日志",
    "登录、页面访问、查询、下载、查看明文及账号变更的记录；每条记录以哈希链接前一条，"
    "任何修改、插入或删除都会在校验时被发现。记录只增不改，保存不少于180天。",
)

with st.container(border=True):
    if st.button("重新校验哈希链", icon=":material/verified:") or "audit_verdict" not in (
        st.session_state
    ):
        st.session_state["audit_verdict"] = (audit.verify(), dt.datetime.now())
    verdict, checked_at = st.session_state["audit_verdict"]
    when = f"(校验于 {checked_at:%Y-%m-%d %H:%M:%S})"
    if verdict.ok:
        st.success(f"哈希链完整：共 {verdict.rows:,} 条记录，链头 {verdict.head[:16]}… {when}")
    else:
        st.error(f"哈希链断裂：第 {verdict.bad_id} 条记录不符。{verdict.message} {when}")

today = dt.date.today()
cols = st.columns([2, 1, 2])
span = cols[0].date_input(
    "时间范围 (UTC)", (today - dt.timedelta(days=7), today), max_value=today, key="audit_span"
)
users = audit.distinct("username")
username = cols[1].selectbox(
    "账号", [None, *users], format_func=lambda u: u or "全部", key="audit_user"
)
events = cols[2].multiselect(
    "事件",
    sorted({*EVENTS, *audit.distinct("event")}),
    format_func=lambda e: EVENTS.get(e, e),
    placeholder="全部事件",
    key="audit_events",
)
first, last = (span[0], span[-1]) if span else (today, today)
rows = audit.search(
    since=dt.datetime.combine(first, dt.time()),
    until=dt.datetime.combine(last + dt.timedelta(days=1), dt.time()),
    username=username,
    events=events,
)
rows["event"] = rows["event"].map(lambda e: EVENTS.get(e, e))
rows["result"] = rows["result"].map(lambda r: RESULTS.get(r, r))
st.caption(f"共 {len(rows):,} 条 (最多显示最新 5,000 条)")
ui.table(
    rows, f"审计日志_{first}_{last}",
    labels={"id": "序号", "at": "时间(UTC)", "username": "账号", "role": "角色",
            "county_code": "县区代码", "client": "客户端地址", "event": "事件", "result": "结果",
            "detail": "详情", "prev_hash": "前一条哈希", "row_hash": "本条哈希"},
    key="dl_audit",
)  # fmt: skip
