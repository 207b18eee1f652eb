"""账号管理 (系统管理员): create, disable and reset accounts; no roles, no business data, no audit.

Roles and scopes are the 安全管理员's (角色与权限); a new account waits there with no role.
"""

import streamlit as st

from cockpit import session, ui
from eldercare import accounts
from eldercare.appdb import app_engine
from eldercare.errors import EldercareError

ui.header(
    "账号管理",
    "创建、停用账号，重置密码与动态口令；角色与县区由安全管理员设置（命令行：eldercare users）。",
)
viewer = ui.viewer()
actor = accounts.Actor(viewer.username, viewer.role, viewer.county_code, session.client())
counties = accounts.county_names()
rows = [
    {"用户名": a.username, "姓名": a.display_name, "角色": a.role_label,
     "范围": counties.get(a.county_code, "全市") if a.county_code else "全市",
     "状态": "停用" if a.disabled else "锁定" if a.locked else "正常",
     "动态口令": "已绑定" if a.totp_enrolled else "待绑定",
     "最近登录": a.last_login_at.strftime("%Y-%m-%d %H:%M") if a.last_login_at else ""}
    for a in accounts.list_all(app_engine())
]  # fmt: skip
st.dataframe(rows, hide_index=True)

with st.form("add_account", clear_on_submit=True):
    st.subheader("新建账号")
    c1, c2 = st.columns(2)
    username = c1.text_input("用户名")
    name = c2.text_input("姓名")
    password = st.text_input("初始密码（首次登录须修改）", type="password")
    if st.form_submit_button("创建", type="primary"):
        try:
            accounts.add(app_engine(), username.strip(), password, accounts.PENDING, None,
                         name.strip() or None, actor=actor)  # fmt: skip
            st.success(f"已创建账号 {username}，请安全管理员分配角色。")
        except EldercareError as exc:
            st.error(str(exc))

with st.form("manage_account"):
    st.subheader("停用 / 启用 / 重置密码")
    target = st.selectbox("账号", [r["用户名"] for r in rows])
    new_password = st.text_input("新的初始密码（重置时填写）", type="password")
    reset_totp = st.checkbox("同时重置动态口令（手机丢失时）")
    c1, c2, c3 = st.columns(3)
    try:
        if c1.form_submit_button("停用"):
            accounts.set_disabled(app_engine(), target, True, actor=actor)
            st.success(f"已停用 {target}")
        if c2.form_submit_button("启用"):
            accounts.set_disabled(app_engine(), target, False, actor=actor)
            st.success(f"已启用 {target}")
        if c3.form_submit_button("重置密码"):
            accounts.reset_password(app_engine(), target, new_password, reset_totp=reset_totp,
                                    actor=actor)  # fmt: skip
            st.success(f"已重置 {target} 的密码，其会话均已结束")
    except EldercareError as exc:
        st.error(str(exc))
