"""角色与权限 (安全管理员): each account's one role and county scope, and unlocking.

An account that holds one of the three admin roles keeps it (eldercare/accounts.py), so no
account holds two of them; the 安全管理员 cannot change their own role.
"""

import streamlit as st

from cockpit import session, ui
from eldercare import accounts
from eldercare.appdb import app_engine
from eldercare.errors import EldercareError

ui.header(
    "角色与权限",
    "设置账号的角色与县区范围，解锁被锁定的账号（命令行：eldercare users role|unlock）。",
)
viewer = ui.viewer()
actor = accounts.Actor(viewer.username, viewer.role, viewer.county_code, session.client())
counties = accounts.county_names()
all_accounts = accounts.list_all(app_engine())
rows = [
    {"用户名": a.username, "姓名": a.display_name, "角色": a.role_label,
     "范围": counties.get(a.county_code, "全市") if a.county_code else "全市",
     "锁定至": a.locked_until.strftime("%H:%M") + " UTC" if a.locked else "",
     "状态": "停用" if a.disabled else "正常"}
    for a in all_accounts
]  # fmt: skip
st.dataframe(rows, hide_index=True)

with st.form("set_role"):
    st.subheader("设置角色与范围")
    c1, c2, c3 = st.columns(3)
    target = c1.selectbox(
        "账号", [a.username for a in all_accounts if a.username != viewer.username]
    )
    role = c2.selectbox("角色", list(accounts.ROLES), format_func=accounts.role_label)
    county = c3.selectbox(
        "县区", [None, *counties], format_func=lambda c: counties[c] if c else "全市"
    )
    if st.form_submit_button("保存", type="primary"):
        try:
            accounts.set_role(app_engine(), target, role, county, actor=actor)
            st.success(f"{target} 的角色已设为 {accounts.role_label(role)}，其会话均已结束")
        except EldercareError as exc:
            st.error(str(exc))

locked = [a.username for a in all_accounts if a.locked]
with st.form("unlock"):
    st.subheader("解锁账号")
    target = st.selectbox("被锁定的账号", locked, placeholder="当前没有被锁定的账号")
    if st.form_submit_button("解锁", disabled=not locked):
        try:
            accounts.unlock(app_engine(), target, actor=actor)
            st.success(f"已解锁 {target}")
        except EldercareError as exc:
            st.error(str(exc))
