"""账号管理 (系统管理员): the accounts of the cockpit; no business data on this page."""

import streamlit as st

from cockpit import ui
from eldercare import accounts
from eldercare.appdb import app_engine
from eldercare.errors import EldercareError

ui.header(
    "账号管理", "创建、停用账号与重置密码（命令行：eldercare users add|list|disable|reset）。"
)
counties = accounts.county_names()
rows = [
    {"用户名": a.username, "姓名": a.display_name, "角色": a.role_label,
     "范围": counties.get(a.county_code, "全市") if a.county_code else "全市",
     "状态": "停用" if a.disabled else "正常",
     "最近登录": a.last_login_at.strftime("%Y-%m-%d %H:%M") if a.last_login_at else ""}
    for a in accounts.list_all(app_engine())
]  # fmt: skip
st.dataframe(rows, hide_index=True)

with st.form("add_account", clear_on_submit=True):
    st.subheader("新建账号")
    c1, c2 = st.columns(2)
    username = c1.text_input("用户名")
    name = c2.text_input("姓名")
    role = c1.selectbox("角色", list(accounts.ROLES), format_func=accounts.ROLES.get)
    county = c2.selectbox(
        "县区", [None, *counties], format_func=lambda c: counties[c] if c else "全市"
    )
    password = st.text_input("初始密码", type="password")
    if st.form_submit_button("创建", type="primary"):
        try:
            accounts.add(
                app_engine(), username.strip(), password, role, county, name.strip() or None
            )
            st.success(f"已创建账号 {username}")
            st.rerun()
        except EldercareError as exc:
            st.error(str(exc))

with st.form("manage_account"):
    st.subheader("停用 / 启用 / 重置密码")
    target = st.selectbox("账号", [r["用户名"] for r in rows])
    new_password = st.text_input("新密码（重置时填写）", type="password")
    c1, c2, c3 = st.columns(3)
    try:
        if c1.form_submit_button("停用"):
            accounts.set_disabled(app_engine(), target, True)
            st.rerun()
        if c2.form_submit_button("启用"):
            accounts.set_disabled(app_engine(), target, False)
            st.rerun()
        if c3.form_submit_button("重置密码"):
            accounts.reset_password(app_engine(), target, new_password)
            st.success(f"已重置 {target} 的密码")
    except EldercareError as exc:
        st.error(str(exc))
