"""Login and logout: accounts from the application database (``eldercare/accounts.py``)."""

from __future__ import annotations

from urllib.parse import urlparse

import streamlit as st

from cockpit.scope import Viewer
from eldercare import accounts
from eldercare.appdb import app_engine
from eldercare.errors import EldercareError


def login_form() -> None:
    st.title("湛江智慧养老驾驶舱")
    st.caption("湛江市民政局 · 智慧养老数据平台")
    with st.form("login"):
        username = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            account = accounts.authenticate(app_engine(), username.strip(), password)
        except EldercareError as exc:
            st.error(f"无法连接账号库：{exc}")
            return
        if account is None:
            st.error("用户名或密码错误，或账号已停用。")
            return
        st.session_state["viewer"] = Viewer.from_account(account)
        # st.rerun() forgets the page of the URL (no navigation existed before login): keep it
        st.session_state["requested_path"] = urlparse(st.context.url or "").path
        st.rerun()


def logout_button(viewer: Viewer) -> None:
    with st.sidebar:
        area = (
            accounts.county_names().get(viewer.county_code, "全市")
            if viewer.county_code
            else "全市"
        )
        st.caption(f"{viewer.display_name}（{accounts.ROLES[viewer.role]} · {area}）")
        if st.button("退出登录", icon=":material/logout:"):
            st.session_state.clear()
            st.rerun()
