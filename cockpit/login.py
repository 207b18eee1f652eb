"""Logging in with two factors, and out (``eldercare/auth.py``, ``eldercare/mfa.py``).

One form takes the user name, the password and the 6-digit code of the authenticator app. A
first login (or one after a reset) goes on, inside this Streamlit session only, to binding the
app (QR code and the secret as text, confirmed by one code) and to a new password; only then is
a server-side session opened (``cockpit/session.py``). A half-finished login expires after
5 minutes.
"""

from __future__ import annotations

import time
from datetime import UTC
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import streamlit as st

from cockpit import session
from cockpit.scope import Viewer
from eldercare import accounts, audit, auth, mfa
from eldercare.appdb import app_engine
from eldercare.errors import EldercareError

_PENDING = "pending_login"
PASSWORD_PAGE = "password"
_PENDING_SECONDS = 300
_BEIJING = ZoneInfo("Asia/Shanghai")


def _beijing(utc) -> str:
    return utc.replace(tzinfo=UTC).astimezone(_BEIJING).strftime("%H:%M")


def login_page() -> None:
    st.title("湛江智慧养老驾驶舱")
    st.caption("湛江市民政局 · 智慧养老数据平台")
    notice = st.session_state.pop("notice", None)
    if notice:
        st.warning(notice)
    pending = st.session_state.get(_PENDING)
    if pending and time.monotonic() - pending["since"] > _PENDING_SECONDS:
        st.session_state.pop(_PENDING)
        st.warning("登录步骤超时，请重新登录。")
        pending = None
    if pending is None:
        session.forget_cookie()
        _password_form()
    elif pending["stage"] == "enrol":
        _enrol_form(pending)
    else:
        _change_form(pending)


def _password_form() -> None:
    with st.form("login"):
        username = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        code = st.text_input(
            "动态口令", max_chars=6, help="手机验证器应用显示的 6 位数字；首次登录请留空"
        )
        submitted = st.form_submit_button("登录", type="primary")
    if not submitted:
        return
    try:
        result = auth.login(app_engine(), username.strip(), password, code, session.client())
    except EldercareError as exc:
        st.error(f"无法登录：{exc}")
        return
    if result.status == "locked":
        st.error(
            f"账号已锁定：连续 {auth.MAX_FAILURES} 次登录失败，{_beijing(result.until)} 后自动解锁"
            "（北京时间），或请安全管理员解锁。"
        )
        return
    if result.status == "failed":
        st.error("用户名、密码或动态口令错误，或账号已停用。")
        return
    pending = {
        "username": result.username,
        "stage": "enrol" if result.status == "enrol" else "change",
        "must_change": result.must_change,
        "since": time.monotonic(),
        # st.rerun() forgets the page of the URL (no navigation existed before login): keep it
        "path": urlparse(st.context.url or "").path,
    }
    if result.status == "enrol":
        pending["secret"] = mfa.new_secret()
    _next(pending)


def _next(pending: dict) -> None:
    """The next step of a login whose factors are right: enrol, change, or the session."""
    if pending["stage"] == "enrol" or pending["must_change"]:
        st.session_state[_PENDING] = pending
    else:
        st.session_state.pop(_PENDING, None)
        session.login(pending["username"])
        st.session_state["requested_path"] = pending["path"]
    st.rerun()


def _enrol_form(pending: dict) -> None:
    username, secret = pending["username"], pending["secret"]
    st.subheader("绑定动态口令（第二重身份鉴别）")
    st.write(
        "请用手机上的验证器应用（如 FreeOTP、Google Authenticator、Microsoft Authenticator）"
        "扫描二维码，或手动输入下面的密钥，然后填写应用显示的 6 位动态口令。"
    )
    st.image(mfa.qr_png(mfa.uri(username, secret)), caption="动态口令二维码", width=220)
    st.code(" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)), language=None)
    with st.form("enrol"):
        code = st.text_input("动态口令", max_chars=6)
        if not st.form_submit_button("绑定", type="primary"):
            return
    engine = app_engine()
    if not mfa.enrol(engine, username, secret, code):
        st.error("动态口令不正确：请核对手机时间，等下一个口令再试。")
        return
    account = accounts.get(engine, username)
    audit.record("totp_enrol", username=username, role=account.role,
                 county_code=account.county_code, client=session.client(), result="success",
                 engine=engine)  # fmt: skip
    _next({**pending, "stage": "change", "secret": None})


def _change_form(pending: dict) -> None:
    st.subheader("修改初始密码")
    st.write(
        f"首次登录或密码被重置后须设置新密码：至少 {auth.MIN_LENGTH} 个字符，包含大写字母、"
        f"小写字母、数字、符号中的至少 {auth.MIN_KINDS} 类，不得与最近 {auth.HISTORY} 次相同。"
    )
    with st.form("change"):
        new = st.text_input("新密码", type="password")
        again = st.text_input("确认新密码", type="password")
        if not st.form_submit_button("修改并登录", type="primary"):
            return
    if new != again:
        st.error("两次输入的新密码不一致。")
        return
    try:
        auth.change_own_password(
            app_engine(), pending["username"], new, current_password=None, client=session.client()
        )
    except EldercareError as exc:
        st.error(str(exc))
        return
    _next({**pending, "must_change": False})


def sidebar(viewer: Viewer) -> None:
    """Who is logged in, the way to change one's password (a hidden page), and logout."""
    with st.sidebar:
        area = (
            accounts.county_names().get(viewer.county_code, "全市")
            if viewer.county_code
            else "全市"
        )
        st.caption(
            f"{viewer.display_name}（{accounts.role_label(viewer.role)} · {area}） · "
            f"[修改密码]({PASSWORD_PAGE})"
        )
        if st.button("退出登录", icon=":material/logout:"):
            session.logout(viewer)
            st.rerun()
        session.keep_cookie()


def password_page() -> st.Page:
    """Changing one's own password: every account, not listed in the navigation."""
    return st.Page("app_pages/password.py", title="修改密码", url_path=PASSWORD_PAGE,
                   icon=":material/password:", visibility="hidden")  # fmt: skip


def change_own(viewer: Viewer, current: str, new: str, again: str) -> None:
    """The account's own change: every session of it ends, this one too."""
    if new != again:
        st.error("两次输入的新密码不一致。")
        return
    try:
        auth.change_own_password(
            app_engine(), viewer.username, new, current_password=current, client=session.client()
        )
    except EldercareError as exc:
        st.error(str(exc))
        return
    session.drop(
        st.session_state.get(session.TOKEN), "密码已修改，所有会话已结束，请用新密码登录。"
    )
    st.rerun()
