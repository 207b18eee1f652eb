"""修改密码: an account changes its own password; every session of the account then ends."""

import streamlit as st

from cockpit import login, ui
from eldercare import auth

ui.header(
    "修改密码",
    f"至少 {auth.MIN_LENGTH} 个字符，包含大写字母、小写字母、数字、符号中的至少 {auth.MIN_KINDS} 类，"
    f"不得与最近 {auth.HISTORY} 次相同。修改后所有设备上的会话都将结束，请重新登录。",
)
with st.form("own_password"):
    current = st.text_input("当前密码", type="password")
    new = st.text_input("新密码", type="password")
    again = st.text_input("确认新密码", type="password")
    if st.form_submit_button("修改", type="primary"):
        login.change_own(ui.viewer(), current, new, again)
