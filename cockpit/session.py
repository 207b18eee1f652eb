"""The cockpit's side of the server-side sessions (``eldercare/sessions.py``).

Every script run starts here: the token comes from this Streamlit session's state or, on a fresh
page load, from the ``eldercare_session`` cookie (so a reload keeps the login), and is checked in
the application database. A session ended or idle too long sends the person back to the login
form with the reason; nothing of the page is drawn.

Streamlit (1.67) cannot set a cookie from Python: ``st.context.cookies`` only reads the cookies
the browser sent when the page was loaded. After a login the cookie is written by a two-line
script in ``st.html(..., unsafe_allow_javascript=True)`` (rendered in the page, not an iframe).
A script can read it too (no HttpOnly): docs/security.md says why that is acceptable here.
"""

from __future__ import annotations

from urllib.parse import urlparse

import streamlit as st

from cockpit.scope import Viewer
from eldercare import accounts, audit, sessions
from eldercare.appdb import app_engine
from eldercare.errors import EldercareError
from eldercare.settings import get_settings

COOKIE = "eldercare_session"
TOKEN = "session_token"  # st.session_state key
_DROPPED = "dropped_token"  # a token this Streamlit session gave up: its cookie is not re-read


def client() -> str | None:
    address = st.context.ip_address
    return address if isinstance(address, str) else None  # None: no browser (AppTest)


def _cookie() -> str | None:
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) else None  # AppTest's context is a stand-in


def _reason_text(reason: str) -> str:
    if reason == "idle":
        minutes = get_settings().session_idle_minutes
        shown = f"{minutes:g} 分钟" if minutes >= 1 else f"{minutes * 60:g} 秒"
        return f"超过 {shown}未操作，会话已结束，请重新登录。"
    if reason == "disabled":
        return "账号已停用，会话已结束。"
    return "会话已结束（已退出登录、密码已修改或账号被管理员调整），请重新登录。"


def current_viewer() -> Viewer | None:
    """The viewer of a live session, or None (the reason is left in ``notice`` for the form)."""
    token = st.session_state.get(TOKEN)
    if not token:
        cookie = _cookie()
        if cookie and cookie != st.session_state.get(_DROPPED):
            token = cookie
    if not token:
        return None
    engine = app_engine()
    result = sessions.check(engine, token, get_settings().session_idle_minutes)
    if not result.alive:
        if result.reason == "idle":
            _audit_idle_end(engine, result.username)
        drop(token, _reason_text(result.reason))
        return None
    account = accounts.get(engine, result.username)
    if not st.session_state.get(TOKEN):
        # a fresh page load on the cookie: one run without navigation, as after the login form,
        # then the URL's page opens (Streamlit cannot find the default page by its own path)
        st.session_state[TOKEN] = token
        st.session_state["requested_path"] = urlparse(st.context.url or "").path
        st.rerun()
    return Viewer.from_account(account)


def _audit_idle_end(engine, username: str) -> None:
    try:
        account = accounts.get(engine, username)
    except EldercareError:
        return
    audit.record("logout", username=account.username, role=account.role,
                 county_code=account.county_code, client=client(), result="idle",
                 engine=engine)  # fmt: skip


def drop(token: str | None, notice: str | None) -> None:
    """Forget this Streamlit session's login (the database side is ended by the caller)."""
    st.session_state.clear()
    if token:
        st.session_state[_DROPPED] = token
    if notice:
        st.session_state["notice"] = notice


def login(username: str) -> None:
    """Both factors passed (and the password is fresh): open a session and keep its token."""
    token = sessions.start(app_engine(), username, client())
    st.session_state[TOKEN] = token


def keep_cookie() -> None:
    """Write the token into the browser's cookie when the page was loaded without it."""
    token = st.session_state.get(TOKEN)
    if token and _cookie() != token:
        secure = "; Secure" if (st.context.url or "").startswith("https:") else ""
        st.html(
            f'<script>document.cookie = "{COOKIE}={token}; Path=/; SameSite=Strict{secure}";'
            "</script>",
            unsafe_allow_javascript=True,
        )


def forget_cookie() -> None:
    """On the login form: a cookie left from an ended session is deleted."""
    st.html(
        f'<script>document.cookie = "{COOKIE}=; Path=/; Max-Age=0; SameSite=Strict";</script>',
        unsafe_allow_javascript=True,
    )


def logout(viewer: Viewer) -> None:
    """End every session of the account (all browsers and devices), then back to the form."""
    engine = app_engine()
    ended = sessions.end_all(engine, viewer.username, "logout")
    audit.record("logout", username=viewer.username, role=viewer.role,
                 county_code=viewer.county_code, client=client(), result="success",
                 detail={"sessions_ended": ended}, engine=engine)  # fmt: skip
    drop(st.session_state.get(TOKEN), "已退出登录。")
